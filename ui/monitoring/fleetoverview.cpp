#include "fleetoverview.h"

#include "metricformat.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mist {

namespace {
constexpr qint64 kSparklineSpanMs = 60 * 60 * 1000;   // the last hour
constexpr int kSparklineBuckets = 60;
constexpr int kTopCount = 10;
constexpr int kRefreshMs = 1000;
constexpr int kSparklineRefreshMs = 60 * 1000;   // one bucket
constexpr int kFirstNumeric = FleetModel::CpuColumn;
} // namespace

FleetModel::FleetModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QVector<MetricSummaryRequest> FleetModel::requests()
{
    using C = MetricSummaryRequest::Combine;
    return {
        {{QStringLiteral("cpu.percent")}, C::Total},
        {{QStringLiteral("load.1")}, C::Total},
        {{QStringLiteral("mem.used_percent")}, C::Total},
        {{QStringLiteral("disk.used_percent")}, C::Max},
        {{QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("net.tx_bytes_per_s")}, C::Sum},
    };
}

QString FleetModel::unitOf(int column)
{
    switch (column) {
    case CpuColumn:
    case MemoryColumn:
    case DiskColumn: return QStringLiteral("%");
    case NetworkColumn: return QStringLiteral("bytes/s");
    default: return QString();
    }
}

void FleetModel::setMachines(const QVector<MachineRef> &machines)
{
    QHash<qint64, Row> old;
    for (const Row &r : std::as_const(m_rows))
        old.insert(r.machine.id, r);
    beginResetModel();
    m_rows.clear();
    for (const MachineRef &m : machines) {
        Row r = old.value(m.id);
        r.machine = m;
        m_rows.append(r);
    }
    endResetModel();
}

void FleetModel::setStatuses(const QHash<qint64, MonitoringStatus> &statuses, const QHash<qint64, int> &monitored)
{
    for (Row &r : m_rows) {
        r.monitored = monitored.contains(r.machine.id);
        r.hasStatus = statuses.contains(r.machine.id);
        r.status = statuses.value(r.machine.id);
    }
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, StatusColumn), index(int(m_rows.size()) - 1, StatusColumn));
}

void FleetModel::setSummaries(const QHash<qint64, QVector<MetricSummary>> &summaries)
{
    for (Row &r : m_rows) {
        QVector<MetricSummary> values = summaries.value(r.machine.id);
        values.resize(ColumnCount - kFirstNumeric);
        for (int i = 0; i < values.size() && i < r.values.size(); ++i) {
            const MetricSummary &live = r.values.at(i);
            if (live.hasLatest && live.latestMs > values.at(i).latestMs) {   // arrived after the query read
                values[i].hasLatest = true;
                values[i].latest = live.latest;
                values[i].latestMs = live.latestMs;
            }
        }
        r.values = std::move(values);
    }
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, kFirstNumeric), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void FleetModel::applySamples(const QHash<qint64, MetricSampleSet> &newest)
{
    const QVector<MetricSummaryRequest> reqs = requests();
    bool changed = false;
    for (Row &r : m_rows) {
        const auto set = newest.constFind(r.machine.id);
        if (set == newest.cend())
            continue;
        r.values.resize(reqs.size());
        for (int i = 0; i < reqs.size(); ++i) {
            double value = std::numeric_limits<double>::quiet_NaN();
            for (const MetricPoint &p : set->points) {
                if (reqs.at(i).matches(p.name, p.label))
                    value = reqs.at(i).merge(value, p.value);
            }
            if (std::isnan(value))
                continue;   // e.g. CPU % needs two rounds: keep what the store said
            r.values[i].hasLatest = true;
            r.values[i].latest = value;
            r.values[i].latestMs = set->timestampMs;
            changed = true;
        }
    }
    if (changed)
        emit dataChanged(index(0, kFirstNumeric), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

QVector<qint64> FleetModel::machineIds() const
{
    QVector<qint64> out;
    for (const Row &r : m_rows)
        out.append(r.machine.id);
    return out;
}

qint64 FleetModel::machineIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).machine.id : 0;
}

int FleetModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FleetModel::statusText(const Row &row) const
{
    if (!row.monitored)
        return tr("not monitored");
    if (!row.hasStatus)
        return tr("waiting");
    switch (row.status.state) {
    case MonitoringStatus::State::Connecting: return tr("connecting");
    case MonitoringStatus::State::Collecting: return tr("collecting");
    case MonitoringStatus::State::Failing: return tr("failing");
    }
    return {};
}

QVariant FleetModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    const int column = index.column();
    if (role == MachineIdRole)
        return row.machine.id;
    if (column == NameColumn) {
        if (role == Qt::DisplayRole || role == SortRole)
            return row.machine.name;
        return {};
    }
    if (column == StatusColumn) {
        switch (role) {
        case Qt::DisplayRole:
        case SortRole: return statusText(row);
        case Qt::ToolTipRole:
            return row.status.state == MonitoringStatus::State::Failing ? row.status.error.toString() : QVariant();
        case Qt::ForegroundRole:
            return row.status.state == MonitoringStatus::State::Failing && row.hasStatus ? QVariant(QColor(Qt::red)) : QVariant();
        default: return {};
        }
    }
    const int i = column - kFirstNumeric;
    const MetricSummary value = i < row.values.size() ? row.values.at(i) : MetricSummary{};
    switch (role) {
    case Qt::DisplayRole: return value.hasLatest ? MetricFormat::value(value.latest, unitOf(column)) : QStringLiteral("–");
    case SortRole: return value.hasLatest ? value.latest : -std::numeric_limits<double>::max();
    case SparklineRole: return QVariant::fromValue(value.sparkline);
    case SparklineMaxRole: return unitOf(column) == QLatin1String("%") ? QVariant(100.0) : QVariant();
    case Qt::TextAlignmentRole: return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return value.hasLatest ? tr("%1 at %2; the line is the last hour")
                                     .arg(MetricFormat::value(value.latest, unitOf(column)),
                                          QDateTime::fromMSecsSinceEpoch(value.latestMs).toString(QStringLiteral("HH:mm:ss")))
                               : tr("No sample in the last hour");
    default: return {};
    }
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Machine");
    case StatusColumn: return tr("Status");
    case CpuColumn: return tr("CPU");
    case LoadColumn: return tr("Load 1");
    case MemoryColumn: return tr("Memory");
    case DiskColumn: return tr("Disk (fullest)");
    case NetworkColumn: return tr("Network rx+tx");
    default: return {};
    }
}

FleetProxy::FleetProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(FleetModel::SortRole);
    setDynamicSortFilter(true);
}

void FleetProxy::setSourceModel(QAbstractItemModel *model)
{
    QSortFilterProxyModel::setSourceModel(model);
    // The top N is a property of all rows together: recomputed whenever any of them changes.
    connect(model, &QAbstractItemModel::dataChanged, this, &FleetProxy::recomputeTop);
    connect(model, &QAbstractItemModel::modelReset, this, &FleetProxy::recomputeTop);
    connect(model, &QAbstractItemModel::rowsInserted, this, &FleetProxy::recomputeTop);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &FleetProxy::recomputeTop);
    recomputeTop();
}

void FleetProxy::setTop(int count, int column)
{
    m_count = std::max(0, count);
    m_column = column;
    recomputeTop();
}

void FleetProxy::recomputeTop()
{
    QSet<int> top;
    if (m_count > 0 && sourceModel()) {
        QVector<std::pair<double, int>> values;
        for (int r = 0; r < sourceModel()->rowCount(); ++r) {
            const double v = sourceModel()->index(r, m_column).data(FleetModel::SortRole).toDouble();
            if (v > -std::numeric_limits<double>::max())   // a machine without data is no "top"
                values.append({v, r});
        }
        std::stable_sort(values.begin(), values.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        for (int i = 0; i < std::min(m_count, int(values.size())); ++i)
            top.insert(values.at(i).second);
    }
    if (top == m_top)
        return;
    m_top = top;
    invalidateFilter();
}

bool FleetProxy::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    return m_count == 0 || m_top.contains(sourceRow);
}

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    const QVector<double> values = index.data(FleetModel::SparklineRole).value<QVector<double>>();
    if (values.size() < 2)
        return;
    double top = 0;
    for (double v : values) {
        if (!std::isnan(v))
            top = std::max(top, v);
    }
    if (const QVariant fixed = index.data(FleetModel::SparklineMaxRole); fixed.isValid())
        top = std::max(top, fixed.toDouble());
    if (top <= 0)
        top = 1;
    // The line fills the cell left of the value's text.
    const QString text = index.data(Qt::DisplayRole).toString();
    const int textWidth = option.fontMetrics.horizontalAdvance(text) + 8;
    const QRectF area = QRectF(option.rect).adjusted(3, 3, -textWidth, -3);
    if (area.width() < 12)
        return;
    QPainterPath path;
    bool pen = false;
    for (int i = 0; i < values.size(); ++i) {
        if (std::isnan(values.at(i))) {
            pen = false;   // a gap: no sample in that bucket
            continue;
        }
        const QPointF p(area.left() + area.width() * i / (values.size() - 1), area.bottom() - area.height() * values.at(i) / top);
        if (pen)
            path.lineTo(p);
        else
            path.moveTo(p);
        pen = true;
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(QPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Link), 1.2));
    painter->drawPath(path);
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() >= kFirstNumeric)
        s.setWidth(std::max(s.width(), option.fontMetrics.horizontalAdvance(QLatin1Char('M')) * 14));
    s.setHeight(std::max(s.height(), option.fontMetrics.height() + 10));
    return s;
}

FleetOverviewWindow::FleetOverviewWindow(MonitoringService *service, MachineSource machines, QWidget *parent)
    : QWidget(parent), m_service(service), m_machines(std::move(machines)), m_model(new FleetModel(this)),
      m_proxy(new FleetProxy(this)), m_view(new QTableView(this)), m_top(new QComboBox(this)), m_status(new QLabel(this)),
      m_coalesce(new QTimer(this)), m_sparklines(new QTimer(this))
{
    setObjectName(QStringLiteral("fleetOverview"));
    setWindowTitle(tr("Fleet overview"));
    m_proxy->setSourceModel(m_model);
    m_view->setObjectName(QStringLiteral("fleetTable"));
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new SparklineDelegate(m_view));
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FleetModel::CpuColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setToolTip(tr("Double-click a machine to open its dashboard"));

    m_top->setObjectName(QStringLiteral("fleetTop"));
    m_top->addItem(tr("All machines"), -1);
    for (int c = kFirstNumeric; c < FleetModel::ColumnCount; ++c)
        m_top->addItem(tr("Top %1 by %2").arg(kTopCount).arg(m_model->headerData(c, Qt::Horizontal).toString()), c);
    m_status->setObjectName(QStringLiteral("fleetStatus"));

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("&Show:"), this));
    qobject_cast<QLabel *>(top->itemAt(0)->widget())->setBuddy(m_top);
    top->addWidget(m_top);
    top->addWidget(m_status, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    connect(m_top, &QComboBox::currentIndexChanged, this, [this](int i) { setTopFilter(m_top->itemData(i).toInt()); });
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &i) {
        const QModelIndex name = i.siblingAtColumn(FleetModel::NameColumn);
        emit openDashboard(name.data(FleetModel::MachineIdRole).toLongLong(), name.data().toString());
    });
    // Samples arrive per machine all the time: the table changes at most once a second.
    m_coalesce->setSingleShot(true);
    m_coalesce->setInterval(kRefreshMs);
    connect(m_coalesce, &QTimer::timeout, this, &FleetOverviewWindow::refreshLive);
    // Reading the last hour of 1,000 machines takes a few hundred ms: once a minute is enough
    // for sparklines of one-minute buckets.
    m_sparklines->setInterval(kSparklineRefreshMs);
    connect(m_sparklines, &QTimer::timeout, this, &FleetOverviewWindow::refresh);
    m_sparklines->start();
    if (m_service) {
        connect(m_service, &MonitoringService::samplesCollected, this, [this](qint64 id, const MetricSampleSet &set) {
            MetricSampleSet &kept = m_newest[id];
            if (set.timestampMs >= kept.timestampMs)
                kept = set;
            scheduleLive();
        });
        connect(m_service, &MonitoringService::statusChanged, this, &FleetOverviewWindow::scheduleLive);
        connect(m_service, &MonitoringService::monitoredChanged, this, &FleetOverviewWindow::reloadMachines);
    }
    resize(1000, 520);
    reloadMachines();
}

void FleetOverviewWindow::setTopFilter(int column)
{
    const int i = m_top->findData(column);
    if (i >= 0 && i != m_top->currentIndex()) {
        m_top->setCurrentIndex(i);   // comes back here through the signal
        return;
    }
    m_proxy->setTop(column < 0 ? 0 : kTopCount, column < 0 ? FleetModel::CpuColumn : column);
    if (column >= 0)
        m_view->sortByColumn(column, Qt::DescendingOrder);
}

void FleetOverviewWindow::reloadMachines()
{
    m_model->setMachines(m_machines ? m_machines() : QVector<MachineRef>{});
    refresh();
}

void FleetOverviewWindow::scheduleLive()
{
    if (!m_coalesce->isActive())
        m_coalesce->start();
}

void FleetOverviewWindow::refreshLive()
{
    if (!m_service)
        return;
    m_coalesce->stop();
    m_model->setStatuses(m_service->statuses(), m_service->monitored());
    m_model->applySamples(m_newest);
    m_newest.clear();
    emit refreshed();
}

void FleetOverviewWindow::refresh()
{
    if (!m_service)
        return;
    m_model->setStatuses(m_service->statuses(), m_service->monitored());
    if (m_inFlight) {
        m_dirty = true;   // once the running query is back
        return;
    }
    m_inFlight = true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_service->summaries(m_model->machineIds(), FleetModel::requests(), now - kSparklineSpanMs, now, kSparklineBuckets, this,
                         [this](Result<QHash<qint64, QVector<MetricSummary>>> r) {
                             m_inFlight = false;
                             if (r) {
                                 m_model->setSummaries(r.value());
                                 m_status->setText(tr("%n machine(s)", nullptr, m_model->rowCount()));
                             } else {
                                 m_status->setText(r.error().toString());
                             }
                             emit refreshed();
                             if (m_dirty) {
                                 m_dirty = false;
                                 refresh();
                             }
                         });
}

} // namespace mist
