// MetricStore on a real SQLite file: rollups with known answers (also across a restart in the
// middle of a bucket), retention, resolution choice, downsampling (LTTB and min/max keep extremes).

#include "monitoring/downsample.h"
#include "monitoring/metricstore.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;

namespace {

constexpr qint64 kMin = 60 * 1000;
constexpr qint64 kHour = 60 * kMin;
constexpr qint64 kDay = 24 * kHour;
// A round start time (midnight UTC), so buckets line up with the samples below.
constexpr qint64 kT0 = 1764000000000LL - 1764000000000LL % kDay;

struct Bucket
{
    qint64 ts;
    double min, max, sum, last;
    qint64 count;
};

QVector<Bucket> buckets(MetricStore &store, const char *table, qint64 seriesId)
{
    auto st = store.database().prepare(QStringLiteral("SELECT ts, vmin, vmax, vsum, vlast, vcount FROM %1 WHERE series_id = ?1 ORDER BY ts")
                                           .arg(QLatin1String(table)));
    st.value().bind(1, seriesId);
    QVector<Bucket> out;
    while (st.value().step())
        out.append(Bucket{st.value().int64(0), st.value().real(1), st.value().real(2), st.value().real(3), st.value().real(4), st.value().int64(5)});
    return out;
}

qint64 count(MetricStore &store, const QString &sql)
{
    return store.database().scalar(sql).value();
}

} // namespace

class TestMetricStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    std::unique_ptr<MetricStore> open(const QString &name)
    {
        auto s = std::make_unique<MetricStore>();
        const Status st = s->open(m_dir.filePath(name));
        if (!st)
            qWarning() << st.error().toString();
        return st ? std::move(s) : nullptr;
    }

private slots:
    void rollupsHaveKnownAnswers()
    {
        auto store = open(QStringLiteral("rollups.db"));
        QVERIFY(store);
        store->setCompactIntervalMs(100 * kDay);   // by hand below
        const qint64 id = store->seriesId(QStringLiteral("m1"), QStringLiteral("cpu.percent"), {}, QStringLiteral("%")).value();
        // Two hours at 10 s: value = sample index; written in batches of 30 samples.
        QVector<MetricStore::Row> batch;
        for (int i = 0; i < 720; ++i) {
            batch.append({id, kT0 + i * 10000LL, double(i)});
            if (batch.size() == 30) {
                QVERIFY(store->write(batch));
                batch.clear();
            }
        }
        // Until a compaction the rows are in the journal and in memory, and queries see them.
        QCOMPARE(buckets(*store, "rollup_1m", id).size(), 0);
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM journal")), qint64(720));
        QCOMPARE(store->pendingRows(), qint64(720));
        auto before = store->query(MetricQuery{id, kT0, kT0 + 2 * kHour, 0, MetricResolution::Minute}, kT0 + 2 * kHour);
        QCOMPARE(before->points.size(), 120);
        QCOMPARE(before->points[1].value, 8.5);
        QCOMPARE(store->query(MetricQuery{id, kT0, kT0 + 2 * kHour, 0, MetricResolution::Raw}, kT0)->points.size(), 720);
        QVERIFY(store->compact());
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM journal")), qint64(0));
        const auto minutes = buckets(*store, "rollup_1m", id);
        QCOMPARE(minutes.size(), 120);
        for (int m = 0; m < 120; ++m) {
            const Bucket &b = minutes[m];
            QCOMPARE(b.ts, kT0 + m * kMin);
            QCOMPARE(b.count, qint64(6));
            QCOMPARE(b.min, double(m * 6));
            QCOMPARE(b.max, double(m * 6 + 5));
            QCOMPARE(b.last, double(m * 6 + 5));
            QCOMPARE(b.sum, double(6 * m * 6 + 15));
        }
        const auto hours = buckets(*store, "rollup_1h", id);
        QCOMPARE(hours.size(), 2);
        QCOMPARE(hours[1].count, qint64(360));
        QCOMPARE(hours[1].min, 360.0);
        QCOMPARE(hours[1].max, 719.0);
        QCOMPARE(hours[1].sum / double(hours[1].count), (360.0 + 719.0) / 2);
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM samples")), qint64(720));

        // The chart query at minute resolution: avg with the bucket's min and max.
        MetricQuery q{id, kT0, kT0 + 2 * kHour, 0, MetricResolution::Minute};
        auto r = store->query(q, kT0 + 2 * kHour);
        QVERIFY(r.ok());
        QCOMPARE(r->points.size(), 120);
        QCOMPARE(r->points[1].value, 8.5);
        QCOMPARE(r->points[1].min, 6.0);
        QCOMPARE(r->points[1].max, 11.0);
    }

    void rollupSurvivesRestartMidBucket()
    {
        const QString name = QStringLiteral("restart.db");
        qint64 id = 0;
        {
            auto store = open(name);
            id = store->seriesId(QStringLiteral("m1"), QStringLiteral("load.1"), {}, {}).value();
            QVERIFY(store->write({{id, kT0 + 5000, 4.0}, {id, kT0 + 15000, 9.0}, {id, kT0 + 25000, 1.0}}));
        }   // close() flushes the open minute
        auto store = open(name);
        QCOMPARE(store->seriesId(QStringLiteral("m1"), QStringLiteral("load.1"), {}, {}).value(), id);
        QVERIFY(store->write({{id, kT0 + 35000, 2.0}, {id, kT0 + 45000, 7.0}}));
        QVERIFY(store->compact());
        const auto m = buckets(*store, "rollup_1m", id);
        QCOMPARE(m.size(), 1);
        QCOMPARE(m[0].count, qint64(5));
        QCOMPARE(m[0].min, 1.0);
        QCOMPARE(m[0].max, 9.0);
        QCOMPARE(m[0].sum, 23.0);
        QCOMPARE(m[0].last, 7.0);
        // A late sample for an old bucket merges too (last stays the newest one).
        QVERIFY(store->write({{id, kT0 + 1000, 20.0}}));
        QVERIFY(store->compact());
        const auto m2 = buckets(*store, "rollup_1m", id);
        QCOMPARE(m2[0].count, qint64(6));
        QCOMPARE(m2[0].max, 20.0);
        QCOMPARE(m2[0].last, 7.0);
    }

    void retention()
    {
        auto store = open(QStringLiteral("retention.db"));
        store->setRetention(MetricRetention{1, 2, 3});
        store->setCompactIntervalMs(100 * kDay);   // compact once, below
        const qint64 id = store->seriesId(QStringLiteral("m1"), QStringLiteral("x"), {}, {}).value();
        const qint64 other = store->seriesId(QStringLiteral("m2"), QStringLiteral("x"), {}, {}).value();
        QVector<MetricStore::Row> rows;
        for (qint64 t = kT0; t < kT0 + 4 * kDay; t += 5 * kMin) {
            rows.append({id, t, 1.0});
            rows.append({other, t, 2.0});
        }
        QVERIFY(store->write(rows));
        QVERIFY(store->compact());
        const qint64 now = kT0 + 4 * kDay;
        QVERIFY(store->enforceRetention(now));
        for (qint64 s : {id, other}) {
            const QString where = QStringLiteral(" WHERE series_id = %1").arg(s);
            QCOMPARE(count(*store, QStringLiteral("SELECT min(ts) FROM samples") + where), now - 1 * kDay);
            QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM samples") + where), qint64(288));
            QCOMPARE(count(*store, QStringLiteral("SELECT min(ts) FROM rollup_1m") + where), now - 2 * kDay);
            QCOMPARE(count(*store, QStringLiteral("SELECT min(ts) FROM rollup_1h") + where), now - 3 * kDay);
            QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM rollup_1h") + where), qint64(72));
        }
        // Removing a machine takes its series and data, not the other machine's.
        QVERIFY(store->removeMachine(QStringLiteral("m1")));
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM samples WHERE series_id = %1").arg(id)), qint64(0));
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM samples WHERE series_id = %1").arg(other)), qint64(288));
        QCOMPARE(store->series(QStringLiteral("m1")).value().size(), 0);
        QCOMPARE(store->series(QStringLiteral("m2")).value().size(), 1);
    }

    void pickResolution_data()
    {
        QTest::addColumn<qint64>("ago");      // from = now - ago
        QTest::addColumn<qint64>("range");
        QTest::addColumn<int>("expected");
        QTest::newRow("10 min") << 10 * kMin << 10 * kMin << int(MetricResolution::Raw);
        QTest::newRow("1 h") << kHour << kHour << int(MetricResolution::Raw);
        QTest::newRow("1 d") << kDay << kDay << int(MetricResolution::Raw);
        QTest::newRow("7 d") << 7 * kDay << 7 * kDay << int(MetricResolution::Minute);
        QTest::newRow("30 d") << 30 * kDay << 30 * kDay << int(MetricResolution::Hour);
        QTest::newRow("1 y") << 365 * kDay << 365 * kDay << int(MetricResolution::Hour);
        QTest::newRow("10 min, 8 days ago") << 8 * kDay << 10 * kMin << int(MetricResolution::Minute);
        QTest::newRow("1 h, 40 days ago") << 40 * kDay << kHour << int(MetricResolution::Hour);
    }

    void pickResolution()
    {
        QFETCH(qint64, ago);
        QFETCH(qint64, range);
        QFETCH(int, expected);
        const qint64 now = kT0 + 400 * kDay;
        QCOMPARE(int(MetricStore::pickResolution(now - ago, now - ago + range, 1000, now, MetricRetention{})), expected);
    }

    void queryDownsamplesAndKeepsExtremes()
    {
        auto store = open(QStringLiteral("query.db"));
        const qint64 id = store->seriesId(QStringLiteral("m1"), QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"),
                                          QStringLiteral("bytes/s")).value();
        QVector<MetricStore::Row> rows;
        for (int i = 0; i < 8640; ++i)   // one day at 10 s
            rows.append({id, kT0 + i * 10000LL, 50.0 + (i % 7)});
        rows[4000].value = 1e6;   // one spike
        rows[6000].value = -3;    // one dip
        QVERIFY(store->write(rows));
        const qint64 now = kT0 + kDay;
        for (auto how : {MetricQuery::Downsampling::Lttb, MetricQuery::Downsampling::MinMax}) {
            MetricQuery q{id, kT0, now, 600, MetricResolution::Auto, how};
            auto r = store->query(q, now);
            QVERIFY(r.ok());
            QCOMPARE(r->resolution, MetricResolution::Raw);
            QCOMPARE(r->rowsRead, qint64(8640));
            QVERIFY(r->points.size() <= 600 && r->points.size() >= 590);
            double hi = -1e9, lo = 1e9;
            for (int i = 0; i < r->points.size(); ++i) {
                hi = std::max(hi, r->points[i].value);
                lo = std::min(lo, r->points[i].value);
                if (i > 0)
                    QVERIFY(r->points[i].ts > r->points[i - 1].ts);
            }
            QCOMPARE(hi, 1e6);
            QCOMPARE(lo, -3.0);
        }
        auto in = store->ruleInput(id, 60000, now);
        QVERIFY(in.ok());
        QCOMPARE(in->window.size(), 6);   // the last minute at 10 s (ts <= now - 10 s)
        QCOMPARE(in->lastSampleMs, kT0 + 8639 * 10000LL);
        QCOMPARE(store->ruleInput(id, 60000, kT0 - kDay)->window.size(), 0);
        auto latest = store->latest(id);
        QVERIFY(latest.ok() && latest->has_value());
        QCOMPARE(latest->value().ts, kT0 + 8639 * 10000LL);
    }

    void writeSampleSetCreatesSeries()
    {
        auto store = open(QStringLiteral("sets.db"));
        MetricSampleSet set;
        set.timestampMs = kT0;
        set.points = {{QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), 12.5},
                      {QStringLiteral("cpu.percent"), QStringLiteral("cpu0"), QStringLiteral("%"), 20},
                      {QStringLiteral("disk.used_percent"), QStringLiteral("/mnt/my data"), QStringLiteral("%"), 40}};
        QVERIFY(store->write(QStringLiteral("machine-a"), set));
        set.timestampMs += 10000;
        QVERIFY(store->write(QStringLiteral("machine-a"), set));
        QVERIFY(store->compact());
        const auto series = store->series(QStringLiteral("machine-a")).value();
        QCOMPARE(series.size(), 3);
        QCOMPARE(series[2].label, QStringLiteral("/mnt/my data"));
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM samples")), qint64(6));
        // NaN and infinities never reach the table.
        QVERIFY(store->write({{series[0].id, kT0 + 20000, std::numeric_limits<double>::quiet_NaN()}}));
        QVERIFY(store->compact());
        QCOMPARE(count(*store, QStringLiteral("SELECT count(*) FROM samples")), qint64(6));
    }

    void journalReplayAfterCrash()
    {
        const QString name = QStringLiteral("crash.db");
        auto store = open(name);
        const qint64 id = store->seriesId(QStringLiteral("m1"), QStringLiteral("x"), {}, {}).value();
        QVector<MetricStore::Row> rows;
        for (int i = 0; i < 30; ++i)
            rows.append({id, kT0 + i * 10000LL, double(i)});
        QVERIFY(store->write(rows));
        QCOMPARE(store->pendingRows(), qint64(30));
        // The files as a crash would leave them (the store never compacted).
        const QString copy = m_dir.filePath(QStringLiteral("crash-copy.db"));
        for (const QString &suffix : {QString(), QStringLiteral("-wal")})
            QVERIFY(QFile::copy(m_dir.filePath(name) + suffix, copy + suffix));
        // A read-only reader (the CLI) sees the journal too.
        MetricStore reader;
        QVERIFY(reader.open(copy, sql::Database::Mode::ReadOnly));
        QCOMPARE(reader.query(MetricQuery{id, kT0, kT0 + kHour, 0, MetricResolution::Raw}, kT0)->points.size(), 30);
        reader.close();
        auto recovered = open(QStringLiteral("crash-copy.db"));
        QVERIFY(recovered);
        QCOMPARE(recovered->pendingRows(), qint64(30));
        const auto m = recovered->query(MetricQuery{id, kT0, kT0 + kHour, 0, MetricResolution::Minute}, kT0);
        QCOMPARE(m->points.size(), 5);
        QCOMPARE(m->points[4].max, 29.0);
        QVERIFY(recovered->compact());
        QCOMPARE(count(*recovered, QStringLiteral("SELECT count(*) FROM samples")), qint64(30));
    }

    void notADatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("garbage.db"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        MetricStore store;
        const Status s = store.open(path);
        QVERIFY(!s.ok());
        QVERIFY(!s.error().message.isEmpty());
    }

    void lttbShapeAndSize()
    {
        QVector<TimePoint> in;
        auto *rng = QRandomGenerator::global();
        for (int i = 0; i < 1000000; ++i)
            in.append(TimePoint::raw(kT0 + i * 1000LL, rng->bounded(100.0)));
        in[123456] = TimePoint::raw(in[123456].ts, 5000);
        in[654321] = TimePoint::raw(in[654321].ts, -5000);
        const auto out = Downsample::lttb(in, 1000);
        QCOMPARE(out.size(), 1000);
        QCOMPARE(out.first().ts, in.first().ts);
        QCOMPARE(out.last().ts, in.last().ts);
        bool spike = false, dip = false;
        for (const TimePoint &p : out) {
            spike |= p.value == 5000;
            dip |= p.value == -5000;
        }
        QVERIFY(spike && dip);
        QCOMPARE(Downsample::lttb(in.mid(0, 10), 1000).size(), 10);   // fewer points: unchanged
        QCOMPARE(Downsample::lttb(in.mid(0, 10), 1).size(), 3);
        QVERIFY(Downsample::lttb({}, 100).isEmpty());
    }

    void minMaxUsesRollupExtremes()
    {
        // Rollup points: value is the average, min/max the bucket's extremes.
        QVector<TimePoint> in;
        for (int i = 0; i < 10000; ++i)
            in.append(TimePoint{kT0 + i * kMin, 50, 40, 60});
        in[7777].max = 99;
        in[3333].min = 1;
        const auto out = Downsample::minMax(in, 100);
        QVERIFY(out.size() <= 100);
        QCOMPARE(out.size(), 100);
        double hi = 0, lo = 100;
        for (const TimePoint &p : out) {
            hi = std::max(hi, p.value);
            lo = std::min(lo, p.value);
        }
        QCOMPARE(hi, 99.0);
        QCOMPARE(lo, 1.0);
        QCOMPARE(Downsample::minMax(in, 1).size(), 2);   // at least one bucket (low, high)
    }
};

QTEST_GUILESS_MAIN(TestMetricStore)
#include "tst_metricstore.moc"
