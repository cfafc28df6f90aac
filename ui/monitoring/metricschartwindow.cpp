#include "metricschartwindow.h"

#include "monitoring/monitoredmachines.h"
#include "monitoring/monitoringservice.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

namespace {
constexpr qint64 kMinute = 60 * 1000;
const qint64 kRanges[] = {10 * kMinute, 60 * kMinute, 24 * 60 * kMinute, 7 * 24 * 60 * kMinute, 30 * 24 * 60 * kMinute};
constexpr int kDefaultIntervalSeconds = 10;
} // namespace

MetricsChartWindow::MetricsChartWindow(MonitoringService *service, const QString &dataDir, qint64 machineId,
                                       const QString &title, QWidget *parent)
    : QWidget(parent), m_service(service), m_dataDir(dataDir), m_machineId(machineId),
      m_metrics{{QStringLiteral("cpu.percent"), QString(), tr("CPU %")},
                {QStringLiteral("load.1"), QString(), tr("Load (1 min)")},
                {QStringLiteral("mem.used_percent"), QString(), tr("Memory used %")},
                {QStringLiteral("swap.used_bytes"), QString(), tr("Swap used (bytes)")},
                {QStringLiteral("uptime.seconds"), QString(), tr("Uptime (s)")}},
      m_metric(new QComboBox(this)), m_range(new QComboBox(this)), m_live(new QCheckBox(tr("&Live"), this)),
      m_enable(new QPushButton(tr("&Enable monitoring"), this)), m_status(new QLabel(this)),
      m_series(new QLineSeries), m_timeAxis(new QDateTimeAxis), m_valueAxis(new QValueAxis)
{
    setObjectName(QStringLiteral("metricsChart-%1").arg(machineId));
    setWindowTitle(tr("Monitoring — %1").arg(title));
    for (const Metric &m : std::as_const(m_metrics))
        m_metric->addItem(m.title);
    m_metric->setObjectName(QStringLiteral("metricCombo"));
    m_range->setObjectName(QStringLiteral("rangeCombo"));
    m_range->addItems({tr("10 minutes"), tr("1 hour"), tr("1 day"), tr("7 days"), tr("30 days")});
    m_live->setChecked(true);
    m_live->setToolTip(tr("Add new samples as they arrive; off pauses the chart"));
    m_enable->setObjectName(QStringLiteral("enableMonitoringButton"));
    m_status->setObjectName(QStringLiteral("chartStatus"));

    auto *chart = new QChart;
    chart->legend()->hide();
    chart->addSeries(m_series);
    m_timeAxis->setFormat(QStringLiteral("HH:mm"));
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_series->attachAxis(m_timeAxis);
    m_series->attachAxis(m_valueAxis);
    auto *view = new QChartView(chart, this);
    view->setObjectName(QStringLiteral("chartView"));
    view->setRubberBand(QChartView::HorizontalRubberBand);   // drag to zoom, right-click to zoom out
    view->setRenderHint(QPainter::Antialiasing);
    connect(m_series, &QLineSeries::hovered, this, [](const QPointF &p, bool state) {
        if (state)
            QToolTip::showText(QCursor::pos(), QStringLiteral("%1\n%2")
                                                   .arg(QDateTime::fromMSecsSinceEpoch(qint64(p.x())).toString(Qt::ISODate))
                                                   .arg(p.y(), 0, 'f', 2));
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_metric);
    bar->addWidget(m_range);
    bar->addWidget(m_live);
    bar->addStretch(1);
    bar->addWidget(m_enable);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(view, 1);
    layout->addWidget(m_status);

    connect(m_metric, &QComboBox::currentIndexChanged, this, &MetricsChartWindow::reload);
    connect(m_range, &QComboBox::currentIndexChanged, this, &MetricsChartWindow::reload);
    connect(m_live, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            reload();
    });
    connect(m_enable, &QPushButton::clicked, this, &MetricsChartWindow::enableMonitoring);
    connect(m_service, &MonitoringService::samplesCollected, this, &MetricsChartWindow::onSamples);
    connect(m_service, &MonitoringService::monitoredChanged, this, &MetricsChartWindow::updateEnableButton);
    updateEnableButton();
    resize(900, 480);
    reload();
}

int MetricsChartWindow::pointCount() const
{
    return int(m_series->count());
}

QString MetricsChartWindow::statusText() const
{
    return m_status->text();
}

void MetricsChartWindow::setRangeIndex(int index)
{
    m_range->setCurrentIndex(index);
}

void MetricsChartWindow::setMetricIndex(int index)
{
    m_metric->setCurrentIndex(index);
}

qint64 MetricsChartWindow::rangeMs() const
{
    return kRanges[qBound(0, m_range->currentIndex(), int(std::size(kRanges)) - 1)];
}

const MetricsChartWindow::Metric &MetricsChartWindow::metric() const
{
    return m_metrics.at(qBound(0, m_metric->currentIndex(), int(m_metrics.size()) - 1));
}

void MetricsChartWindow::updateEnableButton()
{
    m_enable->setVisible(!m_service->monitored().contains(m_machineId));
}

void MetricsChartWindow::reload()
{
    const quint64 generation = ++m_generation;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    MetricSeriesKey key;
    key.machineId = m_machineId;
    key.name = metric().name;
    key.label = metric().label;
    // About one point per horizontal pixel of the plot.
    const int maxPoints = qMax(100, width());
    m_service->query(key, now - rangeMs(), now, maxPoints, this, [this, generation](Result<MetricSeriesData> data) {
        if (generation != m_generation)
            return;   // the user changed metric or range meanwhile
        if (!data) {
            m_series->clear();
            m_status->setText(data.error().toString());
            emit loaded(0);
            return;
        }
        showPoints(data.value().points);
    });
}

void MetricsChartWindow::showPoints(const QVector<TimePoint> &points)
{
    QList<QPointF> xy;
    xy.reserve(points.size());
    double low = 0, high = 1;
    for (const TimePoint &p : points) {
        xy.append(QPointF(double(p.ts), p.value));
        high = std::max(high, p.value);
        low = std::min(low, p.value);
    }
    m_series->replace(xy);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(now - rangeMs()), QDateTime::fromMSecsSinceEpoch(now));
    m_timeAxis->setFormat(rangeMs() > 24 * 60 * kMinute ? QStringLiteral("MMM d") : QStringLiteral("HH:mm"));
    m_valueAxis->setRange(low, high * 1.1);
    m_status->setText(points.isEmpty() ? tr("No data in this range yet.") : tr("%n point(s)", nullptr, int(points.size())));
    emit loaded(int(points.size()));
}

void MetricsChartWindow::onSamples(qint64 machineId, const MetricSampleSet &samples)
{
    if (machineId != m_machineId || !m_live->isChecked())
        return;
    for (const MetricPoint &p : samples.points) {
        if (p.name != metric().name || p.label != metric().label)
            continue;
        m_series->append(double(samples.timestampMs), p.value);
        const qint64 now = samples.timestampMs;
        m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(now - rangeMs()), QDateTime::fromMSecsSinceEpoch(now));
        if (p.value > m_valueAxis->max())
            m_valueAxis->setMax(p.value * 1.1);
        m_status->setText(tr("%n point(s)", nullptr, int(m_series->count())));
    }
}

void MetricsChartWindow::enableMonitoring()
{
    m_enable->setEnabled(false);
    m_status->setText(tr("Enabling monitoring…"));
    // monitoring.json is read on a worker, then saved by the service (also on a worker).
    auto *watcher = new QFutureWatcher<Result<MonitoredMachines>>(this);
    connect(watcher, &QFutureWatcher<Result<MonitoredMachines>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        Result<MonitoredMachines> rules = watcher->result();
        if (!rules) {
            m_enable->setEnabled(true);
            m_status->setText(rules.error().toString());
            return;
        }
        rules.value().enableMachine(m_machineId, kDefaultIntervalSeconds);
        m_service->setRules(rules.value(), this, [this](Result<bool> saved) {
            m_enable->setEnabled(true);
            m_status->setText(saved ? tr("Monitoring every %1 s; the first numbers follow shortly.").arg(kDefaultIntervalSeconds)
                                    : saved.error().toString());
            updateEnableButton();
        });
    });
    watcher->setFuture(QtConcurrent::run([path = MonitoredMachines::filePath(m_dataDir)] { return MonitoredMachines::load(path); }));
}

} // namespace mist
