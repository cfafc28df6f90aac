#pragma once

#include "metricchart.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace mist {

class TimeRangeBar;
class TimeRangeController;

// "Compare…": one metric across several machines, a line per machine (legend = machine
// names), with the dashboard's ranges, zoom, pan and pause. The metric list is every
// (name, label) stored for any of the machines, CPU first.
class OverlayChartWindow : public QWidget
{
    Q_OBJECT
public:
    OverlayChartWindow(MonitoringService *service, const QVector<MachineRef> &machines, QWidget *parent = nullptr);

    MetricChart *chart() const { return m_chart; }
    TimeRangeController *range() const { return m_range; }
    QComboBox *metricCombo() const { return m_metric; }
    // Selects a metric (false if no machine has it).
    bool setMetric(const QString &name, const QString &label = {});

signals:
    void metricsListed(int count);

private:
    void listMetrics();
    void metricChosen();

    QPointer<MonitoringService> m_service;
    QVector<MachineRef> m_machines;
    TimeRangeController *m_range;
    TimeRangeBar *m_bar;
    QComboBox *m_metric;
    QLabel *m_status;
    MetricChart *m_chart = nullptr;
    QHash<QString, QString> m_units;   // "name\nlabel" -> unit
};

} // namespace mist
