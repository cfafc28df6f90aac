#include "prometheusclient.h"

#include "prometheussources.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>
#include <QUrl>

#if QT_CONFIG(ssl)
#include <QSslCertificate>
#include <QSslConfiguration>
#endif

#include <cmath>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PrometheusClient", text);
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 3);
}

// A series for messages: {__name__="x", instance="y"} style, short.
QString describe(const QMap<QString, QString> &labels)
{
    QStringList parts;
    for (auto it = labels.begin(); it != labels.end(); ++it)
        parts << QStringLiteral("%1=\"%2\"").arg(it.key(), it.value());
    return QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
}

Error envelopeError(const QJsonObject &o, int httpStatus, const QString &where)
{
    const QString type = o.value(QStringLiteral("errorType")).toString();
    const QString text = o.value(QStringLiteral("error")).toString(tr("no error text"));
    const QString detail = QStringLiteral("HTTP %1, errorType %2").arg(httpStatus).arg(type.isEmpty() ? QStringLiteral("-") : type);
    // bad_data (400): the query or its parameters are wrong; execution (422), timeout,
    // canceled, unavailable (503), internal: the server could not run it.
    if (type == QLatin1String("bad_data") || (type.isEmpty() && httpStatus == 400))
        return Error{tr("Prometheus at %1 rejected the query: %2").arg(where, text), detail};
    if (type == QLatin1String("timeout") || type == QLatin1String("canceled") || httpStatus == 503)
        return Error{tr("Prometheus at %1 could not answer in time or is not ready: %2").arg(where, text), detail};
    return Error{tr("Prometheus at %1 could not run the query: %2").arg(where, text), detail};
}

Error httpError(int status, const QByteArray &body, const QString &where)
{
    const QString detail = QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(300)).simplified());
    if (status == 401 || status == 403)
        return Error{tr("Prometheus at %1 refused the credentials (HTTP %2): check the user, password or token.").arg(where).arg(status),
                     detail};
    if (status == 404)
        return Error{tr("%1 has no Prometheus query API (HTTP 404): check the URL (a VictoriaMetrics cluster needs the "
                        "/select/<tenant>/prometheus path).").arg(where),
                     detail};
    return Error{tr("Prometheus at %1 answered HTTP %2.").arg(where).arg(status), detail};
}

} // namespace

PrometheusEndpoint PrometheusEndpoint::from(const PrometheusSource &s, const QString &secret)
{
    PrometheusEndpoint e;
    e.url = s.url;
    e.timeoutMs = s.timeoutSeconds * 1000;
    e.insecureTls = s.insecureTls;
    e.caFile = s.caFile;
    if (s.auth == PrometheusSource::Auth::Basic) {
        e.user = s.user;
        e.password = secret;
    } else if (s.auth == PrometheusSource::Auth::Bearer) {
        e.bearerToken = secret;
    }
    return e;
}

PrometheusClient::PrometheusClient(PrometheusEndpoint endpoint)
    : m_endpoint(std::move(endpoint)), m_network(std::make_unique<QNetworkAccessManager>())
{
    m_network->setAutoDeleteReplies(false);
    while (m_endpoint.url.endsWith(QLatin1Char('/')))
        m_endpoint.url.chop(1);
}

PrometheusClient::~PrometheusClient() = default;

Result<PrometheusMatrix> PrometheusClient::queryRange(const QString &query, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    return queryRanges({query}, fromMs, toMs, stepMs).value(0, Error{tr("No query was run."), {}});
}

QVector<Result<PrometheusMatrix>> PrometheusClient::queryRanges(const QStringList &queries, qint64 fromMs, qint64 toMs,
                                                                  qint64 stepMs)
{
    const QString where = m_endpoint.url;
    // Built by hand: QUrlQuery leaves '+' alone, which servers read as a space ("a + b").
    const auto encoded = [](const QString &key, const QString &value) {
        return key.toLatin1() + '=' + QUrl::toPercentEncoding(value);
    };
    QVector<QNetworkReply *> replies;
    for (const QString &query : queries) {
        const QByteArray params = encoded(QStringLiteral("query"), query) + '&' + encoded(QStringLiteral("start"), seconds(fromMs)) + '&'
                                  + encoded(QStringLiteral("end"), seconds(toMs)) + '&' + encoded(QStringLiteral("step"), seconds(stepMs));
        QUrl url = QUrl::fromEncoded(m_endpoint.url.toUtf8() + "/api/v1/query_range?" + params, QUrl::StrictMode);
        QNetworkRequest req(url);
        // Qt copies the Authorization header onto a followed redirect: never to another host.
        req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
        req.setRawHeader("Accept", "application/json");
        if (!m_endpoint.bearerToken.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + m_endpoint.bearerToken.toUtf8());
        else if (!m_endpoint.user.isEmpty())
            req.setRawHeader("Authorization", "Basic " + (m_endpoint.user + QLatin1Char(':') + m_endpoint.password).toUtf8().toBase64());
#if QT_CONFIG(ssl)
        if (url.scheme() == QLatin1String("https")) {
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            if (m_endpoint.insecureTls)
                tls.setPeerVerifyMode(QSslSocket::VerifyNone);
            if (!m_endpoint.caFile.isEmpty())
                tls.addCaCertificates(QSslCertificate::fromPath(m_endpoint.caFile, QSsl::Pem));
            req.setSslConfiguration(tls);
        }
#endif
        replies.append(m_network->get(req));
    }

    // One loop for all requests: quits when every reply finished or the timeout passed.
    QEventLoop loop;
    int open = int(replies.size());
    for (QNetworkReply *r : std::as_const(replies)) {
        QObject::connect(r, &QNetworkReply::finished, &loop, [&open, &loop] {
            if (--open == 0)
                loop.quit();
        });
    }
    bool timedOut = false;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    deadline.start(m_endpoint.timeoutMs);
    if (open > 0)
        loop.exec();

    QVector<Result<PrometheusMatrix>> out;
    for (QNetworkReply *r : std::as_const(replies)) {
        const bool finished = r->isFinished();
        if (!finished) {
            QObject::disconnect(r, nullptr, &loop, nullptr);
            r->abort();
        }
        const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (!finished) {
            out.append(Error{tr("Prometheus at %1 did not answer within %2 s.").arg(where).arg(m_endpoint.timeoutMs / 1000.0), {}});
        } else if (status == 0) {
            out.append(Error{tr("Could not reach Prometheus at %1.").arg(where), r->errorString()});
        } else {
            out.append(parseRangeAnswer(status, r->readAll(), where));
        }
        r->deleteLater();
    }
    if (timedOut)
        qCInfo(lcMonitoring) << "prometheus" << where << "timed out after" << m_endpoint.timeoutMs << "ms";
    return out;
}

Result<PrometheusMatrix> PrometheusClient::parseRangeAnswer(int httpStatus, const QByteArray &body, const QString &where)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    const QJsonObject o = doc.object();
    const QString status = o.value(QStringLiteral("status")).toString();
    if (!doc.isObject() || status.isEmpty()) {
        if (httpStatus < 200 || httpStatus >= 300)
            return httpError(httpStatus, body, where);
        return Error{tr("%1 answered with something that is not the Prometheus API's JSON: check the URL.").arg(where),
                     pe.error != QJsonParseError::NoError ? pe.errorString() : QString::fromUtf8(body.left(200))};
    }
    if (status != QLatin1String("success"))
        return envelopeError(o, httpStatus, where);
    if (httpStatus < 200 || httpStatus >= 300)
        return httpError(httpStatus, body, where);

    const QJsonObject data = o.value(QStringLiteral("data")).toObject();
    const QString type = data.value(QStringLiteral("resultType")).toString();
    if (type != QLatin1String("matrix"))
        return Error{tr("Prometheus at %1 answered a range query with a \"%2\" result instead of a matrix.").arg(where, type), {}};
    PrometheusMatrix m;
    for (const QJsonValue &w : o.value(QStringLiteral("warnings")).toArray())
        m.warnings << w.toString();
    for (const QJsonValue &item : data.value(QStringLiteral("result")).toArray()) {
        const QJsonObject so = item.toObject();
        PrometheusSeries s;
        const QJsonObject metric = so.value(QStringLiteral("metric")).toObject();
        for (auto it = metric.begin(); it != metric.end(); ++it)
            s.labels.insert(it.key(), it.value().toString());
        int skipped = 0;
        for (const QJsonValue &pv : so.value(QStringLiteral("values")).toArray()) {
            const QJsonArray pair = pv.toArray();
            bool ok = false;
            const double value = pair.at(1).toString().toDouble(&ok);
            if (pair.size() != 2 || !pair.at(0).isDouble() || !ok || !std::isfinite(value)) {
                ++skipped;   // NaN, +Inf, -Inf (e.g. a division by zero in the query) or junk
                continue;
            }
            s.points.append({qRound64(pair.at(0).toDouble() * 1000.0), value});
        }
        if (so.contains(QStringLiteral("histograms")))
            m.warnings << tr("Native histogram values of %1 were skipped (not supported).").arg(describe(s.labels));
        if (skipped > 0)
            m.warnings << QCoreApplication::translate("PrometheusClient",
                                                      "%n value(s) of %1 were not finite numbers (NaN or ±Inf) and were skipped.",
                                                      nullptr, skipped)
                              .arg(describe(s.labels));
        m.series.append(std::move(s));
    }
    return m;
}

} // namespace mist
