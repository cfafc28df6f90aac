#include "monitoringactions.h"

#include "inventory/machine.h"
#include "monitoring/metricschartwindow.h"
#include "services/appcore.h"

#include <QAction>
#include <QWidget>

namespace mist {

MonitoringActions::MonitoringActions(AppCore *core, QWidget *window, Selection selection, QObject *parent)
    : QObject(parent), m_core(core), m_window(window), m_selection(std::move(selection)),
      m_chart(new QAction(tr("&Monitoring…"), this))
{
    m_chart->setObjectName(QStringLiteral("actionMonitoring"));
    m_chart->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_M));
    m_chart->setStatusTip(tr("Charts of the selected machine's CPU, load and memory"));
    connect(m_chart, &QAction::triggered, this, &MonitoringActions::openChartForSelection);
    updateEnabled();
}

void MonitoringActions::updateEnabled()
{
    const auto [cloud, machine] = m_selection();
    // Metrics come from Linux machines over SSH (or this computer): not from containers or pods.
    m_chart->setEnabled(cloud && machine && machine->kind != MachineKind::Container && machine->kind != MachineKind::Pod);
}

MetricsChartWindow *MonitoringActions::openChartForSelection()
{
    const auto [cloud, machine] = m_selection();
    if (!cloud || !machine || !m_window)
        return nullptr;
    if (auto *open = m_window->findChild<MetricsChartWindow *>(QStringLiteral("metricsChart-%1").arg(machine->id))) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto *chart = new MetricsChartWindow(m_core->monitoring(), m_core->location().dir(), machine->id, machine->name, m_window);
    chart->setWindowFlag(Qt::Window);
    chart->setAttribute(Qt::WA_DeleteOnClose);
    chart->show();
    return chart;
}

} // namespace mist
