#include "pathrouter.h"

#include <QTcpSocket>

PathRouter::PathRouter(quint16 apiPort, quint16 streamsPort, QRegularExpression streamPaths, QObject *parent)
    : QObject(parent), m_apiPort(apiPort), m_streamsPort(streamsPort), m_streamPaths(std::move(streamPaths))
{
    connect(&m_server, &QTcpServer::newConnection, this, &PathRouter::accept);
}

bool PathRouter::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

void PathRouter::accept()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        client->setParent(this);
        // Waits for the request line, then opens the matching backend and pipes both ways.
        auto routed = std::make_shared<bool>(false);
        connect(client, &QTcpSocket::readyRead, this, [this, client, routed] {
            if (*routed)
                return;
            const QByteArray head = client->peek(8192);
            const qsizetype eol = head.indexOf("\r\n");
            if (eol < 0)
                return;
            *routed = true;
            const QString path = QString::fromLatin1(head.left(eol)).section(QLatin1Char(' '), 1, 1);
            const quint16 port = m_streamPaths.match(path).hasMatch() ? m_streamsPort : m_apiPort;
            auto *backend = new QTcpSocket(client);
            connect(backend, &QTcpSocket::connected, client, [client, backend] { backend->write(client->readAll()); });
            connect(client, &QTcpSocket::readyRead, backend, [client, backend] {
                if (backend->state() == QAbstractSocket::ConnectedState)
                    backend->write(client->readAll());
            });
            connect(backend, &QTcpSocket::readyRead, client, [client, backend] { client->write(backend->readAll()); });
            connect(backend, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
            connect(client, &QTcpSocket::disconnected, backend, [backend] { backend->disconnectFromHost(); });
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            backend->connectToHost(QHostAddress::LocalHost, port);
        });
    }
}
