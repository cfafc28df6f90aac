#include "dockerclient.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonParseError>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DockerClient", text);
}

QByteArray jsonBytes(const QJsonObject *body)
{
    return body ? QJsonDocument(*body).toJson(QJsonDocument::Compact) : QByteArray();
}

} // namespace

QString DockerReply::engineMessage() const
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QString m = doc.object().value(QLatin1String("message")).toString();
        if (!m.isEmpty())
            return m.trimmed();
    }
    return QString::fromUtf8(body.left(500)).trimmed();
}

DockerClient::DockerClient(std::unique_ptr<DockerConnector> connector)
    : m_connector(std::move(connector))
{
}

Result<std::unique_ptr<DockerClient>> DockerClient::connect(const Credentials &credentials, int connectTimeoutMs)
{
    auto connector = DockerConnector::create(credentials);
    if (!connector)
        return connector.error();
    connector.value()->setConnectTimeout(connectTimeoutMs);
    std::unique_ptr<DockerClient> client(new DockerClient(std::move(connector).value()));
    client->m_handshakeTimeoutMs = connectTimeoutMs;
    if (Status st = client->negotiate(); !st)
        return st.error();
    return client;
}

int DockerClient::compareVersions(const QString &a, const QString &b)
{
    const QStringList pa = a.split(QLatin1Char('.')), pb = b.split(QLatin1Char('.'));
    for (int i = 0; i < qMax(pa.size(), pb.size()); ++i) {
        const int x = pa.value(i).toInt(), y = pb.value(i).toInt();
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

QString DockerClient::negotiate(const QString &serverVersion)
{
    const QString ours = QString::fromLatin1(OurApiVersion);
    if (serverVersion.isEmpty() || compareVersions(serverVersion, ours) > 0)
        return ours;
    return serverVersion;
}

Status DockerClient::negotiate()
{
    const QString where = m_connector->endpoint().toString();
    // /_ping has no version prefix: it is how a client learns the version to use.
    auto ping = call("GET", QStringLiteral("/_ping"), {}, nullptr, m_handshakeTimeoutMs);
    if (!ping)
        return Error{ping.error().message, where + QStringLiteral(": ") + ping.error().detail};
    const QString pingVersion = QString::fromLatin1(ping->head.header("api-version"));
    if (ping->status() != 200 || (pingVersion.isEmpty() && ping->body.trimmed() != "OK"))
        return Error{tr("%1 answers HTTP but is not a Docker engine (no answer to /_ping).").arg(where),
                     QStringLiteral("HTTP %1: %2").arg(ping->status()).arg(QString::fromUtf8(ping->body.left(200)))};
    m_apiVersion = pingVersion.isEmpty() ? QString() : negotiate(pingVersion);

    auto version = call("GET", QStringLiteral("/version"), {}, nullptr, m_handshakeTimeoutMs);
    if (!version)
        return version.error();
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(version->body, &perr);
    if (!version->isSuccess() || !doc.isObject())
        return Error{tr("The Docker engine at %1 did not say which API version it speaks.").arg(where),
                     version->isSuccess() ? perr.errorString() : errorFor(version.value(), {}).detail};
    m_version = doc.object();
    const QString serverVersion = m_version.value(QLatin1String("ApiVersion")).toString(pingVersion);
    if (!serverVersion.isEmpty() && compareVersions(serverVersion, QString::fromLatin1(OldestApiVersion)) < 0)
        return Error{tr("The Docker engine at %1 is too old (API %2; Mist needs %3 or newer).")
                         .arg(where, serverVersion, QString::fromLatin1(OldestApiVersion)),
                     {}};
    m_apiVersion = negotiate(serverVersion);
    qCDebug(lcProviderDocker) << "engine at" << where << "speaks API" << serverVersion << "using" << m_apiVersion;
    return {};
}

bool DockerClient::isPodman() const
{
    for (const QJsonValue &c : m_version.value(QLatin1String("Components")).toArray())
        if (c.toObject().value(QLatin1String("Name")).toString().contains(QLatin1String("Podman"), Qt::CaseInsensitive))
            return true;
    return m_version.value(QLatin1String("Platform")).toObject().value(QLatin1String("Name")).toString()
        .contains(QLatin1String("Podman"), Qt::CaseInsensitive);
}

QByteArray DockerClient::target(const QString &path, const QUrlQuery &query, bool versioned) const
{
    QByteArray t;
    if (versioned && !m_apiVersion.isEmpty())
        t = "/v" + m_apiVersion.toLatin1();
    t += QUrl::toPercentEncoding(path, "/");
    const QString q = query.toString(QUrl::FullyEncoded);
    if (!q.isEmpty())
        t += '?' + q.toLatin1();
    return t;
}

Result<DockerReply> DockerClient::roundTrip(HttpConnection &connection, const HttpConnection::Request &request, int timeoutMs)
{
    auto head = connection.send(request, timeoutMs);
    if (!head)
        return head.error();
    DockerReply reply;
    reply.head = head.value();
    auto body = connection.readBody(timeoutMs);
    if (!body)
        return body.error();
    reply.body = body.value();
    return reply;
}

Result<DockerReply> DockerClient::call(const QByteArray &method, const QString &path, const QUrlQuery &query,
                                       const QJsonObject *body, int timeoutMs)
{
    const bool versioned = path != QLatin1String("/_ping");
    const HttpConnection::Request request{method, target(path, query, versioned), jsonBytes(body), {}, false};
    // A kept-alive connection may have been closed by the engine meanwhile: one retry on a new one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = m_connection && m_connection->reusable();
        if (!reused) {
            auto stream = m_connector->open();
            if (!stream)
                return stream.error();
            m_connection = std::make_unique<HttpConnection>(std::move(stream).value(), m_connector->endpoint().hostHeader());
        }
        auto reply = roundTrip(*m_connection, request, timeoutMs);
        if (reply || !reused)
            return reply;
        m_connection.reset();
    }
    return Error{tr("The Docker engine closed the connection."), {}};
}

Result<QJsonDocument> DockerClient::getJson(const QString &path, const QUrlQuery &query, const QString &what)
{
    auto reply = call("GET", path, query);
    if (!reply)
        return reply.error();
    if (!reply->isSuccess())
        return errorFor(reply.value(), what);
    QJsonParseError perr;
    QJsonDocument doc = QJsonDocument::fromJson(reply->body, &perr);
    if (perr.error != QJsonParseError::NoError)
        return Error{tr("The Docker engine sent malformed JSON for %1.").arg(path),
                     tr("%1 at offset %2").arg(perr.errorString()).arg(perr.offset)};
    return doc;
}

Result<std::unique_ptr<HttpConnection>> DockerClient::openStream(const QByteArray &method, const QString &path,
                                                                  const QUrlQuery &query, const QJsonObject *body,
                                                                  bool upgrade, HttpResponseHead *head, int timeoutMs)
{
    auto stream = m_connector->open();
    if (!stream)
        return stream.error();
    auto connection = std::make_unique<HttpConnection>(std::move(stream).value(), m_connector->endpoint().hostHeader());
    const HttpConnection::Request request{method, target(path, query), jsonBytes(body), {}, upgrade};
    auto h = connection->send(request, timeoutMs);
    if (!h)
        return h.error();
    if (h->status >= 300) {
        DockerReply reply;
        reply.head = h.value();
        if (auto b = connection->readBody(timeoutMs, 1024 * 1024))
            reply.body = b.value();
        return errorFor(reply, {});
    }
    if (head)
        *head = h.value();
    return connection;
}

Error DockerClient::errorFor(const DockerReply &reply, const QString &what)
{
    const QString engine = reply.engineMessage();
    const QString detail = QStringLiteral("HTTP %1: %2").arg(reply.status()).arg(engine);
    QString reason;
    switch (reply.status()) {
    case 400:
        reason = tr("The Docker engine refused the request: %1").arg(engine);
        break;
    case 401:
    case 403:
        reason = tr("The Docker engine denied access: %1").arg(engine);
        break;
    case 404:
        reason = tr("It no longer exists on the Docker engine.");
        break;
    case 409:
        reason = tr("The Docker engine refused: %1").arg(engine);
        break;
    default:
        reason = reply.status() >= 500 ? tr("The Docker engine failed: %1").arg(engine)
                                       : tr("The Docker engine answered HTTP %1: %2").arg(reply.status()).arg(engine);
    }
    return Error{what.isEmpty() ? reason : what + QLatin1Char(' ') + reason, detail};
}

} // namespace mist
