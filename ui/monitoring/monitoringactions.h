#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

class QAction;
class QWidget;

namespace mist {

class AppCore;
class MetricsChartWindow;
struct Cloud;
struct Machine;

// "Monitoring…" for the selected machine: its metrics chart window (one per machine, raised
// when opened again), from which monitoring can be switched on.
class MonitoringActions : public QObject
{
    Q_OBJECT
public:
    using Selection = std::function<std::pair<const Cloud *, const Machine *>()>;

    MonitoringActions(AppCore *core, QWidget *window, Selection selection, QObject *parent = nullptr);

    QAction *chartAction() const { return m_chart; }
    void updateEnabled();
    MetricsChartWindow *openChartForSelection();

private:
    AppCore *m_core;
    QPointer<QWidget> m_window;
    Selection m_selection;
    QAction *m_chart;
};

} // namespace mist
