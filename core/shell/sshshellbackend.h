#pragma once

#include "shell/terminalbackend.h"
#include "ssh/hostkeys.h"
#include "ssh/sshtypes.h"

#include <memory>

namespace mist {

// A remote shell over SSH: a worker thread owns the SshSession (connect, host-key check
// through the given verifier, pty with TERM=xterm-256color, shell), reads with poll() and
// forwards writes/resizes queued from the owner's thread. Closing or destroying never waits
// for the network: the worker finishes on its own and never touches this object afterwards.
class SshShellBackend : public TerminalBackend
{
    Q_OBJECT

public:
    // The verifier is shared with the worker thread (it is called there during connect).
    SshShellBackend(SshTarget target, std::shared_ptr<HostKeyVerifier> verifier, QObject *parent = nullptr);
    ~SshShellBackend() override;

    void start(int cols, int rows) override;
    void write(const QByteArray &data) override;   // any amount, any time after start()
    void resize(int cols, int rows) override;
    void close() override;
    QString description() const override;           // "user@host[:port]"

    // Known once connected(): for the audit entries of the tab.
    QString user() const { return m_target.endpoint.user; }
    QString authMethod() const { return m_authMethod; }
    QString keyFingerprint() const { return m_keyFingerprint; }
    HostKeyInfo hostKey() const { return m_hostKey; }
    // The SSH details of the last failure (kind, presented host key for accept/replace).
    SshError lastSshError() const { return m_lastError; }

    // Worker threads still finishing (closed backends): the app waits for them at exit.
    static bool waitForWorkers(int msecs);

    struct Shared;

private:
    static void runWorker(std::shared_ptr<Shared> shared, SshTarget target, std::shared_ptr<HostKeyVerifier> verifier,
                          int cols, int rows);
    void reportConnected(const QString &authMethod, const QString &keyFingerprint, const HostKeyInfo &hostKey);
    void reportFailure(const SshError &error);
    void reportFinished(int exitStatus);

    SshTarget m_target;
    std::shared_ptr<HostKeyVerifier> m_verifier;
    std::shared_ptr<Shared> m_shared;
    QString m_authMethod;
    QString m_keyFingerprint;
    HostKeyInfo m_hostKey;
    SshError m_lastError;
};

} // namespace mist
