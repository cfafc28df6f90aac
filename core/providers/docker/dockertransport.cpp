#include "dockertransport.h"

#include "keys/sshkey.h"
#include "secrets/secretstore.h"
#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "ssh/sshtargetresolver.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DockerTransport", text);
}

// A QIODevice socket read and written with the blocking wait* calls.
class DeviceStream : public DockerStream
{
public:
    Status write(const QByteArray &data, int timeoutMs) override
    {
        bool ok = device()->write(data) == data.size();
        while (ok && device()->bytesToWrite() > 0)
            ok = device()->waitForBytesWritten(timeoutMs);
        if (ok)
            return {};
        m_closed = !isOpen();
        return Error{tr("Could not send to the Docker engine."), device()->errorString()};
    }

    Status read(QByteArray &out, int timeoutMs) override
    {
        if (device()->bytesAvailable() == 0 && isOpen())
            device()->waitForReadyRead(timeoutMs);
        if (device()->bytesAvailable() > 0) {
            out += device()->readAll();
            return {};
        }
        if (!isOpen()) {
            m_closed = true;
            if (!peerClosed())
                return Error{tr("The connection to the Docker engine broke."), device()->errorString()};
        }
        return {};
    }

    bool closed() const override { return m_closed; }

protected:
    virtual QIODevice *device() = 0;
    virtual bool isOpen() const = 0;
    virtual bool peerClosed() const = 0;

private:
    bool m_closed = false;
};

class LocalStream : public DeviceStream
{
public:
    QLocalSocket socket;

protected:
    QIODevice *device() override { return &socket; }
    bool isOpen() const override { return socket.state() == QLocalSocket::ConnectedState; }
    bool peerClosed() const override
    {
        return socket.error() == QLocalSocket::PeerClosedError || socket.error() == QLocalSocket::SocketTimeoutError
            || socket.error() == QLocalSocket::UnknownSocketError;
    }
};

class TcpStream : public DeviceStream
{
public:
    explicit TcpStream(bool tls) : socket(tls ? new QSslSocket : new QTcpSocket) {}
    std::unique_ptr<QTcpSocket> socket;

protected:
    QIODevice *device() override { return socket.get(); }
    bool isOpen() const override { return socket->state() == QAbstractSocket::ConnectedState; }
    bool peerClosed() const override
    {
        return socket->error() == QAbstractSocket::RemoteHostClosedError
            || socket->error() == QAbstractSocket::SocketTimeoutError
            || socket->error() == QAbstractSocket::UnknownSocketError;
    }
};

// `docker system dial-stdio` on the remote host: its stdin/stdout are the engine's socket.
class SshStream : public DockerStream
{
public:
    SshStream(std::shared_ptr<SshSession> session, std::unique_ptr<SshChannel> channel, QString host)
        : m_session(std::move(session)), m_channel(std::move(channel)), m_host(std::move(host))
    {
    }
    ~SshStream() override
    {
        m_channel->close();
        m_channel.reset();   // before the session it belongs to
    }

    Status write(const QByteArray &data, int) override
    {
        if (SshStatus st = m_channel->write(data); !st)
            return st.sshError().error;
        return {};
    }

    Status read(QByteArray &out, int timeoutMs) override
    {
        QByteArray data;
        if (SshStatus st = m_channel->read(data, m_stderr, timeoutMs); !st)
            return st.sshError().error;
        m_gotData = m_gotData || !data.isEmpty();
        out += data;
        if (data.isEmpty() && m_channel->isEof()) {
            m_closed = true;
            // The remote command never spoke HTTP: docker missing, no permission on its socket...
            if (!m_gotData) {
                const int status = m_channel->exitStatus();
                if (status == 127)
                    return Error{tr("The docker command is not installed on %1.").arg(m_host),
                                 QString::fromUtf8(m_stderr).trimmed()};
                if (!m_stderr.trimmed().isEmpty() || status > 0)
                    return Error{tr("\"docker system dial-stdio\" failed on %1.").arg(m_host),
                                 QString::fromUtf8(m_stderr).trimmed()};
            }
        }
        return {};
    }

    bool closed() const override { return m_closed; }

private:
    std::shared_ptr<SshSession> m_session;
    std::unique_ptr<SshChannel> m_channel;
    QString m_host;
    QByteArray m_stderr;
    bool m_gotData = false;
    bool m_closed = false;
};

bool isSocketFile(const QString &path)
{
#ifdef Q_OS_UNIX
    struct stat st;
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 && S_ISSOCK(st.st_mode);
#else
    return QFileInfo::exists(path);
#endif
}

Result<QList<QSslCertificate>> readCertificates(const QString &path, const QString &what)
{
    if (!QFileInfo::exists(path))
        return Error{tr("The %1 file does not exist.").arg(what), path};
    const QList<QSslCertificate> certs = QSslCertificate::fromPath(path, QSsl::Pem);
    if (certs.isEmpty())
        return Error{tr("The %1 file holds no PEM certificate.").arg(what), path};
    return certs;
}

} // namespace

Result<std::unique_ptr<DockerConnector>> DockerConnector::create(const Credentials &credentials)
{
    auto endpoint = DockerEndpoint::parse(credentials.value(QStringLiteral("uri")));
    if (!endpoint)
        return endpoint.error();
    std::unique_ptr<DockerConnector> c(new DockerConnector);
    c->m_credentials = credentials;
    c->m_endpoint = endpoint.value();
    if (c->m_endpoint.kind != DockerEndpoint::Kind::Tcp)
        return c;

    const QString caFile = credentials.value(QStringLiteral("tls_ca"));
    const QString certFile = credentials.value(QStringLiteral("tls_cert"));
    const QString keyPem = credentials.value(QStringLiteral("tls_key"));
    c->m_tls = !caFile.isEmpty() || !certFile.isEmpty() || !keyPem.isEmpty() || c->m_endpoint.port == 2376;
    if (!c->m_tls)
        return c;
    if (!QSslSocket::supportsSsl())
        return Error{tr("TLS is not available in this build of Qt."), QSslSocket::sslLibraryBuildVersionString()};
    c->m_sslConfig = QSslConfiguration::defaultConfiguration();
    if (!caFile.isEmpty()) {
        auto ca = readCertificates(caFile, tr("CA certificate"));
        if (!ca)
            return ca.error();
        c->m_sslConfig.setCaCertificates(ca.value());
    }
    if (certFile.isEmpty() != keyPem.isEmpty())
        return Error{tr("A TLS client certificate needs both the certificate file and its private key."), {}};
    if (!certFile.isEmpty()) {
        auto cert = readCertificates(certFile, tr("client certificate"));
        if (!cert)
            return cert.error();
        QSslKey key(keyPem.toUtf8(), QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyPem.toUtf8(), QSsl::Ec, QSsl::Pem);
        if (key.isNull())   // never the key text itself in the detail: it is a secret
            return Error{tr("The TLS private key is not an unencrypted RSA or EC key in PEM format."), {}};
        c->m_sslConfig.setLocalCertificate(cert.value().first());
        c->m_sslConfig.setPrivateKey(key);
    }
    return c;
}

DockerConnector::~DockerConnector() = default;

Result<std::unique_ptr<DockerStream>> DockerConnector::open()
{
    switch (m_endpoint.kind) {
    case DockerEndpoint::Kind::Unix:
        return openUnix();
    case DockerEndpoint::Kind::Tcp:
        return openTcp();
    case DockerEndpoint::Kind::Ssh:
        return openSsh();
    }
    return Error{tr("Unknown Docker address."), {}};
}

Result<std::unique_ptr<DockerStream>> DockerConnector::openUnix()
{
    const QString path = m_endpoint.path;
    auto stream = std::make_unique<LocalStream>();
    stream->socket.connectToServer(path);
    if (stream->socket.waitForConnected(m_connectTimeoutMs))
        return std::unique_ptr<DockerStream>(std::move(stream));
    const QString detail = path + QStringLiteral(": ") + stream->socket.errorString();
    switch (stream->socket.error()) {
    case QLocalSocket::ServerNotFoundError:
        if (QFileInfo::exists(path))
            return Error{isSocketFile(path) ? tr("Nothing is listening on %1.").arg(path) : tr("%1 is not a socket.").arg(path),
                         detail};
        return Error{tr("There is no Docker socket at %1. Is Docker (or Podman's API service) running?").arg(path), detail};
    case QLocalSocket::SocketAccessError:
        return Error{tr("Permission denied on %1. Add your user to the \"docker\" group, or use a rootless socket.").arg(path), detail};
    case QLocalSocket::ConnectionRefusedError:
        if (!isSocketFile(path))
            return Error{tr("%1 is not a socket.").arg(path), detail};
        return Error{tr("Nothing is listening on %1 (connection refused).").arg(path), detail};
    case QLocalSocket::SocketTimeoutError:
        return Error{tr("The Docker socket %1 did not accept the connection in time.").arg(path), detail};
    default:
        return Error{tr("Could not connect to the Docker socket %1.").arg(path), detail};
    }
}

Result<std::unique_ptr<DockerStream>> DockerConnector::openTcp()
{
    const QString where = QStringLiteral("%1:%2").arg(m_endpoint.host).arg(m_endpoint.port);
    auto stream = std::make_unique<TcpStream>(m_tls);
    if (m_tls) {
        auto *ssl = static_cast<QSslSocket *>(stream->socket.get());
        ssl->setSslConfiguration(m_sslConfig);
        ssl->connectToHostEncrypted(m_endpoint.host, quint16(m_endpoint.port));
        if (!ssl->waitForEncrypted(m_connectTimeoutMs)) {
            QStringList reasons;
            for (const QSslError &e : ssl->sslHandshakeErrors())
                reasons << e.errorString();
            if (!reasons.isEmpty()) {
                const QString ca = m_credentials.value(QStringLiteral("tls_ca"));
                return Error{tr("The TLS certificate of %1 could not be verified%2.")
                                 .arg(where, ca.isEmpty() ? tr(" with the system's CAs") : tr(" with the CA in %1").arg(ca)),
                             reasons.join(QStringLiteral("; "))};
            }
            return Error{tr("Could not open a TLS connection to the Docker engine at %1.").arg(where), ssl->errorString()};
        }
        return std::unique_ptr<DockerStream>(std::move(stream));
    }
    stream->socket->connectToHost(m_endpoint.host, quint16(m_endpoint.port));
    if (!stream->socket->waitForConnected(m_connectTimeoutMs))
        return Error{tr("Could not connect to the Docker engine at %1.").arg(where), stream->socket->errorString()};
    return std::unique_ptr<DockerStream>(std::move(stream));
}

// Why dial-stdio and not a forwarded unix socket: SshSession offers exec channels (and
// keeping core/ssh unchanged matters), dial-stdio finds the engine the remote user's
// docker context names (rootless, non-default socket), and works through jump hosts.
Result<std::unique_ptr<DockerStream>> DockerConnector::openSsh()
{
    if (!m_ssh) {
        SshSettings settings;
        settings.endpoint.host = m_endpoint.host;
        settings.endpoint.port = m_endpoint.port;
        settings.endpoint.user = m_endpoint.user.isEmpty() ? QStringLiteral("root") : m_endpoint.user;
        const QString identityFile = m_credentials.value(QStringLiteral("identity_file"));
        if (!identityFile.isEmpty())
            settings.identityFiles << identityFile;
        const QString keyUuid = m_credentials.value(QStringLiteral("ssh_key"));
        std::optional<SecretStore> secrets;
        if (!keyUuid.isEmpty()) {
            SshKey key;
            key.uuid = keyUuid;
            settings.key = key;
            settings.keyChosen = true;
            secrets.emplace();
        }
        auto target = SshTargetResolver::target(settings, secrets ? &*secrets : nullptr);
        if (!target)
            return target.error();
        if (secrets)
            if (auto pass = secrets->read(SshKey::keychainOwnerFor(keyUuid), KeychainField::Passphrase))
                target.value().auth.passphrase = pass.value();
        target.value().connectTimeout = std::chrono::milliseconds(m_connectTimeoutMs);
        std::shared_ptr<HostKeyVerifier> verifier = m_credentials.hostKeys;
        if (!verifier)
            verifier = std::make_shared<KnownHostsFileVerifier>();
        auto session = std::make_shared<SshSession>();
        if (SshStatus st = session->connect(target.value(), *verifier); !st)
            return st.sshError().error;
        m_ssh = std::move(session);
    }
    auto channel = m_ssh->openExec(QStringLiteral("docker system dial-stdio"));
    if (!channel) {
        m_ssh.reset();   // a dead session is opened again next time
        return channel.sshError().error;
    }
    return std::unique_ptr<DockerStream>(new SshStream(m_ssh, std::move(channel).value(), m_endpoint.host));
}

} // namespace mist
