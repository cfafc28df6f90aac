#pragma once

#include "metricchart.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QTableView;
class QTimer;

namespace mist {

// The fleet overview's rows: every monitored machine with its latest CPU %, load, memory %,
// fullest disk %, network rx+tx and collection status, plus the last hour as a sparkline per
// numeric column (MonitoringService::summaries).
class FleetModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, StatusColumn, CpuColumn, LoadColumn, MemoryColumn, DiskColumn, NetworkColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,   // double; rows without a value sort below every number
        SparklineRole,                 // QVector<double>, NaN = no sample in that bucket
        SparklineMaxRole,              // the sparkline's fixed top (100 for %), or invalid = auto
        MachineIdRole,
    };

    explicit FleetModel(QObject *parent = nullptr);

    // The summaries asked for, one per numeric column (CpuColumn … NetworkColumn).
    static QVector<MetricSummaryRequest> requests();

    void setMachines(const QVector<MachineRef> &machines);
    void setStatuses(const QHash<qint64, MonitoringStatus> &statuses, const QHash<qint64, int> &monitored);
    // From the store: sparklines and latest values (a newer live value is kept).
    void setSummaries(const QHash<qint64, QVector<MetricSummary>> &summaries);
    // Live: the latest values from each machine's newest collection round.
    void applySamples(const QHash<qint64, MetricSampleSet> &newest);
    QVector<qint64> machineIds() const;
    qint64 machineIdAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        MachineRef machine;
        bool monitored = false;
        bool hasStatus = false;
        MonitoringStatus status;
        QVector<MetricSummary> values;   // per numeric column
    };
    static QString unitOf(int column);
    QString statusText(const Row &row) const;

    QVector<Row> m_rows;
};

// Sorting on FleetModel::SortRole and the "Top N by …" quick filter: only the N rows with the
// highest value in the chosen column pass.
class FleetProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FleetProxy(QObject *parent = nullptr);
    void setSourceModel(QAbstractItemModel *model) override;
    void setTop(int count, int column);   // count 0 = every row
    int topCount() const { return m_count; }
    int topColumn() const { return m_column; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void recomputeTop();

    int m_count = 0;
    int m_column = FleetModel::CpuColumn;
    QSet<int> m_top;   // source rows
};

// Paints a cell's sparkline (QPainter polyline) behind its value.
class SparklineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

// The fleet overview window: the table (sortable, "Top 10 by …"). Latest values and statuses
// follow the collected samples live (coalesced: at most once a second); the sparklines (1 min
// buckets) are re-read from the store every minute, and when the machines change. A
// double-click opens the machine's dashboard.
class FleetOverviewWindow : public QWidget
{
    Q_OBJECT
public:
    using MachineSource = std::function<QVector<MachineRef>()>;   // the monitored machines

    FleetOverviewWindow(MonitoringService *service, MachineSource machines, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    FleetModel *model() const { return m_model; }
    FleetProxy *proxy() const { return m_proxy; }
    QComboBox *topCombo() const { return m_top; }
    // -1 = every machine, else "top 10 by" that FleetModel column.
    void setTopFilter(int column);

public slots:
    void reloadMachines();
    void refresh();       // from the store, now (or right after the query in flight)
    void refreshLive();   // the samples and statuses that arrived since the last time

signals:
    void openDashboard(qint64 machineId, const QString &name);
    void refreshed();

private:
    void scheduleLive();

    QPointer<MonitoringService> m_service;
    MachineSource m_machines;
    FleetModel *m_model;
    FleetProxy *m_proxy;
    QTableView *m_view;
    QComboBox *m_top;
    QLabel *m_status;
    QTimer *m_coalesce;
    QTimer *m_sparklines;
    QHash<qint64, MetricSampleSet> m_newest;   // per machine, since the last refreshLive()
    bool m_inFlight = false;
    bool m_dirty = false;
};

} // namespace mist
