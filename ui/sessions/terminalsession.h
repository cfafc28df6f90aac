#pragma once

#include "inventory/auditentry.h"
#include "shell/terminalbackend.h"
#include "ssh/sshtypes.h"
#include "util/result.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace mist {

class StoreService;
class TerminalScreen;

// What a terminal tab is connected to (for its title and audit entries).
struct SessionSubject
{
    qint64 machineId = 0;
    qint64 cloudId = 0;
    QString machineName;
    bool local = false;       // a shell on this computer, not SSH
    bool container = false;   // exec into a container or pod through its provider, not SSH
};

// One terminal: the screen model plus the backend (SSH or local pty) it talks to. Survives
// its backend: "Reconnect" asks the launcher for a fresh one and keeps the scrollback.
// Bytes the screen sends while parsing host output (answers to queries) go only to its own
// backend; what the user types is also offered through userInput() for broadcast.
class TerminalSession : public QObject
{
    Q_OBJECT
public:
    enum class State { Connecting, Connected, Closed, Failed };
    Q_ENUM(State)

    // Builds a backend (asynchronously: target lookup, keychain) and hands it over, or fails.
    using Launcher = std::function<void(QObject *context, std::function<void(Result<TerminalBackend *>)> ready)>;

    TerminalSession(SessionSubject subject, Launcher launcher, StoreService *audit, QObject *parent = nullptr);
    ~TerminalSession() override;

    TerminalScreen *screen() const { return m_screen; }
    const SessionSubject &subject() const { return m_subject; }
    QString title() const;
    State state() const { return m_state; }
    QString statusText() const { return m_status; }
    TerminalBackend *backend() const { return m_backend; }
    // Set when the last attempt failed on the host key (unknown or changed): the key the
    // server presented, for an explicit "trust this key" by the user.
    std::optional<SshError> hostKeyProblem() const { return m_hostKeyProblem; }

    void start(int cols, int rows);
    void reconnect();
    void close();
    void writeInput(const QByteArray &bytes);   // typed elsewhere (broadcast)
    void resize(int cols, int rows);

signals:
    void stateChanged(mist::TerminalSession::State state);
    void userInput(const QByteArray &bytes);

private:
    void launch();
    void attach(TerminalBackend *backend);
    void onScreenOutput(const QByteArray &bytes);
    void onData(const QByteArray &bytes);
    void onConnected();
    void onEnded(int exitStatus, const QString &why);
    void setState(State state, const QString &status);
    void auditClosed(const QString &why);
    AuditEntry auditEntry(const QString &what) const;   // "opened" / "closed"

    SessionSubject m_subject;
    Launcher m_launcher;
    QPointer<StoreService> m_audit;
    TerminalScreen *m_screen;
    QPointer<TerminalBackend> m_backend;
    State m_state = State::Closed;
    QString m_status;
    std::optional<SshError> m_hostKeyProblem;
    int m_cols = 80;
    int m_rows = 24;
    bool m_feeding = false;
    quint64 m_generation = 0;   // drops answers of launches that were superseded
    QDateTime m_openedAt;
    QString m_user;
    QString m_keyFingerprint;
};

} // namespace mist
