#include "kubeexecsession.h"

#include "providers/kubernetes/kubechannelcodec.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QTimer>
#include <QWebSocket>

namespace mist {

namespace {

QString boolText(bool b)
{
    return b ? QStringLiteral("true") : QStringLiteral("false");
}

} // namespace

QString KubeExecTarget::path() const
{
    QList<std::pair<QString, QString>> query;
    if (!container.isEmpty())
        query.append({QStringLiteral("container"), container});
    for (const QString &arg : command.isEmpty() ? defaultShell() : command)
        query.append({QStringLiteral("command"), arg});
    query.append({QStringLiteral("stdin"), boolText(stdinEnabled)});
    query.append({QStringLiteral("stdout"), QStringLiteral("true")});
    // With a tty the runtime merges stderr into stdout (kubectl asks for stderr=false then).
    query.append({QStringLiteral("stderr"), boolText(!tty)});
    query.append({QStringLiteral("tty"), boolText(tty)});
    return kubePodPath(ns, pod, QStringLiteral("exec"), query);
}

QString KubeExecTarget::description() const
{
    QString d = ns + QLatin1Char('/') + pod;
    if (!container.isEmpty())
        d += QLatin1Char('/') + container;
    return d;
}

QStringList KubeExecTarget::defaultShell()
{
    return {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
            QStringLiteral("TERM=xterm-256color; export TERM; "
                           "command -v bash >/dev/null 2>&1 && exec bash || exec sh")};
}

KubeExecSession::KubeExecSession(KubeConnectionSource source, KubeExecTarget target)
    : m_source(std::move(source))
    , m_target(std::move(target))
{
}

KubeExecSession::~KubeExecSession() = default;

KubeOperation KubeExecSession::operation() const
{
    return {tr("exec into"), tr("pod %1/%2").arg(m_target.ns, m_target.pod)};
}

void KubeExecSession::open(int cols, int rows)
{
    if (m_socket || m_done)
        return;
    m_cols = cols;
    m_rows = rows;
    Result<KubeConnection> conn = resolveKubeConnection(m_source);
    if (!conn) {
        fail(conn.error());
        return;
    }
    m_connection = std::move(conn).value();
    m_socket = openKubeWebSocket(m_connection, m_target.path(), KubeChannelCodec::execSubprotocols(), this);
    connect(m_socket, &QWebSocket::connected, this, &KubeExecSession::onConnected);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &KubeExecSession::onMessage);
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &) {
        fail({tr("The API server sent data this client cannot read."), tr("a text frame on a binary channel protocol")});
    });
    connect(m_socket, &QWebSocket::disconnected, this, &KubeExecSession::onDisconnected);
    onKubeWebSocketError(m_socket, this, [this] {
        if (!m_connected)
            fail(kubeWebSocketError(m_connection, operation(), *m_socket));
    });
    m_handshakeTimer = new QTimer(this);
    m_handshakeTimer->setSingleShot(true);
    connect(m_handshakeTimer, &QTimer::timeout, this, [this] {
        fail({tr("The API server %1 did not answer the exec request for %2 within %3 seconds.")
                  .arg(m_connection.server.host(), m_target.description())
                  .arg(HandshakeTimeoutMs / 1000),
              {}});
    });
    m_handshakeTimer->start(HandshakeTimeoutMs);
}

void KubeExecSession::onConnected()
{
    m_handshakeTimer->stop();
    const QString protocol = m_socket->subprotocol();
    if (!KubeChannelCodec::isKnownSubprotocol(protocol)) {
        fail({tr("Could not open %1: the API server does not speak the exec protocol this client needs (v4.channel.k8s.io).")
                  .arg(m_target.description()),
              protocol.isEmpty() ? tr("no subprotocol was selected") : protocol});
        return;
    }
    m_connected = true;
    emit connected(protocol);
    if (m_target.tty)
        sendResize();
    if (!m_pending.isEmpty())
        m_socket->sendBinaryMessage(KubeChannelCodec::encode(KubeChannel::Stdin, std::exchange(m_pending, {})));
    if (m_closeStdinPending)
        closeStdin();
}

void KubeExecSession::send(const QByteArray &data)
{
    if (m_done || data.isEmpty())
        return;
    if (!m_connected) {
        m_pending += data;
        return;
    }
    // Bounded messages keep one huge paste from becoming one huge frame.
    constexpr qsizetype Chunk = 32 * 1024;
    for (qsizetype at = 0; at < data.size(); at += Chunk)
        m_socket->sendBinaryMessage(KubeChannelCodec::encode(KubeChannel::Stdin, data.mid(at, Chunk)));
}

void KubeExecSession::resize(int cols, int rows)
{
    if (cols <= 0 || rows <= 0 || (cols == m_cols && rows == m_rows))
        return;
    m_cols = cols;
    m_rows = rows;
    if (m_connected && !m_done && m_target.tty)
        sendResize();
}

void KubeExecSession::sendResize()
{
    m_socket->sendBinaryMessage(KubeChannelCodec::resizeMessage(m_cols, m_rows));
}

void KubeExecSession::closeStdin()
{
    if (m_done)
        return;
    if (!m_connected) {
        m_closeStdinPending = true;
        return;
    }
    if (KubeChannelCodec::supportsClose(m_socket->subprotocol()))
        m_socket->sendBinaryMessage(KubeChannelCodec::closeMessage(KubeChannel::Stdin));
}

void KubeExecSession::onMessage(const QByteArray &message)
{
    if (m_done)
        return;
    const auto frame = KubeChannelCodec::decode(message);
    if (!frame) {
        qCWarning(lcKubeStreams) << "empty exec frame from" << m_target.description();
        return;   // harmless, and real servers never send one
    }
    switch (frame->channel) {
    case KubeChannel::Stdout:
    case KubeChannel::Stderr:
        if (!frame->payload.isEmpty())   // the server opens each channel with an empty frame
            emit output(frame->channel, frame->payload);
        return;
    case KubeChannel::Error: {
        if (frame->payload.isEmpty())
            return;
        const KubeExecStatus st = KubeChannelCodec::parseExecStatus(frame->payload);
        if (st.isExit()) {
            m_done = true;
            m_socket->close();
            emit exited(st.exitCode);
        } else {
            fail({tr("The command in %1 failed to run.").arg(m_target.description()), st.message});
        }
        return;
    }
    case KubeChannel::Close:
        return;   // v5: the server closed one of its channels; the error channel still follows
    default:
        fail({tr("The API server sent data this client cannot read."),
              tr("a frame on unknown channel %1").arg(frame->channel)});
    }
}

void KubeExecSession::onDisconnected()
{
    if (m_done)
        return;
    if (!m_connected) {
        fail(kubeWebSocketError(m_connection, operation(), *m_socket));
        return;
    }
    // v4/v5 servers always end with a Status on the error channel: without one the command's
    // fate is unknown, whatever close code came (a cut connection reads as a normal close).
    const QString reason = m_socket->closeReason();
    fail({tr("The connection to the API server was lost before the command in %1 ended.").arg(m_target.description()),
          reason.isEmpty() ? m_socket->errorString() : reason});
}

void KubeExecSession::fail(const Error &error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_handshakeTimer)
        m_handshakeTimer->stop();
    qCInfo(lcKubeStreams).noquote() << "exec failed:" << error.toString();
    emit failed(error);
    if (m_socket)
        m_socket->abort();
}

void KubeExecSession::shutdown()
{
    m_done = true;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    deleteLater();
}

} // namespace mist
