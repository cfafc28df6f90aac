// ThisComputerProvider against the real machine, its /proc parsers against captured and
// deliberately broken fixtures (tests/data/proc), and the shared address classification.

#include "providers/ipclassify.h"
#include "providers/thiscomputer/thiscomputerprovider.h"

#include <QFile>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QSysInfo>
#include <QTest>

#include <optional>
#include <thread>

using namespace mist;

namespace {

QString fixture(const QString &name)
{
    QFile file(QStringLiteral(MIST_TEST_DATA_DIR "/proc/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(file.fileName()));
    return QString::fromUtf8(file.readAll());
}

} // namespace

class TestThisComputer : public QObject
{
    Q_OBJECT

private slots:
    void info();
    void pollReportsThisMachine();
    void pollAddressesMatchInterfaces();
    void noActions();

    void memTotal_data();
    void memTotal();
    void cpuModel_data();
    void cpuModel();
    void uptime_data();
    void uptime();

    void privateAddress_data();
    void privateAddress();
    void addressTextDropsScope();
};

void TestThisComputer::info()
{
    const ProviderInfo info = ThisComputerProvider().info();
    QCOMPARE(info.id, QStringLiteral("local"));
    QCOMPARE(info.title, QStringLiteral("This computer"));
    QCOMPARE(info.category, QStringLiteral("Local"));
    QVERIFY(info.singleton);
    QVERIFY(info.fields.isEmpty());
    QCOMPARE(info.capabilities, QStringList{QStringLiteral("poll")});
    QVERIFY(ThisComputerProvider().validate(Credentials{}).ok());
}

void TestThisComputer::pollReportsThisMachine()
{
    ThisComputerProvider provider;
    const PollResult result = provider.poll(Credentials{});
    QVERIFY2(result.success, qPrintable(result.error.toString()));
    QVERIFY(result.complete);
    QCOMPARE(result.machines.size(), 1);

    const Machine &m = result.machines.first();
    QCOMPARE(m.kind, MachineKind::Machine);
    QCOMPARE(m.state, MachineState::Running);
    QCOMPARE(m.name, QSysInfo::machineHostName());
    QCOMPARE(m.os, QSysInfo::prettyProductName());
    QVERIFY(!m.externalId.isEmpty());
    QVERIFY(m.parentExternalId.isEmpty());
    QCOMPARE(m.id, qint64(0));
    const QByteArray uniqueId = QSysInfo::machineUniqueId();
    if (!uniqueId.isEmpty())
        QVERIFY(m.externalId == QString::fromLatin1(uniqueId) || m.externalId == QString::fromLatin1(uniqueId.toHex()));
    else
        QCOMPARE(m.externalId, QSysInfo::machineHostName());
    // The id must be stable between polls or the store would see a new machine each time.
    QCOMPARE(provider.poll(Credentials{}).machines.value(0).externalId, m.externalId);

    if (std::thread::hardware_concurrency() > 0)
        QCOMPARE(m.cores, static_cast<int>(std::thread::hardware_concurrency()));
    QVERIFY(m.cores > 0);

    QCOMPARE(m.extra.value(QStringLiteral("arch")).toString(), QSysInfo::currentCpuArchitecture());
    QCOMPARE(m.extra.value(QStringLiteral("hostname")).toString(), QSysInfo::machineHostName());
    QCOMPARE(m.extra.value(QStringLiteral("kernel")).toString(),
             QSysInfo::kernelType() + QLatin1Char(' ') + QSysInfo::kernelVersion());

#ifdef Q_OS_LINUX
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    QVERIFY(meminfo.open(QIODevice::ReadOnly));
    const std::optional<qint64> kb = procinfo::memTotalKb(QString::fromUtf8(meminfo.readAll()));
    QVERIFY(kb.has_value());
    QCOMPARE(m.memoryMb, *kb / 1024);
    QVERIFY(m.extra.value(QStringLiteral("uptime_s")).toDouble() > 0);
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    QVERIFY(cpuinfo.open(QIODevice::ReadOnly));
    const QString model = procinfo::cpuModel(QString::fromUtf8(cpuinfo.readAll()));
    QCOMPARE(m.extra.value(QStringLiteral("cpu_model")).toString(), model);
#endif
}

void TestThisComputer::pollAddressesMatchInterfaces()
{
    const Machine m = ThisComputerProvider().poll(Credentials{}).machines.value(0);

    QStringList expected;
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        if (!(iface.flags() & QNetworkInterface::IsUp) || (iface.flags() & QNetworkInterface::IsLoopBack))
            continue;
        const QList<QNetworkAddressEntry> entries = iface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (!entry.ip().isLoopback() && !expected.contains(addressText(entry.ip())))
                expected << addressText(entry.ip());
        }
    }
    QStringList reported = m.privateIps + m.publicIps;
    reported.sort();
    expected.sort();
    QCOMPARE(reported, expected);

    for (const QString &ip : m.privateIps)
        QVERIFY2(isPrivateAddress(QHostAddress(ip)), qPrintable(ip));
    for (const QString &ip : m.publicIps)
        QVERIFY2(!isPrivateAddress(QHostAddress(ip)), qPrintable(ip));
    QVERIFY(!reported.contains(QStringLiteral("127.0.0.1")));
    QVERIFY(!reported.contains(QStringLiteral("::1")));
}

void TestThisComputer::noActions()
{
    ThisComputerProvider provider;
    const Machine m = provider.poll(Credentials{}).machines.value(0);
    QVERIFY(provider.allowedActions(m).isEmpty());
    const Status status = provider.runAction(Credentials{}, m, ActionRequest{Action::Reboot, {}});
    QVERIFY(!status.ok());
    QCOMPARE(status.error().message, QStringLiteral("This computer has no lifecycle actions."));
}

void TestThisComputer::memTotal_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expectedKb");   // -1: no value

    QTest::newRow("linux 6 capture") << fixture(QStringLiteral("meminfo-linux6.txt")) << qint64(24684084);
    QTest::newRow("inline") << QStringLiteral("MemTotal:        2048 kB\nMemFree: 1 kB\n") << qint64(2048);
    QTest::newRow("no unit") << QStringLiteral("MemTotal: 4096\n") << qint64(4096);
    QTest::newRow("not first line") << QStringLiteral("MemFree: 1 kB\r\nMemTotal: 77 kB\r\n") << qint64(77);
    QTest::newRow("malformed") << fixture(QStringLiteral("meminfo-malformed.txt")) << qint64(-1);
    QTest::newRow("overflow") << fixture(QStringLiteral("meminfo-overflow.txt")) << qint64(-1);
    QTest::newRow("wrong unit") << fixture(QStringLiteral("meminfo-wrongunit.txt")) << qint64(-1);
    QTest::newRow("no MemTotal") << fixture(QStringLiteral("meminfo-nototal.txt")) << qint64(-1);
    QTest::newRow("empty") << fixture(QStringLiteral("empty.txt")) << qint64(-1);
    QTest::newRow("zero") << QStringLiteral("MemTotal: 0 kB") << qint64(-1);
    QTest::newRow("negative") << QStringLiteral("MemTotal: -5 kB") << qint64(-1);
    QTest::newRow("key prefix only") << QStringLiteral("MemTotalX: 5 kB") << qint64(-1);
}

void TestThisComputer::memTotal()
{
    QFETCH(QString, text);
    QFETCH(qint64, expectedKb);
    const std::optional<qint64> kb = procinfo::memTotalKb(text);
    QCOMPARE(kb.value_or(-1), expectedKb);
}

void TestThisComputer::cpuModel_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("x86 capture") << fixture(QStringLiteral("cpuinfo-x86.txt")) << QStringLiteral("AMD EPYC");
    QTest::newRow("crlf, extra spaces") << fixture(QStringLiteral("cpuinfo-crlf.txt"))
                                        << QStringLiteral("Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
    QTest::newRow("power9") << fixture(QStringLiteral("cpuinfo-power9.txt"))
                            << QStringLiteral("POWER9 (architected), altivec supported");
    QTest::newRow("arm64 has no model") << fixture(QStringLiteral("cpuinfo-arm64.txt")) << QString();
    QTest::newRow("armv7") << QStringLiteral("processor : 0\nmodel name : ARMv7 Processor rev 4 (v7l)\n")
                           << QStringLiteral("ARMv7 Processor rev 4 (v7l)");
    QTest::newRow("malformed") << fixture(QStringLiteral("cpuinfo-malformed.txt")) << QString();
    QTest::newRow("empty") << fixture(QStringLiteral("empty.txt")) << QString();
}

void TestThisComputer::cpuModel()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(procinfo::cpuModel(text), expected);
}

void TestThisComputer::uptime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected");   // -1: no value

    QTest::newRow("capture") << fixture(QStringLiteral("uptime.txt")) << qint64(815);
    QTest::newRow("large") << QStringLiteral("31536000.99 12.00\n") << qint64(31536000);
    QTest::newRow("no idle field") << QStringLiteral("42") << qint64(42);
    QTest::newRow("negative") << fixture(QStringLiteral("uptime-negative.txt")) << qint64(-1);
    QTest::newRow("malformed") << fixture(QStringLiteral("uptime-malformed.txt")) << qint64(-1);
    QTest::newRow("out of range") << fixture(QStringLiteral("uptime-huge.txt")) << qint64(-1);
    QTest::newRow("nan") << QStringLiteral("nan 1") << qint64(-1);
    QTest::newRow("empty") << fixture(QStringLiteral("empty.txt")) << qint64(-1);
}

void TestThisComputer::uptime()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    QCOMPARE(procinfo::uptimeSeconds(text).value_or(-1), expected);
}

void TestThisComputer::privateAddress_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("isPrivate");

    QTest::newRow("10/8") << "10.1.2.3" << true;
    QTest::newRow("172.16/12 low") << "172.16.0.1" << true;
    QTest::newRow("172.16/12 high") << "172.31.255.254" << true;
    QTest::newRow("172.32 is public") << "172.32.0.1" << false;
    QTest::newRow("172.15 is public") << "172.15.255.255" << false;
    QTest::newRow("192.168/16") << "192.168.122.3" << true;
    QTest::newRow("192.169 is public") << "192.169.0.1" << false;
    QTest::newRow("CGNAT low") << "100.64.0.1" << true;
    QTest::newRow("CGNAT high") << "100.127.255.254" << true;
    QTest::newRow("100.128 is public") << "100.128.0.1" << false;
    QTest::newRow("100.63 is public") << "100.63.255.255" << false;
    QTest::newRow("link-local v4") << "169.254.10.20" << true;
    QTest::newRow("loopback v4") << "127.0.0.1" << true;
    QTest::newRow("public v4") << "8.8.8.8" << false;
    QTest::newRow("public v4 2") << "93.184.216.34" << false;
    QTest::newRow("link-local v6") << "fe80::1" << true;
    QTest::newRow("link-local v6 /10 edge") << "febf::1" << true;
    QTest::newRow("fec0 is not link-local") << "fec0::1" << false;
    QTest::newRow("ULA fd") << "fd12:3456:789a::1" << true;
    QTest::newRow("ULA fc") << "fc00::1" << true;
    QTest::newRow("fe00 is public") << "fe00::1" << false;
    QTest::newRow("global v6") << "2001:db8::1" << false;
    QTest::newRow("global v6 2") << "2a00:1450:4001:81b::200e" << false;
    QTest::newRow("loopback v6") << "::1" << true;
    QTest::newRow("v4-mapped private") << "::ffff:192.168.1.1" << true;
    QTest::newRow("v4-mapped public") << "::ffff:8.8.8.8" << false;
    QTest::newRow("null") << "" << false;
    QTest::newRow("garbage") << "not-an-ip" << false;
}

void TestThisComputer::privateAddress()
{
    QFETCH(QString, address);
    QFETCH(bool, isPrivate);
    QCOMPARE(isPrivateAddress(QHostAddress(address)), isPrivate);
}

void TestThisComputer::addressTextDropsScope()
{
    QHostAddress scoped(QStringLiteral("fe80::1%eth0"));
    QCOMPARE(scoped.scopeId(), QStringLiteral("eth0"));
    QCOMPARE(addressText(scoped), QStringLiteral("fe80::1"));
    QCOMPARE(addressText(QHostAddress(QStringLiteral("10.0.0.1"))), QStringLiteral("10.0.0.1"));
}

QTEST_GUILESS_MAIN(TestThisComputer)
#include "tst_thiscomputer.moc"
