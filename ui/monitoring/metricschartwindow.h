#pragma once

#include "monitoring/downsample.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QPushButton;
class QValueAxis;

namespace mist {

class MonitoringService;
struct MetricSampleSet;

// A machine's metrics as a chart: metric (CPU, load, memory, network, disk), time range
// (10 min to 30 days), live updates from the collectors, rubber-band zoom (drag) and a hover
// read-out. Queries run on the service's pool with maxPoints = the plot's width, so 30 days
// at 10 s draw as fast as 10 minutes. "Enable monitoring" when the machine is not monitored.
class MetricsChartWindow : public QWidget
{
    Q_OBJECT
public:
    MetricsChartWindow(MonitoringService *service, const QString &dataDir, qint64 machineId, const QString &title,
                       QWidget *parent = nullptr);

    int pointCount() const;
    QString statusText() const;
    void setRangeIndex(int index);   // 0 = 10 min ... 4 = 30 days
    void setMetricIndex(int index);

public slots:
    void reload();
    void enableMonitoring();

signals:
    void loaded(int points);

private:
    struct Metric
    {
        QString name;
        QString label;
        QString title;
    };
    void showPoints(const QVector<TimePoint> &points);
    void onSamples(qint64 machineId, const MetricSampleSet &samples);
    void updateEnableButton();
    qint64 rangeMs() const;
    const Metric &metric() const;

    MonitoringService *m_service;
    QString m_dataDir;
    qint64 m_machineId;
    QVector<Metric> m_metrics;
    quint64 m_generation = 0;
    QComboBox *m_metric;
    QComboBox *m_range;
    QCheckBox *m_live;
    QPushButton *m_enable;
    QLabel *m_status;
    QLineSeries *m_series;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
};

} // namespace mist
