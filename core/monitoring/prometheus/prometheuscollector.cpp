#include "prometheuscollector.h"

#include "monitoring/metricstore.h"
#include "monitoring/monitoringservice.h"
#include "monitoring/prometheus/prometheusclient.h"
#include "secrets/secretstore.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMap>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>

#include <algorithm>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PrometheusCollector", text);
}

qint64 floorTo(qint64 value, qint64 step)
{
    return value / step * step;
}

// prometheus.json as last read, per path: the factory asks for every new monitored machine
// (on the GUI thread), so the file is read again only when it changed.
struct SourcesCache
{
    QMutex mutex;
    QHash<QString, std::tuple<QDateTime, qint64, PrometheusSources>> files;

    std::optional<PrometheusSources> get(const QString &path)
    {
        const QFileInfo fi(path);
        if (!fi.exists())
            return std::nullopt;
        QMutexLocker lock(&mutex);
        auto it = files.find(path);
        if (it != files.end() && std::get<0>(*it) == fi.lastModified() && std::get<1>(*it) == fi.size())
            return std::get<2>(*it);
        Result<PrometheusSources> loaded = PrometheusSources::load(path);
        if (!loaded) {
            qCWarning(lcMonitoring) << loaded.error().toString();
            return std::nullopt;
        }
        files.insert(path, {fi.lastModified(), fi.size(), loaded.value()});
        return loaded.value();
    }
};

SourcesCache &sourcesCache()
{
    static SourcesCache cache;
    return cache;
}

} // namespace

PrometheusCollector::PrometheusCollector(QString sourcesPath, QString sourceId, Machine machine, int intervalSeconds,
                                         Options options)
    : m_sourcesPath(std::move(sourcesPath))
    , m_sourceId(std::move(sourceId))
    , m_machine(std::move(machine))
    , m_intervalSeconds(std::max(1, intervalSeconds))
    , m_options(std::move(options))
{
    if (!m_options.secret)
        m_options.secret = &PrometheusCollector::keychainSecret;
}

std::unique_ptr<MetricCollector> PrometheusCollector::make(const CollectorTarget &target)
{
    if (target.dataDir.isEmpty())
        return nullptr;
    const QString path = PrometheusSources::filePath(target.dataDir);
    const std::optional<PrometheusSources> sources = sourcesCache().get(path);
    const PrometheusSource *source = sources ? sources->forMachine(target.machine) : nullptr;
    if (!source)
        return nullptr;
    Options o;
    o.metricsPath = MonitoringService::metricsPath(target.dataDir);
    return std::make_unique<PrometheusCollector>(path, source->id, target.machine, target.intervalSeconds, std::move(o));
}

Result<QString> PrometheusCollector::keychainSecret(const PrometheusSource &source)
{
    if (source.secretField().isEmpty())
        return QString();
    SecretStore secrets;
    Result<QString> r = secrets.read(source.secretOwner(), source.secretField());
    if (!r)
        return Error{tr("The %1 of the Prometheus source \"%2\" could not be read from the keychain.")
                         .arg(source.secretField(), source.name),
                     r.error().toString()};
    return r;
}

Result<PrometheusSource> PrometheusCollector::currentSource()
{
    const QFileInfo fi(m_sourcesPath);
    if (!m_source || fi.lastModified() != m_sourcesModified || fi.size() != m_sourcesSize) {
        Result<PrometheusSources> loaded = PrometheusSources::load(m_sourcesPath);
        if (!loaded)
            return loaded.error();
        const PrometheusSource *s = loaded->find(m_sourceId);
        if (!s || !s->appliesTo(m_machine))
            return Error{tr("The Prometheus source for %1 was removed or no longer covers it; monitoring it another way "
                            "starts when monitoring is re-enabled or the app restarts.").arg(m_machine.name), m_sourceId};
        if (m_source && (m_source->url != s->url || m_source->auth != s->auth))
            m_secret.reset();
        m_source = *s;
        m_sourcesModified = fi.lastModified();
        m_sourcesSize = fi.size();
    }
    return *m_source;
}

qint64 PrometheusCollector::storedCursor(qint64 fromMs, qint64 toMs) const
{
    if (m_options.metricsPath.isEmpty() || !QFileInfo::exists(m_options.metricsPath))
        return 0;
    // Read-only next to the app's writer; raw queries also read its journal, so samples not
    // compacted yet count (importing them again would count them twice in the rollups).
    MetricStore store;
    if (Status s = store.open(m_options.metricsPath, sql::Database::Mode::ReadOnly); !s) {
        qCInfo(lcMonitoring) << "prometheus: no cursor from metrics.db:" << s.error().toString();
        return 0;
    }
    auto series = store.series(QString::number(m_machine.id));
    if (!series)
        return 0;
    qint64 latest = 0;
    for (const MetricSeries &s : series.value()) {
        const MetricQuery q{.seriesId = s.id, .fromMs = fromMs, .toMs = toMs, .maxPoints = 0, .resolution = MetricResolution::Raw};
        auto data = store.query(q, toMs);
        if (data && !data->points.isEmpty())
            latest = std::max(latest, data->points.constLast().ts);
    }
    return latest;
}

Result<QVector<MetricSampleSet>> PrometheusCollector::collectRound()
{
    Result<PrometheusSource> source = currentSource();
    if (!source)
        return source.error();
    if (!m_secret) {
        Result<QString> secret = m_options.secret(source.value());
        if (!secret)
            return secret.error();
        m_secret = secret.value();
    }
    const qint64 stepMs = qint64(source->stepSeconds > 0 ? source->stepSeconds : m_intervalSeconds) * 1000;
    const qint64 end = floorTo(m_options.clock(), stepMs);
    const qint64 earliest = end - (kMaxPointsPerQuery - 1) * stepMs;
    if (!m_cursorLoaded) {
        m_lastImportedMs = storedCursor(earliest, end);
        m_cursorLoaded = true;
    }
    qint64 start = m_lastImportedMs > 0 ? floorTo(m_lastImportedMs, stepMs) + stepMs : end - floorTo(m_options.backfillMs, stepMs);
    start = std::max(start, earliest);
    if (start > end)
        return QVector<MetricSampleSet>();   // nothing new yet

    Result<PrometheusImport> imported = fetch(source.value(), m_machine, *m_secret, start, end, stepMs);
    if (!imported) {
        m_secret.reset();   // perhaps a changed password: read it again next time
        return imported.error();
    }
    QVector<MetricSampleSet> sets = std::move(imported.value().sets);
    sets.erase(std::remove_if(sets.begin(), sets.end(), [this](const MetricSampleSet &s) { return s.timestampMs <= m_lastImportedMs; }),
               sets.end());
    if (sets.isEmpty()) {
        if (!imported->failedQueries.isEmpty())
            return imported->failedQueries.constFirst();
        return Error{tr("Prometheus at %1 has no data for %2 with %3: check the source's instance matcher.")
                         .arg(source->url, m_machine.name, source->matcherFor(m_machine)),
                     {}};
    }
    for (const QString &w : imported->warnings)
        sets.last().warnings.append(Error{w, {}});
    sets.last().warnings += imported->failedQueries;
    m_lastImportedMs = sets.constLast().timestampMs;
    return sets;
}

Result<PrometheusImport> PrometheusCollector::fetch(const PrometheusSource &source, const Machine &machine, const QString &secret,
                                                    qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    const QVector<PrometheusQuery> queries = source.effectiveQueries();
    const QString matcher = source.matcherFor(machine);
    QStringList promql;
    for (const PrometheusQuery &pq : queries)
        promql << PrometheusSource::render(pq.promql, matcher, int(stepMs / 1000));
    PrometheusClient client(PrometheusEndpoint::from(source, secret));
    const QVector<Result<PrometheusMatrix>> answers = client.queryRanges(promql, fromMs, toMs, stepMs);

    PrometheusImport out;
    QMap<qint64, MetricSampleSet> byTime;
    for (qsizetype i = 0; i < answers.size(); ++i) {
        const PrometheusQuery &pq = queries.at(i);
        const Result<PrometheusMatrix> &answer = answers.at(i);
        if (!answer) {
            out.failedQueries.append(Error{tr("%1: %2").arg(pq.series, answer.error().message),
                                           answer.error().detail + QStringLiteral("; query: ") + promql.at(i)});
            continue;
        }
        out.warnings += answer->warnings;
        QSet<QString> seen;
        for (const PrometheusSeries &s : answer->series) {
            const QString label = pq.labelFrom.isEmpty() ? QString() : s.labels.value(pq.labelFrom);
            if (seen.contains(label)) {
                // Two series for one of ours (e.g. two jobs scrape the machine): the first wins.
                out.warnings << tr("The query for %1 returned more than one series%2; only the first is used.")
                                    .arg(pq.series, label.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(label));
                continue;
            }
            seen.insert(label);
            out.counts.append({pq.series, label, promql.at(i), int(s.points.size())});
            for (const auto &[ts, value] : s.points) {
                MetricSampleSet &set = byTime[ts];
                set.timestampMs = ts;
                set.points.append(MetricPoint{pq.series, label, pq.unit, value});
            }
        }
    }
    if (!answers.isEmpty() && out.failedQueries.size() == answers.size())
        return answers.constFirst().error();   // the server, the URL or the credentials
    out.sets = byTime.values();
    return out;
}

} // namespace mist
