#pragma once

#include "inventory/sqlite.h"
#include "monitoring/downsample.h"
#include "monitoring/metricsample.h"
#include "monitoring/ruleengine.h"

#include <QHash>
#include <QMap>
#include <QRecursiveMutex>
#include <QString>
#include <QVector>

#include <optional>

namespace mist {

struct MetricSeries
{
    qint64 id = 0;
    QString machineId;
    QString name;     // "cpu.percent"
    QString label;    // "cpu3", "/home", "eth0", "" for totals
    QString unit;
};

struct MetricRetention
{
    int rawDays = 7;
    // 1-minute rollups of 10,000 series for a year would be ~5 billion rows, so they are kept
    // a month by default; the 1-hour rollups hold the year.
    int minuteDays = 31;
    int hourDays = 365;
};

enum class MetricResolution { Auto, Raw, Minute, Hour };

// What a chart asks for and gets.
struct MetricQuery
{
    qint64 seriesId = 0;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    int maxPoints = 1000;       // about the chart's width in pixels; 0 = no downsampling
    MetricResolution resolution = MetricResolution::Auto;
    enum class Downsampling { Lttb, MinMax } downsampling = Downsampling::Lttb;
};

struct MetricSeriesData
{
    MetricResolution resolution = MetricResolution::Raw;   // what was actually read
    qint64 rowsRead = 0;
    QVector<TimePoint> points;   // time-ordered, at most maxPoints (when > 0)
};

// Time series on SQLite in a file of its own (e.g. metrics.db next to the inventory).
//  * Tables: series (machine, name, label, unit); journal (ts, series, value: time-major, append
//    only); samples (series, ts, value: series-major, what queries read); rollup_1m and rollup_1h
//    (min/max/sum/count/last per bucket). WAL, synchronous=NORMAL.
//  * Why a journal: a 10 s round of 10,000 series written straight into the series-major table
//    dirties ~10,000 pages (one per series), ~3 KB written per 24-byte sample. So write() (one
//    transaction per batch) only appends to the journal (a few pages), and keeps the rows and
//    the rollup accumulators in memory; compact() moves them into samples/rollups in one
//    transaction, series by series (each series' page written once), then empties the journal.
//    It runs by itself when the journal spans compactIntervalMs (default 1 h) and on close.
//    After a crash, open() replays the journal, so nothing acknowledged is lost.
//  * Rollup rows are upserts that merge (min/max/sum/count/last) with what is stored.
//  * Queries merge the stored rows with what is still in memory, so they see every sample.
//  * Threads: every public method locks one mutex, so one MetricStore can be shared by the
//    collection writer and a chart query worker; both must be worker threads, never the GUI
//    thread (a compaction can hold the lock for a second with 10,000 series). A ReadOnly store
//    (e.g. the CLI next to the running app) also reads the journal for raw queries; its
//    rollups miss the part not yet compacted.
class MetricStore
{
public:
    MetricStore() = default;
    ~MetricStore();
    MetricStore(const MetricStore &) = delete;
    MetricStore &operator=(const MetricStore &) = delete;

    Status open(const QString &path, sql::Database::Mode mode = sql::Database::Mode::ReadWrite);
    void close();   // flushes open rollup buckets first
    bool isOpen() const { return m_db.isOpen(); }

    void setRetention(const MetricRetention &r) { m_retention = r; }
    const MetricRetention &retention() const { return m_retention; }
    // The nominal raw interval used to pick resolutions (default 10 s).
    void setRawIntervalMs(qint64 ms) { m_rawIntervalMs = ms; }

    // The series' id, created on first use (cached).
    Result<qint64> seriesId(const QString &machineId, const QString &name, const QString &label, const QString &unit);

    struct Row
    {
        qint64 seriesId = 0;
        qint64 ts = 0;   // ms since the epoch
        double value = 0;
    };
    Status write(const QVector<Row> &rows);   // one transaction
    // One collection round of one machine (creates series as needed), one transaction.
    Status write(const QString &machineId, const MetricSampleSet &set);
    // Moves what is in memory/journal into samples and rollups (one transaction).
    Status compact();
    void setCompactIntervalMs(qint64 ms) { m_compactIntervalMs = ms; }
    qint64 pendingRows() const { return m_pendingRows; }

    // Deletes raw samples, 1 min and 1 h rollups older than their retention. Call about hourly.
    Status enforceRetention(qint64 nowMs);
    // Forgets a machine's series and all their data.
    Status removeMachine(const QString &machineId);

    Result<QVector<MetricSeries>> series(const QString &machineId);
    Result<MetricSeriesData> query(const MetricQuery &q, qint64 nowMs);
    Result<std::optional<TimePoint>> latest(qint64 seriesId);
    // What RuleEngine::evaluate needs for one series: its raw samples in [now - windowMs, now]
    // and the time of its latest sample (0 = none).
    Result<RuleInput> ruleInput(qint64 seriesId, qint64 windowMs, qint64 nowMs);

    // Finest resolution that still holds data at `fromMs` and gives at most ~16 × maxPoints rows.
    static MetricResolution pickResolution(qint64 fromMs, qint64 toMs, int maxPoints, qint64 nowMs,
                                           const MetricRetention &retention, qint64 rawIntervalMs = 10000);

    sql::Database &database() { return m_db; }

private:
    struct Bucket
    {
        qint64 start = -1;
        double min = 0, max = 0, sum = 0, last = 0;
        qint64 lastTs = 0, count = 0;
    };
    Status createSchema();
    Status replayJournal();
    void remember(const Row &row);
    Status writeBucket(const char *table, qint64 seriesId, const Bucket &b);
    Status compactLocked();
    Result<QVector<TimePoint>> readRaw(const MetricQuery &q);
    Result<QVector<TimePoint>> readRollup(const MetricQuery &q, MetricResolution res);

    mutable QRecursiveMutex m_mutex;
    sql::Database m_db;
    bool m_readOnly = false;
    MetricRetention m_retention;
    qint64 m_compactIntervalMs = 60 * 60 * 1000;
    // Not yet compacted: raw rows per series, and the oldest/newest ts among them.
    QHash<qint64, QVector<TimePoint>> m_pending;
    qint64 m_pendingRows = 0;
    qint64 m_pendingFrom = 0, m_pendingTo = 0;
    qint64 m_rawIntervalMs = 10000;
    QHash<QString, qint64> m_seriesIds;
    // Rollup buckets of the pending rows, per series and bucket start (merged into stored rows).
    QHash<qint64, QMap<qint64, Bucket>> m_minutes, m_hours;
};

} // namespace mist
