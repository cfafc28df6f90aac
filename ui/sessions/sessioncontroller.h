#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "sessions/terminalsession.h"
#include "ssh/sshtypes.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QWidget;

namespace mist {

class AppCore;
class HostKeyVerifier;
class SessionPane;
class SessionTabs;

// Opens terminals: a local pty for "This computer", SSH for everything else. The SSH target
// (address, user, port, key, jump hosts) is resolved on the store thread, the key read from
// the keychain on a worker, and the connection made on the backend's own thread; unknown
// host keys and passwords are asked for with dialogs while the worker waits. A changed host
// key is refused and offered for explicit replacement from the terminal's status line.
class SessionController : public QObject
{
    Q_OBJECT
public:
    SessionController(AppCore *core, QWidget *window, QObject *parent = nullptr);
    ~SessionController() override;

    SessionTabs *tabs() const { return m_tabs; }

    SessionPane *openShell(const Cloud &cloud, const Machine &machine);
    SessionPane *openLocalShell();
    static bool canOpenShell(const Cloud &cloud, const Machine &machine);

    // The status line's "Trust host key…": confirm with the fingerprints, store, reconnect.
    void trustHostKey(SessionPane *pane);

    // Tests: answer unknown host keys without a dialog (true = trust).
    void setUnknownHostKeyAnswer(std::optional<bool> answer) { m_unknownKeyAnswer = answer; }

private:
    TerminalSession *makeSession(const SessionSubject &subject);
    void launchSsh(const SessionSubject &subject, QObject *context, std::function<void(Result<TerminalBackend *>)> ready);
    std::shared_ptr<HostKeyVerifier> verifierFor(const SessionSubject &subject);
    std::function<std::optional<QString>(const QString &)> passwordPromptFor(const QString &who);

    AppCore *m_core;
    QPointer<QWidget> m_window;
    SessionTabs *m_tabs;
    std::optional<bool> m_unknownKeyAnswer;
};

} // namespace mist
