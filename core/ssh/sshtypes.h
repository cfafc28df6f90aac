#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <chrono>
#include <functional>
#include <optional>

namespace mist {

struct SshEndpoint
{
    QString host;
    int port = 22;
    QString user;

    QString hostPort() const;      // "host:port", "[v6]:port"
    QString userHost() const;      // "user@host" (port only when not 22)
};

// How to authenticate. Secrets live here only in memory, for the time of a connect.
struct SshAuth
{
    QByteArray privateKey;          // OpenSSH/PEM text, may be empty
    QString passphrase;
    QString keyFingerprint;         // "SHA256:..." of privateKey, for audit only
    QStringList identityFiles;      // private key files (e.g. from ~/.ssh/config)
    bool useAgent = true;
    // Asked for a password when the server offers password auth; empty = never try passwords.
    // Called on the SSH thread. nullopt = the user cancelled.
    std::function<std::optional<QString>(const QString &prompt)> passwordPrompt;
};

struct SshTarget
{
    SshEndpoint endpoint;
    QVector<SshEndpoint> jumps;     // ProxyJump chain, outermost (first contacted) first
    SshAuth auth;
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds authTimeout{20000};
    std::chrono::milliseconds keepaliveInterval{30000};
};

enum class SshErrorKind { Refused, Timeout, Dns, AuthFailed, HostKeyUnknown, HostKeyChanged, Disconnected, ChannelFailed, Other };

QString sshErrorKindName(SshErrorKind kind);   // "refused", "timeout", ... (logs, JSON)

// A host key as presented by a server.
struct HostKeyInfo
{
    QString host;
    int port = 22;
    QString keyType;        // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"
    QString fingerprint;    // "SHA256:<base64 without padding>"
    QString publicKey;      // base64 of the key blob

    bool isValid() const { return !keyType.isEmpty() && !publicKey.isEmpty(); }
};

// A specific SSH failure: the user-facing Error plus what kind of failure it was. For
// HostKeyUnknown/HostKeyChanged, `hostKey` is the key the server presented (so the caller
// can offer to accept or replace it) and `knownFingerprint`/`knownSource` the old one.
struct SshError
{
    SshErrorKind kind = SshErrorKind::Other;
    Error error;
    std::optional<HostKeyInfo> hostKey;
    QString knownFingerprint;
    QString knownSource;
};

// Result<T>-style carrier for SSH calls.
template <typename T>
class [[nodiscard]] SshResult
{
public:
    SshResult(T value) : m_value(std::move(value)) {}
    SshResult(SshError error) : m_error(std::move(error)) {}
    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const SshError &sshError() const { return m_error; }
    const Error &error() const { return m_error.error; }
    SshErrorKind kind() const { return m_error.kind; }

private:
    std::optional<T> m_value;
    SshError m_error;
};

template <>
class [[nodiscard]] SshResult<void>
{
public:
    SshResult() = default;
    SshResult(SshError error) : m_failed(true), m_error(std::move(error)) {}
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const SshError &sshError() const { return m_error; }
    const Error &error() const { return m_error.error; }
    SshErrorKind kind() const { return m_error.kind; }

private:
    bool m_failed = false;
    SshError m_error;
};

using SshStatus = SshResult<void>;

struct ExecResult
{
    int exitStatus = -1;    // -1: the server sent none (e.g. killed by a signal)
    QByteArray out;
    QByteArray err;
};

// Parses an OpenSSH ProxyJump value "user@host:port,[v6]:port,host" (outermost first).
// Missing users become `defaultUser`, missing ports 22. Bad entries are an error.
Result<QVector<SshEndpoint>> parseProxyJump(const QString &value, const QString &defaultUser);

// Parses "user@host:port" / "[v6]:port" / "host". Empty host = error.
Result<SshEndpoint> parseEndpoint(const QString &text, const QString &defaultUser);

} // namespace mist

Q_DECLARE_METATYPE(mist::SshError)
