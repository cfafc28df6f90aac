#pragma once

#include "ssh/hostkeys.h"
#include "ssh/sshtypes.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <memory>

namespace mist {

class SshChannel;

// One SSH connection on libssh. Blocking; used by one thread at a time and never on the GUI
// thread. ProxyJump: each hop is an SshSession whose direct-tcpip channel is bridged to the
// next hop's socket by a pump thread (see sshjump.cpp).
class SshSession
{
public:
    SshSession();
    ~SshSession();
    SshSession(const SshSession &) = delete;
    SshSession &operator=(const SshSession &) = delete;

    // DNS, TCP, key exchange, host-key check (a changed key is always refused), auth.
    SshStatus connect(const SshTarget &target, HostKeyVerifier &verifier);
    bool isConnected() const;
    void disconnect();

    // Runs `command`, feeds `input` to its stdin (then EOF), collects stdout and stderr apart.
    SshResult<ExecResult> exec(const QString &command, const QByteArray &input = {},
                               std::chrono::milliseconds timeout = std::chrono::minutes(5));

    // A running command as a channel, for streaming stdin/stdout/stderr (the CLI's exec).
    SshResult<std::unique_ptr<SshChannel>> openExec(const QString &command);

    // An interactive shell; with `pty` a terminal of cols x rows (TERM=term) is requested.
    SshResult<std::unique_ptr<SshChannel>> openShell(int cols, int rows, bool pty = true,
                                                     const QString &term = QStringLiteral("xterm-256color"));

    // Sends an SSH_MSG_IGNORE so idle connections stay up through NATs and firewalls.
    SshStatus keepalive();

    int socketFd() const;   // for poll(); -1 when not connected
    const SshTarget &target() const;
    HostKeyInfo hostKey() const;        // the verified host key of the endpoint
    QString authMethod() const;         // "publickey", "agent", "password" or "none"
    QString authKeyFingerprint() const; // the key that got in (publickey), for audit

    struct Impl;

private:
    friend class SshChannel;
    SshResult<std::unique_ptr<SshChannel>> openChannel();
    std::unique_ptr<Impl> d;
};

// A session channel (shell). Used on its session's thread; destroyed before the session.
class SshChannel
{
public:
    ~SshChannel();
    SshChannel(const SshChannel &) = delete;
    SshChannel &operator=(const SshChannel &) = delete;

    SshStatus write(const QByteArray &data);
    // Appends what arrives within timeoutMs (0 = only what is there now) to out/err.
    SshStatus read(QByteArray &out, QByteArray &err, int timeoutMs);
    SshStatus resize(int cols, int rows);
    SshStatus sendEof();
    bool isEof() const;        // the remote side finished sending
    int exitStatus();          // after isEof(); -1 if the server sent none
    void close();

private:
    friend class SshSession;
    struct Data;
    explicit SshChannel(std::unique_ptr<Data> data);
    std::unique_ptr<Data> d;
};

} // namespace mist
