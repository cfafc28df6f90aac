#include "containeractions.h"

#include "containers/containerlauncher.h"
#include "containers/kubeimportdialog.h"
#include "containers/logview.h"
#include "containers/portforwardsview.h"
#include "providers/kubernetes/kubeportforwardlist.h"
#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "services/appcore.h"

#include <QAction>
#include <QInputDialog>
#include <QJsonArray>
#include <QMenu>
#include <QWidget>

namespace mist {

ContainerActions::ContainerActions(AppCore *core, QWidget *window, Selection selection, QObject *parent)
    : QObject(parent), m_core(core), m_window(window), m_selection(std::move(selection)),
      m_logs(new QAction(tr("&Logs…"), this)), m_importKube(new QAction(tr("Import &kubeconfig…"), this)),
      m_portForward(new QAction(tr("&Port forward…"), this)), m_showForwards(new QAction(tr("Port &forwards"), this)),
      m_forwards(new KubePortForwardList(this))
{
    m_portForward->setObjectName(QStringLiteral("actionPortForward"));
    m_portForward->setStatusTip(tr("Forward a local port to a port of the selected pod"));
    connect(m_portForward, &QAction::triggered, this, &ContainerActions::askPortForward);
    m_showForwards->setObjectName(QStringLiteral("actionShowPortForwards"));
    connect(m_showForwards, &QAction::triggered, this, &ContainerActions::showPortForwards);
    m_importKube->setObjectName(QStringLiteral("actionImportKubeconfig"));
    m_importKube->setStatusTip(tr("Add the contexts of a kubeconfig file as Kubernetes clouds"));
    connect(m_importKube, &QAction::triggered, this, [this] { openKubeImport(); });
    m_logs->setObjectName(QStringLiteral("actionLogs"));
    m_logs->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_L));
    m_logs->setStatusTip(tr("Show the logs of the selected container or pod"));
    connect(m_logs, &QAction::triggered, this, &ContainerActions::openLogsForSelection);
    updateEnabled();
}

void ContainerActions::addToMenu(QMenu *menu) const
{
    menu->addAction(m_logs);
    menu->addAction(m_portForward);
    menu->addAction(m_showForwards);
}

void ContainerActions::updateEnabled()
{
    const auto [cloud, machine] = m_selection();
    m_logs->setEnabled(cloud && machine && ContainerLauncher::canLog(*cloud, *machine));
    m_portForward->setEnabled(cloud && machine && ContainerLauncher::canPortForward(*cloud, *machine));
}

void ContainerActions::askPortForward()
{
    const auto [cloud, machine] = m_selection();
    if (!cloud || !machine || !m_window)
        return;
    auto *dialog = new QInputDialog(m_window);
    dialog->setObjectName(QStringLiteral("portForwardDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Port forward to %1").arg(machine->name));
    dialog->setLabelText(tr("Pod port, or local:pod port (as kubectl port-forward takes it):"));
    dialog->setOkButtonText(tr("Forward"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &text) {
        if (Status s = startPortForward(text); !s)
            emit statusMessage(s.error().toString());
    });
    dialog->open();
}

Status ContainerActions::startPortForward(const QString &ports)
{
    const auto [cloud, machine] = m_selection();
    if (!cloud || !machine || !ContainerLauncher::canPortForward(*cloud, *machine))
        return Error{tr("Select a running pod to forward a port to."), {}};
    const QStringList parts = ports.trimmed().split(QLatin1Char(':'));
    bool okRemote = false, okLocal = true;
    const uint remote = parts.last().toUInt(&okRemote);
    const uint local = parts.size() == 2 ? parts.first().toUInt(&okLocal) : 0;
    if (parts.size() > 2 || !okRemote || !okLocal || remote == 0 || remote > 65535 || local > 65535)
        return Error{tr("\"%1\" is not a port: give the pod's port (8080) or local:pod (9090:8080), 1–65535.").arg(ports), {}};
    m_core->containers()->openPortForward(machine->id, quint16(remote), quint16(local), this,
                                          [this](Result<KubePortForward *> forward) {
                                              if (!forward) {
                                                  emit statusMessage(forward.error().toString());
                                                  return;
                                              }
                                              m_forwards->add(forward.value());   // starts it
                                              showPortForwards();
                                          });
    return {};
}

PortForwardsView *ContainerActions::showPortForwards()
{
    if (!m_window)
        return nullptr;
    auto *view = m_window->findChild<PortForwardsView *>(QStringLiteral("portForwardsView"));
    if (!view) {
        view = new PortForwardsView(m_forwards, m_window);
        view->setWindowFlag(Qt::Window);
    }
    view->show();
    view->raise();
    return view;
}

LogView *ContainerActions::openLogsForSelection()
{
    const auto [cloud, machine] = m_selection();
    if (!cloud || !machine || !ContainerLauncher::canLog(*cloud, *machine) || !m_window)
        return nullptr;
    const QString name = QStringLiteral("logView-%1").arg(machine->id);
    if (auto *open = m_window->findChild<LogView *>(name)) {
        open->raise();
        open->activateWindow();
        return open;
    }
    LogView::Target target;
    target.machineId = machine->id;
    target.title = QStringLiteral("%1 (%2)").arg(machine->name, cloud->name);
    target.kubernetes = machine->extra.contains(QStringLiteral("namespace"));
    if (machine->kind == MachineKind::Pod) {
        for (const QJsonValue &c : machine->extra.value(QStringLiteral("containers")).toArray())
            target.containers << c.toString();
        const QJsonObject owner = machine->extra.value(QStringLiteral("owner")).toObject();
        if (!owner.isEmpty())
            target.workload = QStringLiteral("%1 %2").arg(owner.value(QStringLiteral("kind")).toString(),
                                                         owner.value(QStringLiteral("name")).toString());
    } else if (machine->extra.contains(QStringLiteral("container"))) {
        target.containers << machine->extra.value(QStringLiteral("container")).toString();
    }
    auto *view = new LogView(m_core->containers(), target, m_window);
    view->setObjectName(name);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->show();
    return view;
}

KubeImportDialog *ContainerActions::openKubeImport(const QStringList &paths)
{
    if (!m_window)
        return nullptr;
    auto *dialog = new KubeImportDialog(m_core, paths, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

} // namespace mist
