// LibvirtProvider against the real libvirt library and its built-in test driver: the shared
// test:///default host and test-driver XML hosts from tests/data/libvirt. Every action is
// run for real and checked by polling again. Also covers local socket discovery.

#include "providers/libvirt/libvirtdiscovery.h"
#include "providers/libvirt/libvirtmapping.h"
#include "providers/libvirt/libvirtprovider.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

#include <libvirt/libvirt.h>

#include <optional>

using namespace mist;

namespace {

const QString FixturePath = QStringLiteral(MIST_TEST_DATA_DIR "/libvirt/testnode.xml");
const QString AuthFixturePath = QStringLiteral(MIST_TEST_DATA_DIR "/libvirt/authnode.xml");
const QString BrokenFixturePath = QStringLiteral(MIST_TEST_DATA_DIR "/libvirt/broken.xml");

Credentials credentials(const QString &uri, const QString &username = {}, const QString &password = {})
{
    Credentials c;
    c.config.insert(QStringLiteral("uri"), uri);
    if (!username.isEmpty())
        c.config.insert(QStringLiteral("username"), username);
    if (!password.isEmpty())
        c.secrets.insert(QStringLiteral("password"), password);
    return c;
}

std::optional<Machine> findByName(const PollResult &result, const QString &name)
{
    for (const Machine &m : result.machines) {
        if (m.name == name)
            return m;
    }
    return std::nullopt;
}

std::optional<Machine> findById(const PollResult &result, const QString &externalId)
{
    for (const Machine &m : result.machines) {
        if (m.externalId == externalId)
            return m;
    }
    return std::nullopt;
}

Machine vm(const QString &externalId, const QString &state, const QString &name = QStringLiteral("ghost"))
{
    Machine m;
    m.kind = MachineKind::Vm;
    m.externalId = externalId;
    m.parentExternalId = QStringLiteral("host");
    m.state = state;
    m.name = name;
    return m;
}

} // namespace

class TestLibvirtProvider : public QObject
{
    Q_OBJECT

private slots:
    void info();
    void validate_data();
    void validate();
    void resolveUriMakesTestUri();

    void stateMapping_data();
    void stateMapping();
    void versionText();
    void allowedActions_data();
    void allowedActions();

    void pollDefaultHost();
    void pollFixtureHost();
    void pollFixtureDomains_data();
    void pollFixtureDomains();
    void pollConcurrently();

    void action_data();
    void action();
    void renameKeepsIdentity();
    void destroyThenActOnGhost();
    void actionNotAllowed();
    void renameArguments_data();
    void renameArguments();
    void renameRunningRefusedByLibvirtState();
    void unknownDomain();
    void freshProviderRereadsFile();

    void badUris_data();
    void badUris();
    void authentication_data();
    void authentication();

    void discoveryFindsSockets();
    void discoveryDefaultsUseRuntimeDir();
};

void TestLibvirtProvider::info()
{
    const ProviderInfo info = LibvirtProvider().info();
    QCOMPARE(info.id, QStringLiteral("libvirt"));
    QCOMPARE(info.title, QStringLiteral("KVM (libvirt)"));
    QCOMPARE(info.category, QStringLiteral("Hypervisors"));
    QVERIFY(!info.singleton);
    QCOMPARE(info.fields.size(), 3);

    const FormField &uri = info.fields.at(0);
    QCOMPARE(uri.id, QStringLiteral("uri"));
    QCOMPARE(uri.type, FormField::Type::Url);
    QVERIFY(uri.required);
    QVERIFY(!uri.secret);
    QCOMPARE(uri.defaultValue.toString(), QStringLiteral("qemu:///system"));
    for (const char *mention : {"qemu:///system", "qemu+ssh://user@host/system", "test:///default", "XML"})
        QVERIFY2(uri.help.contains(QLatin1String(mention)), mention);

    const FormField &username = info.fields.at(1);
    QCOMPARE(username.id, QStringLiteral("username"));
    QCOMPARE(username.type, FormField::Type::Text);
    QVERIFY(!username.required);
    QVERIFY(!username.secret);

    const FormField &password = info.fields.at(2);
    QCOMPARE(password.id, QStringLiteral("password"));
    QCOMPARE(password.type, FormField::Type::Password);
    QVERIFY(!password.required);
    QVERIFY(password.secret);
}

void TestLibvirtProvider::validate_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("error");   // empty: valid

    QTest::newRow("system") << "qemu:///system" << "";
    QTest::newRow("session") << "qemu:///session" << "";
    QTest::newRow("ssh") << "qemu+ssh://root@kvm1.example.com/system?keyfile=/k" << "";
    QTest::newRow("test default") << "test:///default" << "";
    QTest::newRow("surrounding spaces") << "  qemu:///system  " << "";
    QTest::newRow("fixture path") << FixturePath << "";
    QTest::newRow("empty") << "" << "URI is required.";
    QTest::newRow("blank") << "   " << "URI is required.";
    QTest::newRow("words") << "foo bar" << "“foo bar” is not a libvirt URI.";
    QTest::newRow("no scheme") << "kvm1.example.com" << "“kvm1.example.com” is not a libvirt URI.";
    QTest::newRow("digit first") << "1qemu:///system" << "“1qemu:///system” is not a libvirt URI.";
    QTest::newRow("bad char in scheme") << "qemu_ssh://host/system" << "“qemu_ssh://host/system” is not a libvirt URI.";
    QTest::newRow("space in uri") << "qemu+ssh://ro ot@host/system" << "“qemu+ssh://ro ot@host/system” is not a valid libvirt URI.";
    QTest::newRow("missing file") << "/nonexistent.xml" << "The libvirt test-driver file /nonexistent.xml does not exist.";
    QTest::newRow("directory") << MIST_TEST_DATA_DIR << QStringLiteral("The libvirt test-driver file %1 cannot be read.").arg(MIST_TEST_DATA_DIR);
    QTest::newRow("missing test-driver file") << "test:///nonexistent.xml" << "The libvirt test-driver file /nonexistent.xml does not exist.";
    QTest::newRow("test-driver file") << "test://" + FixturePath << "";
    QTest::newRow("relative path") << "data/testnode.xml" << "“data/testnode.xml” is not a libvirt URI.";
}

void TestLibvirtProvider::validate()
{
    QFETCH(QString, uri);
    QFETCH(QString, error);
    const Status status = LibvirtProvider().validate(credentials(uri));
    if (error.isEmpty()) {
        QVERIFY2(status.ok(), qPrintable(status.error().toString()));
    } else {
        QVERIFY(!status.ok());
        // Messages are full sentences; the examples after the first sentence may change.
        QVERIFY2(status.error().message.startsWith(error), qPrintable(status.error().message));
    }
}

void TestLibvirtProvider::resolveUriMakesTestUri()
{
    const Result<QString> uri = libvirt::resolveUri(FixturePath);
    QVERIFY(uri.ok());
    QCOMPARE(*uri, QStringLiteral("test://") + FixturePath);
    QVERIFY(uri->startsWith(QLatin1String("test:///")));
    QCOMPARE(*libvirt::resolveUri(QStringLiteral(" qemu:///system ")), QStringLiteral("qemu:///system"));
}

void TestLibvirtProvider::stateMapping_data()
{
    QTest::addColumn<int>("libvirtState");
    QTest::addColumn<QString>("state");

    QTest::newRow("nostate") << int(VIR_DOMAIN_NOSTATE) << MachineState::Unknown;
    QTest::newRow("running") << int(VIR_DOMAIN_RUNNING) << MachineState::Running;
    QTest::newRow("blocked") << int(VIR_DOMAIN_BLOCKED) << MachineState::Running;
    QTest::newRow("paused") << int(VIR_DOMAIN_PAUSED) << MachineState::Paused;
    QTest::newRow("shutdown") << int(VIR_DOMAIN_SHUTDOWN) << MachineState::Pending;
    QTest::newRow("shutoff") << int(VIR_DOMAIN_SHUTOFF) << MachineState::Stopped;
    QTest::newRow("crashed") << int(VIR_DOMAIN_CRASHED) << MachineState::Error;
    QTest::newRow("pmsuspended") << int(VIR_DOMAIN_PMSUSPENDED) << MachineState::Suspended;
    QTest::newRow("future value") << 42 << MachineState::Unknown;
    QTest::newRow("negative") << -1 << MachineState::Unknown;
}

void TestLibvirtProvider::stateMapping()
{
    QFETCH(int, libvirtState);
    QFETCH(QString, state);
    QCOMPARE(libvirt::machineState(libvirtState), state);
}

void TestLibvirtProvider::versionText()
{
    QCOMPARE(libvirt::versionText(9000000), QStringLiteral("9.0.0"));
    QCOMPARE(libvirt::versionText(10010002), QStringLiteral("10.10.2"));
    QCOMPARE(libvirt::versionText(6000000 + 5 * 1000 + 17), QStringLiteral("6.5.17"));
}

void TestLibvirtProvider::allowedActions_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QStringList>("actions");

    const int vmKind = int(MachineKind::Vm);
    QTest::newRow("running") << vmKind << MachineState::Running
                             << QStringList{Action::Stop, Action::PowerOff, Action::Reboot, Action::Suspend, Action::Destroy};
    QTest::newRow("paused") << vmKind << MachineState::Paused
                            << QStringList{Action::Resume, Action::PowerOff, Action::Destroy};
    QTest::newRow("stopped") << vmKind << MachineState::Stopped
                             << QStringList{Action::Start, Action::Rename, Action::Destroy};
    QTest::newRow("pending") << vmKind << MachineState::Pending << QStringList{Action::PowerOff, Action::Destroy};
    QTest::newRow("error") << vmKind << MachineState::Error
                           << QStringList{Action::Start, Action::PowerOff, Action::Destroy};
    QTest::newRow("suspended") << vmKind << MachineState::Suspended
                               << QStringList{Action::Start, Action::PowerOff, Action::Destroy};
    QTest::newRow("unknown") << vmKind << MachineState::Unknown
                             << QStringList{Action::Start, Action::PowerOff, Action::Destroy};
    QTest::newRow("hypervisor") << int(MachineKind::Hypervisor) << MachineState::Running << QStringList{};
    QTest::newRow("hypervisor stopped") << int(MachineKind::Hypervisor) << MachineState::Stopped << QStringList{};
}

void TestLibvirtProvider::allowedActions()
{
    QFETCH(int, kind);
    QFETCH(QString, state);
    QFETCH(QStringList, actions);
    Machine m = vm(QStringLiteral("11111111-1111-4111-8111-111111111111"), state);
    m.kind = static_cast<MachineKind>(kind);
    QCOMPARE(LibvirtProvider().allowedActions(m), actions);
}

void TestLibvirtProvider::pollDefaultHost()
{
    LibvirtProvider provider;
    const PollResult result = provider.poll(credentials(QStringLiteral("test:///default")));
    QVERIFY2(result.success, qPrintable(result.error.toString()));
    QVERIFY(result.complete);
    QCOMPARE(result.machines.size(), 2);

    const std::optional<Machine> host = findById(result, QStringLiteral("host"));
    QVERIFY(host);
    QCOMPARE(host->kind, MachineKind::Hypervisor);
    QCOMPARE(host->state, MachineState::Running);
    QVERIFY(host->parentExternalId.isEmpty());
    QVERIFY(!host->name.isEmpty());
    QCOMPARE(host->cores, 16);            // the test driver's built-in node
    QCOMPARE(host->memoryMb, qint64(3072));
    QCOMPARE(host->extra.value(QStringLiteral("uri")).toString(), QStringLiteral("test:///default"));
    QCOMPARE(host->extra.value(QStringLiteral("hypervisor")).toString(), QStringLiteral("TEST"));
    unsigned long version = 0;
    QCOMPARE(virGetVersion(&version, nullptr, nullptr), 0);
    QCOMPARE(host->extra.value(QStringLiteral("libvirt_version")).toString(), libvirt::versionText(version));

    const std::optional<Machine> test = findByName(result, QStringLiteral("test"));
    QVERIFY(test);
    QCOMPARE(test->kind, MachineKind::Vm);
    QCOMPARE(test->externalId, QStringLiteral("6695eb01-f6a4-8304-79aa-97f2502e193f"));
    QCOMPARE(test->parentExternalId, host->externalId);
    QCOMPARE(test->state, MachineState::Running);
    QCOMPARE(test->cores, 2);
    QCOMPARE(test->memoryMb, qint64(8192));
    QCOMPARE(test->privateIps, QStringList{QStringLiteral("192.168.122.3")});
    QVERIFY(test->publicIps.isEmpty());
    QCOMPARE(test->extra.value(QStringLiteral("persistent")).toBool(), true);
    QCOMPARE(test->extra.value(QStringLiteral("autostart")).toBool(), false);
    QVERIFY(test->extra.value(QStringLiteral("domain_id")).toInt() > 0);
    QVERIFY(!test->extra.value(QStringLiteral("os_type")).toString().isEmpty());
    QCOMPARE(test->id, qint64(0));
    QCOMPARE(test->cloudId, qint64(0));
}

void TestLibvirtProvider::pollFixtureHost()
{
    LibvirtProvider provider;
    const PollResult result = provider.poll(credentials(FixturePath));
    QVERIFY2(result.success, qPrintable(result.error.toString()));
    QVERIFY(result.complete);
    QCOMPARE(result.machines.size(), 7);   // host + 6 domains

    const std::optional<Machine> host = findById(result, QStringLiteral("host"));
    QVERIFY(host);
    QCOMPARE(host->kind, MachineKind::Hypervisor);
    QCOMPARE(host->cores, 8);              // 1 node * 1 socket * 4 cores * 2 threads
    QCOMPARE(host->memoryMb, qint64(16384));
    QCOMPARE(host->extra.value(QStringLiteral("uri")).toString(), QStringLiteral("test://") + FixturePath);
    QCOMPARE(host->extra.value(QStringLiteral("cpu_mhz")).toInt(), 2400);

    int vms = 0;
    for (const Machine &m : result.machines) {
        if (m.kind != MachineKind::Vm)
            continue;
        ++vms;
        QCOMPARE(m.parentExternalId, QStringLiteral("host"));
    }
    QCOMPARE(vms, 6);
}

void TestLibvirtProvider::pollFixtureDomains_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("uuid");
    QTest::addColumn<QString>("state");
    QTest::addColumn<int>("cores");
    QTest::addColumn<qint64>("memoryMb");
    QTest::addColumn<QStringList>("privateIps");

    QTest::newRow("web-1") << "web-1" << "11111111-1111-4111-8111-111111111111" << MachineState::Running << 2
                           << qint64(2048) << QStringList{QStringLiteral("192.168.122.3")};
    QTest::newRow("web-2") << "web-2" << "22222222-2222-4222-8222-222222222222" << MachineState::Running << 4
                           << qint64(4096) << QStringList{};
    QTest::newRow("db-1") << "db-1" << "33333333-3333-4333-8333-333333333333" << MachineState::Stopped << 8
                          << qint64(8192) << QStringList{};
    QTest::newRow("batch-1") << "batch-1" << "44444444-4444-4444-8444-444444444444" << MachineState::Paused << 1
                             << qint64(1024) << QStringList{};
    QTest::newRow("broken-1") << "broken-1" << "55555555-5555-4555-8555-555555555555" << MachineState::Error << 1
                              << qint64(512) << QStringList{};
    QTest::newRow("sleepy-1") << "sleepy-1" << "66666666-6666-4666-8666-666666666666" << MachineState::Suspended
                              << 2 << qint64(1024) << QStringList{};
}

void TestLibvirtProvider::pollFixtureDomains()
{
    QFETCH(QString, name);
    QFETCH(QString, uuid);
    QFETCH(QString, state);
    QFETCH(int, cores);
    QFETCH(qint64, memoryMb);
    QFETCH(QStringList, privateIps);

    LibvirtProvider provider;
    const PollResult result = provider.poll(credentials(FixturePath));
    QVERIFY2(result.success, qPrintable(result.error.toString()));
    const std::optional<Machine> m = findByName(result, name);
    QVERIFY(m);
    QCOMPARE(m->kind, MachineKind::Vm);
    QCOMPARE(m->externalId, uuid);
    QCOMPARE(m->state, state);
    QCOMPARE(m->cores, cores);
    QCOMPARE(m->memoryMb, memoryMb);
    QCOMPARE(m->privateIps, privateIps);
    QVERIFY(m->publicIps.isEmpty());
    QCOMPARE(m->extra.value(QStringLiteral("persistent")).toBool(), true);
    QVERIFY(m->extra.contains(QStringLiteral("autostart")));
    const int domainId = m->extra.value(QStringLiteral("domain_id")).toInt();
    if (state == MachineState::Stopped)
        QCOMPARE(domainId, -1);
    else
        QVERIFY(domainId > 0);
    QCOMPARE(provider.allowedActions(*m), libvirt::vmActions(state));
}

void TestLibvirtProvider::pollConcurrently()
{
    // One provider serves many worker threads at once; they share its cached connection.
    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    QList<int> runs(16);
    const QList<PollResult> results = QtConcurrent::blockingMapped(runs, [&](int) { return provider.poll(c); });
    QCOMPARE(results.size(), 16);
    for (const PollResult &r : results) {
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(r.machines.size(), 7);
    }
}

void TestLibvirtProvider::action_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("fromState");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("toState");   // empty: the domain is gone

    QTest::newRow("start stopped") << "db-1" << MachineState::Stopped << Action::Start << MachineState::Running;
    QTest::newRow("stop running") << "web-1" << MachineState::Running << Action::Stop << MachineState::Stopped;
    QTest::newRow("power-off running") << "web-2" << MachineState::Running << Action::PowerOff << MachineState::Stopped;
    QTest::newRow("reboot running") << "web-1" << MachineState::Running << Action::Reboot << MachineState::Running;
    // web-2 has <on_reboot>destroy</on_reboot>, so only a real reboot leaves it stopped.
    QTest::newRow("reboot, on_reboot=destroy") << "web-2" << MachineState::Running << Action::Reboot
                                                << MachineState::Stopped;
    QTest::newRow("suspend running") << "web-1" << MachineState::Running << Action::Suspend << MachineState::Paused;
    QTest::newRow("resume paused") << "batch-1" << MachineState::Paused << Action::Resume << MachineState::Running;
    QTest::newRow("power-off paused") << "batch-1" << MachineState::Paused << Action::PowerOff << MachineState::Stopped;
    QTest::newRow("power-off crashed") << "broken-1" << MachineState::Error << Action::PowerOff << MachineState::Stopped;
    QTest::newRow("power-off pmsuspended") << "sleepy-1" << MachineState::Suspended << Action::PowerOff
                                           << MachineState::Stopped;
    QTest::newRow("destroy running") << "web-1" << MachineState::Running << Action::Destroy << QString();
    QTest::newRow("destroy stopped") << "db-1" << MachineState::Stopped << Action::Destroy << QString();
    QTest::newRow("destroy paused") << "batch-1" << MachineState::Paused << Action::Destroy << QString();
}

void TestLibvirtProvider::action()
{
    QFETCH(QString, name);
    QFETCH(QString, fromState);
    QFETCH(QString, action);
    QFETCH(QString, toState);

    LibvirtProvider provider;   // fresh: the fixture file is re-read, earlier rows do not leak in
    const Credentials c = credentials(FixturePath);
    const PollResult before = provider.poll(c);
    QVERIFY2(before.success, qPrintable(before.error.toString()));
    const std::optional<Machine> m = findByName(before, name);
    QVERIFY(m);
    QCOMPARE(m->state, fromState);
    QVERIFY(provider.allowedActions(*m).contains(action));

    const Status status = provider.runAction(c, *m, ActionRequest{action, {}});
    QVERIFY2(status.ok(), qPrintable(status.error().toString()));

    const PollResult after = provider.poll(c);
    QVERIFY2(after.success, qPrintable(after.error.toString()));
    const std::optional<Machine> now = findById(after, m->externalId);
    if (toState.isEmpty()) {
        QVERIFY2(!now, "destroyed domain still listed");
        QCOMPARE(after.machines.size(), before.machines.size() - 1);
    } else {
        QVERIFY(now);
        QCOMPARE(now->state, toState);
        QCOMPARE(now->name, name);
        QCOMPARE(after.machines.size(), before.machines.size());
    }
}

void TestLibvirtProvider::renameKeepsIdentity()
{
    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    const std::optional<Machine> db = findByName(provider.poll(c), QStringLiteral("db-1"));
    QVERIFY(db);
    QCOMPARE(db->state, MachineState::Stopped);

    const Status status = provider.runAction(c, *db, ActionRequest{Action::Rename, {{QStringLiteral("name"), QStringLiteral("  db-archive ")}}});
    QVERIFY2(status.ok(), qPrintable(status.error().toString()));

    const PollResult after = provider.poll(c);
    QVERIFY(!findByName(after, QStringLiteral("db-1")));
    const std::optional<Machine> renamed = findById(after, db->externalId);
    QVERIFY(renamed);
    QCOMPARE(renamed->name, QStringLiteral("db-archive"));
    QCOMPARE(renamed->state, MachineState::Stopped);

    // Renaming onto an existing domain's name is refused by libvirt, with its reason.
    Machine current = *renamed;
    const Status clash = provider.runAction(c, current, ActionRequest{Action::Rename, {{QStringLiteral("name"), QStringLiteral("web-1")}}});
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().message, QStringLiteral("Could not rename db-archive to web-1."));
    QVERIFY(!clash.error().detail.isEmpty());
    QCOMPARE(findById(provider.poll(c), db->externalId)->name, QStringLiteral("db-archive"));
}

void TestLibvirtProvider::destroyThenActOnGhost()
{
    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    const std::optional<Machine> web2 = findByName(provider.poll(c), QStringLiteral("web-2"));
    QVERIFY(web2);
    QVERIFY(provider.runAction(c, *web2, ActionRequest{Action::Destroy, {}}).ok());

    const Status again = provider.runAction(c, *web2, ActionRequest{Action::Stop, {}});
    QVERIFY(!again.ok());
    QCOMPARE(again.error().message, QStringLiteral("The machine no longer exists on test://%1.").arg(FixturePath));
}

void TestLibvirtProvider::actionNotAllowed()
{
    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    const PollResult before = provider.poll(c);
    const std::optional<Machine> web1 = findByName(before, QStringLiteral("web-1"));
    const std::optional<Machine> host = findById(before, QStringLiteral("host"));
    QVERIFY(web1 && host);

    const Status start = provider.runAction(c, *web1, ActionRequest{Action::Start, {}});
    QVERIFY(!start.ok());
    QCOMPARE(start.error().message, QStringLiteral("“Start” is not possible while web-1 is running."));

    const Status rename = provider.runAction(c, *web1, ActionRequest{Action::Rename, {{QStringLiteral("name"), QStringLiteral("x")}}});
    QVERIFY(!rename.ok());
    QCOMPARE(rename.error().message, QStringLiteral("“Rename” is not possible while web-1 is running."));

    const Status bogus = provider.runAction(c, *web1, ActionRequest{QStringLiteral("explode"), {}});
    QVERIFY(!bogus.ok());
    QVERIFY(bogus.error().message.contains(QLatin1String("is not possible")));

    const Status onHost = provider.runAction(c, *host, ActionRequest{Action::Reboot, {}});
    QVERIFY(!onHost.ok());
    QVERIFY(onHost.error().message.contains(QLatin1String("has no actions")));

    // Nothing was done.
    const PollResult after = provider.poll(c);
    QCOMPARE(findByName(after, QStringLiteral("web-1"))->state, MachineState::Running);
    QCOMPARE(after.machines.size(), before.machines.size());
}

void TestLibvirtProvider::renameArguments_data()
{
    QTest::addColumn<QVariantMap>("arguments");
    QTest::addColumn<QString>("error");

    QTest::newRow("missing") << QVariantMap{} << "Enter the new name of the machine.";
    QTest::newRow("empty") << QVariantMap{{QStringLiteral("name"), QString()}} << "Enter the new name of the machine.";
    QTest::newRow("blank") << QVariantMap{{QStringLiteral("name"), QStringLiteral("   ")}} << "Enter the new name of the machine.";
    QTest::newRow("slash") << QVariantMap{{QStringLiteral("name"), QStringLiteral("a/b")}} << "A machine name cannot contain “/”.";
}

void TestLibvirtProvider::renameArguments()
{
    QFETCH(QVariantMap, arguments);
    QFETCH(QString, error);

    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    const std::optional<Machine> db = findByName(provider.poll(c), QStringLiteral("db-1"));
    QVERIFY(db);
    const Status status = provider.runAction(c, *db, ActionRequest{Action::Rename, arguments});
    QVERIFY(!status.ok());
    QCOMPARE(status.error().message, error);
    QVERIFY(findByName(provider.poll(c), QStringLiteral("db-1")));
}

void TestLibvirtProvider::renameRunningRefusedByLibvirtState()
{
    // The caller's copy says stopped but the domain is running: the live state wins.
    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    std::optional<Machine> web1 = findByName(provider.poll(c), QStringLiteral("web-1"));
    QVERIFY(web1);
    web1->state = MachineState::Stopped;
    const Status status = provider.runAction(c, *web1, ActionRequest{Action::Rename, {{QStringLiteral("name"), QStringLiteral("web-9")}}});
    QVERIFY(!status.ok());
    QCOMPARE(status.error().message, QStringLiteral("web-1 must be stopped before it can be renamed."));
    QVERIFY(findByName(provider.poll(c), QStringLiteral("web-1")));
}

void TestLibvirtProvider::unknownDomain()
{
    LibvirtProvider provider;
    const Credentials c = credentials(FixturePath);
    const QString expected = QStringLiteral("The machine no longer exists on test://%1.").arg(FixturePath);

    const Status missing = provider.runAction(c, vm(QStringLiteral("99999999-9999-4999-8999-999999999999"), MachineState::Stopped),
                                              ActionRequest{Action::Start, {}});
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().message, expected);
    QVERIFY(!missing.error().detail.isEmpty());

    const Status malformed = provider.runAction(c, vm(QStringLiteral("not-a-uuid"), MachineState::Stopped),
                                                ActionRequest{Action::Start, {}});
    QVERIFY(!malformed.ok());
    QCOMPARE(malformed.error().message, expected);
}

void TestLibvirtProvider::freshProviderRereadsFile()
{
    // Actions live in the provider's cached connection: another provider instance opens
    // its own and sees the file's original state. This is why actions must share it.
    const Credentials c = credentials(FixturePath);
    LibvirtProvider first;
    const std::optional<Machine> web1 = findByName(first.poll(c), QStringLiteral("web-1"));
    QVERIFY(web1);
    QVERIFY(first.runAction(c, *web1, ActionRequest{Action::PowerOff, {}}).ok());
    QCOMPARE(findByName(first.poll(c), QStringLiteral("web-1"))->state, MachineState::Stopped);

    LibvirtProvider second;
    QCOMPARE(findByName(second.poll(c), QStringLiteral("web-1"))->state, MachineState::Running);
    QCOMPARE(findByName(first.poll(c), QStringLiteral("web-1"))->state, MachineState::Stopped);
}

void TestLibvirtProvider::badUris_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("message");

    QTest::newRow("words") << "foo bar" << "“foo bar” is not a libvirt URI.";
    QTest::newRow("refused port") << "qemu+tcp://127.0.0.1:1/system"
                                  << "Could not connect to the hypervisor at qemu+tcp://127.0.0.1:1/system.";
    QTest::newRow("missing file") << "/nonexistent.xml" << "The libvirt test-driver file /nonexistent.xml does not exist.";
    QTest::newRow("missing test file") << "test:///nonexistent/host.xml"
                                       << "The libvirt test-driver file /nonexistent/host.xml does not exist.";
    QTest::newRow("broken test file") << "test://" + BrokenFixturePath
                                      << "Could not connect to the hypervisor at test://" + BrokenFixturePath + ".";
    QTest::newRow("unknown driver") << "nosuchdriver:///system"
                                    << "Could not connect to the hypervisor at nosuchdriver:///system.";
}

void TestLibvirtProvider::badUris()
{
    QFETCH(QString, uri);
    QFETCH(QString, message);

    LibvirtProvider provider;
    const Credentials c = credentials(uri);
    QElapsedTimer timer;
    timer.start();
    const PollResult result = provider.poll(c);
    QVERIFY(!result.success);
    QVERIFY(result.machines.isEmpty());
    QVERIFY2(result.error.message.startsWith(message), qPrintable(result.error.toString()));
    if (message.startsWith(QLatin1String("Could not connect")))
        QVERIFY2(!result.error.detail.isEmpty(), "libvirt's reason should be the detail");

    const Status action = provider.runAction(c, vm(QStringLiteral("11111111-1111-4111-8111-111111111111"), MachineState::Stopped),
                                             ActionRequest{Action::Start, {}});
    QVERIFY(!action.ok());
    QVERIFY2(action.error().message.startsWith(message), qPrintable(action.error().toString()));
    QVERIFY2(timer.elapsed() < 10000, "a refused connection must fail fast");
}

void TestLibvirtProvider::authentication_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("error");   // empty: accepted

    const QString rejected = QStringLiteral("The hypervisor at test://%1 did not accept the username or password.")
                                 .arg(AuthFixturePath);
    QTest::newRow("right") << "alice" << "s3cret" << QString();
    QTest::newRow("wrong password") << "alice" << "nope" << rejected;
    QTest::newRow("unknown user") << "mallory" << "s3cret" << rejected;
    QTest::newRow("no password") << "alice" << "" << rejected;
    QTest::newRow("nothing") << "" << ""
                             << QStringLiteral("The hypervisor at test://%1 asks for a username and password.")
                                    .arg(AuthFixturePath);
}

void TestLibvirtProvider::authentication()
{
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QString, error);

    LibvirtProvider provider;
    const PollResult result = provider.poll(credentials(AuthFixturePath, username, password));
    QCOMPARE(result.success, error.isEmpty());
    if (error.isEmpty()) {
        QCOMPARE(result.machines.size(), 2);
        QVERIFY(findByName(result, QStringLiteral("private-1")));
    } else {
        QCOMPARE(result.error.message, error);
        QVERIFY(!result.error.detail.isEmpty());
        QVERIFY(!result.error.toString().contains(QLatin1String("s3cret")));
    }
}

void TestLibvirtProvider::discoveryFindsSockets()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QLocalServer system;
    QLocalServer session;
    QVERIFY(system.listen(dir.filePath(QStringLiteral("libvirt-sock"))));
    QVERIFY(session.listen(dir.filePath(QStringLiteral("virtqemud-sock"))));
    QFile plain(dir.filePath(QStringLiteral("not-a-socket")));
    QVERIFY(plain.open(QIODevice::WriteOnly));
    plain.close();

    const QString sys = QStringLiteral("qemu:///system");
    const QString ses = QStringLiteral("qemu:///session");
    QCOMPARE(discoverLocalLibvirtUris({{dir.filePath(QStringLiteral("missing-sock")), sys},
                                       {system.fullServerName(), sys},
                                       {session.fullServerName(), ses}}),
             (QStringList{sys, ses}));
    // A regular file is not a daemon; duplicates collapse; order follows the candidates.
    QCOMPARE(discoverLocalLibvirtUris({{plain.fileName(), sys}, {session.fullServerName(), ses},
                                       {system.fullServerName(), sys}, {system.fullServerName(), sys}}),
             (QStringList{ses, sys}));
    QVERIFY(discoverLocalLibvirtUris({{plain.fileName(), sys}, {dir.path(), ses}, {QString(), sys}}).isEmpty());

    system.close();   // removes the socket file
    QCOMPARE(discoverLocalLibvirtUris({{system.fullServerName(), sys}, {session.fullServerName(), ses}}),
             QStringList{ses});
}

void TestLibvirtProvider::discoveryDefaultsUseRuntimeDir()
{
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    QVERIFY(QDir(runtime.path()).mkpath(QStringLiteral("libvirt")));
    const QByteArray saved = qgetenv("XDG_RUNTIME_DIR");
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    auto restore = qScopeGuard([&] {
        if (saved.isNull())
            qunsetenv("XDG_RUNTIME_DIR");
        else
            qputenv("XDG_RUNTIME_DIR", saved);
    });

    const QVector<LibvirtSocketCandidate> candidates = defaultLibvirtSocketCandidates();
    bool hasSystem = false;
    for (const LibvirtSocketCandidate &candidate : candidates)
        hasSystem |= candidate.socketPath == QLatin1String("/var/run/libvirt/libvirt-sock")
            && candidate.uri == QLatin1String("qemu:///system");
    QVERIFY(hasSystem);

    QVERIFY(!discoverLocalLibvirtUris().contains(QStringLiteral("qemu:///session")));
    QLocalServer session;
    QVERIFY(session.listen(runtime.filePath(QStringLiteral("libvirt/virtqemud-sock"))));
    QVERIFY(discoverLocalLibvirtUris().contains(QStringLiteral("qemu:///session")));
}

QTEST_GUILESS_MAIN(TestLibvirtProvider)
#include "tst_libvirtprovider.moc"
