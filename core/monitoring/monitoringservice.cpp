#include "monitoringservice.h"

#include "monitoring/metriccollector.h"
#include "monitoring/prometheus/prometheussources.h"
#include "services/storeservice.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mist {

namespace {
const QString kLocalProvider = QStringLiteral("local");
constexpr std::chrono::milliseconds kMaxRetry{5 * 60 * 1000};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

struct MonitoringService::Slot
{
    Target target;
    std::shared_ptr<MetricCollector> collector;
    QTimer timer;
    bool busy = false;
    MonitoringStatus status;
};

MonitoringService::Options MonitoringService::defaultOptions(const QString &dataDir)
{
    Options o;
    o.metricsPath = metricsPath(dataDir);
    o.rulesPath = MonitoredMachines::filePath(dataDir);
    return o;
}

QString MonitoringService::metricsPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("metrics.db"));
}

MonitoringService::MonitoringService(StoreService *store, Options options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_options(std::move(options))
{
    qRegisterMetaType<mist::MonitoringStatus>();
    qRegisterMetaType<mist::MetricSampleSet>();
    m_io.setMaxThreadCount(1);
    m_io.setExpiryTimeout(-1);
    m_queries.setMaxThreadCount(2);
    m_collection.setMaxThreadCount(2);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &MonitoringService::flush);
    connect(&m_resolveTimer, &QTimer::timeout, this, &MonitoringService::reload);
    // Tags or machines changed (a poll, the user): re-resolve soon, once per burst.
    m_deltaTimer.setSingleShot(true);
    m_deltaTimer.setInterval(2000);
    connect(&m_deltaTimer, &QTimer::timeout, this, &MonitoringService::reload);
    if (store)
        connect(store, &StoreService::deltaApplied, this, [this](const InventoryDelta &d) {
            const bool membership = !d.machinesAdded.isEmpty() || !d.machinesRemoved.isEmpty() || !d.cloudsRemoved.isEmpty();
            const bool tags = *m_hasTagRules && !d.machinesChanged.isEmpty();
            if (m_running && (membership || tags) && !m_deltaTimer.isActive())
                m_deltaTimer.start();
        });
    connect(&m_maintenanceTimer, &QTimer::timeout, this, &MonitoringService::maintain);
}

MonitoringService::~MonitoringService()
{
    stop();
}

template <typename T>
void MonitoringService::answer(const QPointer<QObject> &context, Callback<T> done, Result<T> result)
{
    if (!done || !context)
        return;
    QMetaObject::invokeMethod(context.data(), [context, done = std::move(done), result = std::move(result)]() mutable {
        if (context)
            done(std::move(result));
    }, Qt::QueuedConnection);
}

void MonitoringService::start()
{
    if (m_running)
        return;
    auto metrics = m_metrics;
    auto open = m_open;
    const Options o = m_options;
    const int generation = m_generation;
    QPointer<MonitoringService> self(this);
    m_io.start([self, metrics, open, o, generation] {
        metrics->setRetention(o.retention);
        Status s = metrics->open(o.metricsPath);
        if (s)
            (void)metrics->enforceRetention(nowMs());
        *open = s.ok();
        QMetaObject::invokeMethod(self, [self, s, generation] {
            if (!self || generation != self->m_generation)
                return;
            if (!s) {
                qCWarning(lcMonitoring) << "metrics store:" << s.error().toString();
                emit self->startFailed(s.error());
                return;
            }
            self->m_running = true;
            self->m_resolveTimer.start(self->m_options.resolveInterval);
            self->m_maintenanceTimer.start(self->m_options.maintenanceInterval);
            self->reload();
            emit self->started();
        }, Qt::QueuedConnection);
    });
}

void MonitoringService::stop()
{
    ++m_generation;
    m_running = false;
    m_resolveTimer.stop();
    m_deltaTimer.stop();
    m_maintenanceTimer.stop();
    const QList<qint64> ids = m_slots.keys();
    for (qint64 id : ids)
        dropSlot(id);
    m_intervals.clear();
    m_collection.waitForDone();
    flush();
    m_queries.waitForDone();
    auto metrics = m_metrics;
    *m_open = false;
    m_io.start([metrics] { metrics->close(); });
    m_io.waitForDone();
}

void MonitoringService::reload()
{
    if (!m_running || !m_store)
        return;
    const QString rulesPath = m_options.rulesPath;
    const int generation = m_generation;
    // Rules file and inventory are both read on the store thread (small reads, no GUI-thread IO).
    // Which collector a machine gets depends on the Prometheus sources too: when their file
    // changes (dialog or CLI), every collector is built again.
    const QString sourcesPath = PrometheusSources::filePath(QFileInfo(m_options.metricsPath).absolutePath());
    using Resolved = std::pair<QVector<Target>, QString>;
    m_store->call<Resolved>(
        this,
        [rulesPath, sourcesPath, hasTagRules = m_hasTagRules](InventoryStore &store) -> Result<Resolved> {
            const QFileInfo sources(sourcesPath);
            const QString stamp = sources.exists()
                                      ? QString::number(sources.lastModified().toMSecsSinceEpoch()) + QLatin1Char('/')
                                            + QString::number(sources.size())
                                      : QString();
            Result<MonitoredMachines> rules = MonitoredMachines::load(rulesPath);
            if (!rules)
                return rules.error();
            *hasTagRules = std::any_of(rules->rules().cbegin(), rules->rules().cend(),
                                       [](const MonitoringRule &r) { return r.isTag(); });
            if (rules->rules().isEmpty())
                return Resolved{{}, stamp};
            auto machines = store.machines();
            if (!machines)
                return machines.error();
            auto clouds = store.clouds();
            if (!clouds)
                return clouds.error();
            QHash<qint64, Cloud> cloudsById;
            for (const Cloud &c : clouds.value())
                cloudsById.insert(c.id, c);
            const QHash<qint64, int> resolved = rules->resolve(machines.value());
            QVector<Target> out;
            for (const Machine &m : machines.value()) {
                if (!resolved.contains(m.id))
                    continue;
                Target t;
                t.machine = m;
                t.cloud = cloudsById.value(m.cloudId);
                t.customMetrics = rules->customMetricsFor(m);
                t.local = t.cloud.provider == kLocalProvider && m.parentId == 0;
                t.intervalSeconds = resolved.value(m.id);
                out.append(t);
            }
            return Resolved{out, stamp};
        },
        [this, generation](Result<Resolved> resolved) {
            if (generation != m_generation)
                return;
            if (!resolved) {
                qCWarning(lcMonitoring) << "monitoring rules:" << resolved.error().toString();
                emit storeFailed(resolved.error());
                return;
            }
            if (resolved->second != m_collectorStamp) {
                m_collectorStamp = resolved->second;
                for (const qint64 id : m_slots.keys())
                    dropSlot(id);   // applyTargets makes them again, with the right collector
            }
            applyTargets(resolved->first);
        });
}

void MonitoringService::setRules(const MonitoredMachines &rules, QObject *context, Callback<bool> done)
{
    QPointer<MonitoringService> self(this);
    const QString path = m_options.rulesPath;
    QPointer<QObject> ctx(context ? context : this);
    m_io.start([self, rules, path, ctx, done] {
        Status s = rules.save(path);
        if (!self)
            return;
        QMetaObject::invokeMethod(self, [self, s, ctx, done] {
            if (s)
                self->reload();
            self->answer<bool>(ctx, done, s ? Result<bool>(true) : Result<bool>(s.error()));
        }, Qt::QueuedConnection);
    });
}

QHash<qint64, MonitoringStatus> MonitoringService::statuses() const
{
    QHash<qint64, MonitoringStatus> out;
    for (auto it = m_slots.begin(); it != m_slots.end(); ++it)
        out.insert(it.key(), it.value()->status);
    return out;
}

std::shared_ptr<MetricCollector> MonitoringService::makeCollector(const Target &target)
{
    CollectorTarget t;
    t.machine = target.machine;
    t.cloud = target.cloud;
    t.local = target.local;
    t.intervalSeconds = target.intervalSeconds;
    t.dataDir = QFileInfo(m_options.metricsPath).absolutePath();
    t.store = m_store;
    return std::shared_ptr<MetricCollector>(CollectorFactory::make(t));
}

void MonitoringService::applyTargets(const QVector<Target> &targets)
{
    QHash<qint64, int> intervals;
    for (const Target &t : targets) {
        intervals.insert(t.machine.id, t.intervalSeconds);
        auto it = m_slots.find(t.machine.id);
        if (it != m_slots.end()) {
            if (it.value()->target.customMetrics != t.customMetrics)
                it.value()->collector->setCustomMetrics(t.customMetrics);
            it.value()->target = t;   // new interval or name; the session stays
            continue;
        }
        auto slot = std::make_shared<Slot>();
        slot->target = t;
        slot->collector = makeCollector(t);
        slot->collector->setCustomMetrics(t.customMetrics);
        slot->timer.setSingleShot(true);
        const qint64 id = t.machine.id;
        connect(&slot->timer, &QTimer::timeout, this, [this, id] { runCollection(id); });
        m_slots.insert(id, slot);
        schedule(id, std::chrono::milliseconds(0));
    }
    const QList<qint64> ids = m_slots.keys();
    for (qint64 id : ids) {
        if (!intervals.contains(id))
            dropSlot(id);
    }
    // A slow machine must not hold up the others: about one thread per machine, capped.
    m_collection.setMaxThreadCount(std::clamp(int(m_slots.size()), 2, std::max(2, m_options.maxCollectionThreads)));
    if (intervals != m_intervals) {
        m_intervals = intervals;
        emit monitoredChanged();
    }
}

void MonitoringService::dropSlot(qint64 machineId)
{
    std::shared_ptr<Slot> slot = m_slots.take(machineId);
    if (!slot)
        return;
    slot->timer.stop();
    // Closing the SSH session is a network round trip: do it on the pool, not here.
    m_collection.start([collector = std::move(slot->collector)]() mutable { collector.reset(); });
}

void MonitoringService::schedule(qint64 machineId, std::chrono::milliseconds delay)
{
    if (auto slot = m_slots.value(machineId))
        slot->timer.start(delay);
}

void MonitoringService::runCollection(qint64 machineId)
{
    std::shared_ptr<Slot> slot = m_slots.value(machineId);
    if (!slot || slot->busy || !m_running)
        return;
    slot->busy = true;
    QPointer<MonitoringService> self(this);
    const int generation = m_generation;
    m_collection.start([self, collector = slot->collector, machineId, generation] {
        Result<QVector<MetricSampleSet>> r = collector->collectRound();
        const bool needsUser = !r && collector->failureNeedsUser();
        QMetaObject::invokeMethod(self, [self, machineId, generation, r, needsUser] {
            if (self && generation == self->m_generation)
                self->collected(machineId, r, needsUser);
        }, Qt::QueuedConnection);
    });
}

void MonitoringService::collected(qint64 machineId, const Result<QVector<MetricSampleSet>> &result, bool needsUser)
{
    std::shared_ptr<Slot> slot = m_slots.value(machineId);
    if (!slot)
        return;
    slot->busy = false;
    MonitoringStatus &st = slot->status;
    const std::chrono::milliseconds interval = std::chrono::seconds(slot->target.intervalSeconds);
    std::chrono::milliseconds next = interval;
    if (result) {
        st.state = MonitoringStatus::State::Collecting;
        st.error = {};
        st.consecutiveFailures = 0;
        if (!result->isEmpty())
            st.warnings = result->constLast().warnings;
        for (const MetricSampleSet &set : result.value()) {
            st.lastSampleMs = std::max(st.lastSampleMs, set.timestampMs);
            for (const Error &w : set.warnings)
                qCDebug(lcMonitoring) << slot->target.machine.name << "partial sample:" << w.toString();
            m_unwritten.append({QString::number(machineId), set});
        }
        if (!m_unwritten.isEmpty() && !m_flushTimer.isActive())
            m_flushTimer.start(m_options.flushDelay);
        for (const MetricSampleSet &set : result.value())
            emit samplesCollected(machineId, set);
    } else {
        st.state = MonitoringStatus::State::Failing;
        st.warnings.clear();
        ++st.consecutiveFailures;
        st.error = Error{tr("Monitoring of %1 failed: %2").arg(slot->target.machine.name, result.error().message),
                         result.error().detail};
        if (needsUser) {
            // Needs the user (trust the key by opening a shell once): no point retrying soon.
            if (!st.error.message.endsWith(QLatin1Char('.')))
                st.error.message += QLatin1Char('.');
            st.error.message += QLatin1Char(' ') + tr("Open a shell on the machine once to check and trust its host key.");
            next = kMaxRetry;
        } else {
            const int doublings = std::min(st.consecutiveFailures, 10);
            const qint64 backoff = qint64(interval.count()) << doublings;
            next = std::chrono::milliseconds(std::clamp<qint64>(backoff, interval.count(), std::max<qint64>(interval.count(), kMaxRetry.count())));
        }
        qCInfo(lcMonitoring) << st.error.toString() << "- retry in" << next.count() << "ms";
    }
    st.nextAttemptMs = nowMs() + next.count();
    emit statusChanged(machineId, st);
    schedule(machineId, next);
}

void MonitoringService::flush()
{
    m_flushTimer.stop();
    if (m_unwritten.isEmpty())
        return;
    auto batch = std::move(m_unwritten);
    m_unwritten.clear();
    auto metrics = m_metrics;
    QPointer<MonitoringService> self(this);
    m_io.start([self, metrics, batch = std::move(batch)] {
        // One transaction for everything collected since the last flush.
        QVector<MetricStore::Row> rows;
        Status s;
        for (const auto &[machine, set] : batch) {
            for (const MetricPoint &p : set.points) {
                auto id = metrics->seriesId(machine, p.name, p.label, p.unit);
                if (!id) {
                    s = id.error();
                    break;
                }
                rows.append({id.value(), set.timestampMs, p.value});
            }
        }
        if (s)
            s = metrics->write(rows);
        if (!s) {
            qCWarning(lcMonitoring) << "metrics write failed:" << s.error().toString();
            QMetaObject::invokeMethod(self, [self, e = s.error()] {
                if (self)
                    emit self->storeFailed(e);
            }, Qt::QueuedConnection);
        }
    });
}

void MonitoringService::maintain()
{
    auto metrics = m_metrics;
    m_io.start([metrics] {
        if (Status s = metrics->compact(); !s)
            qCWarning(lcMonitoring) << "metrics compaction failed:" << s.error().toString();
        if (Status s = metrics->enforceRetention(nowMs()); !s)
            qCWarning(lcMonitoring) << "metrics retention failed:" << s.error().toString();
    });
}

void MonitoringService::query(const MetricSeriesKey &key, qint64 fromMs, qint64 toMs, int maxPoints, QObject *context,
                              Callback<MetricSeriesData> done)
{
    auto metrics = m_metrics;
    auto open = m_open;
    QPointer<MonitoringService> self(this);
    QPointer<QObject> ctx(context ? context : this);
    m_queries.start([self, metrics, open, key, fromMs, toMs, maxPoints, ctx, done] {
        Result<MetricSeriesData> r = [&]() -> Result<MetricSeriesData> {
            if (!*open)
                return Error{tr("The metrics store is not open"), {}};
            MetricQuery q;
            q.seriesId = key.seriesId;
            q.fromMs = fromMs;
            q.toMs = toMs;
            q.maxPoints = maxPoints;
            if (q.seriesId == 0) {
                auto all = metrics->series(QString::number(key.machineId));
                if (!all)
                    return all.error();
                for (const MetricSeries &s : all.value()) {
                    if (s.name == key.name && s.label == key.label)
                        q.seriesId = s.id;
                }
                if (q.seriesId == 0)
                    return Error{tr("No data for %1%2 on this machine yet")
                                     .arg(key.name, key.label.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(key.label)), {}};
            }
            return metrics->query(q, nowMs());
        }();
        if (self)
            self->answer<MetricSeriesData>(ctx, done, std::move(r));
    });
}

void MonitoringService::query(const MetricQuery &q, QObject *context, Callback<MetricSeriesData> done)
{
    auto metrics = m_metrics;
    auto open = m_open;
    QPointer<MonitoringService> self(this);
    QPointer<QObject> ctx(context ? context : this);
    m_queries.start([self, metrics, open, q, ctx, done] {
        Result<MetricSeriesData> r = *open ? metrics->query(q, nowMs())
                                                       : Result<MetricSeriesData>(Error{tr("The metrics store is not open"), {}});
        if (self)
            self->answer<MetricSeriesData>(ctx, done, std::move(r));
    });
}

void MonitoringService::series(qint64 machineId, QObject *context, Callback<QVector<MetricSeries>> done)
{
    auto metrics = m_metrics;
    auto open = m_open;
    QPointer<MonitoringService> self(this);
    QPointer<QObject> ctx(context ? context : this);
    m_queries.start([self, metrics, open, machineId, ctx, done] {
        Result<QVector<MetricSeries>> r = *open ? metrics->series(QString::number(machineId))
                                                            : Result<QVector<MetricSeries>>(Error{tr("The metrics store is not open"), {}});
        if (self)
            self->answer<QVector<MetricSeries>>(ctx, done, std::move(r));
    });
}

namespace {
// One request's summary from its series (pure; runs on a query worker): `points` per series
// (rollup averages or raw values), `latest` its newest sample (ts 0 = none in the range).
MetricSummary summarize(const QVector<QVector<TimePoint>> &seriesPoints, const QVector<TimePoint> &latest,
                        const MetricSummaryRequest &request, qint64 fromMs, qint64 toMs, int buckets)
{
    MetricSummary out;
    buckets = std::max(1, buckets);
    const double width = double(std::max<qint64>(1, toMs - fromMs)) / buckets;
    QVector<double> combined(buckets, std::numeric_limits<double>::quiet_NaN());
    const auto merge = [&request](double &into, double v) { into = request.merge(into, v); };
    for (const QVector<TimePoint> &points : seriesPoints) {
        QVector<double> sum(buckets, 0.0);
        QVector<int> count(buckets, 0);
        for (const TimePoint &p : points) {
            const int b = std::clamp(int(double(p.ts - fromMs) / width), 0, buckets - 1);
            sum[b] += p.value;
            ++count[b];
        }
        for (int b = 0; b < buckets; ++b) {
            if (count[b] > 0)
                merge(combined[b], sum[b] / count[b]);
        }
    }
    // The latest value combines the series of the newest round only (a mount unplugged half an
    // hour ago must not count); the series of one round share their timestamp.
    qint64 newest = 0;
    for (const TimePoint &p : latest)
        newest = std::max(newest, p.ts);
    double value = std::numeric_limits<double>::quiet_NaN();
    for (const TimePoint &p : latest) {
        if (p.ts > 0 && p.ts >= newest - 5000)
            merge(value, p.value);
    }
    if (newest > 0) {
        out.hasLatest = true;
        out.latest = value;
        out.latestMs = newest;
    }
    out.sparkline = std::move(combined);
    return out;
}
} // namespace

void MonitoringService::summaries(const QVector<qint64> &machineIds, const QVector<MetricSummaryRequest> &requests,
                                  qint64 fromMs, qint64 toMs, int buckets, QObject *context,
                                  Callback<QHash<qint64, QVector<MetricSummary>>> done)
{
    using Answer = QHash<qint64, QVector<MetricSummary>>;
    auto metrics = m_metrics;
    auto open = m_open;
    QPointer<MonitoringService> self(this);
    QPointer<QObject> ctx(context ? context : this);
    m_queries.start([self, metrics, open, machineIds, requests, fromMs, toMs, buckets, ctx, done] {
        Result<Answer> r = [&]() -> Result<Answer> {
            if (!*open)
                return Error{tr("The metrics store is not open"), {}};
            // Rollups as fine as the buckets need: an hour in 60 buckets reads 60 one-minute
            // rows per series instead of 360 raw ones (1,000 machines, once a second).
            const qint64 bucketMs = (toMs - fromMs) / std::max(1, buckets);
            const MetricResolution resolution = bucketMs >= 3600000 ? MetricResolution::Hour
                                                : bucketMs >= 60000 ? MetricResolution::Minute
                                                                    : MetricResolution::Raw;
            Answer answer;
            for (qint64 machineId : machineIds) {
                auto all = metrics->series(QString::number(machineId));
                if (!all)
                    return all.error();
                QVector<MetricSummary> row;
                for (const MetricSummaryRequest &req : requests) {
                    QVector<QVector<TimePoint>> points;
                    QVector<TimePoint> latest;
                    for (const MetricSeries &s : all.value()) {
                        if (!req.matches(s.name, s.label))
                            continue;
                        MetricQuery q;
                        q.seriesId = s.id;
                        q.fromMs = fromMs;
                        q.toMs = toMs;
                        q.maxPoints = 0;
                        q.resolution = resolution;
                        auto data = metrics->query(q, toMs);
                        if (!data)
                            return data.error();
                        points.append(std::move(data.value().points));
                        auto last = metrics->latest(s.id);
                        if (!last)
                            return last.error();
                        latest.append(last.value() && last.value()->ts >= fromMs ? *last.value() : TimePoint{});
                    }
                    row.append(summarize(points, latest, req, fromMs, toMs, buckets));
                }
                answer.insert(machineId, std::move(row));
            }
            return answer;
        }();
        if (self)
            self->answer<Answer>(ctx, done, std::move(r));
    });
}

void MonitoringService::ruleInputs(const QVector<RuleInputRequest> &requests, qint64 nowMs, QObject *context,
                                   Callback<QVector<RuleInput>> done)
{
    auto metrics = m_metrics;
    auto open = m_open;
    QPointer<MonitoringService> self(this);
    QPointer<QObject> ctx(context ? context : this);
    m_queries.start([self, metrics, open, requests, nowMs, ctx, done] {
        Result<QVector<RuleInput>> r = [&]() -> Result<QVector<RuleInput>> {
            if (!*open)
                return Error{tr("The metrics store is not open"), {}};
            QHash<qint64, QHash<QString, qint64>> ids;   // machine -> "name\nlabel" -> series id
            QVector<RuleInput> out;
            out.reserve(requests.size());
            for (const RuleInputRequest &req : requests) {
                if (!ids.contains(req.machineId)) {
                    auto all = metrics->series(QString::number(req.machineId));
                    if (!all)
                        return all.error();
                    QHash<QString, qint64> &byName = ids[req.machineId];
                    for (const MetricSeries &s : all.value())
                        byName.insert(s.name + QLatin1Char('\n') + s.label, s.id);
                }
                const qint64 id = ids.value(req.machineId).value(req.metric + QLatin1Char('\n') + req.label);
                if (id == 0) {
                    out.append(RuleInput{});
                    continue;
                }
                auto input = metrics->ruleInput(id, req.windowMs, nowMs);
                if (!input)
                    return input.error();
                out.append(std::move(input).value());
            }
            return out;
        }();
        if (self)
            self->answer<QVector<RuleInput>>(ctx, done, std::move(r));
    });
}

} // namespace mist
