#pragma once

#include "providers/kubernetes/kubechannelcodec.h"
#include "providers/kubernetes/kubechannelsocket.h"
#include "util/result.h"

#include <QObject>

class QNetworkAccessManager;
class QTcpServer;
class QTcpSocket;
class QWebSocket;

namespace mist {

// One accepted TCP connection and its port-forward WebSocket.
class KubePortForwardTunnel : public QObject
{
    Q_OBJECT

public:
    KubePortForwardTunnel(const KubeConnection &connection, const QString &path, const QString &target,
                          quint16 remotePort, QTcpSocket *client, QObject *parent);

signals:
    void failed(const mist::Error &error);
    void ended();   // both sides closed; the tunnel deletes itself

private:
    void onConnected();
    void onMessage(const QByteArray &message);
    void onWebSocketGone();
    void fail(const Error &error);
    void end();
    void sendToPod(const QByteArray &data);

    KubeConnection m_connection;
    QString m_target;
    quint16 m_remotePort;
    QTcpSocket *m_client;
    QWebSocket *m_socket;
    KubePortForwardDecoder m_decoder;
    QByteArray m_pending;        // client bytes before the WebSocket is up
    QByteArray m_errorText;
    bool m_connected = false;
    bool m_ended = false;
};

// The listener of a KubePortForward, on its worker thread. Dies only through shutdown().
class KubePortForwardWorker : public QObject
{
    Q_OBJECT

public:
    KubePortForwardWorker(KubeConnectionSource source, QString ns, QString pod, quint16 remotePort, quint16 localPort);
    ~KubePortForwardWorker() override;

    void open();
    void shutdown();   // closes the listener and every tunnel, deletes this object

signals:
    void listening(quint16 port);
    void failed(const mist::Error &error);
    void connectionFailed(const mist::Error &error);
    void connectionCountChanged(int count);

private:
    void checkPod();
    void listen();
    void onNewConnection();

    KubeConnectionSource m_source;
    QString m_ns;
    QString m_pod;
    quint16 m_remotePort;
    quint16 m_localPort;
    KubeConnection m_connection;
    QTcpServer *m_server = nullptr;
    int m_count = 0;
};

} // namespace mist
