// Monitoring charts benchmark (issue 5): time to query and to first paint a chart of
//  * 30 days at 10 s of one series (259,201 points) and
//  * a 1M-point series (30 days at 2.6 s),
// through MetricStore::query with maxPoints = 1,000 and 1,600 (the automatic resolution, and
// forced raw: LTTB over every row), painted by a QChartView rendered offscreen (grab()); and a
// machine dashboard of 8 charts over 30 days through the real MonitoringService (query pool) and
// MachineDashboard.
//
//   chart_bench [--repeat N] [--dir PATH]      (QT_QPA_PLATFORM=offscreen is the default)

#include "monitoring/fleetoverview.h"
#include "monitoring/machinedashboard.h"
#include "monitoring/metricstore.h"
#include "monitoring/monitoringservice.h"
#include "monitoring/timerange.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDir>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

using namespace mist;

namespace {

constexpr qint64 kDay = 24LL * 3600 * 1000;
constexpr qint64 kMonth = 30 * kDay;
constexpr int kFleet = 1000;
constexpr qint64 kFleetFirstId = 1000;

void fail(const Error &e)
{
    std::fprintf(stderr, "error: %s\n", qPrintable(e.toString()));
    std::exit(1);
}

template <typename T>
T check(Result<T> r)
{
    if (!r)
        fail(r.error());
    return std::move(r).value();
}

void check(const Status &s)
{
    if (!s)
        fail(s.error());
}

double median(QVector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

// `count` points of a wavy series ending at `now`, written in batches and compacted.
qint64 fillSeries(MetricStore &store, const QString &machine, const QString &name, const QString &label, const QString &unit,
                  qint64 count, qint64 now)
{
    const qint64 id = check(store.seriesId(machine, name, label, unit));
    const double step = double(kMonth) / double(count - 1);
    QVector<MetricStore::Row> rows;
    rows.reserve(100000);
    for (qint64 i = 0; i < count; ++i) {
        const qint64 ts = now - kMonth + qint64(double(i) * step);
        rows.append({id, ts, 50 + 30 * std::sin(double(i) / 500.0) + 10 * std::sin(double(i) / 7.0)});
        if (rows.size() == 100000 || i == count - 1) {
            check(store.write(rows));
            rows.clear();
        }
    }
    check(store.compact());
    return id;
}

// Processes events until `done` or 60 s.
bool waitFor(const std::function<bool()> &done)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < 60000)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
    return done();
}

struct Row
{
    QString what;
    double queryMs = 0;
    double paintMs = 0;
    qint64 rowsRead = 0;
    int points = 0;
    QString resolution;
};

QString resolutionName(MetricResolution r)
{
    switch (r) {
    case MetricResolution::Raw: return QStringLiteral("raw");
    case MetricResolution::Minute: return QStringLiteral("1 min");
    case MetricResolution::Hour: return QStringLiteral("1 h");
    case MetricResolution::Auto: break;
    }
    return QStringLiteral("auto");
}

// What MetricChart draws, in a fresh view each time: series + axes, then one offscreen paint.
double firstPaintMs(const QVector<TimePoint> &points, int width, qint64 from, qint64 to)
{
    QElapsedTimer t;
    t.start();
    auto *chart = new QChart;
    auto *series = new QLineSeries;
    QList<QPointF> xy;
    xy.reserve(points.size());
    for (const TimePoint &p : points)
        xy.append(QPointF(double(p.ts), p.value));
    series->replace(xy);
    chart->addSeries(series);
    auto *time = new QDateTimeAxis;
    time->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
    time->setFormat(QStringLiteral("MMM d"));
    auto *value = new QValueAxis;
    value->setRange(0, 100);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(value, Qt::AlignLeft);
    series->attachAxis(time);
    series->attachAxis(value);
    chart->legend()->hide();
    QChartView view(chart);
    view.setRenderHint(QPainter::Antialiasing);   // as MetricChart
    view.resize(width + 90, 360);   // plot ≈ width pixels
    const QPixmap image = view.grab();
    const double ms = double(t.nsecsElapsed()) / 1e6;
    if (image.isNull())
        fail(Error{QStringLiteral("the chart did not paint"), {}});
    return ms;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int at = int(args.indexOf(QStringLiteral("--repeat")));
    const int repeat = at >= 0 && at + 1 < args.size() ? std::max(1, args.at(at + 1).toInt()) : 5;
    QTemporaryDir tmp;
    const int dirAt = int(args.indexOf(QStringLiteral("--dir")));
    const QString dir = dirAt >= 0 && dirAt + 1 < args.size() ? args.at(dirAt + 1) : tmp.path();
    QDir().mkpath(dir);
    const QString path = MonitoringService::metricsPath(dir);
    QFile::remove(path);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    // The data: one 30-day series at 10 s, one of 1M points, and a dashboard machine of 8.
    QElapsedTimer fillTimer;
    fillTimer.start();
    MetricStore store;
    store.setRetention(MetricRetention{31, 31, 365});   // keep raw for the whole month (forced-raw rows)
    check(store.open(path));
    const qint64 month = fillSeries(store, QStringLiteral("1"), QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), 259201, now);
    const qint64 million = fillSeries(store, QStringLiteral("1"), QStringLiteral("bench.million"), {}, {}, 1000000, now);
    const struct
    {
        const char *name, *label, *unit;
    } dashboardSeries[] = {{"cpu.percent", "", "%"},          {"load.1", "", ""},
                           {"mem.used_bytes", "", "bytes"},   {"disk.used_percent", "/", "%"},
                           {"diskio.read_bytes_per_s", "sda", "bytes/s"}, {"diskio.write_bytes_per_s", "sda", "bytes/s"},
                           {"net.rx_bytes_per_s", "eth0", "bytes/s"},     {"uptime.seconds", "", "s"}};
    for (const auto &s : dashboardSeries)
        fillSeries(store, QStringLiteral("2"), QString::fromLatin1(s.name), QString::fromLatin1(s.label), QString::fromLatin1(s.unit),
                   259201, now);
    // The fleet: 1,000 machines with the overview's 7 series, the last hour at 10 s.
    {
        QVector<MetricStore::Row> rows;
        const struct
        {
            const char *name, *label;
        } fleetSeries[] = {{"cpu.percent", ""},        {"load.1", ""},           {"mem.used_percent", ""},
                           {"disk.used_percent", "/"}, {"disk.used_percent", "/home"}, {"net.rx_bytes_per_s", "eth0"},
                           {"net.tx_bytes_per_s", "eth0"}};
        for (int m = 0; m < kFleet; ++m) {
            for (const auto &fs : fleetSeries) {
                const qint64 id = check(store.seriesId(QString::number(kFleetFirstId + m), QString::fromLatin1(fs.name),
                                                       QString::fromLatin1(fs.label), {}));
                for (int i = 0; i < 360; ++i)
                    rows.append({id, now - (359 - i) * 10000LL, double((m * 7 + i) % 100)});
            }
            if (rows.size() >= 100000) {
                check(store.write(rows));
                rows.clear();
            }
        }
        check(store.write(rows));
        check(store.compact());
    }
    std::printf("filled %s with 5.85M samples in %.1f s\n\n", qPrintable(path), double(fillTimer.elapsed()) / 1000.0);

    // Query + paint, one chart.
    QVector<Row> table;
    for (const auto &[id, label] : {std::pair{month, QStringLiteral("30 d at 10 s (259k)")}, std::pair{million, QStringLiteral("1M points")}}) {
        for (const int maxPoints : {1000, 1600}) {
            for (const MetricResolution res : {MetricResolution::Auto, MetricResolution::Raw}) {
                QVector<double> queryMs, paintMs;
                MetricSeriesData data;
                for (int i = 0; i < repeat; ++i) {
                    MetricQuery q;
                    q.seriesId = id;
                    q.fromMs = now - kMonth;
                    q.toMs = now;
                    q.maxPoints = maxPoints;
                    q.resolution = res;
                    QElapsedTimer t;
                    t.start();
                    data = check(store.query(q, now));
                    queryMs.append(double(t.nsecsElapsed()) / 1e6);
                    paintMs.append(firstPaintMs(data.points, maxPoints, q.fromMs, q.toMs));
                }
                table.append({QStringLiteral("%1, maxPoints %2, %3").arg(label).arg(maxPoints).arg(res == MetricResolution::Auto ? QStringLiteral("auto") : QStringLiteral("forced raw")),
                              median(queryMs), median(paintMs), data.rowsRead, int(data.points.size()), resolutionName(data.resolution)});
            }
        }
    }
    store.close();

    // A dashboard of 8 charts over 30 days through the service (query pool, 2 threads).
    MonitoringService::Options options;
    options.metricsPath = path;
    options.rulesPath = QDir(dir).filePath(QStringLiteral("monitoring.json"));
    options.retention = MetricRetention{31, 31, 365};
    MonitoringService service(nullptr, options);
    bool started = false;
    QObject::connect(&service, &MonitoringService::started, [&] { started = true; });
    service.start();
    if (!waitFor([&] { return started; }))
        fail(Error{QStringLiteral("the monitoring service did not start"), {}});
    const auto allLoaded = [](MachineDashboard *d, int charts) {
        if (d->charts().size() < charts)
            return false;
        for (MetricChart *c : d->charts()) {
            if (c->isLoading() || c->pointCount() == 0)
                return false;
        }
        return true;
    };
    QVector<double> openMs, switchMs, switchPaintMs;
    int dashboardPoints = 0;
    for (int i = 0; i < repeat; ++i) {
        QElapsedTimer t;
        t.start();
        MachineDashboard dashboard(&service, dir, 2, QStringLiteral("bench"));
        dashboard.range()->setPreset(TimeRangeController::ThirtyDays);
        dashboard.resize(1700, 1400);   // two columns of ~800 px charts
        dashboard.show();
        if (!waitFor([&] { return allLoaded(&dashboard, 8); }))
            fail(Error{QStringLiteral("the dashboard did not load"), {}});
        (void)dashboard.grab();
        openMs.append(double(t.nsecsElapsed()) / 1e6);
        // Switching range: 10 minutes (nearly empty) then back to 30 days, query + paint.
        dashboard.range()->setPreset(TimeRangeController::TenMinutes);
        waitFor([&] {
            const auto charts = dashboard.charts();
            return std::none_of(charts.cbegin(), charts.cend(), [](MetricChart *c) { return c->isLoading(); });
        });
        QApplication::processEvents();
        t.restart();
        dashboard.range()->setPreset(TimeRangeController::ThirtyDays);
        for (MetricChart *c : dashboard.charts())
            c->reloadNow();   // no 30 ms coalescing delay in the measurement
        if (!waitFor([&] { return allLoaded(&dashboard, 8); }))
            fail(Error{QStringLiteral("the dashboard did not reload"), {}});
        const qint64 queriedNs = t.nsecsElapsed();
        (void)dashboard.grab();
        switchMs.append(double(t.nsecsElapsed()) / 1e6);
        switchPaintMs.append(double(t.nsecsElapsed() - queriedNs) / 1e6);
        dashboardPoints = 0;
        for (MetricChart *c : dashboard.charts())
            dashboardPoints += c->pointCount();
    }
    // The fleet overview of 1,000 machines: one refresh = MonitoringService::summaries (5
    // columns, last hour, 60 buckets) + model update + sort, then a paint of the table.
    QVector<MachineRef> fleetMachines;
    for (int m = 0; m < kFleet; ++m)
        fleetMachines.append({kFleetFirstId + m, QStringLiteral("machine-%1").arg(m)});
    QVector<double> fleetMs, fleetPaintMs, liveMs;
    {
        FleetOverviewWindow fleet(&service, [&fleetMachines] { return fleetMachines; });
        int refreshes = 0;
        QObject::connect(&fleet, &FleetOverviewWindow::refreshed, [&] { ++refreshes; });
        fleet.resize(1200, 800);
        fleet.show();
        if (!waitFor([&] { return refreshes > 0; }))
            fail(Error{QStringLiteral("the fleet overview did not load"), {}});
        for (int i = 0; i < repeat; ++i) {
            const int before = refreshes;
            QElapsedTimer t;
            t.start();
            fleet.refresh();
            if (!waitFor([&] { return refreshes > before; }))
                fail(Error{QStringLiteral("the fleet overview did not refresh"), {}});
            fleetMs.append(double(t.nsecsElapsed()) / 1e6);
            t.restart();
            (void)fleet.grab();
            fleetPaintMs.append(double(t.nsecsElapsed()) / 1e6);
            // A second of live samples (every machine's round) applied at once.
            for (const MachineRef &m : std::as_const(fleetMachines)) {
                MetricSampleSet set;
                set.timestampMs = now + 1000 + i;
                for (const char *name : {"cpu.percent", "load.1", "mem.used_percent"})
                    set.points.append(MetricPoint{QString::fromLatin1(name), {}, {}, double((m.id + i) % 100)});
                set.points.append(MetricPoint{QStringLiteral("disk.used_percent"), QStringLiteral("/"), {}, 50});
                set.points.append(MetricPoint{QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), {}, 1000});
                emit service.samplesCollected(m.id, set);
            }
            t.restart();
            fleet.refreshLive();
            QApplication::processEvents();
            liveMs.append(double(t.nsecsElapsed()) / 1e6);
        }
        if (fleet.model()->rowCount() != kFleet)
            fail(Error{QStringLiteral("the fleet overview shows %1 rows").arg(fleet.model()->rowCount()), {}});
    }
    service.stop();

    std::printf("%-52s %10s %10s %9s %7s %8s\n", "chart", "query ms", "paint ms", "rows", "points", "res");
    for (const Row &r : std::as_const(table))
        std::printf("%-52s %10.1f %10.1f %9lld %7d %8s\n", qPrintable(r.what), r.queryMs, r.paintMs, static_cast<long long>(r.rowsRead),
                    r.points, qPrintable(r.resolution));
    std::printf("\ndashboard, 8 charts x 30 d at 10 s (%d points drawn), median of %d:\n", dashboardPoints, repeat);
    std::printf("  open (series list + 8 queries + first paint)   %8.1f ms\n", median(openMs));
    std::printf("  range switch to 30 d (8 queries + paint)       %8.1f ms (of which the paint of the window %.1f ms)\n",
                median(switchMs), median(switchPaintMs));
    std::printf("\nfleet overview, %d machines x 7 series (5 columns, last hour, 60-bucket sparklines), median of %d:\n", kFleet,
                repeat);
    std::printf("  store refresh, once a minute (summaries + model + sort) %8.1f ms\n", median(fleetMs));
    std::printf("  live update of all %d rows (coalesced, ≤ 1/s)           %8.1f ms\n", kFleet, median(liveMs));
    std::printf("  paint of the window                                     %8.1f ms\n", median(fleetPaintMs));
    return 0;
}
