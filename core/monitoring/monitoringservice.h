#pragma once

#include "inventory/cloud.h"
#include "monitoring/metricsample.h"
#include "monitoring/metricstore.h"
#include "monitoring/monitoredmachines.h"
#include "util/datalocation.h"
#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace mist {

class StoreService;
class MetricCollector;

// What the UI shows per monitored machine.
struct MonitoringStatus
{
    enum class State { Connecting, Collecting, Failing };
    State state = State::Connecting;
    Error error;                  // the last failure (Failing), with a clear message
    QVector<Error> warnings;      // parts of the last sample that could not be read (custom metrics...)
    qint64 lastSampleMs = 0;      // 0 = none yet
    int consecutiveFailures = 0;
    qint64 nextAttemptMs = 0;     // when it is tried again (Failing)
};

// A series named by id, or by (machine, metric name, label).
struct MetricSeriesKey
{
    qint64 seriesId = 0;
    qint64 machineId = 0;
    QString name;
    QString label;
};

// One column of a fleet overview: the series named `names` (e.g. rx and tx), combined over
// their labels. Total: only the label "" series; Max: the highest (e.g. the fullest mount);
// Sum: added up (e.g. every interface's rx and tx).
struct MetricSummaryRequest
{
    enum class Combine { Total, Max, Sum };
    QStringList names;
    Combine combine = Combine::Total;

    bool matches(const QString &name, const QString &label) const
    {
        return names.contains(name) && (combine != Combine::Total || label.isEmpty());
    }
    // `into` combined with `v` (NaN `into` = nothing yet).
    double merge(double into, double v) const
    {
        if (into != into)
            return v;
        return combine == Combine::Max ? std::max(into, v) : into + v;
    }
};

// A machine's value for one MetricSummaryRequest over [fromMs, toMs].
struct MetricSummary
{
    bool hasLatest = false;
    double latest = 0;
    qint64 latestMs = 0;
    QVector<double> sparkline;   // `buckets` averages, oldest first; NaN where there was no sample
                                 // (with Sum/Max: of the series' averages per bucket)
};

// One series an alert rule reads (AlertService): its raw samples in [now - windowMs, now].
struct RuleInputRequest
{
    qint64 machineId = 0;
    QString metric;
    QString label;
    qint64 windowMs = 0;
};

// Collects metrics of the monitored machines (MonitoredMachines, monitoring.json) and keeps
// them in one MetricStore (metrics.db next to the inventory).
//  * Threads: lives on the GUI thread but only schedules there. Each machine has one
//    MetricCollector (CollectorFactory: one long-lived SSH session by default; "This
//    computer" reads /proc locally; see metriccollector.h for the others) run
//    on the collection pool, one task per machine at a time. The store is written by one IO
//    worker (batched, one transaction per flush), queries run on a query pool. Nothing here
//    blocks the calling thread except the destructor/stop() (waits for running samples).
//  * Targets come from the store thread (SshTargetResolver), keys from the keychain on the
//    worker; host keys through StoreServiceHostKeyVerifier without `ask`: unknown keys are
//    refused (trust the machine once with a shell first).
//  * Failures retry with backoff (interval doubled per failure, up to 5 min); the other
//    machines are unaffected. Compaction and retention run hourly.
class MonitoringService : public QObject
{
    Q_OBJECT
public:
    template <typename T>
    using Callback = std::function<void(Result<T>)>;

    struct Options
    {
        QString metricsPath;   // metrics.db
        QString rulesPath;     // monitoring.json
        MetricRetention retention;
        std::chrono::milliseconds resolveInterval{30000};       // re-read rules and machines (also 2 s after a delta)
        std::chrono::milliseconds maintenanceInterval{3600000}; // compaction + retention
        std::chrono::milliseconds flushDelay{500};              // batches writes of one round
        int maxCollectionThreads = 16;
    };

    static Options defaultOptions(const DataLocation &location) { return defaultOptions(location.dir()); }
    static Options defaultOptions(const QString &dataDir);
    static QString metricsPath(const QString &dataDir);   // <dataDir>/metrics.db

    MonitoringService(StoreService *store, Options options, QObject *parent = nullptr);
    ~MonitoringService() override;   // stop()

    // Opens metrics.db (on the IO worker), then loads the rules and starts collecting;
    // emits started() or startFailed().
    void start();
    // Stops collecting, flushes and closes the store. Waits for samples in flight (at most
    // one exec timeout): call it at shutdown.
    void stop();
    bool isRunning() const { return m_running; }

    // Re-reads monitoring.json and the inventory now (after the rules changed elsewhere).
    void reload();
    // Saves the rules (IO worker), then reloads; done(true) once saved.
    void setRules(const MonitoredMachines &rules, QObject *context, Callback<bool> done);

    // Machine id -> interval (s) being collected, and their states.
    QHash<qint64, int> monitored() const { return m_intervals; }
    QHash<qint64, MonitoringStatus> statuses() const;

    // Chart data: the series' points in [fromMs, toMs], downsampled to maxPoints, at the
    // resolution that fits the range. Runs on a query worker; done runs in context's thread.
    void query(const MetricSeriesKey &key, qint64 fromMs, qint64 toMs, int maxPoints, QObject *context,
               Callback<MetricSeriesData> done);
    void query(const MetricQuery &query, QObject *context, Callback<MetricSeriesData> done);
    // The series stored for a machine.
    void series(qint64 machineId, QObject *context, Callback<QVector<MetricSeries>> done);
    // Fleet overview: per machine, one MetricSummary per request (same order) over [fromMs,
    // toMs] (meant for the last hour): the newest sample, and a sparkline `buckets` long read
    // from the rollups that fit the bucket width (1 min for an hour in 60). One query worker
    // task for all machines; machines without data get empty summaries.
    void summaries(const QVector<qint64> &machineIds, const QVector<MetricSummaryRequest> &requests, qint64 fromMs,
                   qint64 toMs, int buckets, QObject *context, Callback<QHash<qint64, QVector<MetricSummary>>> done);
    // Alert rules: one RuleInput per request (same order) at `nowMs`, in one query worker task.
    // A series that does not exist (yet) gives an empty input (no window, never a sample).
    void ruleInputs(const QVector<RuleInputRequest> &requests, qint64 nowMs, QObject *context,
                    Callback<QVector<RuleInput>> done);

signals:
    void started();
    void startFailed(const mist::Error &error);
    // One collection round of one machine (live charts).
    void samplesCollected(qint64 machineId, const mist::MetricSampleSet &samples);
    void statusChanged(qint64 machineId, const mist::MonitoringStatus &status);
    void monitoredChanged();   // the set of monitored machines changed
    void storeFailed(const mist::Error &error);

private:
    struct Target
    {
        Machine machine;
        Cloud cloud;
        QVector<CustomMetric> customMetrics;
        bool local = false;
        int intervalSeconds = 10;
    };
    struct Slot;

    void applyTargets(const QVector<Target> &targets);
    void schedule(qint64 machineId, std::chrono::milliseconds delay);
    void runCollection(qint64 machineId);
    void collected(qint64 machineId, const Result<QVector<MetricSampleSet>> &result, bool needsUser);
    void flush();
    void maintain();
    void dropSlot(qint64 machineId);
    std::shared_ptr<MetricCollector> makeCollector(const Target &target);

    template <typename T>
    void answer(const QPointer<QObject> &context, Callback<T> done, Result<T> result);

    QPointer<StoreService> m_store;
    Options m_options;
    std::shared_ptr<MetricStore> m_metrics = std::make_shared<MetricStore>();
    // MetricStore::isOpen() is not locked: the workers check this instead.
    std::shared_ptr<std::atomic<bool>> m_open = std::make_shared<std::atomic<bool>>(false);
    QThreadPool m_io;           // one thread: the store's writes, compaction, the rules file
    QThreadPool m_queries;
    QThreadPool m_collection;
    QHash<qint64, std::shared_ptr<Slot>> m_slots;
    QHash<qint64, int> m_intervals;
    QVector<std::pair<QString, MetricSampleSet>> m_unwritten;
    QTimer m_flushTimer, m_resolveTimer, m_deltaTimer, m_maintenanceTimer;
    bool m_running = false;
    int m_generation = 0;   // bumps on stop(), so late answers of an older run are ignored
    // Tag rules make changed machines (new tags) matter; without them only machines that come
    // and go do, so a busy Kubernetes watch does not re-read the inventory every 2 s.
    std::shared_ptr<std::atomic_bool> m_hasTagRules = std::make_shared<std::atomic_bool>(false);
    QString m_collectorStamp;   // prometheus.json's mtime/size when the collectors were made
};

} // namespace mist

Q_DECLARE_METATYPE(mist::MonitoringStatus)
