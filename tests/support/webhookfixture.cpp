#include "webhookfixture.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QTcpSocket>

namespace mist::test {

namespace {
QString methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get: return QStringLiteral("GET");
    case QHttpServerRequest::Method::Put: return QStringLiteral("PUT");
    case QHttpServerRequest::Method::Delete: return QStringLiteral("DELETE");
    case QHttpServerRequest::Method::Post: return QStringLiteral("POST");
    case QHttpServerRequest::Method::Head: return QStringLiteral("HEAD");
    case QHttpServerRequest::Method::Options: return QStringLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch: return QStringLiteral("PATCH");
    default: return QStringLiteral("OTHER");
    }
}
} // namespace

QByteArray WebhookFixture::Request::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

WebhookFixture::WebhookFixture(QObject *parent)
    : QObject(parent)
{
    m_http.route(QStringLiteral("/hook"), [this](const QHttpServerRequest &request) {
        requests.append(Request{methodName(request.method()), request.url().path(), request.headers(), request.body()});
        const int status = statuses.isEmpty() ? 200 : statuses.takeFirst();
        emit received();
        return QHttpServerResponse(QByteArrayLiteral("application/json"),
                                   status < 300 ? QByteArrayLiteral("{\"ok\":true}") : QByteArrayLiteral("{\"error\":\"fixture says no\"}"),
                                   static_cast<QHttpServerResponder::StatusCode>(status));
    });
    connect(&m_hanging, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_hanging.nextPendingConnection()) {
            ++m_hangingConnections;
            s->setParent(this);
            connect(s, &QTcpSocket::readyRead, s, [s] { s->readAll(); });
        }
    });
}

bool WebhookFixture::listen()
{
    m_port = m_http.listen(QHostAddress::LocalHost, 0);
    return m_port != 0 && m_hanging.listen(QHostAddress::LocalHost, 0);
}

} // namespace mist::test
