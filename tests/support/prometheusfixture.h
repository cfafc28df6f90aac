#pragma once

#include <QByteArray>
#include <QHttpServer>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTcpServer>
#include <QVector>

namespace mist::test {

// Tests: a Prometheus HTTP API on 127.0.0.1 (Qt HTTP Server) that follows the API docs for
// GET /api/v1/query_range: start/end/step required (unix seconds or RFC 3339; step as seconds
// or a duration like 15s), end >= start, at most 11,000 points per series, answers in the
// status/data/errorType/error/warnings envelope with resultType "matrix" and values as
// [unix_seconds, "string"]. The same API is served under /select/0/prometheus (the
// VictoriaMetrics cluster's prefix). It does not evaluate PromQL: a query whose text contains
// `matcher` gets series made up from its shape (see seriesFor), any other query none.
//  * a query containing `parse_error` -> 400 bad_data; `exec_error` -> 422 execution;
//    `not_ready` -> 503 unavailable; `odd_values` -> a series with NaN, +Inf and -Inf values;
//    `warn_me` -> a success with a warning.
//  * `requiredAuthorization` set: requests without that Authorization header get 401.
//  * slowUrl(): a server that accepts connections and never answers.
class PrometheusFixture : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QString path;
        QString query;      // decoded PromQL
        QString start, end, step;
        QByteArray authorization;
    };

    explicit PrometheusFixture(QObject *parent = nullptr);

    bool listen();
    // HTTPS with this certificate instead (one fixture is either plain or TLS).
    bool listenTls(const QSslCertificate &certificate, const QSslKey &key);
    QString url() const { return QStringLiteral("%1://127.0.0.1:%2").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http")).arg(m_port); }
    QString slowUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_slow.serverPort()); }

    QString matcher;                  // e.g. instance=~"web1(:[0-9]+)?"; empty: every query matches
    QByteArray requiredAuthorization; // e.g. "Bearer s3cret"
    QVector<Request> requests;

    // The value the fixture reports for a series at a time: distinct per label, changing.
    static double valueAt(qint64 seconds, int seriesIndex) { return double(seconds % 1000) + seriesIndex * 1000.0; }
    // The label values the fixture answers a query with ("" = one series without labels).
    static QStringList labelsFor(const QString &promql);

private:
    QHttpServerResponse answer(const QHttpServerRequest &request);

    QHttpServer m_http;
    QTcpServer m_slow;
    quint16 m_port = 0;
    bool m_tls = false;
};

} // namespace mist::test
