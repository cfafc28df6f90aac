#pragma once

#include "ruleeditordialog.h"

#include <QObject>
#include <QPointer>

class QAction;
class QMainWindow;
class QMenu;

namespace mist {

class AlertNotifier;
class AppCore;
class InventoryModel;
class RulesWindow;

// What the main window installs for alerts: "Alert rules…" (Ctrl+Alt+R) opening the rules
// window (once, raised when opened again), and the AlertNotifier showing firing/resolved
// alerts in the system tray, or in the window's status bar where there is no tray.
class AlertActions : public QObject
{
    Q_OBJECT
public:
    AlertActions(AppCore *core, QMainWindow *window, InventoryModel *model, QObject *parent = nullptr);

    QAction *rulesAction() const { return m_rules; }
    AlertNotifier *notifier() const { return m_notifier; }
    void addToMenu(QMenu *menu);
    RulesWindow *openRules();

    // Every machine of the inventory tree (targets offered by the rule editor).
    static QVector<MachineChoice> machinesOf(const InventoryModel *model);

private:
    AppCore *m_core;
    QPointer<QMainWindow> m_window;
    QPointer<InventoryModel> m_model;
    QAction *m_rules;
    AlertNotifier *m_notifier;
};

} // namespace mist
