// Monitoring store benchmark (issue 5): ingest of 1,000 machines x 10 series every 10 s in
// simulated time (CPU share of one core, bytes written per sample, max insert rate), a 30-day
// raw query at 10 s (~260k points) and downsampling 1M points to 1,000.
//
//   metrics_bench [--machines N] [--series N] [--rounds N] [--compact-minutes N] [--dir PATH]

#include "monitoring/downsample.h"
#include "monitoring/metricstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <ctime>
#include <cstdio>

using namespace mist;

namespace {

constexpr qint64 kDay = 24LL * 3600 * 1000;

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1000.0 + double(ts.tv_nsec) / 1e6;
}

// Bytes this process handed to write() so far (WAL, checkpoints, everything).
qint64 bytesWritten()
{
    QFile f(QStringLiteral("/proc/self/io"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("wchar:"))
            return line.mid(6).trimmed().toLongLong();
    }
    return 0;
}

int intArg(const QStringList &args, const QString &name, int fallback)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

void fail(const Error &e)
{
    std::fprintf(stderr, "error: %s\n", qPrintable(e.toString()));
    std::exit(1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int machines = intArg(args, QStringLiteral("--machines"), 1000);
    const int perMachine = intArg(args, QStringLiteral("--series"), 10);
    const int rounds = intArg(args, QStringLiteral("--rounds"), 360);   // 1 simulated hour at 10 s
    QTemporaryDir tmp;
    const int dirIndex = args.indexOf(QStringLiteral("--dir"));
    const QString dir = dirIndex >= 0 && dirIndex + 1 < args.size() ? args[dirIndex + 1] : tmp.path();
    const QString path = QDir(dir).filePath(QStringLiteral("metrics-bench.db"));
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path + suffix);

    MetricStore store;
    if (Status s = store.open(path); !s)
        fail(s.error());
    const int compactMinutes = intArg(args, QStringLiteral("--compact-minutes"), 0);
    if (compactMinutes > 0)
        store.setCompactIntervalMs(qint64(compactMinutes) * 60000);
    QVector<qint64> ids;
    for (int m = 0; m < machines; ++m) {
        for (int k = 0; k < perMachine; ++k) {
            auto id = store.seriesId(QStringLiteral("machine-%1").arg(m), QStringLiteral("metric.%1").arg(k), {}, {});
            if (!id)
                fail(id.error());
            ids.append(id.value());
        }
    }

    // ---- Ingest: one batch (one transaction) per 10 s round.
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - qint64(rounds + 1) * 10000;
    auto *rng = QRandomGenerator::global();
    QVector<MetricStore::Row> batch(ids.size());
    auto round = [&](int r) {
        for (int i = 0; i < ids.size(); ++i)
            batch[i] = MetricStore::Row{ids[i], t0 + qint64(r) * 10000 + (i % 1000), rng->bounded(100.0)};
        if (Status s = store.write(batch); !s)
            fail(s.error());
    };
    for (int r = 0; r < 6; ++r)   // warm-up minute
        round(r);
    const qint64 written0 = bytesWritten();
    const double cpu0 = threadCpuMs();
    QElapsedTimer wall;
    wall.start();
    double slowestRoundMs = 0;   // the round that triggers the hourly compaction
    for (int r = 6; r < rounds + 6; ++r) {
        QElapsedTimer roundTimer;
        roundTimer.start();
        round(r);
        slowestRoundMs = std::max(slowestRoundMs, double(roundTimer.nsecsElapsed()) / 1e6);
    }
    const double retentionStart = threadCpuMs();
    if (Status s = store.enforceRetention(t0 + qint64(rounds + 6) * 10000); !s)   // the hourly job
        fail(s.error());
    const double retentionMs = threadCpuMs() - retentionStart;
    const double ingestCpuMs = threadCpuMs() - cpu0;
    const double ingestWallMs = double(wall.elapsed());
    const qint64 samples = qint64(rounds) * ids.size();
    const qint64 written = bytesWritten() - written0;
    const double perRoundCpu = ingestCpuMs / rounds;
    std::printf("ingest: %d machines x %d series, %d rounds (%lld samples)\n", machines, perMachine, rounds, samples);
    std::printf("  CPU per 10 s round            %.1f ms  -> %.2f %% of one core (target < 5 %%)\n", perRoundCpu, perRoundCpu / 10000.0 * 100.0);
    std::printf("  retention pass (hourly)       %.1f ms CPU\n", retentionMs);
    std::printf("  slowest round (with the hourly compaction) %.0f ms wall: the store's lock is held that long\n", slowestRoundMs);
    std::printf("  max insert rate               %.0f samples/s (wall %.1f s)\n", double(samples) / (ingestWallMs / 1000.0), ingestWallMs / 1000.0);
    std::printf("  bytes written per sample      %.1f (write() calls incl. WAL + checkpoints; payload 24)\n", double(written) / double(samples));
    std::printf("  file size per sample          %.1f bytes (db %lld + wal %lld)\n",
                double(QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size()) / double(samples + qint64(6) * ids.size()),
                QFileInfo(path).size(), QFileInfo(path + QStringLiteral("-wal")).size());

    // ---- Query: 30 days at 10 s of one series (~260k points).
    store.setRetention(MetricRetention{31, 31, 365});
    auto qid = store.seriesId(QStringLiteral("query-machine"), QStringLiteral("cpu.percent"), {}, QStringLiteral("%"));
    if (!qid)
        fail(qid.error());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 from = now - 30 * kDay;
    QVector<MetricStore::Row> rows;
    for (qint64 t = from; t <= now; t += 10000)
        rows.append(MetricStore::Row{qid.value(), t, 50 + 40 * std::sin(double(t) / 3.6e6) + rng->bounded(5.0)});
    if (Status s = store.write(rows); !s)
        fail(s.error());
    if (Status s = store.compact(); !s)
        fail(s.error());
    store.close();
    MetricStore reader;   // as a chart's query worker would: its own read-only connection
    if (Status s = reader.open(path, sql::Database::Mode::ReadOnly); !s)
        fail(s.error());
    reader.setRetention(MetricRetention{31, 31, 365});
    auto timeQuery = [&](const char *what, MetricQuery q) {
        double best = 1e9, bestCpu = 1e9;
        qint64 rowsRead = 0, points = 0;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer t;
            t.start();
            const double cpu = threadCpuMs();
            auto r = reader.query(q, now);
            if (!r)
                fail(r.error());
            best = std::min(best, double(t.nsecsElapsed()) / 1e6);
            bestCpu = std::min(bestCpu, threadCpuMs() - cpu);
            rowsRead = r->rowsRead;
            points = r->points.size();
        }
        std::printf("  %-44s %7.1f ms wall %7.1f ms CPU  (%lld rows read, %lld points)\n", what, best, bestCpu, rowsRead, points);
    };
    std::printf("query (best of 5, page cache warm; wall time depends on the load, CPU time much less):\n");
    timeQuery("30 d raw, all points", MetricQuery{qid.value(), from, now, 0, MetricResolution::Raw});
    timeQuery("30 d raw -> 1,000 points (LTTB)", MetricQuery{qid.value(), from, now, 1000, MetricResolution::Raw});
    timeQuery("30 d raw -> 1,000 points (min/max)",
              MetricQuery{qid.value(), from, now, 1000, MetricResolution::Raw, MetricQuery::Downsampling::MinMax});
    timeQuery("30 d auto (picks 1 h rollups) -> 1,000", MetricQuery{qid.value(), from, now, 1000, MetricResolution::Auto});
    timeQuery("7 d auto (picks 1 min rollups) -> 1,000", MetricQuery{qid.value(), now - 7 * kDay, now, 1000, MetricResolution::Auto});
    timeQuery("10 min auto (raw)", MetricQuery{qid.value(), now - 600000, now, 1000, MetricResolution::Auto});

    // ---- Downsampling alone: 1M points to 1,000.
    QVector<TimePoint> million;
    million.reserve(1000000);
    for (int i = 0; i < 1000000; ++i)
        million.append(TimePoint::raw(from + qint64(i) * 2592, rng->bounded(100.0)));
    for (int method = 0; method < 2; ++method) {
        double best = 1e9, bestCpu = 1e9;
        qsizetype n = 0;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer t;
            t.start();
            const double cpu = threadCpuMs();
            const auto out = method == 0 ? Downsample::lttb(million, 1000) : Downsample::minMax(million, 1000);
            best = std::min(best, double(t.nsecsElapsed()) / 1e6);
            bestCpu = std::min(bestCpu, threadCpuMs() - cpu);
            n = out.size();
        }
        std::printf("downsample 1M -> 1,000 (%s)      %7.1f ms wall %7.1f ms CPU (%lld points)\n", method == 0 ? "LTTB   " : "min/max",
                    best, bestCpu, qint64(n));
    }
    return 0;
}
