#include "monitoringactions.h"

#include "fleetoverview.h"
#include "inventory/machine.h"
#include "machinedashboard.h"
#include "overlaychartwindow.h"
#include "prometheussourcedialog.h"
#include "monitoring/monitoringservice.h"
#include "services/appcore.h"

#include <QAction>
#include <QMenu>
#include <QWidget>

#include <algorithm>

namespace mist {

MonitoringActions::MonitoringActions(AppCore *core, QWidget *window, Selection selection, QObject *parent)
    : QObject(parent), m_core(core), m_window(window), m_selection(std::move(selection)),
      m_chart(new QAction(tr("&Monitoring…"), this)), m_compare(new QAction(tr("Co&mpare metrics…"), this)),
      m_fleet(new QAction(tr("&Fleet overview"), this)),
      m_prometheus(new QAction(tr("Add &Prometheus source…"), this))
{
    m_prometheus->setObjectName(QStringLiteral("actionPrometheusSource"));
    m_prometheus->setStatusTip(tr("Chart a machine's series from an existing Prometheus or VictoriaMetrics server"));
    connect(m_prometheus, &QAction::triggered, this, &MonitoringActions::openPrometheusSource);
    m_chart->setObjectName(QStringLiteral("actionMonitoring"));
    m_chart->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_M));
    m_chart->setStatusTip(tr("Dashboard of the selected machine's CPU, load, memory, disks and network"));
    m_compare->setObjectName(QStringLiteral("actionCompareMetrics"));
    m_compare->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C));
    m_compare->setStatusTip(tr("One metric of the selected machines in one chart"));
    m_fleet->setObjectName(QStringLiteral("actionFleetOverview"));
    m_fleet->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_F));
    m_fleet->setStatusTip(tr("Latest numbers of every monitored machine"));
    for (QAction *a : {m_chart, m_compare, m_fleet})
        a->setShortcutContext(Qt::WindowShortcut);
    if (window)
        window->addActions({m_chart, m_compare, m_fleet});   // shortcuts work without the menu open
    connect(m_chart, &QAction::triggered, this, &MonitoringActions::openChartForSelection);
    connect(m_compare, &QAction::triggered, this, &MonitoringActions::openCompareForSelection);
    connect(m_fleet, &QAction::triggered, this, &MonitoringActions::openFleetOverview);
    updateEnabled();
}

void MonitoringActions::setMachineLookup(SelectedIds selected, MachineLookup lookup)
{
    m_selectedIds = std::move(selected);
    m_lookup = std::move(lookup);
    updateEnabled();
}

void MonitoringActions::addToMenu(QMenu *menu)
{
    menu->addAction(m_chart);
    menu->addAction(m_compare);
    menu->addAction(m_fleet);
    menu->addAction(m_prometheus);
}

void MonitoringActions::updateEnabled()
{
    const auto [cloud, machine] = m_selection();
    // Every kind can have metrics (SSH, libvirt, Docker, Kubernetes, Prometheus collectors).
    m_chart->setEnabled(cloud && machine);
    m_compare->setEnabled(m_selectedIds && m_selectedIds().size() >= 2);
    m_fleet->setEnabled(m_core && m_core->monitoring());
    m_prometheus->setEnabled(m_core && m_core->monitoring());
}

QDialog *MonitoringActions::openPrometheusSource()
{
    if (!m_core || !m_core->monitoring())
        return nullptr;
    auto [clouds, machines] = m_inventory ? m_inventory() : std::pair<QVector<Cloud>, QVector<Machine>>();
    // The selected machine first, so it is the dialog's default scope.
    if (const auto [cloud, machine] = m_selection(); machine) {
        const qint64 id = machine->id;
        std::stable_partition(machines.begin(), machines.end(), [id](const Machine &m) { return m.id == id; });
    }
    auto *dialog = new PrometheusSourceDialog(m_core->location().dir(), clouds, machines, std::nullopt, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<MonitoringService> service = m_core->monitoring();
    connect(dialog, &PrometheusSourceDialog::saved, this, [service] {
        if (service)
            service->reload();   // collectors of the machines it covers are rebuilt
    });
    dialog->show();
    return dialog;
}

QString MonitoringActions::nameOf(qint64 machineId) const
{
    if (m_lookup) {
        if (const Machine *m = m_lookup(machineId))
            return m->name;
    }
    return tr("machine %1").arg(machineId);
}

template <typename W>
W *MonitoringActions::raiseExisting(const QString &objectName) const
{
    W *open = m_window ? m_window->findChild<W *>(objectName) : nullptr;
    if (open) {
        open->show();
        open->raise();
        open->activateWindow();
    }
    return open;
}

void MonitoringActions::showWindow(QWidget *w)
{
    w->setWindowFlag(Qt::Window);
    w->setAttribute(Qt::WA_DeleteOnClose);
    w->show();
}

MachineDashboard *MonitoringActions::openChartForSelection()
{
    const auto [cloud, machine] = m_selection();
    if (!cloud || !machine)
        return nullptr;
    return openDashboard(machine->id, machine->name);
}

MachineDashboard *MonitoringActions::openDashboard(qint64 machineId, const QString &name)
{
    if (!m_window || !m_core)
        return nullptr;
    if (auto *open = raiseExisting<MachineDashboard>(QStringLiteral("monitoringDashboard-%1").arg(machineId)))
        return open;
    auto *dashboard = new MachineDashboard(m_core->monitoring(), m_core->location().dir(), machineId, name, m_window);
    showWindow(dashboard);
    return dashboard;
}

OverlayChartWindow *MonitoringActions::openCompareForSelection()
{
    if (!m_window || !m_core || !m_selectedIds)
        return nullptr;
    QVector<qint64> ids = m_selectedIds();
    if (ids.size() < 2)
        return nullptr;
    std::sort(ids.begin(), ids.end());
    QVector<MachineRef> machines;
    for (qint64 id : std::as_const(ids))
        machines.append({id, nameOf(id)});
    auto *overlay = new OverlayChartWindow(m_core->monitoring(), machines, m_window);
    showWindow(overlay);
    return overlay;
}

FleetOverviewWindow *MonitoringActions::openFleetOverview()
{
    if (!m_window || !m_core)
        return nullptr;
    if (auto *open = raiseExisting<FleetOverviewWindow>(QStringLiteral("fleetOverview")))
        return open;
    MonitoringService *service = m_core->monitoring();
    QPointer<MonitoringActions> self(this);
    auto *fleet = new FleetOverviewWindow(service, [self, service]() {
        QVector<MachineRef> out;
        if (!self || !service)
            return out;
        QList<qint64> ids = service->monitored().keys();
        std::sort(ids.begin(), ids.end());
        for (qint64 id : std::as_const(ids))
            out.append({id, self->nameOf(id)});
        return out;
    }, m_window);
    connect(fleet, &FleetOverviewWindow::openDashboard, this, &MonitoringActions::openDashboard);
    showWindow(fleet);
    return fleet;
}

} // namespace mist
