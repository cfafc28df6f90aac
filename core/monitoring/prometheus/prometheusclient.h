#pragma once

#include "util/result.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <utility>

class QNetworkAccessManager;

namespace mist {

struct PrometheusSource;

// Where and how to reach a Prometheus-compatible query API (Prometheus, VictoriaMetrics,
// Thanos, Mimir: all answer /api/v1/query_range the same way).
struct PrometheusEndpoint
{
    QString url;           // base URL, e.g. http://vmselect:8481/select/0/prometheus
    QString user;          // basic auth when set
    QString password;
    QString bearerToken;   // bearer auth when set
    int timeoutMs = 30000;
    bool insecureTls = false;
    QString caFile;

    // A source's settings plus its secret (the password or token read from the keychain).
    static PrometheusEndpoint from(const PrometheusSource &source, const QString &secret);
};

// One series of a range query: its labels and its values (ms since the epoch, value).
struct PrometheusSeries
{
    QMap<QString, QString> labels;
    QVector<std::pair<qint64, double>> points;
};

struct PrometheusMatrix
{
    QVector<PrometheusSeries> series;
    QStringList warnings;   // the server's warnings and values that were skipped (NaN, ±Inf)
};

// Blocking client of the Prometheus HTTP API for worker threads: each call runs a local
// event loop. Use it on the thread that created it (it owns a QNetworkAccessManager).
class PrometheusClient
{
public:
    explicit PrometheusClient(PrometheusEndpoint endpoint);
    ~PrometheusClient();
    PrometheusClient(const PrometheusClient &) = delete;
    PrometheusClient &operator=(const PrometheusClient &) = delete;

    // GET /api/v1/query_range: [fromMs, toMs] every stepMs. Envelope errors (status "error")
    // become an Error carrying the server's text; HTTP, TLS, timeouts likewise.
    Result<PrometheusMatrix> queryRange(const QString &query, qint64 fromMs, qint64 toMs, qint64 stepMs);
    // Several range queries over the same range at once (parallel requests, one answer
    // each, in order); all finish within the endpoint's timeout.
    QVector<Result<PrometheusMatrix>> queryRanges(const QStringList &queries, qint64 fromMs, qint64 toMs, qint64 stepMs);

    // Parses an answer of /api/v1/query_range (exposed for tests): the envelope, then the matrix.
    static Result<PrometheusMatrix> parseRangeAnswer(int httpStatus, const QByteArray &body, const QString &where);

    const PrometheusEndpoint &endpoint() const { return m_endpoint; }

private:
    PrometheusEndpoint m_endpoint;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace mist
