// The rules that pick host, user, port, jumps and key for a machine (contracts.md), pure
// and through the real store with a key association.

#include "inventory/inventorystore.h"
#include "keys/keyrepository.h"
#include "ssh/sshtargetresolver.h"
#include "sshtestserver.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;

namespace {

SshKey key(qint64 id, const QString &name)
{
    SshKey k;
    k.id = id;
    k.uuid = QStringLiteral("uuid-") + name;
    k.name = name;
    k.type = QStringLiteral("ssh-ed25519");
    k.fingerprint = QStringLiteral("SHA256:") + name;
    k.publicKey = QStringLiteral("ssh-ed25519 AAAA ") + name;
    return k;
}

Machine machine()
{
    Machine m;
    m.id = 7;
    m.name = QStringLiteral("web-1");
    m.publicIps = {QStringLiteral("203.0.113.5"), QStringLiteral("203.0.113.6")};
    m.privateIps = {QStringLiteral("10.0.0.5")};
    return m;
}

} // namespace

class TestSshTargetResolver : public QObject
{
    Q_OBJECT

private slots:
    void defaultsWithoutSettings()
    {
        SshSettingsInput in;
        in.machine = machine();
        auto s = SshTargetResolver::merge(in);
        QVERIFY(s.ok());
        QCOMPARE(s->endpoint.host, QStringLiteral("203.0.113.5"));
        QCOMPARE(s->endpoint.user, QStringLiteral("root"));
        QCOMPARE(s->endpoint.port, 22);
        QVERIFY(s->jumps.isEmpty());
        QVERIFY(!s->key);
        QVERIFY(s->useAgent);

        in.machine.publicIps.clear();
        QCOMPARE(SshTargetResolver::merge(in)->endpoint.host, QStringLiteral("10.0.0.5"));
        in.machine.privateIps.clear();
        QCOMPARE(SshTargetResolver::merge(in)->endpoint.host, QStringLiteral("web-1"));

        in.defaultKey = key(1, QStringLiteral("default"));
        s = SshTargetResolver::merge(in);
        QCOMPARE(s->key->name, QStringLiteral("default"));
        QVERIFY(!s->keyChosen);
    }

    void providerDefaults()
    {
        SshSettingsInput in;
        in.machine = machine();
        in.machine.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), QStringLiteral("web.example.com")},
                                                                    {QStringLiteral("port"), 2222},
                                                                    {QStringLiteral("user"), QStringLiteral("deploy")},
                                                                    {QStringLiteral("key"), QStringLiteral("uuid-extra")},
                                                                    {QStringLiteral("identity_file"), QStringLiteral("~/.ssh/id_web")},
                                                                    {QStringLiteral("proxy_jump"), QStringLiteral("bastion:2200,ops@[fd00::1]")}});
        in.extraKey = key(2, QStringLiteral("extra"));
        in.defaultKey = key(1, QStringLiteral("default"));
        auto s = SshTargetResolver::merge(in);
        QVERIFY2(s.ok(), qPrintable(s.error().toString()));
        QCOMPARE(s->endpoint.host, QStringLiteral("web.example.com"));
        QCOMPARE(s->endpoint.port, 2222);
        QCOMPARE(s->endpoint.user, QStringLiteral("deploy"));
        QCOMPARE(s->key->name, QStringLiteral("extra"));
        QVERIFY(s->keyChosen);
        QCOMPARE(s->identityFiles, QStringList{QDir::home().filePath(QStringLiteral(".ssh/id_web"))});
        QCOMPARE(s->jumps.size(), 2);
        QCOMPARE(s->jumps[0].host, QStringLiteral("bastion"));
        QCOMPARE(s->jumps[0].port, 2200);
        QCOMPARE(s->jumps[0].user, QStringLiteral("deploy"));
        QCOMPARE(s->jumps[1].host, QStringLiteral("fd00::1"));
        QCOMPARE(s->jumps[1].user, QStringLiteral("ops"));
        QCOMPARE(s->jumps[1].port, 22);
    }

    void associationOverridesFieldByField()
    {
        SshSettingsInput in;
        in.machine = machine();
        in.machine.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("port"), 2222},
                                                                    {QStringLiteral("user"), QStringLiteral("deploy")},
                                                                    {QStringLiteral("proxy_jump"), QStringLiteral("bastion")}});
        KeyAssociation a;
        a.machineId = 7;
        a.user = QStringLiteral("admin");   // port and jump not set: the provider's stay
        a.keyId = 3;
        in.association = a;
        in.associationKey = key(3, QStringLiteral("chosen"));
        in.defaultKey = key(1, QStringLiteral("default"));
        auto s = SshTargetResolver::merge(in);
        QVERIFY(s.ok());
        QCOMPARE(s->endpoint.user, QStringLiteral("admin"));
        QCOMPARE(s->endpoint.port, 2222);
        QCOMPARE(s->jumps.size(), 1);
        QCOMPARE(s->jumps[0].user, QStringLiteral("admin"));
        QCOMPARE(s->key->name, QStringLiteral("chosen"));

        a.port = 2020;
        a.proxyJump = QStringLiteral("none");
        a.keyId = 0;
        in.association = a;
        s = SshTargetResolver::merge(in);
        QCOMPARE(s->endpoint.port, 2020);
        QCOMPARE(s->jumps.size(), 0);   // "none" (as in ssh_config) switches the provider's jump off
        QCOMPARE(s->key->name, QStringLiteral("default"));
    }

    void badValues()
    {
        SshSettingsInput in;
        in.machine = machine();
        in.machine.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("proxy_jump"), QStringLiteral("user@[::1")}});
        QVERIFY(!SshTargetResolver::merge(in).ok());
        in.machine.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("proxy_jump"), QStringLiteral("host:99999")}});
        QVERIFY(!SshTargetResolver::merge(in).ok());
        in.machine.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("port"), 70000}});
        QVERIFY(!SshTargetResolver::merge(in).ok());
        QVERIFY(!parseEndpoint(QStringLiteral("  "), QStringLiteral("root")).ok());
        QCOMPARE(parseEndpoint(QStringLiteral("ssh://a@b:2"), {})->userHost(), QStringLiteral("a@b:2"));
    }

    void fromTheStore()
    {
        QTemporaryDir tmp;
        InventoryStore store;
        QVERIFY(store.open(tmp.filePath(QStringLiteral("inv.db"))).ok());
        Machine m = machine();
        m.externalId = QStringLiteral("web-1");
        const QString added = mist::test::addServerMachines(store, QStringLiteral("servers"), {m});
        QVERIFY2(added.isEmpty(), qPrintable(added));
        Machine stored = store.findMachine(QStringLiteral("web-1")).value();

        KeyRepository keys(store, QStringLiteral("test"));
        SshKey k = key(0, QStringLiteral("stored"));
        auto stored_key = keys.add(k, QStringLiteral("key.imported"));
        QVERIFY2(stored_key.ok(), qPrintable(stored_key.error().toString()));
        // The first key is the default: no association needed.
        auto s = SshTargetResolver::settings(store, stored);
        QVERIFY(s.ok());
        QCOMPARE(s->key->uuid, k.uuid);
        QVERIFY(!s->keyChosen);

        KeyAssociation a;
        a.machineId = stored.id;
        a.keyId = stored_key->id;
        a.user = QStringLiteral("ops");
        a.port = 2200;
        QVERIFY(keys.setAssociation(a).ok());
        s = SshTargetResolver::settings(store, stored);
        QVERIFY(s.ok());
        QCOMPARE(s->endpoint.user, QStringLiteral("ops"));
        QCOMPARE(s->endpoint.port, 2200);
        QVERIFY(s->keyChosen);

        // A chosen key whose private half is not in a keychain: a clear error.
        auto t = SshTargetResolver::target(s.value(), nullptr);
        QVERIFY(!t.ok());
    }
};

QTEST_GUILESS_MAIN(TestSshTargetResolver)
#include "tst_sshtargetresolver.moc"
