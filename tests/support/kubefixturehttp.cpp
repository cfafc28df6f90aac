#include "kubefixturehttp.h"

#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>

namespace mist::test {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

} // namespace

KubeHttpConnection::KubeHttpConnection(QTcpSocket *socket, QObject *parent) : QObject(parent), m_socket(socket)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::readyRead, this, &KubeHttpConnection::readMore);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        emit closed();
        deleteLater();
    });
    // TLS: the request may have arrived with the handshake, before readyRead was connected.
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &KubeHttpConnection::readMore, Qt::QueuedConnection);
}

void KubeHttpConnection::readMore()
{
    m_buffer += m_socket->readAll();
    for (;;) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        KubeHttpRequest req;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        req.method = first.value(0);
        const QUrl target(QString::fromLatin1(first.value(1)));
        req.path = target.path();
        req.query = QUrlQuery(target.query(QUrl::FullyEncoded));
        for (int i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                req.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = req.headers.value("content-length").toLongLong();
        if (m_buffer.size() < end + 4 + length)
            return;
        req.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        if (auto *ssl = qobject_cast<QSslSocket *>(m_socket); ssl && !ssl->peerCertificate().isNull())
            req.clientCertificateCn = ssl->peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0).toUtf8();
        emit request(req);
        if (m_streaming)
            return;   // a stream owns the connection until it ends
    }
}

void KubeHttpConnection::respond(int status, const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    head += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &h : headers)
        head += h.first + ": " + h.second + "\r\n";
    m_socket->write(head + "\r\n" + body);
}

void KubeHttpConnection::beginStream()
{
    m_streaming = true;
    m_socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
}

void KubeHttpConnection::writeChunk(const QByteArray &data)
{
    if (!m_streaming || data.isEmpty())
        return;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void KubeHttpConnection::endStream()
{
    if (!m_streaming)
        return;
    m_socket->write("0\r\n\r\n");
    m_streaming = false;
    if (!m_buffer.isEmpty())
        readMore();
}

void KubeHttpConnection::abort()
{
    m_streaming = false;
    m_socket->abort();
}

KubeFixtureHttp::KubeFixtureHttp(Handler handler, QObject *parent) : QObject(parent), m_handler(std::move(handler)) {}

KubeFixtureHttp::~KubeFixtureHttp()
{
    close();
}

bool KubeFixtureHttp::listen()
{
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, &KubeFixtureHttp::accept);
    if (!m_server->listen(QHostAddress::LocalHost, m_port))
        return false;
    m_port = m_server->serverPort();
    return true;
}

bool KubeFixtureHttp::listenTls(const QSslCertificate &cert, const QSslKey &key, const QList<QSslCertificate> &clientCa)
{
    auto *server = new QSslServer(this);
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setLocalCertificate(cert);
    conf.setPrivateKey(key);
    if (!clientCa.isEmpty()) {
        conf.setCaCertificates(clientCa);
        conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    server->setSslConfiguration(conf);
    m_server = server;
    m_tls = true;
    // QSslServer hands a socket over once its handshake is done (pendingConnectionAvailable).
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &KubeFixtureHttp::accept);
    if (!m_server->listen(QHostAddress::LocalHost, m_port))
        return false;
    m_port = m_server->serverPort();
    return true;
}

void KubeFixtureHttp::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *conn = new KubeHttpConnection(socket, this);
        connect(conn, &KubeHttpConnection::request, this, [this, conn](const KubeHttpRequest &r) { m_handler(r, *conn); });
    }
}

QList<KubeHttpConnection *> KubeFixtureHttp::connections() const
{
    return findChildren<KubeHttpConnection *>(QString(), Qt::FindDirectChildrenOnly);
}

void KubeFixtureHttp::close()
{
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    for (KubeHttpConnection *c : connections())
        c->abort();
}

} // namespace mist::test
