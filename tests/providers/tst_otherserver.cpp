// The "Other server" provider: probe parsing from captured outputs (tests/data/probe), the
// config forms it accepts, and — against the real OpenSSH server the harness starts on
// loopback — a poll that probes a reachable server, an unreachable one and one whose host
// key is not trusted yet.

#include "inventory/inventorystore.h"
#include "providers/otherserver/otherserverprovider.h"
#include "providers/otherserver/serverprobe.h"
#include "services/serverremoval.h"
#include "services/storehostkeys.h"
#include "sshtestserver.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace mist;

namespace {

QString fixture(const QString &name)
{
    QFile file(test::dataFile(QStringLiteral("probe/") + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(file.fileName()));
    return QString::fromUtf8(file.readAll());
}

const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);

// A store of known host keys in a temp dir (the user's ~/.ssh/known_hosts is not read), behind
// the serializing verifier the CLI uses: the provider probes servers in parallel.
struct HostKeys
{
    QTemporaryDir data;
    InventoryStore store;
    std::shared_ptr<HostKeyVerifier> verifier;

    bool open(StoreHostKeyVerifier::Policy policy)
    {
        if (!store.open(data.filePath(QStringLiteral("inventory.db"))).ok())
            return false;
        verifier = std::make_shared<SerializedHostKeyVerifier>(
            std::make_shared<StoreHostKeyVerifier>(store, policy, data.filePath(QStringLiteral("none"))));
        return true;
    }
};

} // namespace

class TestOtherServer : public QObject
{
    Q_OBJECT

private slots:
    void parsesDebian();
    void parsesMacOs();
    void brokenOutputGivesWhatItCan();
    void bootTimeIsStableAcrossProbes();
    void serversFromConfig();
    void validation_data();
    void validation();
    void allowedActions();
    void removeForgetsTheServer();
    void pollAgainstRealSshd();
    void pollRefusesUntrustedHostKey();
};

void TestOtherServer::parsesDebian()
{
    const ServerProbe p = ServerProbe::parse(fixture(QStringLiteral("debian12.txt")));
    QCOMPARE(p.hostname, QStringLiteral("web1"));
    QCOMPARE(p.kernelName, QStringLiteral("Linux"));
    QCOMPARE(p.kernelRelease, QStringLiteral("6.1.0-18-amd64"));
    QCOMPARE(p.arch, QStringLiteral("x86_64"));
    QCOMPARE(p.distro, QStringLiteral("Debian GNU/Linux 12 (bookworm)"));
    QCOMPARE(p.uptimeSeconds.value_or(-1), 350735);
    QCOMPARE(p.cores, 8);
    QCOMPARE(p.memTotalMb, 16318540 / 1024);
    QCOMPARE(p.memAvailableMb, 9120000 / 1024);
    QCOMPARE(p.disks.size(), 2);
    QCOMPARE(p.disks[0].mount, QStringLiteral("/"));
    QCOMPARE(p.disks[0].usedPercent, 53);
    QCOMPARE(p.disks[1].mount, QStringLiteral("/srv/data dir"));   // spaces in mount points survive
    QCOMPARE(p.disks[1].usedPercent, 85);
    QCOMPARE(p.ips, (QStringList{QStringLiteral("192.0.2.10"), QStringLiteral("10.0.0.5")}));

    Machine m;
    p.applyTo(m, kNow);
    QCOMPARE(m.os, QStringLiteral("Debian GNU/Linux 12 (bookworm)"));
    QCOMPARE(m.cores, 8);
    const QJsonObject probe = m.extra.value(QStringLiteral("probe")).toObject();
    QCOMPARE(probe.value(QStringLiteral("kernel")).toString(), QStringLiteral("Linux 6.1.0-18-amd64"));
    QCOMPARE(probe.value(QStringLiteral("disks")).toArray().size(), 2);
    QVERIFY(probe.contains(QStringLiteral("booted_at")));
}

void TestOtherServer::parsesMacOs()
{
    const ServerProbe p = ServerProbe::parse(fixture(QStringLiteral("macos.txt")));
    QCOMPARE(p.kernelName, QStringLiteral("Darwin"));
    QCOMPARE(p.cores, 10);
    QCOMPARE(p.memTotalMb, 16384);
    QCOMPARE(p.osDescription(), QStringLiteral("Darwin 23.4.0"));
    QCOMPARE(p.disks.size(), 1);
    QVERIFY(!p.uptimeSeconds);
}

void TestOtherServer::brokenOutputGivesWhatItCan()
{
    const ServerProbe p = ServerProbe::parse(fixture(QStringLiteral("broken.txt")));
    QCOMPARE(p.kernelName, QStringLiteral("Linux"));   // CRLF line ends are fine
    QCOMPARE(p.distro, QStringLiteral("Alpine 3.19.1"));
    QVERIFY(!p.uptimeSeconds);
    QCOMPARE(p.cores, 0);
    QCOMPARE(p.memTotalMb, 0);
    QVERIFY(p.disks.isEmpty());

    // Random bytes never crash the parser.
    QByteArray garbage(64 * 1024, '\0');
    for (int i = 0; i < garbage.size(); ++i)
        garbage[i] = char((i * 7919 + 13) % 256);
    ServerProbe::parse(QString::fromUtf8(garbage) + QStringLiteral("\n@@df\n@@uname\n\n"));
}

void TestOtherServer::bootTimeIsStableAcrossProbes()
{
    ServerProbe a;
    a.uptimeSeconds = 1000;
    ServerProbe b;
    b.uptimeSeconds = 1012;   // the next poll, 12 s later
    QCOMPARE(a.bootTime(kNow), b.bootTime(kNow.addSecs(12)));
}

void TestOtherServer::serversFromConfig()
{
    QJsonObject config{{QStringLiteral("host"), QStringLiteral("10.1.2.3")}, {QStringLiteral("port"), 2222},
                       {QStringLiteral("user"), QStringLiteral("deploy")}};
    config[QStringLiteral("hosts")] = QJsonArray{
        QJsonObject{{QStringLiteral("name"), QStringLiteral("db")}, {QStringLiteral("host"), QStringLiteral("db.internal")},
                    {QStringLiteral("proxy_jump"), QStringLiteral("jump@bastion:2200")}},
        QJsonObject{{QStringLiteral("name"), QStringLiteral("no host")}}};
    const QVector<ServerEntry> list = OtherServerProvider::servers(config);
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].name, QStringLiteral("10.1.2.3:2222"));
    QCOMPARE(list[0].endpoint.user, QStringLiteral("deploy"));
    QCOMPARE(list[1].name, QStringLiteral("db"));
    QCOMPARE(list[1].endpoint.user, QStringLiteral("root"));   // the default
    QCOMPARE(list[1].endpoint.port, 22);
    QCOMPARE(ServerEntry::fromJson(list[1].toJson()).proxyJump, QStringLiteral("jump@bastion:2200"));

    const QJsonObject withoutDb = OtherServerProvider::configWithout(config, QStringLiteral("db"));
    QCOMPARE(OtherServerProvider::servers(withoutDb).size(), 1);
    const QJsonObject withoutTop = OtherServerProvider::configWithout(config, QStringLiteral("10.1.2.3:2222"));
    QCOMPARE(OtherServerProvider::servers(withoutTop).size(), 1);
    QCOMPARE(OtherServerProvider::servers(withoutTop).first().name, QStringLiteral("db"));
    QCOMPARE(OtherServerProvider::configWithout(config, QStringLiteral("nope")), config);
}

void TestOtherServer::validation_data()
{
    QTest::addColumn<QJsonObject>("config");
    QTest::addColumn<QString>("error");   // empty: valid
    QTest::newRow("host") << QJsonObject{{QStringLiteral("host"), QStringLiteral("web1")}} << QString();
    QTest::newRow("nothing") << QJsonObject{} << QStringLiteral("host name");
    QTest::newRow("bad port") << QJsonObject{{QStringLiteral("host"), QStringLiteral("web1")}, {QStringLiteral("port"), 70000}}
                              << QStringLiteral("between 1 and 65535");
    QTest::newRow("option injection") << QJsonObject{{QStringLiteral("host"), QStringLiteral("-oProxyCommand=x")}}
                                      << QStringLiteral("not a valid host name");
    QTest::newRow("bad jump") << QJsonObject{{QStringLiteral("host"), QStringLiteral("web1")},
                                             {QStringLiteral("proxy_jump"), QStringLiteral("user@:99999")}}
                              << QStringLiteral("jump host");
    QTest::newRow("duplicate names") << QJsonObject{{QStringLiteral("hosts"), QJsonArray{
                                                        QJsonObject{{QStringLiteral("host"), QStringLiteral("a")}},
                                                        QJsonObject{{QStringLiteral("host"), QStringLiteral("a")}}}}}
                                     << QStringLiteral("Two servers");
}

void TestOtherServer::validation()
{
    QFETCH(QJsonObject, config);
    QFETCH(QString, error);
    const Status s = OtherServerProvider().validate(Credentials{config, {}, {}});
    if (error.isEmpty())
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
    else {
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(error), qPrintable(s.error().message));
    }
}

void TestOtherServer::allowedActions()
{
    Machine m;
    m.state = MachineState::Running;
    QCOMPARE(OtherServerProvider().allowedActions(m), QStringList{Action::Remove});   // no key: no reboot
    m.extra[QStringLiteral("ssh")] = QJsonObject{{QStringLiteral("identity_file"), QStringLiteral("/k")}};
    QCOMPARE(OtherServerProvider().allowedActions(m), (QStringList{Action::Reboot, Action::Remove}));
    m.state = MachineState::Unreachable;
    QCOMPARE(OtherServerProvider().allowedActions(m), QStringList{Action::Remove});
}

void TestOtherServer::removeForgetsTheServer()
{
    QTemporaryDir data;
    InventoryStore store;
    QVERIFY(store.open(data.filePath(QStringLiteral("inventory.db"))).ok());
    Cloud c;
    c.name = QStringLiteral("servers");
    c.provider = OtherServerProvider::Id;
    c.uuid = QStringLiteral("u1");
    c.config = QJsonObject{{QStringLiteral("host"), QStringLiteral("10.0.0.1")},
                           {QStringLiteral("hosts"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("db")},
                                                                            {QStringLiteral("host"), QStringLiteral("db.lan")}}}}};
    auto added = store.addCloud(c, QStringLiteral("test"));
    QVERIFY(added.ok());
    PollResult poll;
    poll.success = poll.complete = true;
    for (const ServerEntry &s : OtherServerProvider::servers(c.config)) {
        Machine m;
        m.externalId = m.name = s.name;
        m.state = MachineState::Running;
        poll.machines << m;
    }
    QVERIFY(store.applyPoll(added.value().id, poll, kNow).ok());
    auto db = store.findMachine(QStringLiteral("db"));
    QVERIFY(db.ok());

    // The first removal forgets the server in the config and the inventory, at once.
    auto removed = removeOtherServer(store, added.value(), db.value(), QStringLiteral("user"));
    QVERIFY2(removed.ok(), removed.ok() ? "" : qPrintable(removed.error().toString()));
    QCOMPARE(removed.value().machinesRemoved, QVector<qint64>{db.value().id});
    QVERIFY(!store.findMachine(QStringLiteral("db")).ok());
    QCOMPARE(OtherServerProvider::servers(store.cloud(added.value().id).value().config).size(), 1);
    // The next poll does not bring it back (the provider lists only what the config has).
    poll.machines.removeIf([](const Machine &m) { return m.name == QLatin1String("db"); });
    QVERIFY(store.applyPoll(added.value().id, poll, kNow.addSecs(60)).ok());
    QVERIFY(!store.findMachine(QStringLiteral("db")).ok());
    AuditQuery q;
    auto audit = store.audit(q);
    QVERIFY(std::any_of(audit.value().cbegin(), audit.value().cend(), [](const AuditEntry &e) {
        return e.action == QLatin1String("machine.removed") && e.target == QLatin1String("db") && e.actor == QLatin1String("user");
    }));

    // Removing the last server removes the cloud.
    auto last = store.findMachine(QStringLiteral("10.0.0.1"));
    QVERIFY(last.ok());
    removed = removeOtherServer(store, added.value(), last.value(), QStringLiteral("user"));
    QVERIFY(removed.ok());
    QCOMPARE(removed.value().cloudsRemoved, QVector<qint64>{added.value().id});
    QVERIFY(!store.cloud(added.value().id).ok());
}

void TestOtherServer::pollAgainstRealSshd()
{
    test::SshTestServer sshd;
    MIST_START_SSHD(sshd);
    HostKeys keys;
    QVERIFY(keys.open(StoreHostKeyVerifier::Policy::AcceptUnknown));
    auto verifier = keys.verifier;

    // One reachable server and one on a closed port.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 closedPort = closed.serverPort();
    closed.close();
    QJsonObject config;
    config[QStringLiteral("hosts")] = QJsonArray{
        QJsonObject{{QStringLiteral("name"), QStringLiteral("local")}, {QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                    {QStringLiteral("port"), sshd.port()}, {QStringLiteral("user"), sshd.user()},
                    {QStringLiteral("identity_file"), sshd.clientKeyPath()}},
        QJsonObject{{QStringLiteral("name"), QStringLiteral("gone")}, {QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                    {QStringLiteral("port"), closedPort}, {QStringLiteral("user"), sshd.user()}}};
    const PollResult r = OtherServerProvider().poll(Credentials{config, {}, verifier});
    QVERIFY(r.success);
    QVERIFY(r.complete);
    QCOMPARE(r.machines.size(), 2);
    const Machine &local = r.machines[0];
    QCOMPARE(local.state, MachineState::Running);
    QVERIFY2(local.cores > 0, "the probe read the core count of this machine");
    QVERIFY(local.memoryMb > 0);
    QVERIFY(!local.os.isEmpty());
    QVERIFY(local.extra.value(QStringLiteral("probe")).toObject().contains(QStringLiteral("booted_at")));
    QCOMPARE(local.privateIps, QStringList{QStringLiteral("127.0.0.1")});
    const Machine &gone = r.machines[1];
    QCOMPARE(gone.state, MachineState::Unreachable);
    QVERIFY(gone.extra.value(QStringLiteral("probe_error")).toString().contains(QStringLiteral("refused"), Qt::CaseInsensitive));
}

void TestOtherServer::pollRefusesUntrustedHostKey()
{
    test::SshTestServer sshd;
    MIST_START_SSHD(sshd);
    HostKeys keys;   // what polling uses: nobody to ask, unknown keys refused
    QVERIFY(keys.open(StoreHostKeyVerifier::Policy::RejectUnknown));
    auto verifier = keys.verifier;
    const QJsonObject config{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), sshd.port()},
                             {QStringLiteral("user"), sshd.user()}, {QStringLiteral("identity_file"), sshd.clientKeyPath()}};
    const PollResult r = OtherServerProvider().poll(Credentials{config, {}, verifier});
    QVERIFY(r.success);
    QCOMPARE(r.machines.size(), 1);
    QCOMPARE(r.machines[0].state, MachineState::Unknown);
    QVERIFY(r.machines[0].extra.value(QStringLiteral("probe_error")).toString().contains(QStringLiteral("host key")));
    QVERIFY(r.machines[0].os.isEmpty());
}

QTEST_GUILESS_MAIN(TestOtherServer)
#include "tst_otherserver.moc"
