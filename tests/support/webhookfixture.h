#pragma once

#include <QByteArray>
#include <QHttpServer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QVector>

namespace mist::test {

// Tests: a webhook receiver on 127.0.0.1 (Qt HTTP Server). Every request to /hook (any
// method) is recorded and answered with the next status of `statuses` (200 once it is empty).
// hangingUrl(): a server that accepts connections, reads, and never answers.
class WebhookFixture : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QString method;   // "POST", "PUT"...
        QString path;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;

        QByteArray header(const QByteArray &name) const;   // case-insensitive, "" if absent
    };

    explicit WebhookFixture(QObject *parent = nullptr);

    bool listen();
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_port); }
    QString hangingUrl() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_hanging.serverPort()); }
    int hangingConnections() const { return m_hangingConnections; }

    QList<int> statuses;        // answered in order, then 200
    QVector<Request> requests;

signals:
    void received();

private:
    QHttpServer m_http;
    QTcpServer m_hanging;
    quint16 m_port = 0;
    int m_hangingConnections = 0;
};

} // namespace mist::test
