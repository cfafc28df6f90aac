#include "metricchart.h"

#include "metricformat.h"
#include "monitoring/metricsample.h"
#include "timerange.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QKeyEvent>
#include <QLegend>
#include <QLineSeries>
#include <QMouseEvent>
#include <QRubberBand>
#include <QTimer>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace mist {

namespace {
constexpr qint64 kHour = 60 * 60 * 1000;
constexpr int kMaxLegendLines = 12;
constexpr int kMinDragPixels = 5;
} // namespace

MetricChart::MetricChart(MonitoringService *service, TimeRangeController *range, const QString &title, const QString &unit,
                         QWidget *parent)
    : QChartView(new QChart, parent), m_service(service), m_range(range), m_title(title), m_unit(unit),
      m_timeAxis(new QDateTimeAxis), m_valueAxis(new QValueAxis), m_reloadTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("metricChart"));
    chart()->setTitle(title);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->legend()->hide();
    chart()->setMargins(QMargins(4, 4, 4, 4));
    m_timeAxis->setTickCount(6);
    m_valueAxis->setLabelFormat(QStringLiteral("%g"));
    chart()->addAxis(m_timeAxis, Qt::AlignBottom);
    chart()->addAxis(m_valueAxis, Qt::AlignLeft);
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::NoRubberBand);   // ours changes the shared range instead
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    // Wheel and drag bursts change the range many times a second: query once they settle.
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(30);
    connect(m_reloadTimer, &QTimer::timeout, this, &MetricChart::reloadNow);
    connect(m_range, &TimeRangeController::rangeChanged, this, &MetricChart::reload);
    setAxisRange(m_range->fromMs(), m_range->toMs());
}

void MetricChart::setLines(const QVector<ChartLine> &lines)
{
    ++m_generation;   // answers for the old lines are dropped
    m_lineDefs = lines;
    rebuildSeries();
    reloadNow();
}

void MetricChart::rebuildSeries()
{
    for (Line &l : m_lines) {
        chart()->removeSeries(l.series);
        delete l.series;
    }
    m_lines.clear();
    for (const ChartLine &def : std::as_const(m_lineDefs)) {
        Line l;
        l.series = new QLineSeries(this);
        l.series->setName(def.title.isEmpty() ? m_title : def.title);
        chart()->addSeries(l.series);
        l.series->attachAxis(m_timeAxis);
        l.series->attachAxis(m_valueAxis);
        m_lines.append(l);
    }
    chart()->legend()->setVisible(m_lines.size() > 1 && m_lines.size() <= kMaxLegendLines);
}

int MetricChart::pointCount() const
{
    int n = 0;
    for (const Line &l : m_lines)
        n += int(l.series->count());
    return n;
}

int MetricChart::pointCount(int line) const
{
    return line >= 0 && line < m_lines.size() ? int(m_lines.at(line).series->count()) : 0;
}

QString MetricChart::lineName(int line) const
{
    return line >= 0 && line < m_lines.size() ? m_lines.at(line).series->name() : QString();
}

qint64 MetricChart::axisFromMs() const
{
    return m_timeAxis->min().toMSecsSinceEpoch();
}

qint64 MetricChart::axisToMs() const
{
    return m_timeAxis->max().toMSecsSinceEpoch();
}

bool MetricChart::isLoading() const
{
    return m_pending > 0 || m_reloadTimer->isActive();
}

int MetricChart::plotWidth() const
{
    int w = int(chart()->plotArea().width());
    if (w < 50)   // not laid out yet
        w = width() - 80;
    return std::max(200, w);
}

void MetricChart::reload()
{
    m_reloadTimer->start();
}

void MetricChart::reloadNow()
{
    m_reloadTimer->stop();
    const quint64 generation = ++m_generation;
    const qint64 from = m_range->fromMs();
    const qint64 to = m_range->toMs();
    if (!m_service || m_lines.isEmpty()) {
        m_pending = 0;
        setAxisRange(from, to);
        redraw();
        emit loaded(0);
        return;
    }
    m_pending = int(m_lines.size());
    m_message.clear();
    const int maxPoints = plotWidth();   // about one point per pixel
    for (int i = 0; i < m_lines.size(); ++i) {
        m_service->query(m_lineDefs.at(i).key, from, to, maxPoints, this, [this, generation, i, from, to](Result<MetricSeriesData> data) {
            if (generation != m_generation)
                return;   // the range or the lines changed meanwhile
            if (data) {
                m_lines[i].points = std::move(data.value().points);
            } else {
                m_lines[i].points.clear();
                if (m_message.isEmpty())
                    m_message = data.error().message;
            }
            if (--m_pending == 0) {
                // The axis moves with the data: one repaint, not one of the old points on
                // the new axis first.
                setAxisRange(from, to);
                redraw();
                emit loaded(pointCount());
            }
        });
    }
}

void MetricChart::redraw()
{
    double low = 0, high = 0;
    bool any = false;
    for (const Line &l : std::as_const(m_lines)) {
        for (const TimePoint &p : l.points) {
            low = any ? std::min(low, p.value) : p.value;
            high = any ? std::max(high, p.value) : p.value;
            any = true;
        }
    }
    const MetricFormat::Scale scale = MetricFormat::scaleFor(std::max(std::fabs(low), std::fabs(high)), m_unit);
    m_divisor = scale.divisor > 0 ? scale.divisor : 1;
    for (Line &l : m_lines) {
        QList<QPointF> xy;
        xy.reserve(l.points.size());
        for (const TimePoint &p : std::as_const(l.points))
            xy.append(QPointF(double(p.ts), p.value / m_divisor));
        l.series->replace(xy);
    }
    double lo = std::min(0.0, low / m_divisor);
    double hi = any ? high / m_divisor : 1.0;
    if (hi <= lo)
        hi = lo + 1;
    m_valueAxis->setRange(lo, hi + (hi - lo) * 0.05);
    m_valueAxis->applyNiceNumbers();
    m_valueAxis->setTitleText(scale.suffix);
    if (!any && m_message.isEmpty() && !m_lines.isEmpty())
        m_message = tr("No data in this range");
    if (any)
        m_message.clear();
    chart()->setTitle(m_message.isEmpty() ? m_title : tr("%1 — %2").arg(m_title, m_message));
}

void MetricChart::setAxisRange(qint64 fromMs, qint64 toMs)
{
    const qint64 width = toMs - fromMs;
    m_timeAxis->setFormat(width <= 2 * kHour ? QStringLiteral("HH:mm:ss")
                          : width <= 24 * kHour ? QStringLiteral("HH:mm")
                          : width <= 72 * kHour ? QStringLiteral("ddd HH:mm")
                                                : QStringLiteral("MMM d"));
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs), QDateTime::fromMSecsSinceEpoch(toMs));
}

void MetricChart::addSamples(qint64 machineId, const MetricSampleSet &samples)
{
    if (!m_range->isLive() || isLoading())
        return;   // paused or looking at the past; a running query brings these anyway
    bool appended = false, outside = false;
    for (int i = 0; i < m_lines.size(); ++i) {
        const MetricSeriesKey &key = m_lineDefs.at(i).key;
        if (key.machineId != machineId)
            continue;
        Line &line = m_lines[i];
        for (const MetricPoint &p : samples.points) {
            if (p.name != key.name || p.label != key.label)
                continue;
            if (!line.points.isEmpty() && samples.timestampMs <= line.points.constLast().ts)
                continue;
            line.points.append(TimePoint::raw(samples.timestampMs, p.value));
            const double y = p.value / m_divisor;
            line.series->append(double(samples.timestampMs), y);
            outside = outside || y > m_valueAxis->max() || y < m_valueAxis->min();
            appended = true;
        }
    }
    if (!appended)
        return;
    // Slide the window: drop what fell off its left edge.
    const qint64 to = std::max(m_range->toMs(), samples.timestampMs);
    const qint64 from = to - m_range->widthMs();
    for (Line &line : m_lines) {
        const auto firstKept = std::lower_bound(line.points.cbegin(), line.points.cend(), from,
                                                [](const TimePoint &p, qint64 t) { return p.ts < t; });
        const int drop = int(firstKept - line.points.cbegin());
        if (drop > 0 && drop <= line.series->count()) {
            line.points.remove(0, drop);
            line.series->removePoints(0, drop);
        }
    }
    setAxisRange(from, to);
    if (outside || !m_message.isEmpty())
        redraw();
}

QRectF MetricChart::plotRectInView() const
{
    return mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
}

qint64 MetricChart::timeAt(const QPoint &viewPos) const
{
    const QRectF plot = plotRectInView();
    const double f = plot.width() > 0 ? std::clamp((viewPos.x() - plot.left()) / plot.width(), 0.0, 1.0) : 0.0;
    const qint64 from = axisFromMs(), to = axisToMs();
    return from + qint64(f * double(to - from));
}

QString MetricChart::readoutAt(qint64 ts) const
{
    QStringList out{QDateTime::fromMSecsSinceEpoch(ts).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))};
    for (int i = 0; i < m_lines.size(); ++i) {
        const QVector<TimePoint> &points = m_lines.at(i).points;
        if (points.isEmpty())
            continue;
        auto it = std::lower_bound(points.cbegin(), points.cend(), ts, [](const TimePoint &p, qint64 t) { return p.ts < t; });
        if (it == points.cend() || (it != points.cbegin() && ts - (it - 1)->ts < it->ts - ts))
            --it;
        QString line = QStringLiteral("%1: %2").arg(lineName(i), MetricFormat::value(it->value, m_unit));
        if (it->min != it->max)   // a rollup point: its bucket's extremes too
            line += QStringLiteral(" (%1 … %2)").arg(MetricFormat::value(it->min, m_unit), MetricFormat::value(it->max, m_unit));
        out << line;
    }
    return out.join(QLatin1Char('\n'));
}

void MetricChart::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::LeftButton && plotRectInView().contains(pos)) {
        m_drag = event->modifiers() & Qt::ShiftModifier ? Drag::Pan : Drag::Zoom;
        m_dragStart = m_dragLast = pos;
        if (m_drag == Drag::Zoom) {
            if (!m_band)
                m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
            const QRectF plot = plotRectInView();
            m_band->setGeometry(QRect(QPoint(pos.x(), int(plot.top())), QPoint(pos.x(), int(plot.bottom()))));
            m_band->show();
        }
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void MetricChart::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    switch (m_drag) {
    case Drag::Zoom: {
        const QRectF plot = plotRectInView();
        m_band->setGeometry(QRect(QPoint(std::min(pos.x(), m_dragStart.x()), int(plot.top())),
                                  QPoint(std::max(pos.x(), m_dragStart.x()), int(plot.bottom()))));
        break;
    }
    case Drag::Pan:
        chart()->scroll(m_dragLast.x() - pos.x(), 0);   // immediate feedback; the query follows on release
        m_dragLast = pos;
        break;
    case Drag::None:
        if (!m_lines.isEmpty() && plotRectInView().contains(pos))
            QToolTip::showText(event->globalPosition().toPoint(), readoutAt(timeAt(pos)), this);
        QChartView::mouseMoveEvent(event);
        break;
    }
}

void MetricChart::mouseReleaseEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::RightButton) {
        m_range->zoomBy(2.0, timeAt(pos));
        event->accept();
        return;
    }
    if (event->button() != Qt::LeftButton || m_drag == Drag::None) {
        QChartView::mouseReleaseEvent(event);
        return;
    }
    const Drag drag = m_drag;
    m_drag = Drag::None;
    if (drag == Drag::Zoom) {
        m_band->hide();
        if (std::abs(pos.x() - m_dragStart.x()) >= kMinDragPixels) {
            // The axis still shows the range the drag was made on.
            m_range->zoomTo(timeAt(m_dragStart), timeAt(pos));
        }
    } else {
        const QRectF plot = plotRectInView();
        const double fraction = plot.width() > 0 ? (m_dragStart.x() - pos.x()) / plot.width() : 0;
        m_range->pan(fraction);
        setAxisRange(m_range->fromMs(), m_range->toMs());   // also when the pan was refused (future)
    }
    event->accept();
}

void MetricChart::wheelEvent(QWheelEvent *event)
{
    // A plain vertical wheel scrolls the dashboard the charts sit in; Shift (or a horizontal
    // wheel) pans, Ctrl zooms.
    const QPoint delta = event->angleDelta();
    const Qt::KeyboardModifiers mods = event->modifiers();
    const bool ours = (mods & (Qt::ShiftModifier | Qt::ControlModifier)) || (delta.y() == 0 && delta.x() != 0);
    const double steps = (delta.y() != 0 ? delta.y() : -delta.x()) / 120.0;
    if (!ours || steps == 0) {
        event->ignore();
        return;
    }
    if (event->modifiers() & Qt::ControlModifier)
        m_range->zoomBy(std::pow(0.8, steps), timeAt(event->position().toPoint()));
    else
        m_range->pan(-0.1 * steps);   // wheel up = earlier
    event->accept();
}

void MetricChart::keyPressEvent(QKeyEvent *event)
{
    const qint64 center = m_range->fromMs() + m_range->widthMs() / 2;
    switch (event->key()) {
    case Qt::Key_Left: m_range->pan(-0.5); break;
    case Qt::Key_Right: m_range->pan(0.5); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: m_range->zoomBy(0.5, center); break;
    case Qt::Key_Minus: m_range->zoomBy(2.0, center); break;
    case Qt::Key_Home: m_range->resetZoom(); break;
    default: QChartView::keyPressEvent(event); return;
    }
    event->accept();
}

void MetricChart::leaveEvent(QEvent *event)
{
    QToolTip::hideText();
    QChartView::leaveEvent(event);
}

} // namespace mist
