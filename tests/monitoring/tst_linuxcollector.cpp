// LinuxCollector end to end: over one long-lived SSH session to the real loopback sshd, and on
// the local /proc ("This computer"). Numbers must be plausible and change between samples.
// Also custom metrics over SSH, odd /proc content and a server that dies.

#include "monitoringtestutil.h"
#include "monitoring/custommetric.h"
#include "monitoring/linuxcollector.h"
#include "monitoring/procparsers.h"
#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "sshtestserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {

double one(const MetricSampleSet &s, const QString &name)
{
    return metricValues(s, name).value(QString(), -1);
}

QByteArray readProc(const char *name)
{
    QFile f(QLatin1String("/proc/") + QLatin1String(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Burns CPU for `ms` so CPU counters certainly move.
void spin(int ms)
{
    QElapsedTimer t;
    t.start();
    volatile double x = 0;
    while (t.elapsed() < ms)
        x = x + 1;
}

// Checks one pair of samples from this same machine (the sshd runs on loopback).
void checkPlausible(const MetricSampleSet &a, const MetricSampleSet &b)
{
    const auto localStat = proc::parseStat(readProc("stat"));
    const auto localMem = proc::parseMemInfo(readProc("meminfo"));
    QVERIFY(localStat.ok() && localMem.ok());

    QVERIFY(metricValues(a, QStringLiteral("cpu.percent")).isEmpty());   // no baseline yet
    const auto cpu = metricValues(b, QStringLiteral("cpu.percent"));
    QCOMPARE(cpu.size(), localStat->cores.size() + 1);
    for (double v : cpu)
        QVERIFY(v >= 0 && v <= 100);
    QVERIFY2(cpu.value(QString()) > 0, "the spin must show");

    QCOMPARE(one(b, QStringLiteral("mem.total_bytes")), double(localMem->totalKb) * 1024);
    const double used = one(b, QStringLiteral("mem.used_bytes"));
    QVERIFY(used > 0 && used < one(b, QStringLiteral("mem.total_bytes")));
    QVERIFY(one(b, QStringLiteral("load.1")) >= 0);
    QVERIFY(metricValues(b, QStringLiteral("disk.used_percent")).contains(QStringLiteral("/")));

    const double upA = one(a, QStringLiteral("uptime.seconds")), upB = one(b, QStringLiteral("uptime.seconds"));
    QVERIFY2(upB - upA >= 0.9 && upB - upA < 30, qPrintable(QStringLiteral("%1 -> %2").arg(upA).arg(upB)));
    for (const QString &rate : {QStringLiteral("diskio.read_bytes_per_s"), QStringLiteral("net.rx_bytes_per_s")}) {
        for (double v : metricValues(b, rate))
            QVERIFY(v >= 0 && v < 1e11);
    }
    QVERIFY(b.timestampMs > a.timestampMs);
}

} // namespace

class TestLinuxCollector : public QObject
{
    Q_OBJECT

    SshTestServer m_server;

private slots:
    void initTestCase()
    {
        MIST_START_SSHD(m_server);
    }

    void overOneSshSession()
    {
        PinnedHostKey v(m_server.hostKeyFingerprint());
        SshSession session;
        const SshStatus st = session.connect(m_server.target(), v);
        QVERIFY2(st.ok(), qPrintable(st.error().toString()));

        LinuxCollector collector(session);
        auto a = collector.collect();
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QVERIFY2(a->warnings.isEmpty(), qPrintable(a->warnings.value(0).toString()));
        spin(1100);
        auto b = collector.collect();
        QVERIFY2(b.ok(), qPrintable(b.error().toString()));
        checkPlausible(a.value(), b.value());

        // Repeated samples reuse the same session: cost per sample.
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 5; ++i)
            QVERIFY(collector.collect().ok());
        qInfo("one sample over the open session: %.1f ms", double(t.elapsed()) / 5);
        QVERIFY(session.isConnected());
    }

    void thisComputer()
    {
        LinuxCollector collector;
        auto a = collector.collect();
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QVERIFY2(a->warnings.isEmpty(), qPrintable(a->warnings.value(0).toString()));
        spin(1100);
        auto b = collector.collect();
        QVERIFY(b.ok());
        checkPlausible(a.value(), b.value());
    }

    void oddProcContent()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("net")));
        auto put = [&](const char *name, const QByteArray &text) {
            QFile f(dir.filePath(QLatin1String(name)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        put("stat", "cpu  garbage\n");
        put("loadavg", "\xff\xfe\x00\x01");
        put("meminfo", "MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
        put("uptime", "-5 -5\n");
        // net/dev and diskstats missing
        LinuxCollector collector(dir.path());
        auto r = collector.collect();
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));   // the readable parts still count
        QCOMPARE(one(r.value(), QStringLiteral("mem.used_percent")), 75.0);
        QCOMPARE(r->warnings.size(), 5);   // stat, loadavg, net/dev, diskstats, uptime
        QString all;
        for (const Error &e : r->warnings)
            all += e.toString() + QLatin1Char('\n');
        QVERIFY2(all.contains(QLatin1String("/proc/stat")) && all.contains(QLatin1String("/proc/uptime")), qPrintable(all));
    }

    void customMetricsOverSsh()
    {
        PinnedHostKey v(m_server.hostKeyFingerprint());
        SshSession session;
        QVERIFY(session.connect(m_server.target(), v).ok());

        auto n = CustomMetricParser::run(session, {QStringLiteral("answer"), QStringLiteral("echo 42"), QStringLiteral("n"), 60});
        QVERIFY2(n.ok(), qPrintable(n.error().toString()));
        QCOMPARE(n->size(), 1);
        QCOMPARE(n->first().value, 42.0);

        auto lines = CustomMetricParser::run(session, {QStringLiteral("q"), QStringLiteral("printf 'ready 3\\nfailed 0.5\\n'"), {}, 60});
        QVERIFY2(lines.ok(), qPrintable(lines.error().toString()));
        QCOMPARE(lines->size(), 2);
        QCOMPARE(lines->at(0).name, QStringLiteral("q.ready"));
        QCOMPARE(lines->at(1).value, 0.5);

        auto text = CustomMetricParser::run(session, {QStringLiteral("t"), QStringLiteral("echo hello"), {}, 60});
        QVERIFY(!text.ok());
        QVERIFY(text.error().message.contains(QLatin1String("not a number")));

        auto failed = CustomMetricParser::run(session, {QStringLiteral("f"), QStringLiteral("echo broken >&2; exit 3"), {}, 60});
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().message.contains(QLatin1String("3")));
        QCOMPARE(failed.error().detail, QStringLiteral("broken"));
    }

    void serverDies()
    {
        PinnedHostKey v(m_server.hostKeyFingerprint());
        SshSession session;
        QVERIFY(session.connect(m_server.target(), v).ok());
        LinuxCollector collector(session);
        collector.execTimeout = std::chrono::seconds(5);
        QVERIFY(collector.collect().ok());
        m_server.killAll();
        auto r = collector.collect();
        QVERIFY(!r.ok());
        QVERIFY(!r.error().message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLinuxCollector)
#include "tst_linuxcollector.moc"
