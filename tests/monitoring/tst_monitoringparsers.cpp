// Pure monitoring parts: /proc and df parsers on captured fixtures (64 cores, old kernels,
// counter wraps, garbage), the rate calculator across resets and reboots, custom metric output.

#include "monitoringtestutil.h"
#include "monitoring/collectscript.h"
#include "monitoring/custommetric.h"
#include "monitoring/procparsers.h"
#include "monitoring/ratecalculator.h"

#include <QFile>
#include <QtTest>

using namespace mist;

namespace {

QByteArray fixture(const QString &name)
{
    QFile f(QStringLiteral(MIST_TEST_DATA_DIR "/proc/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}


LinuxSnapshot snapshot(const QString &stat, const QString &net, const QString &disk, const QString &uptime)
{
    LinuxSnapshot s;
    if (!stat.isEmpty())
        s.stat = proc::parseStat(fixture(stat)).value();
    if (!net.isEmpty())
        s.netDev = proc::parseNetDev(fixture(net)).value();
    if (!disk.isEmpty())
        s.diskStats = proc::parseDiskStats(fixture(disk)).value();
    if (!uptime.isEmpty())
        s.uptime = proc::parseUptime(fixture(uptime)).value();
    return s;
}

} // namespace

class TestMonitoringParsers : public QObject
{
    Q_OBJECT

private slots:
    void stat64Cores()
    {
        auto s = proc::parseStat(fixture(QStringLiteral("stat-64cores.txt")));
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(s->cores.size(), 64);
        QCOMPARE(s->cores.last().index, 63);
        QCOMPARE(s->bootTime, qint64(1764000000));
        quint64 sumUser = 0;
        for (const auto &c : s->cores)
            sumUser += c.user;
        QCOMPARE(s->total.user, sumUser);
        QCOMPARE(s->cores[5].softirq, quint64(35));
    }

    void statOldKernelAndBadInput()
    {
        auto old = proc::parseStat(fixture(QStringLiteral("stat-oldkernel.txt")));
        QVERIFY(old.ok());
        QCOMPARE(old->total.idle, quint64(1000));
        QCOMPARE(old->total.iowait, quint64(0));   // not printed by 2.4-era kernels
        QCOMPARE(old->cores.size(), 1);

        for (const char *name : {"stat-garbage.txt", "stat-nocpu.txt", "empty.txt"}) {
            auto r = proc::parseStat(fixture(QLatin1String(name)));
            QVERIFY2(!r.ok(), name);
            QVERIFY(r.error().message.contains(QLatin1String("/proc/stat")));
        }
        QVERIFY(!proc::parseStat(QByteArray("\0\0\xff\xfe cpu", 9)).ok());
    }

    void loadAvg()
    {
        auto l = proc::parseLoadAvg(fixture(QStringLiteral("loadavg.txt")));
        QVERIFY(l.ok());
        QCOMPARE(l->load1, 0.52);
        QCOMPARE(l->load15, 0.59);
        QVERIFY(!proc::parseLoadAvg(fixture(QStringLiteral("loadavg-garbage.txt"))).ok());
        QVERIFY(!proc::parseLoadAvg("0.1 0.2").ok());
        QVERIFY(!proc::parseLoadAvg("nan 1 1").ok());
        QVERIFY(!proc::parseLoadAvg("").ok());
    }

    void memInfo()
    {
        auto m = proc::parseMemInfo(fixture(QStringLiteral("meminfo-linux6.txt")));
        QVERIFY(m.ok());
        QCOMPARE(m->totalKb, quint64(24684084));
        QCOMPARE(m->availableKb, quint64(24288096));
        QVERIFY(!m->availableEstimated);

        auto old = proc::parseMemInfo(fixture(QStringLiteral("meminfo-oldkernel.txt")));
        QVERIFY(old.ok());
        QVERIFY(old->availableEstimated);
        QCOMPARE(old->availableKb, quint64(512000 + 100000 + 400000));
        QCOMPARE(old->swapTotalKb - old->swapFreeKb, quint64(100000));

        for (const char *name : {"meminfo-nototal.txt", "meminfo-malformed.txt", "meminfo-wrongunit.txt", "meminfo-overflow.txt", "empty.txt"})
            QVERIFY2(!proc::parseMemInfo(fixture(QLatin1String(name))).ok(), name);
    }

    void netDev()
    {
        auto n = proc::parseNetDev(fixture(QStringLiteral("netdev.txt")));
        QVERIFY(n.ok());
        QCOMPARE(n->size(), 3);
        QCOMPARE(n->at(1).name, QStringLiteral("eth0"));
        QCOMPARE(n->at(1).rxBytes, quint64(4294960000));
        QCOMPARE(n->at(1).txPackets, quint64(900));
        QCOMPARE(n->at(2).name, QStringLiteral("ens3"));   // old "ens3:777" without a space

        auto t = proc::parseNetDev(fixture(QStringLiteral("netdev-truncated.txt")));
        QVERIFY(t.ok());   // the cut line is skipped, the good one kept
        QCOMPARE(t->size(), 1);
        QCOMPARE(t->first().name, QStringLiteral("wlan0"));
        QVERIFY(!proc::parseNetDev("garbage\nmore garbage\n").ok());
    }

    void diskStats()
    {
        auto d = proc::parseDiskStats(fixture(QStringLiteral("diskstats.txt")));
        QVERIFY(d.ok());
        QCOMPARE(d->size(), 7);
        QCOMPARE(d->first().name, QStringLiteral("sda"));
        QCOMPARE(d->first().sectorsRead, quint64(2000));
        QStringList counted;
        for (const auto &x : d.value()) {
            if (proc::isCountedDisk(x.name, d.value()))
                counted << x.name;
        }
        QCOMPARE(counted, (QStringList{QStringLiteral("sda"), QStringLiteral("nvme0n1"), QStringLiteral("dm-1"), QStringLiteral("dm-10")}));
        QVERIFY(!proc::parseDiskStats(fixture(QStringLiteral("diskstats-garbage.txt"))).ok());
    }

    void df()
    {
        auto d = proc::parseDf(fixture(QStringLiteral("df.txt")));
        QVERIFY(d.ok());
        QCOMPARE(d->size(), 8);
        QCOMPARE(d->at(3).mount, QStringLiteral("/mnt/my data"));
        QCOMPARE(d->at(4).filesystem, QStringLiteral("map auto_home"));
        QStringList real;
        for (const auto &e : d.value()) {
            if (!proc::isPseudoMount(e))
                real << e.mount;
        }
        QCOMPARE(real, (QStringList{QStringLiteral("/"), QStringLiteral("/mnt/my data"), QStringLiteral("/mnt/share")}));
        QVERIFY(!proc::parseDf(fixture(QStringLiteral("df-garbage.txt"))).ok());
    }

    void uptime()
    {
        auto u = proc::parseUptime(fixture(QStringLiteral("uptime.txt")));
        QVERIFY(u.ok());
        QCOMPARE(u->seconds, 815.95);
        for (const char *name : {"uptime-malformed.txt", "uptime-negative.txt", "uptime-huge.txt", "empty.txt"})
            QVERIFY2(!proc::parseUptime(fixture(QLatin1String(name))).ok(), name);
    }

    void ratesFromTwoSamples()
    {
        LinuxSnapshot a = snapshot(QStringLiteral("stat-64cores.txt"), QStringLiteral("netdev.txt"),
                                   QStringLiteral("diskstats.txt"), QStringLiteral("uptime-mon.txt"));
        LinuxSnapshot b = snapshot(QStringLiteral("stat-64cores-later.txt"), QStringLiteral("netdev-later.txt"),
                                   QStringLiteral("diskstats-later.txt"), QStringLiteral("uptime-later.txt"));
        QCOMPARE(RateCalculator::interval(a, b).value(), 10.0);
        const MetricSampleSet first = RateCalculator::compute(nullptr, a);
        QVERIFY(metricValues(first, QStringLiteral("cpu.percent")).isEmpty());   // no rates without a baseline
        QCOMPARE(metricValues(first, QStringLiteral("uptime.seconds")).value(QString()), 12345.67);

        const MetricSampleSet s = RateCalculator::compute(&a, b);
        const auto cpu = metricValues(s, QStringLiteral("cpu.percent"));
        QCOMPARE(cpu.size(), 65);   // total + 64 cores
        // Core 0 (i%7 = 0): user +1000, system +333, idle +7000 -> busy 1333 of 8333.
        QVERIFY(qAbs(cpu.value(QStringLiteral("cpu0")) - 100.0 * 1333 / 8333) < 1e-9);
        for (double v : cpu)
            QVERIFY(v >= 0 && v <= 100);

        const auto rx = metricValues(s, QStringLiteral("net.rx_bytes_per_s"));
        QCOMPARE(rx.value(QStringLiteral("eth0")), 700.0);   // (4294967000 - 4294960000) / 10 s
        QCOMPARE(metricValues(s, QStringLiteral("net.tx_bytes_per_s")).value(QStringLiteral("ens3")), 100.0);
        QVERIFY(!rx.contains(QStringLiteral("lo")));

        const auto rd = metricValues(s, QStringLiteral("diskio.read_bytes_per_s"));
        const auto wr = metricValues(s, QStringLiteral("diskio.write_bytes_per_s"));
        QCOMPARE(rd.value(QStringLiteral("sda")), 2000.0 * 512 / 10);   // sectors x 512 / s
        QCOMPARE(wr.value(QStringLiteral("nvme0n1")), 4000.0 * 512 / 10);
        QVERIFY(!rd.contains(QStringLiteral("sda1")));
        QVERIFY(!rd.contains(QStringLiteral("loop0")));
    }

    void counterWrapSkipsOnlyThatSeries()
    {
        LinuxSnapshot a = snapshot({}, QStringLiteral("netdev-later.txt"), {}, QStringLiteral("uptime-mon.txt"));
        LinuxSnapshot b = snapshot({}, QStringLiteral("netdev-wrapped.txt"), {}, QStringLiteral("uptime-later.txt"));
        const MetricSampleSet s = RateCalculator::compute(&a, b);
        const auto rx = metricValues(s, QStringLiteral("net.rx_bytes_per_s"));
        QVERIFY(!rx.contains(QStringLiteral("eth0")));   // went down: skipped, no negative/huge spike
        QCOMPARE(rx.value(QStringLiteral("ens3")), 100.0);
        for (const MetricPoint &p : s.points)
            QVERIFY2(p.value >= 0 && p.value < 1e12, qPrintable(p.name + p.label));
        // The sample after the wrap measures from the new baseline again.
        LinuxSnapshot c = b;
        c.uptime->seconds += 10;
        c.netDev.value()[1].rxBytes += 5000;
        QCOMPARE(metricValues(RateCalculator::compute(&b, c), QStringLiteral("net.rx_bytes_per_s")).value(QStringLiteral("eth0")), 500.0);
    }

    void rebootSkipsRates()
    {
        LinuxSnapshot a = snapshot(QStringLiteral("stat-64cores-later.txt"), QStringLiteral("netdev-later.txt"),
                                   QStringLiteral("diskstats-later.txt"), QStringLiteral("uptime-later.txt"));
        // Uptime went back (10 s after boot), counters restarted small.
        LinuxSnapshot b = snapshot(QStringLiteral("stat-rebooted.txt"), QStringLiteral("netdev.txt"),
                                   QStringLiteral("diskstats.txt"), QStringLiteral("uptime.txt"));
        QVERIFY(RateCalculator::rebooted(a, b));
        const MetricSampleSet s = RateCalculator::compute(&a, b);
        QVERIFY(metricValues(s, QStringLiteral("cpu.percent")).isEmpty());
        QVERIFY(metricValues(s, QStringLiteral("net.rx_bytes_per_s")).isEmpty());
        QVERIFY(metricValues(s, QStringLiteral("diskio.read_bytes_per_s")).isEmpty());
        QVERIFY(!metricValues(s, QStringLiteral("uptime.seconds")).isEmpty());   // gauges still there

        // btime alone also tells a reboot (uptime missing).
        LinuxSnapshot c = a, d = b;
        c.uptime.reset();
        d.uptime.reset();
        d.monotonicMs = c.monotonicMs + 10000;
        QVERIFY(RateCalculator::rebooted(c, d));
        // Same machine, no uptime: the local clock gives the interval.
        LinuxSnapshot e = snapshot(QStringLiteral("stat-64cores.txt"), {}, {}, {});
        LinuxSnapshot f = snapshot(QStringLiteral("stat-64cores-later.txt"), {}, {}, {});
        f.monotonicMs = e.monotonicMs + 2000;
        QCOMPARE(RateCalculator::interval(e, f).value(), 2.0);
        QCOMPARE(metricValues(RateCalculator::compute(&e, f), QStringLiteral("cpu.percent")).size(), 65);
        // A clock that did not move gives no rates rather than a division by zero.
        f.monotonicMs = e.monotonicMs;
        QVERIFY(!RateCalculator::interval(e, f));
    }

    void gauges()
    {
        LinuxSnapshot s;
        s.memInfo = proc::parseMemInfo(fixture(QStringLiteral("meminfo-oldkernel.txt"))).value();
        s.df = proc::parseDf(fixture(QStringLiteral("df.txt"))).value();
        s.loadAvg = proc::parseLoadAvg(fixture(QStringLiteral("loadavg.txt"))).value();
        const MetricSampleSet m = RateCalculator::compute(nullptr, s);
        QCOMPARE(metricValues(m, QStringLiteral("mem.used_bytes")).value(QString()), double(2048000 - 1012000) * 1024);
        QCOMPARE(metricValues(m, QStringLiteral("swap.used_bytes")).value(QString()), 100000.0 * 1024);
        const auto used = metricValues(m, QStringLiteral("disk.used_percent"));
        QCOMPARE(used.size(), 3);
        QVERIFY(qAbs(used.value(QStringLiteral("/")) - 100.0 * 51200000 / (51200000 + 46080000)) < 1e-9);
        QCOMPARE(metricValues(m, QStringLiteral("load.5")).value(QString()), 0.58);
    }

    void collectScriptSections()
    {
        const LinuxSnapshot s = LinuxCollectScript::parse(fixture(QStringLiteral("collect-local.txt")));
        QVERIFY2(s.errors.isEmpty(), qPrintable(s.errors.value(0).toString()));
        QVERIFY(s.stat && s.loadAvg && s.memInfo && s.netDev && s.diskStats && s.uptime && s.df);
        QVERIFY(s.stat->cores.size() >= 1);

        const LinuxSnapshot cut = LinuxCollectScript::parse(fixture(QStringLiteral("collect-truncated.txt")));
        QVERIFY(cut.stat && cut.memInfo);
        QVERIFY(!cut.uptime && !cut.df);
        QVERIFY(cut.errors.size() >= 3);   // cut short, no uptime, no df

        const LinuxSnapshot junk = LinuxCollectScript::parse(QByteArray("bash: sh: command not found\n"));
        QVERIFY(!junk.stat && !junk.memInfo);
        QCOMPARE(junk.errors.size(), 8);
        QVERIFY(LinuxCollectScript::command().startsWith(QLatin1String("sh -c '")));
    }

    void customMetricOutput_data()
    {
        QTest::addColumn<QByteArray>("out");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QList<double>>("vals");
        QTest::addColumn<bool>("ok");
        QTest::newRow("number") << QByteArray("42.5\n") << QStringList{"q"} << QList<double>{42.5} << true;
        QTest::newRow("negative exp") << QByteArray("  -1e3  ") << QStringList{"q"} << QList<double>{-1000} << true;
        QTest::newRow("lines") << QByteArray("a 1\n\nb.c 2.5\n") << QStringList{"q.a", "q.b.c"} << QList<double>{1, 2.5} << true;
        QTest::newRow("text") << QByteArray("hello\n") << QStringList{} << QList<double>{} << false;
        QTest::newRow("nan") << QByteArray("nan") << QStringList{} << QList<double>{} << false;
        QTest::newRow("inf line") << QByteArray("a inf") << QStringList{} << QList<double>{} << false;
        QTest::newRow("empty") << QByteArray(" \n") << QStringList{} << QList<double>{} << false;
        QTest::newRow("three fields") << QByteArray("a 1 2") << QStringList{} << QList<double>{} << false;
        QTest::newRow("bad value") << QByteArray("a 1\nb x") << QStringList{} << QList<double>{} << false;
        QTest::newRow("bad name") << QByteArray("a$b 1") << QStringList{} << QList<double>{} << false;
    }

    void customMetricOutput()
    {
        QFETCH(QByteArray, out);
        QFETCH(QStringList, names);
        QFETCH(QList<double>, vals);
        QFETCH(bool, ok);
        CustomMetric m{QStringLiteral("q"), QStringLiteral("echo"), QStringLiteral("items"), 60};
        auto r = CustomMetricParser::parse(out, m);
        QCOMPARE(r.ok(), ok);
        if (!ok) {
            QVERIFY(r.error().message.contains(QLatin1String("\"q\"")));
            return;
        }
        QCOMPARE(r->size(), names.size());
        for (int i = 0; i < names.size(); ++i) {
            QCOMPARE(r->at(i).name, names[i]);
            QCOMPARE(r->at(i).value, vals[i]);
            QCOMPARE(r->at(i).unit, QStringLiteral("items"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMonitoringParsers)
#include "tst_monitoringparsers.moc"
