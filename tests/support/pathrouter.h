#pragma once

#include <QHostAddress>
#include <QObject>
#include <QRegularExpression>
#include <QTcpServer>

// Tests: one loopback port in front of two fixture servers, as one Kubernetes API server is
// for Mist: each connection goes to `streams` when its first request line's path matches
// (exec, attach, port-forward, logs), else to `api`. Bytes are piped both ways unchanged.
class PathRouter : public QObject
{
    Q_OBJECT
public:
    PathRouter(quint16 apiPort, quint16 streamsPort, QRegularExpression streamPaths, QObject *parent = nullptr);

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(port()); }

private:
    void accept();

    QTcpServer m_server;
    quint16 m_apiPort;
    quint16 m_streamsPort;
    QRegularExpression m_streamPaths;
};
