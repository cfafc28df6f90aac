#include "monitoring/metricstore.h"

#include <QCoreApplication>
#include <QMutexLocker>

#include <algorithm>
#include <cmath>

namespace mist {

namespace {

constexpr qint64 kMinuteMs = 60 * 1000;
constexpr qint64 kHourMs = 60 * kMinuteMs;
constexpr qint64 kDayMs = 24 * kHourMs;
constexpr int kOversample = 16;
// Compact earlier when this many rows wait in memory (~40 MB).
constexpr qint64 kMaxPendingRows = 2'500'000;

qint64 bucketStart(qint64 ts, qint64 width)
{
    // Floor division, also for (theoretical) negative timestamps.
    return (ts >= 0 ? ts / width : (ts - width + 1) / width) * width;
}

QString seriesKey(const QString &machineId, const QString &name, const QString &label)
{
    return machineId + QChar(0x1f) + name + QChar(0x1f) + label;
}

QString rollupUpsert(const char *table)
{
    return QStringLiteral("INSERT INTO %1(series_id, ts, vmin, vmax, vsum, vcount, vlast, last_ts) "
                          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                          "ON CONFLICT(series_id, ts) DO UPDATE SET vmin = min(vmin, excluded.vmin), "
                          "vmax = max(vmax, excluded.vmax), vsum = vsum + excluded.vsum, "
                          "vcount = vcount + excluded.vcount, "
                          "vlast = CASE WHEN excluded.last_ts >= last_ts THEN excluded.vlast ELSE vlast END, "
                          "last_ts = max(last_ts, excluded.last_ts)")
        .arg(QLatin1String(table));
}

template <typename Bucket>
void addTo(QMap<qint64, Bucket> &buckets, qint64 width, qint64 ts, double value)
{
    const qint64 start = bucketStart(ts, width);
    auto it = buckets.find(start);
    if (it == buckets.end()) {
        Bucket b;
        b.start = start;
        b.min = b.max = b.last = value;
        b.lastTs = ts;
        it = buckets.insert(start, b);
    }
    Bucket &b = *it;
    b.min = std::min(b.min, value);
    b.max = std::max(b.max, value);
    b.sum += value;
    b.count += 1;
    if (ts >= b.lastTs) {
        b.lastTs = ts;
        b.last = value;
    }
}

// NOT NULL columns: a null QString would bind NULL.
QString orEmpty(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

} // namespace

MetricStore::~MetricStore()
{
    close();
}

Status MetricStore::open(const QString &path, sql::Database::Mode mode)
{
    QMutexLocker lock(&m_mutex);
    close();
    m_readOnly = mode == sql::Database::Mode::ReadOnly;
    if (Status s = m_db.open(path, mode); !s)
        return s;
    if (m_readOnly)
        return {};
    Status s = createSchema();
    if (s)
        s = replayJournal();
    if (!s)
        m_db.close();
    return s;
}

void MetricStore::close()
{
    QMutexLocker lock(&m_mutex);
    if (m_db.isOpen() && !m_readOnly && m_pendingRows > 0)
        (void)compactLocked();   // on failure the journal still holds the rows
    m_pending.clear();
    m_minutes.clear();
    m_hours.clear();
    m_pendingRows = 0;
    m_seriesIds.clear();
    m_db.close();
}

Status MetricStore::createSchema()
{
    return m_db.exec(QStringLiteral(
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = NORMAL;"
        // A compaction is one big transaction; give the WAL file back after it is checkpointed.
        "PRAGMA journal_size_limit = 67108864;"
        "CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, machine_id TEXT NOT NULL, name TEXT NOT NULL,"
        " label TEXT NOT NULL DEFAULT '', unit TEXT NOT NULL DEFAULT '', UNIQUE(machine_id, name, label));"
        "CREATE TABLE IF NOT EXISTS journal(ts INTEGER NOT NULL, series_id INTEGER NOT NULL, value REAL NOT NULL,"
        " PRIMARY KEY(ts, series_id)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS samples(series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,"
        " PRIMARY KEY(series_id, ts)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS rollup_1m(series_id INTEGER NOT NULL, ts INTEGER NOT NULL, vmin REAL, vmax REAL,"
        " vsum REAL, vcount INTEGER, vlast REAL, last_ts INTEGER, PRIMARY KEY(series_id, ts)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS rollup_1h(series_id INTEGER NOT NULL, ts INTEGER NOT NULL, vmin REAL, vmax REAL,"
        " vsum REAL, vcount INTEGER, vlast REAL, last_ts INTEGER, PRIMARY KEY(series_id, ts)) WITHOUT ROWID;"));
}

Status MetricStore::replayJournal()
{
    auto st = m_db.prepare(QStringLiteral("SELECT ts, series_id, value FROM journal ORDER BY ts"));
    if (!st)
        return st.error();
    while (st.value().step())
        remember(Row{st.value().int64(1), st.value().int64(0), st.value().real(2)});
    if (st.value().failed())
        return st.value().error();
    return {};
}

void MetricStore::remember(const Row &r)
{
    m_pending[r.seriesId].append(TimePoint::raw(r.ts, r.value));
    m_pendingFrom = m_pendingRows == 0 ? r.ts : std::min(m_pendingFrom, r.ts);
    m_pendingTo = m_pendingRows == 0 ? r.ts : std::max(m_pendingTo, r.ts);
    ++m_pendingRows;
    addTo(m_minutes[r.seriesId], kMinuteMs, r.ts, r.value);
    addTo(m_hours[r.seriesId], kHourMs, r.ts, r.value);
}

Result<qint64> MetricStore::seriesId(const QString &machineId, const QString &name, const QString &label, const QString &unit)
{
    QMutexLocker lock(&m_mutex);
    const QString key = seriesKey(machineId, name, label);
    if (const auto it = m_seriesIds.constFind(key); it != m_seriesIds.constEnd())
        return *it;
    auto ins = m_db.cached(QStringLiteral("INSERT INTO series(machine_id, name, label, unit) VALUES(?1, ?2, ?3, ?4) "
                                          "ON CONFLICT(machine_id, name, label) DO UPDATE SET unit = excluded.unit"));
    if (!ins)
        return ins.error();
    ins.value().bind(1, machineId).bind(2, name).bind(3, orEmpty(label)).bind(4, orEmpty(unit));
    if (Status s = ins.value().exec(); !s)
        return s.error();
    auto sel = m_db.cached(QStringLiteral("SELECT id FROM series WHERE machine_id = ?1 AND name = ?2 AND label = ?3"));
    if (!sel)
        return sel.error();
    sel.value().bind(1, machineId).bind(2, name).bind(3, orEmpty(label));
    if (!sel.value().step())
        return m_db.lastError(QCoreApplication::translate("MetricStore", "A metric series could not be created."));
    const qint64 id = sel.value().int64(0);
    m_seriesIds.insert(key, id);
    return id;
}

Status MetricStore::write(const QVector<Row> &rows)
{
    QMutexLocker lock(&m_mutex);
    {
        sql::Transaction tx(m_db);
        if (Status s = tx.begin(); !s)
            return s;
        auto ins = m_db.cached(QStringLiteral("INSERT OR REPLACE INTO journal(ts, series_id, value) VALUES(?1, ?2, ?3)"));
        if (!ins)
            return ins.error();
        for (const Row &r : rows) {
            if (!std::isfinite(r.value))
                continue;
            ins.value().bind(1, r.ts).bind(2, r.seriesId).bind(3, r.value);
            if (Status s = ins.value().exec(); !s)
                return s;
        }
        if (Status s = tx.commit(); !s)
            return s;
    }
    // Only what is committed counts in memory.
    for (const Row &r : rows) {
        if (std::isfinite(r.value))
            remember(r);
    }
    if (m_pendingTo - m_pendingFrom >= m_compactIntervalMs || m_pendingRows >= kMaxPendingRows)
        return compactLocked();
    return {};
}

Status MetricStore::write(const QString &machineId, const MetricSampleSet &set)
{
    QMutexLocker lock(&m_mutex);
    QVector<Row> rows;
    rows.reserve(set.points.size());
    for (const MetricPoint &p : set.points) {
        auto id = seriesId(machineId, p.name, p.label, p.unit);
        if (!id)
            return id.error();
        rows.append(Row{id.value(), set.timestampMs, p.value});
    }
    return write(rows);
}

Status MetricStore::compact()
{
    QMutexLocker lock(&m_mutex);
    return compactLocked();
}

Status MetricStore::writeBucket(const char *table, qint64 seriesId, const Bucket &b)
{
    auto st = m_db.cached(rollupUpsert(table));
    if (!st)
        return st.error();
    st.value().bind(1, seriesId).bind(2, b.start).bind(3, b.min).bind(4, b.max).bind(5, b.sum)
        .bind(6, b.count).bind(7, b.last).bind(8, b.lastTs);
    return st.value().exec();
}

Status MetricStore::compactLocked()
{
    if (m_pendingRows == 0)
        return {};
    sql::Transaction tx(m_db);
    if (Status s = tx.begin(); !s)
        return s;
    // Series by series, in key order: each series' pages are written once.
    QList<qint64> ids = m_pending.keys();
    std::sort(ids.begin(), ids.end());
    {
        auto ins = m_db.cached(QStringLiteral("INSERT OR REPLACE INTO samples(series_id, ts, value) VALUES(?1, ?2, ?3)"));
        if (!ins)
            return ins.error();
        for (qint64 id : std::as_const(ids)) {
            QVector<TimePoint> &rows = m_pending[id];
            std::stable_sort(rows.begin(), rows.end(), [](const TimePoint &a, const TimePoint &b) { return a.ts < b.ts; });
            for (const TimePoint &p : std::as_const(rows)) {
                ins.value().bind(1, id).bind(2, p.ts).bind(3, p.value);
                if (Status s = ins.value().exec(); !s)
                    return s;
            }
        }
    }
    for (qint64 id : std::as_const(ids)) {
        for (const Bucket &b : std::as_const(m_minutes[id])) {
            if (Status s = writeBucket("rollup_1m", id, b); !s)
                return s;
        }
    }
    for (qint64 id : std::as_const(ids)) {
        for (const Bucket &b : std::as_const(m_hours[id])) {
            if (Status s = writeBucket("rollup_1h", id, b); !s)
                return s;
        }
    }
    if (Status s = m_db.exec(QStringLiteral("DELETE FROM journal")); !s)
        return s;
    if (Status s = tx.commit(); !s)
        return s;
    m_pending.clear();
    m_minutes.clear();
    m_hours.clear();
    m_pendingRows = 0;
    return {};
}

Status MetricStore::enforceRetention(qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    auto ids = m_db.prepare(QStringLiteral("SELECT id FROM series"));
    if (!ids)
        return ids.error();
    QVector<qint64> all;
    while (ids.value().step())
        all.append(ids.value().int64(0));
    const struct { const char *table; int days; } parts[] = {
        {"samples", m_retention.rawDays}, {"rollup_1m", m_retention.minuteDays}, {"rollup_1h", m_retention.hourDays}};
    sql::Transaction tx(m_db);
    if (Status s = tx.begin(); !s)
        return s;
    for (const auto &part : parts) {
        // Per series, so the delete walks the (series_id, ts) key instead of the whole table.
        auto del = m_db.prepare(QStringLiteral("DELETE FROM %1 WHERE series_id = ?1 AND ts < ?2").arg(QLatin1String(part.table)));
        if (!del)
            return del.error();
        const qint64 cutoff = nowMs - qint64(part.days) * kDayMs;
        for (qint64 id : std::as_const(all)) {
            del.value().bind(1, id).bind(2, cutoff);
            if (Status s = del.value().exec(); !s)
                return s;
        }
    }
    return tx.commit();
}

Status MetricStore::removeMachine(const QString &machineId)
{
    QMutexLocker lock(&m_mutex);
    auto ids = m_db.prepare(QStringLiteral("SELECT id FROM series WHERE machine_id = ?1"));
    if (!ids)
        return ids.error();
    ids.value().bind(1, machineId);
    QVector<qint64> gone;
    while (ids.value().step())
        gone.append(ids.value().int64(0));
    sql::Transaction tx(m_db);
    if (Status s = tx.begin(); !s)
        return s;
    for (const char *table : {"journal", "samples", "rollup_1m", "rollup_1h"}) {
        auto del = m_db.prepare(QStringLiteral("DELETE FROM %1 WHERE series_id IN (SELECT id FROM series WHERE machine_id = ?1)")
                                    .arg(QLatin1String(table)));
        if (!del)
            return del.error();
        del.value().bind(1, machineId);
        if (Status s = del.value().exec(); !s)
            return s;
    }
    auto del = m_db.prepare(QStringLiteral("DELETE FROM series WHERE machine_id = ?1"));
    if (!del)
        return del.error();
    del.value().bind(1, machineId);
    if (Status s = del.value().exec(); !s)
        return s;
    if (Status s = tx.commit(); !s)
        return s;
    for (qint64 id : std::as_const(gone)) {
        m_pendingRows -= m_pending.value(id).size();
        m_pending.remove(id);
        m_minutes.remove(id);
        m_hours.remove(id);
    }
    for (auto it = m_seriesIds.begin(); it != m_seriesIds.end();) {
        if (gone.contains(it.value()))
            it = m_seriesIds.erase(it);
        else
            ++it;
    }
    return {};
}

Result<QVector<MetricSeries>> MetricStore::series(const QString &machineId)
{
    QMutexLocker lock(&m_mutex);
    auto st = m_db.prepare(QStringLiteral("SELECT id, machine_id, name, label, unit FROM series WHERE machine_id = ?1 "
                                          "ORDER BY name, label"));
    if (!st)
        return st.error();
    st.value().bind(1, machineId);
    QVector<MetricSeries> out;
    while (st.value().step())
        out.append(MetricSeries{st.value().int64(0), st.value().text(1), st.value().text(2), st.value().text(3), st.value().text(4)});
    if (st.value().failed())
        return st.value().error();
    return out;
}

MetricResolution MetricStore::pickResolution(qint64 fromMs, qint64 toMs, int maxPoints, qint64 nowMs,
                                             const MetricRetention &retention, qint64 rawIntervalMs)
{
    const qint64 range = std::max<qint64>(toMs - fromMs, 1);
    const qint64 limit = qint64(maxPoints > 0 ? maxPoints : 1000) * kOversample;
    if (fromMs >= nowMs - qint64(retention.rawDays) * kDayMs && range / std::max<qint64>(rawIntervalMs, 1) <= limit)
        return MetricResolution::Raw;
    if (fromMs >= nowMs - qint64(retention.minuteDays) * kDayMs && range / kMinuteMs <= limit)
        return MetricResolution::Minute;
    return MetricResolution::Hour;
}

Result<QVector<TimePoint>> MetricStore::readRaw(const MetricQuery &q)
{
    QVector<TimePoint> points;
    auto readInto = [&](const char *table) -> Status {
        auto st = m_db.cached(QStringLiteral("SELECT ts, value FROM %1 WHERE series_id = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts")
                                  .arg(QLatin1String(table)));
        if (!st)
            return st.error();
        st.value().bind(1, q.seriesId).bind(2, q.fromMs).bind(3, q.toMs);
        while (st.value().step())
            points.append(TimePoint::raw(st.value().int64(0), st.value().real(1)));
        if (st.value().failed())
            return st.value().error();
        return {};
    };
    if (Status s = readInto("samples"); !s)
        return s.error();
    const qsizetype stored = points.size();
    if (m_readOnly) {
        // Another process writes: what it has not compacted yet is in its journal.
        if (Status s = readInto("journal"); !s)
            return s.error();
    } else {
        for (const TimePoint &p : m_pending.value(q.seriesId)) {
            if (p.ts >= q.fromMs && p.ts <= q.toMs)
                points.append(p);
        }
    }
    if (points.size() > stored) {
        std::stable_sort(points.begin(), points.end(), [](const TimePoint &a, const TimePoint &b) { return a.ts < b.ts; });
        // A sample written again after a compaction: keep the newer copy (the later one).
        auto last = std::unique(points.rbegin(), points.rend(), [](const TimePoint &a, const TimePoint &b) { return a.ts == b.ts; });
        points.erase(points.begin(), last.base());
    }
    return points;
}

Result<QVector<TimePoint>> MetricStore::readRollup(const MetricQuery &q, MetricResolution res)
{
    const bool minute = res == MetricResolution::Minute;
    auto st = m_db.cached(QStringLiteral("SELECT ts, vmin, vmax, vsum, vcount, vlast, last_ts FROM %1 "
                                         "WHERE series_id = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts")
                              .arg(minute ? QLatin1String("rollup_1m") : QLatin1String("rollup_1h")));
    if (!st)
        return st.error();
    st.value().bind(1, q.seriesId).bind(2, q.fromMs).bind(3, q.toMs);
    const QMap<qint64, Bucket> memory = (minute ? m_minutes : m_hours).value(q.seriesId);
    QVector<TimePoint> points;
    auto emitBucket = [&](const Bucket &b) {
        points.append(TimePoint{b.start, b.sum / double(std::max<qint64>(b.count, 1)), b.min, b.max});
    };
    auto mem = memory.lowerBound(q.fromMs);
    while (st.value().step()) {
        Bucket b;
        b.start = st.value().int64(0);
        b.min = st.value().real(1);
        b.max = st.value().real(2);
        b.sum = st.value().real(3);
        b.count = st.value().int64(4);
        for (; mem != memory.cend() && mem.key() < b.start && mem.key() <= q.toMs; ++mem)
            emitBucket(*mem);
        if (mem != memory.cend() && mem.key() == b.start) {   // stored part + part in memory
            b.min = std::min(b.min, mem->min);
            b.max = std::max(b.max, mem->max);
            b.sum += mem->sum;
            b.count += mem->count;
            ++mem;
        }
        emitBucket(b);
    }
    if (st.value().failed())
        return st.value().error();
    for (; mem != memory.cend() && mem.key() <= q.toMs; ++mem)
        emitBucket(*mem);
    return points;
}

Result<MetricSeriesData> MetricStore::query(const MetricQuery &q, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    MetricSeriesData data;
    data.resolution = q.resolution == MetricResolution::Auto
                          ? pickResolution(q.fromMs, q.toMs, q.maxPoints, nowMs, m_retention, m_rawIntervalMs)
                          : q.resolution;
    auto points = data.resolution == MetricResolution::Raw ? readRaw(q) : readRollup(q, data.resolution);
    if (!points)
        return points.error();
    lock.unlock();   // downsampling needs no database
    data.rowsRead = points->size();
    data.points = std::move(points).value();
    if (q.maxPoints > 0 && data.points.size() > q.maxPoints)
        data.points = q.downsampling == MetricQuery::Downsampling::Lttb ? Downsample::lttb(data.points, q.maxPoints)
                                                                        : Downsample::minMax(data.points, q.maxPoints);
    return data;
}

Result<std::optional<TimePoint>> MetricStore::latest(qint64 seriesId)
{
    QMutexLocker lock(&m_mutex);
    std::optional<TimePoint> best;
    for (const TimePoint &p : m_pending.value(seriesId)) {
        if (!best || p.ts >= best->ts)
            best = p;
    }
    if (best)
        return best;
    auto st = m_db.cached(QStringLiteral("SELECT ts, value FROM samples WHERE series_id = ?1 ORDER BY ts DESC LIMIT 1"));
    if (!st)
        return st.error();
    st.value().bind(1, seriesId);
    if (st.value().step())
        return std::optional<TimePoint>(TimePoint::raw(st.value().int64(0), st.value().real(1)));
    if (st.value().failed())
        return st.value().error();
    return std::optional<TimePoint>();
}

Result<RuleInput> MetricStore::ruleInput(qint64 seriesId, qint64 windowMs, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    MetricQuery q;
    q.seriesId = seriesId;
    q.fromMs = nowMs - windowMs;
    q.toMs = nowMs;
    auto window = readRaw(q);
    if (!window)
        return window.error();
    auto last = latest(seriesId);
    if (!last)
        return last.error();
    return RuleInput{std::move(window).value(), last.value() ? last.value()->ts : 0};
}

} // namespace mist
