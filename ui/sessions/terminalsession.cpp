#include "terminalsession.h"

#include "inventory/auditentry.h"
#include "services/storeservice.h"
#include "shell/sshshellbackend.h"
#include "terminal/terminalscreen.h"

namespace mist {

TerminalSession::TerminalSession(SessionSubject subject, Launcher launcher, StoreService *audit, QObject *parent)
    : QObject(parent), m_subject(std::move(subject)), m_launcher(std::move(launcher)), m_audit(audit),
      m_screen(new TerminalScreen(80, 24, this))
{
    connect(m_screen, &TerminalScreen::output, this, &TerminalSession::onScreenOutput);
}

TerminalSession::~TerminalSession()
{
    blockSignals(true);   // whoever listens may be half destroyed already (the pane owning us)
    close();
}

QString TerminalSession::title() const
{
    if (m_subject.local)
        return tr("This computer");
    return m_subject.machineName;
}

void TerminalSession::start(int cols, int rows)
{
    m_cols = cols;
    m_rows = rows;
    launch();
}

void TerminalSession::reconnect()
{
    if (m_state == State::Connecting || m_state == State::Connected)
        return;
    m_screen->feed(QByteArrayLiteral("\r\n"));
    launch();
}

void TerminalSession::launch()
{
    m_hostKeyProblem.reset();
    setState(State::Connecting, tr("Connecting…"));
    const quint64 generation = ++m_generation;
    m_launcher(this, [this, generation](Result<TerminalBackend *> made) {
        if (generation != m_generation) {   // closed or relaunched meanwhile
            if (made)
                made.value()->deleteLater();
            return;
        }
        if (!made) {
            setState(State::Failed, made.error().toString());
            return;
        }
        attach(made.value());
    });
}

void TerminalSession::attach(TerminalBackend *backend)
{
    m_backend = backend;
    backend->setParent(this);
    connect(backend, &TerminalBackend::dataReceived, this, &TerminalSession::onData);
    connect(backend, &TerminalBackend::connected, this, &TerminalSession::onConnected);
    connect(backend, &TerminalBackend::finished, this, [this](int exitStatus) { onEnded(exitStatus, {}); });
    connect(backend, &TerminalBackend::failed, this, [this, backend](const Error &e) {
        if (auto *ssh = qobject_cast<SshShellBackend *>(backend)) {
            const SshError se = ssh->lastSshError();
            if (se.kind == SshErrorKind::HostKeyChanged || se.kind == SshErrorKind::HostKeyUnknown)
                m_hostKeyProblem = se;
        }
        onEnded(-1, e.toString());
    });
    backend->start(m_cols, m_rows);
}

void TerminalSession::onConnected()
{
    m_openedAt = QDateTime::currentDateTimeUtc();
    m_user.clear();
    m_keyFingerprint.clear();
    if (auto *ssh = qobject_cast<SshShellBackend *>(m_backend.data())) {
        m_user = ssh->user();
        m_keyFingerprint = ssh->keyFingerprint();
    }
    setState(State::Connected, m_backend ? m_backend->description() : QString());
    if (!m_audit)
        return;
    AuditEntry e = auditEntry(QStringLiteral("opened"));
    e.message = tr("Shell opened as %1").arg(m_backend ? m_backend->description() : m_user);
    if (auto *ssh = qobject_cast<SshShellBackend *>(m_backend.data()))
        e.details.insert(QStringLiteral("auth"), ssh->authMethod());
    m_audit->appendAudit(e);
}

void TerminalSession::onData(const QByteArray &bytes)
{
    // Whatever the screen answers while parsing this (cursor reports, device attributes)
    // belongs to this backend only, never to a broadcast.
    m_feeding = true;
    m_screen->feed(bytes);
    m_feeding = false;
}

void TerminalSession::onScreenOutput(const QByteArray &bytes)
{
    if (m_backend && m_state == State::Connected)
        m_backend->write(bytes);
    if (!m_feeding)
        emit userInput(bytes);
}

void TerminalSession::writeInput(const QByteArray &bytes)
{
    if (m_backend && m_state == State::Connected)
        m_backend->write(bytes);
}

void TerminalSession::resize(int cols, int rows)
{
    m_cols = cols;
    m_rows = rows;
    if (m_backend)
        m_backend->resize(cols, rows);
}

void TerminalSession::onEnded(int exitStatus, const QString &why)
{
    const bool wasOpen = m_state == State::Connected;
    if (m_backend) {
        m_backend->disconnect(this);
        m_backend->deleteLater();
        m_backend = nullptr;
    }
    if (wasOpen)
        auditClosed(why);
    if (!why.isEmpty())
        setState(State::Failed, why);
    else
        setState(State::Closed, exitStatus >= 0 ? tr("Session ended (exit status %1)").arg(exitStatus) : tr("Session ended"));
}

void TerminalSession::close()
{
    ++m_generation;   // a launch still in flight is dropped when it answers
    if (!m_backend) {
        if (m_state == State::Connecting)
            setState(State::Closed, tr("Closed"));
        return;
    }
    TerminalBackend *backend = m_backend;
    backend->disconnect(this);
    backend->close();
    backend->deleteLater();
    m_backend = nullptr;
    if (m_state == State::Connected)
        auditClosed({});
    setState(State::Closed, tr("Closed"));
}

void TerminalSession::auditClosed(const QString &why)
{
    if (!m_audit)
        return;
    AuditEntry e = auditEntry(QStringLiteral("closed"));
    const qint64 seconds = m_openedAt.isValid() ? m_openedAt.secsTo(QDateTime::currentDateTimeUtc()) : 0;
    e.message = why.isEmpty() ? tr("Shell closed after %1 s").arg(seconds) : tr("Shell dropped after %1 s: %2").arg(seconds).arg(why);
    e.success = why.isEmpty();
    e.details.insert(QStringLiteral("duration_s"), seconds);
    m_audit->appendAudit(e);
}

AuditEntry TerminalSession::auditEntry(const QString &what) const
{
    AuditEntry e;
    e.actor = QStringLiteral("user");
    const QString kind = m_subject.local       ? QStringLiteral("shell.local_")
                         : m_subject.container ? QStringLiteral("container.shell_")
                                               : QStringLiteral("ssh.shell_");
    e.action = kind + what;
    e.cloudId = m_subject.cloudId;
    e.machineId = m_subject.machineId;
    e.target = m_subject.machineName;
    e.details.insert(QStringLiteral("user"), m_user);
    if (!m_keyFingerprint.isEmpty())
        e.details.insert(QStringLiteral("key_fingerprint"), m_keyFingerprint);
    return e;
}

void TerminalSession::setState(State state, const QString &status)
{
    m_status = status;
    if (state == m_state && state != State::Failed) {
        emit stateChanged(state);   // the status text changed
        return;
    }
    m_state = state;
    emit stateChanged(state);
}

} // namespace mist
