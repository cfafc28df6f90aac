#pragma once

#include <QObject>

#include <functional>

class QAction;
class QMenu;
class QWidget;

namespace mist {

class AppCore;
class SessionController;
class SessionTabs;
struct Cloud;
struct Machine;

// The Terminal menu: open a shell on the selected machine or this computer, split, detach
// and close terminals, broadcast input, SSH settings of a machine, the key manager and the
// ~/.ssh/config import. Kept out of MainWindow so the window only places the widgets.
class TerminalActions : public QObject
{
    Q_OBJECT
public:
    // What is selected in the inventory: the machine (may be null) and its cloud.
    using Selection = std::function<std::pair<const Cloud *, const Machine *>()>;

    TerminalActions(AppCore *core, QWidget *window, Selection selection, QObject *parent = nullptr);

    SessionController *controller() const { return m_controller; }
    SessionTabs *tabs() const;
    void addToMenu(QMenu *menu) const;
    QAction *openShellAction() const { return m_openShell; }
    QAction *sshSettingsAction() const { return m_sshSettings; }

    // Double-click on a machine: a shell when one can be opened. False: not handled.
    bool openShellForSelection();
    void updateEnabled();

signals:
    void statusMessage(const QString &text);

private:
    void openSshSettings();
    void openKeyManager();
    void importSshConfig();
    void chooseScrollback();
    void applySettings();

    AppCore *m_core;
    QWidget *m_window;
    Selection m_selection;
    SessionController *m_controller;
    QAction *m_openShell;
    QAction *m_localShell;
    QAction *m_splitRight;
    QAction *m_splitDown;
    QAction *m_detach;
    QAction *m_close;
    QAction *m_broadcast;
    QAction *m_sshSettings;
    QAction *m_keys;
    QAction *m_importConfig;
    QMenu *m_schemeMenu;
    QAction *m_scrollback;
};

} // namespace mist
