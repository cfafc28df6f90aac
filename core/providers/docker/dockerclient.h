#pragma once

#include "providers/docker/dockerhttp.h"
#include "providers/docker/dockertransport.h"
#include "providers/provider.h"
#include "util/result.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <memory>

namespace mist {

struct DockerReply
{
    HttpResponseHead head;
    QByteArray body;

    int status() const { return head.status; }
    bool isSuccess() const { return head.status >= 200 && head.status < 300; }
    // The engine's own words: {"message": "..."} of an error body, else the body's text.
    QString engineMessage() const;
};

// The Engine API over one connector: negotiates the version (/_ping's Api-Version header,
// then /version: the lower of the engine's and ours), prefixes every call with it and keeps
// one connection alive between calls. One thread at a time.
class DockerClient
{
public:
    static constexpr const char *OurApiVersion = "1.56";   // the reference Mist is built to
    static constexpr const char *OldestApiVersion = "1.24";
    static constexpr int DefaultTimeoutMs = 30000;

    // Connects and negotiates. Errors say what the user can do (socket missing, not Docker...).
    static Result<std::unique_ptr<DockerClient>> connect(const Credentials &credentials, int connectTimeoutMs = 10000);

    QString apiVersion() const { return m_apiVersion; }
    const QJsonObject &version() const { return m_version; }   // the /version answer
    bool isPodman() const;
    const DockerEndpoint &endpoint() const { return m_connector->endpoint(); }

    // One request on the kept-alive connection; any HTTP status is a reply, not an error.
    Result<DockerReply> call(const QByteArray &method, const QString &path, const QUrlQuery &query = {},
                             const QJsonObject *body = nullptr, int timeoutMs = DefaultTimeoutMs);
    // GET that must answer 2xx with JSON.
    Result<QJsonDocument> getJson(const QString &path, const QUrlQuery &query = {}, const QString &what = {});

    // A request on a connection of its own, handed to the caller after the response head:
    // for streamed bodies (logs) and hijacked streams (exec start). Error statuses are errors.
    Result<std::unique_ptr<HttpConnection>> openStream(const QByteArray &method, const QString &path, const QUrlQuery &query,
                                                       const QJsonObject *body, bool upgrade, HttpResponseHead *head,
                                                       int timeoutMs = DefaultTimeoutMs);

    // A clear error for a failed reply: 404 "no longer exists", 409 the engine's words...
    static Error errorFor(const DockerReply &reply, const QString &what);

    // "1.41" < "1.9" compares numerically.
    static int compareVersions(const QString &a, const QString &b);
    static QString negotiate(const QString &serverVersion);

private:
    explicit DockerClient(std::unique_ptr<DockerConnector> connector);
    Status negotiate();
    QByteArray target(const QString &path, const QUrlQuery &query, bool versioned = true) const;
    Result<DockerReply> roundTrip(HttpConnection &connection, const HttpConnection::Request &request, int timeoutMs);

    std::unique_ptr<DockerConnector> m_connector;
    std::unique_ptr<HttpConnection> m_connection;
    QString m_apiVersion;
    QJsonObject m_version;
    int m_handshakeTimeoutMs = 10000;
};

} // namespace mist
