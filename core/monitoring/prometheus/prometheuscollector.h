#pragma once

#include "monitoring/metriccollector.h"
#include "monitoring/prometheus/prometheussources.h"

#include <QDateTime>

#include <functional>

namespace mist {

// What one import of a machine's series from Prometheus gave.
struct PrometheusImport
{
    struct SeriesCount
    {
        QString series;   // our name, e.g. "net.rx_bytes_per_s"
        QString label;    // "eth0", "" for totals
        QString promql;   // the query as sent
        int points = 0;
    };
    QVector<MetricSampleSet> sets;   // one per timestamp, oldest first
    QVector<SeriesCount> counts;     // every series found, in query order
    QVector<Error> failedQueries;    // queries the server refused (the others still count)
    QStringList warnings;            // the server's warnings, skipped NaN/±Inf values
};

// A machine's metrics read from a Prometheus-compatible server instead of over SSH: each
// round runs the source's queries with /api/v1/query_range from just after the last imported
// sample (first round: what metrics.db already has, else a backfill of the last hour) to now,
// at step = the source's step or the machine's interval, and returns one sample set per step,
// oldest first. Timestamps are multiples of the step, so rounds and restarts never overlap.
//  * prometheus.json is re-read when it changes (a changed URL or matcher applies at once);
//    the secret is read from the keychain on the first round and again after a failure.
//  * Blocking; one worker at a time (MetricCollector).
class PrometheusCollector : public MetricCollector
{
public:
    struct Options
    {
        qint64 backfillMs = 3600 * 1000;
        QString metricsPath;   // metrics.db, for where the first round starts (empty: backfill)
        std::function<qint64()> clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
        // The password or token of a source (default: the keychain, SecretStore).
        std::function<Result<QString>(const PrometheusSource &)> secret;
    };
    // At most this many steps per query (Prometheus refuses more than 11,000).
    static constexpr qint64 kMaxPointsPerQuery = 11000;

    PrometheusCollector(QString sourcesPath, QString sourceId, Machine machine, int intervalSeconds, Options options);

    Result<QVector<MetricSampleSet>> collectRound() override;
    qint64 lastImportedMs() const { return m_lastImportedMs; }

    // The CollectorFactory maker: a collector when prometheus.json in the target's data folder
    // has a source for the machine or its cloud, else null.
    static std::unique_ptr<MetricCollector> make(const CollectorTarget &target);

    // Every query of `source` for `machine` over [fromMs, toMs] (the CLI's and the dialog's
    // "test", and each collection round). An Error only when no query worked at all.
    static Result<PrometheusImport> fetch(const PrometheusSource &source, const Machine &machine, const QString &secret,
                                          qint64 fromMs, qint64 toMs, qint64 stepMs);
    // The password or token of a source from the keychain ("" without authentication).
    static Result<QString> keychainSecret(const PrometheusSource &source);

private:
    Result<PrometheusSource> currentSource();
    qint64 storedCursor(qint64 fromMs, qint64 toMs) const;

    QString m_sourcesPath;
    QString m_sourceId;
    Machine m_machine;
    int m_intervalSeconds;
    Options m_options;
    QDateTime m_sourcesModified;
    qint64 m_sourcesSize = -1;
    std::optional<PrometheusSource> m_source;
    std::optional<QString> m_secret;
    bool m_cursorLoaded = false;
    qint64 m_lastImportedMs = 0;
};

} // namespace mist
