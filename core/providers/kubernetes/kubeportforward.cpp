#include "kubeportforward.h"

#include "providers/kubernetes/kubeportforwardworker.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QMetaObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>

namespace mist {

namespace {

} // namespace

// ---- owner side ----

KubePortForward::KubePortForward(KubeConnectionSource source, QString ns, QString pod, quint16 remotePort,
                                 quint16 localPort, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
    , m_ns(std::move(ns))
    , m_pod(std::move(pod))
    , m_remotePort(remotePort)
    , m_localPort(localPort)
{
}

KubePortForward::~KubePortForward()
{
    stopWorker();
}

QString KubePortForward::description() const
{
    return QStringLiteral("127.0.0.1:%1 → %2/%3:%4").arg(m_localPort).arg(m_ns, m_pod).arg(m_remotePort);
}

void KubePortForward::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void KubePortForward::stopWorker()
{
    if (!m_worker)
        return;
    KubePortForwardWorker *w = std::exchange(m_worker, nullptr);
    QMetaObject::invokeMethod(w, [w] { w->shutdown(); }, Qt::QueuedConnection);
}

void KubePortForward::start()
{
    if (m_worker || m_state != State::Idle)
        return;
    m_worker = new KubePortForwardWorker(m_source, m_ns, m_pod, m_remotePort, m_localPort);
    connect(m_worker, &KubePortForwardWorker::listening, this, [this](quint16 port) {
        if (m_state != State::Starting)
            return;
        m_localPort = port;
        setState(State::Listening);
        emit listening(port);
    });
    connect(m_worker, &KubePortForwardWorker::failed, this, [this](const Error &e) {
        if (m_state != State::Starting && m_state != State::Listening)
            return;
        stopWorker();
        setState(State::Failed);
        emit failed(e);
    });
    connect(m_worker, &KubePortForwardWorker::connectionFailed, this, [this](const Error &e) {
        if (m_state == State::Listening)
            emit connectionFailed(e);
    });
    connect(m_worker, &KubePortForwardWorker::connectionCountChanged, this, [this](int count) {
        if (m_state != State::Listening || count == m_connections)
            return;
        m_connections = count;
        emit connectionCountChanged(count);
    });
    setState(State::Starting);
    KubeWorkerThread::start(m_worker, QStringLiteral("kube-portforward"));
    KubePortForwardWorker *w = m_worker;
    QMetaObject::invokeMethod(w, [w] { w->open(); }, Qt::QueuedConnection);
}

void KubePortForward::close()
{
    if (m_state == State::Closed || m_state == State::Failed)
        return;
    stopWorker();
    m_connections = 0;
    setState(State::Closed);
    emit closed();
}

// ---- worker side ----

KubePortForwardWorker::KubePortForwardWorker(KubeConnectionSource source, QString ns, QString pod, quint16 remotePort,
                                             quint16 localPort)
    : m_source(std::move(source))
    , m_ns(std::move(ns))
    , m_pod(std::move(pod))
    , m_remotePort(remotePort)
    , m_localPort(localPort)
{
}

KubePortForwardWorker::~KubePortForwardWorker() = default;

void KubePortForwardWorker::open()
{
    Result<KubeConnection> conn = resolveKubeConnection(m_source);
    if (!conn) {
        emit failed(conn.error());
        return;
    }
    m_connection = std::move(conn).value();
    checkPod();
}

// Like kubectl: a pod that is gone or not running is reported before anything listens.
void KubePortForwardWorker::checkPod()
{
    auto *nam = new QNetworkAccessManager(this);
    QNetworkRequest request = m_connection.request(kubePodPath(m_ns, m_pod, QString(), {}));
    request.setTransferTimeout(30000);
    QNetworkReply *reply = nam->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, nam] {
        reply->deleteLater();
        nam->deleteLater();
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (reply->error() != QNetworkReply::NoError || http >= 300) {
            emit failed(kubeError(m_connection, {tr("forward ports of"), tr("pod %1/%2").arg(m_ns, m_pod)},
                                  KubeFailure{http, reply->error(), reply->errorString(), {}, body}));
            return;
        }
        const QString phase = QJsonDocument::fromJson(body).object().value(QStringLiteral("status")).toObject()
                                  .value(QStringLiteral("phase")).toString();
        if (phase != QLatin1String("Running")) {
            emit failed({tr("Could not forward ports of pod %1/%2: it is not running.").arg(m_ns, m_pod),
                         tr("phase: %1").arg(phase.isEmpty() ? tr("unknown") : phase)});
            return;
        }
        listen();
    });
}

void KubePortForwardWorker::listen()
{
    m_server = new QTcpServer(this);
    if (!m_server->listen(QHostAddress::LocalHost, m_localPort)) {
        emit failed({tr("Could not listen on local port %1 to forward to %2/%3.").arg(m_localPort).arg(m_ns, m_pod),
                     m_server->errorString()});
        return;
    }
    connect(m_server, &QTcpServer::newConnection, this, &KubePortForwardWorker::onNewConnection);
    emit listening(m_server->serverPort());
}

void KubePortForwardWorker::onNewConnection()
{
    const QString path = kubePodPath(m_ns, m_pod, QStringLiteral("portforward"),
                                     {{QStringLiteral("ports"), QString::number(m_remotePort)}});
    const QString target = m_ns + QLatin1Char('/') + m_pod;
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        auto *tunnel = new KubePortForwardTunnel(m_connection, path, target, m_remotePort, client, this);
        connect(tunnel, &KubePortForwardTunnel::failed, this, &KubePortForwardWorker::connectionFailed);
        connect(tunnel, &KubePortForwardTunnel::ended, this, [this] { emit connectionCountChanged(--m_count); });
        emit connectionCountChanged(++m_count);
    }
}

void KubePortForwardWorker::shutdown()
{
    // Children (listener, tunnels, sockets) go with this object; aborting first avoids
    // signals from half-destroyed tunnels.
    for (KubePortForwardTunnel *t : findChildren<KubePortForwardTunnel *>())
        t->disconnect(this);
    deleteLater();
}

KubePortForwardTunnel::KubePortForwardTunnel(const KubeConnection &connection, const QString &path,
                                             const QString &target, quint16 remotePort, QTcpSocket *client,
                                             QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_target(target)
    , m_remotePort(remotePort)
    , m_client(client)
{
    m_client->setParent(this);
    m_socket = openKubeWebSocket(connection, path, KubeChannelCodec::portForwardSubprotocols(), this);
    connect(m_socket, &QWebSocket::connected, this, &KubePortForwardTunnel::onConnected);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &KubePortForwardTunnel::onMessage);
    connect(m_socket, &QWebSocket::disconnected, this, &KubePortForwardTunnel::onWebSocketGone);
    onKubeWebSocketError(m_socket, this, [this] {
        if (!m_connected)
            onWebSocketGone();
    });
    connect(m_client, &QTcpSocket::readyRead, this, [this] {
        const QByteArray data = m_client->readAll();
        if (m_connected)
            sendToPod(data);
        else
            m_pending += data;
    });
    connect(m_client, &QTcpSocket::disconnected, this, [this] {
        if (m_connected && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->close();
        end();
    });
}

void KubePortForwardTunnel::onConnected()
{
    if (!KubeChannelCodec::isKnownSubprotocol(m_socket->subprotocol())) {
        fail({tr("Could not forward to port %1 of %2: the API server does not speak the port-forward protocol.")
                  .arg(m_remotePort).arg(m_target),
              m_socket->subprotocol()});
        return;
    }
    m_connected = true;
    if (!m_pending.isEmpty())
        sendToPod(std::exchange(m_pending, {}));
}

void KubePortForwardTunnel::sendToPod(const QByteArray &data)
{
    constexpr qsizetype Chunk = 32 * 1024;
    for (qsizetype at = 0; at < data.size(); at += Chunk)
        m_socket->sendBinaryMessage(KubeChannelCodec::encode(KubeChannel::PortData, data.mid(at, Chunk)));
}

void KubePortForwardTunnel::onMessage(const QByteArray &message)
{
    if (m_ended)
        return;
    const auto frame = KubeChannelCodec::decode(message);
    if (!frame || frame->channel > KubeChannel::PortError) {
        fail({tr("Could not forward to port %1 of %2: the API server sent data this client cannot read.")
                  .arg(m_remotePort).arg(m_target),
              frame ? tr("a frame on unknown channel %1").arg(frame->channel) : tr("an empty frame")});
        return;
    }
    const QByteArray payload = m_decoder.take(frame->channel, frame->payload);
    if (frame->channel == KubeChannel::PortData) {
        if (!payload.isEmpty())
            m_client->write(payload);
        return;
    }
    m_errorText += payload;
    if (!m_errorText.trimmed().isEmpty())
        fail({tr("Could not forward to port %1 of %2: the pod refused the connection.").arg(m_remotePort).arg(m_target),
              QString::fromUtf8(m_errorText.trimmed())});
}

void KubePortForwardTunnel::onWebSocketGone()
{
    if (m_ended)
        return;
    if (!m_connected) {
        fail(kubeWebSocketError(m_connection, {tr("forward port %1 of").arg(m_remotePort), tr("pod %1").arg(m_target)},
                                *m_socket));
        return;
    }
    // The pod side ended: let the client read what was written, then hang up.
    m_client->disconnectFromHost();
    end();
}

void KubePortForwardTunnel::fail(const Error &error)
{
    if (m_ended)
        return;
    qCInfo(lcKubeStreams).noquote() << "port forward connection failed:" << error.toString();
    m_socket->disconnect(this);   // aborting emits disconnected(): one report per connection
    emit failed(error);
    m_socket->abort();
    m_client->disconnectFromHost();
    end();
}

void KubePortForwardTunnel::end()
{
    if (std::exchange(m_ended, true))
        return;
    m_socket->disconnect(this);
    m_client->disconnect(this);
    if (m_client->state() != QAbstractSocket::UnconnectedState) {
        // Outlive this tunnel until the client has read what the pod sent.
        m_client->setParent(parent());
        connect(m_client, &QTcpSocket::disconnected, m_client, &QObject::deleteLater);
    }
    emit ended();
    deleteLater();
}

} // namespace mist
