#include "kubeapiclient.h"

#include "kubecredentialplugin.h"
#include "util/logging.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>

namespace mist {

namespace {

struct Exchange
{
    int status = 0;
    QByteArray body;
    QByteArray retryAfter;
    KubeFailure failure;
};

Exchange perform(QNetworkAccessManager &nam, const QNetworkRequest &req, const QByteArray &method, const QByteArray &body)
{
    QBuffer buffer;
    buffer.setData(body);
    buffer.open(QIODevice::ReadOnly);
    QNetworkReply *reply = nam.sendCustomRequest(req, method, body.isEmpty() ? nullptr : &buffer);
    QList<QSslError> sslErrors;
    QObject::connect(reply, &QNetworkReply::sslErrors, reply, [&sslErrors](const QList<QSslError> &e) { sslErrors = e; });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Exchange x;
    x.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    x.body = reply->readAll();
    x.retryAfter = reply->rawHeader("Retry-After");
    x.failure.httpStatus = x.status;
    x.failure.network = reply->error();
    x.failure.networkText = reply->errorString();
    x.failure.sslErrors = sslErrors;
    x.failure.body = x.body;
    reply->deleteLater();
    return x;
}

bool transient(const Exchange &x)
{
    if (x.status >= 500)
        return true;
    return x.status == 0
        && (x.failure.network == QNetworkReply::RemoteHostClosedError
            || x.failure.network == QNetworkReply::TemporaryNetworkFailureError);
}

} // namespace

KubeApiClient::KubeApiClient(KubeConnection connection)
    : m_connection(std::move(connection)), m_network(std::make_unique<QNetworkAccessManager>())
{
    m_network->setAutoDeleteReplies(false);
}

KubeApiClient::~KubeApiClient() = default;

Result<QJsonObject> KubeApiClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                                        const QByteArray &contentType, const KubeOperation &op, KubeFailure *lastFailure)
{
    QNetworkRequest req = m_connection.request(path);
    req.setTransferTimeout(30000);
    if (!contentType.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    for (int attempt = 0;; ++attempt) {
        Exchange x = perform(*m_network, req, method, body);
        if (x.failure.network == QNetworkReply::NoError && x.status >= 200 && x.status < 300) {
            QJsonParseError perr;
            const QJsonDocument doc = QJsonDocument::fromJson(x.body, &perr);
            if (x.body.trimmed().isEmpty())
                return QJsonObject();
            if (!doc.isObject())
                return Error{QCoreApplication::translate("KubeApiClient", "The API server sent an answer that is not JSON to %1 %2.")
                                 .arg(op.verb, op.resource),
                             perr.errorString()};
            return doc.object();
        }
        if (lastFailure)
            *lastFailure = x.failure;
        if (x.status == 401 && !m_connection.execConfig.isEmpty())
            KubeCredentialPlugin::forget(m_connection.execConfig);
        if (attempt < m_retry.maxRetries && (x.status == 429 || transient(x))) {
            bool ok = false;
            int wait = x.retryAfter.trimmed().toInt(&ok);
            int delayMs = ok ? wait * 1000 : (x.status == 429 ? 1000 : m_retry.baseDelayMs << attempt);
            if (ok && wait > m_retry.maxRetryAfterSec)
                return kubeError(m_connection, op, x.failure);
            qCInfo(lcProviderKube) << method << path << "answered" << x.status << "- retrying in" << delayMs << "ms";
            QThread::msleep(ulong(delayMs));
            continue;
        }
        return kubeError(m_connection, op, x.failure);
    }
}

Result<QJsonObject> KubeApiClient::get(const QString &path, const KubeOperation &op)
{
    return send("GET", path, {}, {}, op);
}

Result<QJsonObject> KubeApiClient::patch(const QString &path, const QJsonObject &body, PatchType type, const KubeOperation &op)
{
    const QByteArray ct = type == PatchType::Merge ? QByteArrayLiteral("application/merge-patch+json")
                                                   : QByteArrayLiteral("application/strategic-merge-patch+json");
    return send("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact), ct, op);
}

Result<QJsonObject> KubeApiClient::remove(const QString &path, const KubeOperation &op)
{
    return send("DELETE", path, {}, {}, op);
}

Result<KubeList> KubeApiClient::list(const QString &path, const KubeOperation &op, int pageSize)
{
    for (int restart = 0;; ++restart) {
        KubeList out;
        QString cont;
        bool expired = false;
        do {
            QString query = QStringLiteral("limit=%1").arg(pageSize);
            if (!cont.isEmpty())
                query += QStringLiteral("&continue=") + QString::fromLatin1(QUrl::toPercentEncoding(cont));
            const QChar sep = path.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?');
            KubeFailure failure;
            auto page = send("GET", path + sep + query, {}, {}, op, &failure);
            if (!page) {
                if (failure.httpStatus == 410 && !cont.isEmpty() && restart == 0) {
                    expired = true;   // the snapshot behind the continue token is gone: list again
                    break;
                }
                return page.error();
            }
            const QJsonObject meta = page->value(QStringLiteral("metadata")).toObject();
            if (out.resourceVersion.isEmpty())
                out.resourceVersion = meta.value(QStringLiteral("resourceVersion")).toString();
            for (const QJsonValue &item : page->value(QStringLiteral("items")).toArray())
                out.items.append(item);
            cont = meta.value(QStringLiteral("continue")).toString();
        } while (!cont.isEmpty());
        if (!expired)
            return out;
    }
}

} // namespace mist
