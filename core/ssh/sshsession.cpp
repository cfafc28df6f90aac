#include "sshsession.h"

#include "ssh/sshjump.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <libssh/libssh.h>

#ifndef Q_OS_WIN
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SshSession", text);
}

SshError makeError(SshErrorKind kind, const QString &message, const QString &detail = {})
{
    return SshError{kind, Error{message, detail}, std::nullopt, {}, {}};
}

QString seconds(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0, 'g', 3);
}

struct KeyDeleter
{
    void operator()(ssh_key k) const { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

QString publicKeyBase64(ssh_key key)
{
    char *b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || !b64)
        return {};
    QString s = QString::fromLatin1(b64);
    ssh_string_free_char(b64);
    return s;
}

QString keyFingerprint(ssh_key key)
{
    const QString b64 = publicKeyBase64(key);
    return b64.isEmpty() ? QString() : sshFingerprint(QByteArray::fromBase64(b64.toLatin1()));
}

void setTimeout(ssh_session s, std::chrono::milliseconds ms)
{
    long sec = long(ms.count() / 1000);
    long usec = long((ms.count() % 1000) * 1000);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

#ifndef Q_OS_WIN
// Own DNS + TCP connect so refused / timeout / DNS are told apart exactly; libssh gets the
// connected socket (SSH_OPTIONS_FD) and owns it from ssh_connect on.
SshResult<int> tcpConnect(const SshEndpoint &ep, std::chrono::milliseconds timeout)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    const QByteArray host = ep.host.toUtf8();
    const QByteArray port = QByteArray::number(ep.port);
    const int rc = ::getaddrinfo(host.constData(), port.constData(), &hints, &res);
    if (rc != 0 || !res)
        return makeError(SshErrorKind::Dns, tr("Cannot resolve host name '%1'").arg(ep.host),
                         QString::fromLocal8Bit(gai_strerror(rc)));
    std::unique_ptr<addrinfo, void (*)(addrinfo *)> guard(res, ::freeaddrinfo);

    QElapsedTimer clock;
    clock.start();
    int lastErrno = 0;
    bool timedOut = false;
    for (addrinfo *ai = res; ai; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            lastErrno = errno;
            continue;
        }
        const int flags = ::fcntl(fd, F_GETFL, 0);
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        int err = 0;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            if (err == EINPROGRESS) {
                pollfd p{fd, POLLOUT, 0};
                int left = int(timeout.count() - clock.elapsed());
                int pr = 0;
                do {
                    pr = left > 0 ? ::poll(&p, 1, left) : 0;
                    left = int(timeout.count() - clock.elapsed());
                } while (pr < 0 && errno == EINTR);
                if (pr <= 0) {
                    err = ETIMEDOUT;
                    timedOut = true;
                } else {
                    socklen_t len = sizeof err;
                    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                }
            }
        }
        if (err == 0) {
            ::fcntl(fd, F_SETFL, flags);
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        ::close(fd);
        lastErrno = err;
        if (timedOut)
            break;   // the budget is spent
    }
    if (timedOut || lastErrno == ETIMEDOUT)
        return makeError(SshErrorKind::Timeout, tr("%1 did not answer within %2 s").arg(ep.hostPort(), seconds(timeout)));
    if (lastErrno == ECONNREFUSED)
        return makeError(SshErrorKind::Refused, tr("Connection refused by %1").arg(ep.hostPort()));
    return makeError(SshErrorKind::Other, tr("Cannot connect to %1").arg(ep.hostPort()),
                     QString::fromLocal8Bit(std::strerror(lastErrno)));
}
#endif

} // namespace

struct SshSession::Impl
{
    ssh_session s = nullptr;
    SshTarget target;
    HostKeyInfo hostKey;
    QString authMethod = QStringLiteral("none");
    QString authKeyFingerprint;
    std::unique_ptr<SshSession> jump;        // the previous hop (ProxyJump)
    std::unique_ptr<SshJumpBridge> bridge;   // pumps jump's channel <-> our socket
    bool connected = false;
    int fd = -1;                             // our socket (TCP or socketpair end), owned here

    QString libError() const { return s ? QString::fromUtf8(ssh_get_error(s)) : QString(); }

    // The error after a failed libssh call on an established session.
    SshError sessionError(const QString &message) const
    {
        if (!s || !ssh_is_connected(s))
            return makeError(SshErrorKind::Disconnected,
                             tr("The connection to %1 was lost").arg(target.endpoint.hostPort()), libError());
        return makeError(SshErrorKind::ChannelFailed, message, libError());
    }

    SshStatus verifyHostKey(HostKeyVerifier &verifier);
    SshStatus authenticate();
    void teardown();
};

SshSession::SshSession()
    : d(std::make_unique<Impl>())
{
}

SshSession::~SshSession()
{
    disconnect();
}

bool SshSession::isConnected() const
{
    return d->connected && d->s && ssh_is_connected(d->s);
}

const SshTarget &SshSession::target() const
{
    return d->target;
}

HostKeyInfo SshSession::hostKey() const
{
    return d->hostKey;
}

QString SshSession::authMethod() const
{
    return d->authMethod;
}

QString SshSession::authKeyFingerprint() const
{
    return d->authKeyFingerprint;
}

int SshSession::socketFd() const
{
    return d->s ? int(ssh_get_fd(d->s)) : -1;
}

void SshSession::Impl::teardown()
{
    if (s) {
        ssh_disconnect(s);
        ssh_free(s);
        s = nullptr;
    }
#ifndef Q_OS_WIN
    // libssh leaves a socket handed over with SSH_OPTIONS_FD open: it is ours to close.
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
#endif
    bridge.reset();    // after our end is closed, so the pump sees EOF
    if (jump) {
        jump->disconnect();
        jump.reset();
    }
    connected = false;
}

void SshSession::disconnect()
{
    d->teardown();
}

SshStatus SshSession::connect(const SshTarget &target, HostKeyVerifier &verifier)
{
    disconnect();
    d->target = target;
    d->hostKey = {};
    d->authMethod = QStringLiteral("none");
    d->authKeyFingerprint.clear();
    const SshEndpoint &ep = target.endpoint;
    if (ep.host.trimmed().isEmpty())
        return makeError(SshErrorKind::Dns, tr("No host name to connect to"));

    int fd = -1;
#ifndef Q_OS_WIN
    if (!target.jumps.isEmpty()) {
        SshTarget hop = target;
        hop.endpoint = target.jumps.last();
        hop.jumps = target.jumps.mid(0, target.jumps.size() - 1);
        d->jump = std::make_unique<SshSession>();
        if (SshStatus s = d->jump->connect(hop, verifier); !s) {
            SshError e = s.sshError();
            e.error.message = tr("Cannot reach %1 through the jump host %2: %3")
                                  .arg(ep.hostPort(), hop.endpoint.hostPort(), e.error.message);
            d->jump.reset();
            return e;
        }
        ssh_session js = d->jump->d->s;
        setTimeout(js, target.connectTimeout);
        ssh_channel ch = ssh_channel_new(js);
        if (!ch || ssh_channel_open_forward(ch, ep.host.toUtf8().constData(), ep.port, "127.0.0.1", 22) != SSH_OK) {
            const QString detail = QString::fromUtf8(ssh_get_error(js));
            if (ch)
                ssh_channel_free(ch);
            d->jump.reset();
            return makeError(SshErrorKind::ChannelFailed,
                             tr("The jump host %1 could not open a connection to %2").arg(hop.endpoint.hostPort(), ep.hostPort()),
                             detail);
        }
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
            ssh_channel_free(ch);
            d->jump.reset();
            return makeError(SshErrorKind::Other, tr("Cannot create a local socket for the jump connection"),
                             QString::fromLocal8Bit(std::strerror(errno)));
        }
        ::fcntl(pair[1], F_SETFL, ::fcntl(pair[1], F_GETFL, 0) | O_NONBLOCK);
        d->bridge = std::make_unique<SshJumpBridge>(js, ch, pair[1], target.keepaliveInterval);
        d->bridge->start();
        fd = pair[0];
    } else {
        SshResult<int> tcp = tcpConnect(ep, target.connectTimeout);
        if (!tcp)
            return tcp.sshError();
        fd = tcp.value();
    }
#else
    if (!target.jumps.isEmpty())
        return makeError(SshErrorKind::Other, tr("ProxyJump is not supported on Windows yet"));
#endif

    d->fd = fd;
    d->s = ssh_new();
    if (!d->s) {
        d->teardown();
        return makeError(SshErrorKind::Other, tr("Cannot create an SSH session"));
    }
    ssh_session s = d->s;
    int noConfig = 0;
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &noConfig);   // settings come from the target only
    ssh_options_set(s, SSH_OPTIONS_HOST, ep.host.toUtf8().constData());
    const unsigned int port = unsigned(ep.port);
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    if (!ep.user.isEmpty())
        ssh_options_set(s, SSH_OPTIONS_USER, ep.user.toUtf8().constData());
    // libssh's own known_hosts handling stays out of it: the verifier decides.
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    if (fd >= 0) {
        socket_t sock = fd;
        ssh_options_set(s, SSH_OPTIONS_FD, &sock);
    }
    setTimeout(s, target.connectTimeout);

    QElapsedTimer clock;
    clock.start();
    if (ssh_connect(s) != SSH_OK) {
        const QString detail = d->libError();
        d->teardown();
        if (clock.elapsed() + 200 >= target.connectTimeout.count() || detail.contains(QLatin1String("imeout")))
            return makeError(SshErrorKind::Timeout,
                             tr("%1 did not answer within %2 s").arg(ep.hostPort(), seconds(target.connectTimeout)), detail);
        if (detail.contains(QLatin1String("refused"), Qt::CaseInsensitive))
            return makeError(SshErrorKind::Refused, tr("Connection refused by %1").arg(ep.hostPort()), detail);
        if (detail.contains(QLatin1String("resolve"), Qt::CaseInsensitive))
            return makeError(SshErrorKind::Dns, tr("Cannot resolve host name '%1'").arg(ep.host), detail);
        return makeError(SshErrorKind::Disconnected,
                         tr("The SSH handshake with %1 failed (is it an SSH server?)").arg(ep.hostPort()), detail);
    }
    if (SshStatus st = d->verifyHostKey(verifier); !st) {
        d->teardown();
        return st;
    }
    setTimeout(s, target.authTimeout);
    if (SshStatus st = d->authenticate(); !st) {
        d->teardown();
        return st;
    }
    d->connected = true;
    qCDebug(lcSsh) << "connected to" << ep.userHost() << "via" << d->authMethod;
    return {};
}

SshStatus SshSession::Impl::verifyHostKey(HostKeyVerifier &verifier)
{
    ssh_key raw = nullptr;
    if (ssh_get_server_publickey(s, &raw) != SSH_OK || !raw)
        return makeError(SshErrorKind::Other, tr("%1 sent no host key").arg(target.endpoint.hostPort()), libError());
    KeyPtr key(raw);
    HostKeyInfo info;
    info.host = target.endpoint.host;
    info.port = target.endpoint.port;
    info.keyType = QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key.get())));
    info.publicKey = publicKeyBase64(key.get());
    info.fingerprint = sshFingerprint(QByteArray::fromBase64(info.publicKey.toLatin1()));
    if (!info.isValid())
        return makeError(SshErrorKind::Other, tr("The host key of %1 cannot be read").arg(target.endpoint.hostPort()), libError());

    const HostKeyCheck check = verifier.check(info);
    const QString where = target.endpoint.hostPort();
    switch (check.outcome) {
    case HostKeyCheck::Outcome::Known:
        break;
    case HostKeyCheck::Outcome::Changed: {
        SshError e = makeError(SshErrorKind::HostKeyChanged,
                               tr("The host key of %1 has CHANGED: the %2 key on record (%3, from %4) differs from the "
                                  "one the server sent (%5). Someone may be intercepting the connection, or the server "
                                  "was reinstalled. Not connecting; replace the key only if you know why it changed.")
                                   .arg(where, info.keyType, check.knownFingerprint, check.source, info.fingerprint));
        e.hostKey = info;
        e.knownFingerprint = check.knownFingerprint;
        e.knownSource = check.source;
        return e;
    }
    case HostKeyCheck::Outcome::Unknown:
        if (!verifier.decideUnknown(info)) {
            SshError e = makeError(SshErrorKind::HostKeyUnknown,
                                   tr("The host key of %1 is not known (%2 %3); the connection was refused")
                                       .arg(where, info.keyType, info.fingerprint));
            e.hostKey = info;
            return e;
        }
        if (Status st = verifier.remember(info, false); !st)
            qCWarning(lcSsh) << "could not remember the host key" << st.error().toString();
        break;
    }
    hostKey = info;
    return {};
}

SshStatus SshSession::Impl::authenticate()
{
    const SshEndpoint &ep = target.endpoint;
    const SshAuth &auth = target.auth;
    const QByteArray user = ep.user.toUtf8();
    int rc = ssh_userauth_none(s, nullptr);
    if (rc == SSH_AUTH_SUCCESS)
        return {};
    if (rc == SSH_AUTH_ERROR)
        return sessionError(tr("Authentication with %1 failed").arg(ep.hostPort()));
    int methods = ssh_userauth_list(s, nullptr);
    QStringList tried;
    QStringList keyProblems;

    auto tryKey = [&](ssh_key key, const QString &label) -> int {
        const QString fp = keyFingerprint(key);
        tried << QStringLiteral("publickey (%1 %2)").arg(label, fp);
        const int r = ssh_userauth_publickey(s, nullptr, key);
        if (r == SSH_AUTH_SUCCESS) {
            authMethod = QStringLiteral("publickey");
            authKeyFingerprint = fp;
        }
        return r;
    };
    const QByteArray passphrase = auth.passphrase.toUtf8();
    const char *pass = auth.passphrase.isEmpty() ? nullptr : passphrase.constData();

    if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
        if (!auth.privateKey.isEmpty()) {
            ssh_key raw = nullptr;
            const QByteArray text = auth.privateKey;   // NUL-terminated copy for libssh
            if (ssh_pki_import_privkey_base64(text.constData(), pass, nullptr, nullptr, &raw) != SSH_OK || !raw) {
                keyProblems << tr("the stored key %1 cannot be read (wrong passphrase or not a private key)")
                                   .arg(auth.keyFingerprint.isEmpty() ? QString() : auth.keyFingerprint).simplified();
            } else {
                KeyPtr key(raw);
                rc = tryKey(key.get(), QStringLiteral("key"));
            }
        }
        for (const QString &file : auth.identityFiles) {
            if (rc == SSH_AUTH_SUCCESS || rc == SSH_AUTH_ERROR)
                break;
            ssh_key raw = nullptr;
            if (ssh_pki_import_privkey_file(file.toLocal8Bit().constData(), pass, nullptr, nullptr, &raw) != SSH_OK || !raw) {
                keyProblems << tr("the key file %1 cannot be read (missing, wrong passphrase or not a private key)").arg(file);
                continue;
            }
            KeyPtr key(raw);
            rc = tryKey(key.get(), file);
        }
        if (rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR && auth.useAgent && qEnvironmentVariableIsSet("SSH_AUTH_SOCK")) {
            tried << QStringLiteral("agent");
            rc = ssh_userauth_agent(s, nullptr);
            if (rc == SSH_AUTH_SUCCESS)
                authMethod = QStringLiteral("agent");
        }
    }
    if (rc == SSH_AUTH_PARTIAL)
        methods = ssh_userauth_list(s, nullptr);
    if (rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR && (methods & SSH_AUTH_METHOD_PASSWORD) && auth.passwordPrompt) {
        for (int attempt = 0; attempt < 3 && rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR; ++attempt) {
            const std::optional<QString> password =
                auth.passwordPrompt(attempt == 0 ? tr("Password for %1:").arg(ep.userHost())
                                                 : tr("Wrong password. Password for %1:").arg(ep.userHost()));
            if (!password)
                break;
            if (attempt == 0)
                tried << QStringLiteral("password");
            rc = ssh_userauth_password(s, nullptr, password->toUtf8().constData());
            if (rc == SSH_AUTH_SUCCESS)
                authMethod = QStringLiteral("password");
        }
    }
    if (rc == SSH_AUTH_SUCCESS)
        return {};
    if (rc == SSH_AUTH_ERROR)
        return sessionError(tr("Authentication with %1 failed").arg(ep.hostPort()));

    QStringList offered;
    if (methods & SSH_AUTH_METHOD_PUBLICKEY) offered << QStringLiteral("publickey");
    if (methods & SSH_AUTH_METHOD_PASSWORD) offered << QStringLiteral("password");
    if (methods & SSH_AUTH_METHOD_INTERACTIVE) offered << QStringLiteral("keyboard-interactive");
    if (methods & SSH_AUTH_METHOD_GSSAPI_MIC) offered << QStringLiteral("gssapi");
    QString message = tr("Authentication failed for %1@%2 (tried: %3; the server accepts: %4)")
                          .arg(QString::fromUtf8(user), ep.host,
                               tried.isEmpty() ? tr("nothing usable") : tried.join(QStringLiteral(", ")),
                               offered.isEmpty() ? tr("none") : offered.join(QStringLiteral(", ")));
    return makeError(SshErrorKind::AuthFailed, message, keyProblems.join(QStringLiteral("; ")));
}

SshStatus SshSession::keepalive()
{
    if (!isConnected())
        return d->sessionError(tr("Not connected"));
    if (ssh_send_ignore(d->s, "") != SSH_OK)
        return d->sessionError(tr("The keepalive to %1 failed").arg(d->target.endpoint.hostPort()));
    return {};
}

SshResult<ExecResult> SshSession::exec(const QString &command, const QByteArray &input, std::chrono::milliseconds timeout)
{
    auto opened = openExec(command);
    if (!opened)
        return opened.sshError();
    SshChannel &ch = *opened.value();
    if (!input.isEmpty()) {
        if (SshStatus st = ch.write(input); !st)
            return st.sshError();
    }
    if (SshStatus st = ch.sendEof(); !st)
        return st.sshError();
    ExecResult result;
    QElapsedTimer clock;
    clock.start();
    while (!ch.isEof()) {
        if (SshStatus st = ch.read(result.out, result.err, 50); !st)
            return st.sshError();
        if (clock.elapsed() > timeout.count())
            return makeError(SshErrorKind::Timeout, tr("The command did not finish within %1 s").arg(seconds(timeout)));
    }
    if (SshStatus st = ch.read(result.out, result.err, 0); !st)   // what came with the EOF
        return st.sshError();
    result.exitStatus = ch.exitStatus();
    return result;
}

// ---- SshChannel ----

struct SshChannel::Data
{
    SshSession::Impl *session = nullptr;
    ssh_channel ch = nullptr;
};

SshChannel::SshChannel(std::unique_ptr<Data> data)
    : d(std::move(data))
{
}

SshChannel::~SshChannel()
{
    close();
}

void SshChannel::close()
{
    if (!d->ch)
        return;
    if (d->session->s && ssh_is_connected(d->session->s))
        ssh_channel_close(d->ch);
    ssh_channel_free(d->ch);
    d->ch = nullptr;
}

// A session channel, opened; the caller adds pty/shell/exec requests.
SshResult<std::unique_ptr<SshChannel>> SshSession::openChannel()
{
    if (!isConnected())
        return d->sessionError(tr("Not connected"));
    ssh_channel raw = ssh_channel_new(d->s);
    if (!raw)
        return d->sessionError(tr("Cannot open a channel to %1").arg(d->target.endpoint.hostPort()));
    auto data = std::make_unique<SshChannel::Data>();
    data->session = d.get();
    data->ch = raw;
    std::unique_ptr<SshChannel> channel(new SshChannel(std::move(data)));
    if (ssh_channel_open_session(raw) != SSH_OK)
        return d->sessionError(tr("%1 refused to open a session channel").arg(d->target.endpoint.hostPort()));
    return channel;
}

SshResult<std::unique_ptr<SshChannel>> SshSession::openExec(const QString &command)
{
    auto channel = openChannel();
    if (!channel)
        return channel;
    if (ssh_channel_request_exec(channel.value()->d->ch, command.toUtf8().constData()) != SSH_OK)
        return d->sessionError(tr("%1 refused to run the command").arg(d->target.endpoint.hostPort()));
    return channel;
}

SshResult<std::unique_ptr<SshChannel>> SshSession::openShell(int cols, int rows, bool pty, const QString &term)
{
    auto opened = openChannel();
    if (!opened)
        return opened;
    std::unique_ptr<SshChannel> channel = std::move(opened).value();
    ssh_channel raw = channel->d->ch;
    if (pty && ssh_channel_request_pty_size(raw, term.toUtf8().constData(), qMax(1, cols), qMax(1, rows)) != SSH_OK)
        return d->sessionError(tr("%1 refused a terminal (pty)").arg(d->target.endpoint.hostPort()));
    if (ssh_channel_request_shell(raw) != SSH_OK)
        return d->sessionError(tr("%1 refused to start a shell").arg(d->target.endpoint.hostPort()));
    return channel;
}

SshStatus SshChannel::write(const QByteArray &data)
{
    if (!d->ch)
        return makeError(SshErrorKind::ChannelFailed, QCoreApplication::translate("SshSession", "The channel is closed"));
    qsizetype done = 0;
    while (done < data.size()) {
        const int w = ssh_channel_write(d->ch, data.constData() + done, uint32_t(data.size() - done));
        if (w == SSH_ERROR)
            return d->session->sessionError(QCoreApplication::translate("SshSession", "Sending to the remote shell failed"));
        done += w;
    }
    return {};
}

SshStatus SshChannel::read(QByteArray &out, QByteArray &err, int timeoutMs)
{
    if (!d->ch)
        return makeError(SshErrorKind::ChannelFailed, QCoreApplication::translate("SshSession", "The channel is closed"));
    char buf[32 * 1024];
    int n = timeoutMs > 0 ? ssh_channel_read_timeout(d->ch, buf, sizeof buf, 0, timeoutMs)
                          : ssh_channel_read_nonblocking(d->ch, buf, sizeof buf, 0);
    if (n > 0)
        out.append(buf, n);
    while (n > 0 && (n = ssh_channel_read_nonblocking(d->ch, buf, sizeof buf, 0)) > 0)
        out.append(buf, n);
    if (n == SSH_ERROR)
        return d->session->sessionError(QCoreApplication::translate("SshSession", "Reading from the remote shell failed"));
    while ((n = ssh_channel_read_nonblocking(d->ch, buf, sizeof buf, 1)) > 0)
        err.append(buf, n);
    if (n == SSH_ERROR)
        return d->session->sessionError(QCoreApplication::translate("SshSession", "Reading from the remote shell failed"));
    if (!ssh_is_connected(d->session->s))
        return d->session->sessionError({});
    return {};
}

SshStatus SshChannel::resize(int cols, int rows)
{
    if (!d->ch)
        return makeError(SshErrorKind::ChannelFailed, QCoreApplication::translate("SshSession", "The channel is closed"));
    if (ssh_channel_change_pty_size(d->ch, qMax(1, cols), qMax(1, rows)) != SSH_OK)
        return d->session->sessionError(QCoreApplication::translate("SshSession", "Resizing the remote terminal failed"));
    return {};
}

SshStatus SshChannel::sendEof()
{
    if (d->ch && ssh_channel_send_eof(d->ch) != SSH_OK)
        return d->session->sessionError(QCoreApplication::translate("SshSession", "Closing the remote input failed"));
    return {};
}

bool SshChannel::isEof() const
{
    return !d->ch || ssh_channel_is_eof(d->ch) || ssh_channel_is_closed(d->ch);
}

int SshChannel::exitStatus()
{
    return d->ch ? ssh_channel_get_exit_status(d->ch) : -1;
}

} // namespace mist
