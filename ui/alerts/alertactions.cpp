#include "alertactions.h"

#include "alertnotifier.h"
#include "inventory/inventorymodel.h"
#include "ruleswindow.h"
#include "services/appcore.h"

#include <QAction>
#include <QMainWindow>
#include <QMenu>
#include <QStatusBar>

#include <algorithm>

namespace mist {

AlertActions::AlertActions(AppCore *core, QMainWindow *window, InventoryModel *model, QObject *parent)
    : QObject(parent), m_core(core), m_window(window), m_model(model), m_rules(new QAction(tr("Alert &rules…"), this)),
      m_notifier(new AlertNotifier(core ? core->alerts() : nullptr, this))
{
    m_rules->setObjectName(QStringLiteral("actionAlertRules"));
    m_rules->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R));
    m_rules->setShortcutContext(Qt::WindowShortcut);
    m_rules->setStatusTip(tr("Alert rules on metrics and machine states, with notifications, webhooks and actions"));
    if (window) {
        window->addAction(m_rules);   // the shortcut works without the menu open
        connect(m_notifier, &AlertNotifier::statusMessage, window,
                [window](const QString &text, int timeoutMs) { window->statusBar()->showMessage(text, timeoutMs); });
    }
    connect(m_rules, &QAction::triggered, this, &AlertActions::openRules);
}

void AlertActions::addToMenu(QMenu *menu)
{
    menu->addAction(m_rules);
}

RulesWindow *AlertActions::openRules()
{
    if (!m_window || !m_core)
        return nullptr;
    if (auto *open = m_window->findChild<RulesWindow *>(QStringLiteral("rulesWindow"))) {
        open->show();
        open->raise();
        open->activateWindow();
        return open;
    }
    auto *w = new RulesWindow(m_core->alerts(), AlertRuleBook::filePath(m_core->location().dir()),
                              [model = m_model] { return machinesOf(model); }, m_window);
    w->setAttribute(Qt::WA_DeleteOnClose);
    w->show();
    return w;
}

QVector<MachineChoice> AlertActions::machinesOf(const InventoryModel *model)
{
    QVector<MachineChoice> out;
    if (!model)
        return out;
    for (const Machine &m : model->allMachines()) {
        const Cloud *cloud = model->cloud(m.cloudId);
        out.append(MachineChoice{m.id, m.name, cloud ? cloud->name : QString()});
    }
    std::sort(out.begin(), out.end(), [](const MachineChoice &a, const MachineChoice &b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
    return out;
}

} // namespace mist
