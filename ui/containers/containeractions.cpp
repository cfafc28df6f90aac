#include "containeractions.h"

#include "containers/containerlauncher.h"
#include "containers/kubeimportdialog.h"
#include "containers/logview.h"
#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "services/appcore.h"

#include <QAction>
#include <QJsonArray>
#include <QMenu>
#include <QWidget>

namespace mist {

ContainerActions::ContainerActions(AppCore *core, QWidget *window, Selection selection, QObject *parent)
    : QObject(parent), m_core(core), m_window(window), m_selection(std::move(selection)),
      m_logs(new QAction(tr("&Logs…"), this)), m_importKube(new QAction(tr("Import &kubeconfig…"), this))
{
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
}

void ContainerActions::updateEnabled()
{
    const auto [cloud, machine] = m_selection();
    m_logs->setEnabled(cloud && machine && ContainerLauncher::canLog(*cloud, *machine));
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
