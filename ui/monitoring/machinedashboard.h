#pragma once

#include "metricchart.h"

#include <QSet>
#include <QWidget>

class QGridLayout;
class QLabel;
class QPushButton;
class QTimer;

namespace mist {

class TimeRangeBar;
class TimeRangeController;

// What a dashboard shows for a machine's stored series: which charts, with which lines.
struct ChartSpec
{
    QString title;
    QString unit;
    QVector<ChartLine> lines;
};

// A machine's monitoring dashboard (the window "Monitoring…" opens): a grid of charts — CPU
// (total and per core), load, memory + swap, disk used % per mount, disk I/O, network, then one
// chart per other series name (custom commands, Prometheus, container limits …) — sharing one
// TimeRangeController (range, zoom, pan, pause live). Built from MonitoringService::series,
// rebuilt when samples bring a series it does not show yet. "Enable monitoring" when the
// machine is not monitored.
class MachineDashboard : public QWidget
{
    Q_OBJECT
public:
    MachineDashboard(MonitoringService *service, const QString &dataDir, qint64 machineId, const QString &title,
                     QWidget *parent = nullptr);

    // Pure: the charts for these series, in display order.
    static QVector<ChartSpec> layoutFor(qint64 machineId, const QVector<MetricSeries> &series);

    qint64 machineId() const { return m_machineId; }
    QVector<MetricChart *> charts() const { return m_charts; }
    MetricChart *chart(const QString &title) const;
    TimeRangeController *range() const { return m_range; }
    TimeRangeBar *rangeBar() const { return m_bar; }
    QString statusText() const;

public slots:
    void reloadSeries();
    void enableMonitoring();

signals:
    void chartsBuilt(int count);

private:
    void build(const QVector<MetricSeries> &series);
    void onSamples(qint64 machineId, const MetricSampleSet &samples);
    void updateStatus();

    QPointer<MonitoringService> m_service;
    QString m_dataDir;
    qint64 m_machineId;
    TimeRangeController *m_range;
    TimeRangeBar *m_bar;
    QPushButton *m_enable;
    QLabel *m_status;
    QWidget *m_grid;
    QGridLayout *m_gridLayout;
    QTimer *m_seriesTimer;
    QVector<MetricChart *> m_charts;
    QSet<QString> m_known;   // "name\nlabel" of the series shown
    bool m_loadingSeries = false;
};

} // namespace mist
