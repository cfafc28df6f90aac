#include "inventory/inventorystore.h"
#include "secrets/secretstore.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "testsupport.h"

#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>

using namespace mist;

// Round trips against a real Secret Service: the test command runs the suite inside
// dbus-run-session with an unlocked gnome-keyring-daemon.
class TestSecretStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    const QString m_service = QStringLiteral("mist-desktop-test-%1").arg(QCoreApplication::applicationPid());

    template <typename F>
    auto offGuiThread(F f)
    {
        // Keychain calls block; like the app, run them on a worker.
        return QtConcurrent::run(f).result();
    }

private slots:
    void initTestCase()
    {
        qputenv("MIST_KEYCHAIN_SERVICE", m_service.toUtf8());
        MIST_REQUIRE_KEYCHAIN();
    }

    void roundTrip()
    {
        const QString secret = QStringLiteral("pässwörd-%1-✓").arg(QDateTime::currentMSecsSinceEpoch());
        SecretStore store(m_service);
        QVERIFY(offGuiThread([&] { return store.write(QStringLiteral("owner-1"), QStringLiteral("token"), secret); }).ok());
        auto read = offGuiThread([&] { return store.read(QStringLiteral("owner-1"), QStringLiteral("token")); });
        QVERIFY2(read.ok(), qPrintable(read.error().toString()));
        QCOMPARE(read.value(), secret);
        QVERIFY(offGuiThread([&] { return store.remove(QStringLiteral("owner-1"), QStringLiteral("token")); }).ok());
        auto gone = offGuiThread([&] { return store.read(QStringLiteral("owner-1"), QStringLiteral("token")); });
        QVERIFY(!gone.ok());
        // Deleting what is not there is fine (removing a cloud twice, a half-added cloud).
        QVERIFY(offGuiThread([&] { return store.remove(QStringLiteral("owner-1"), QStringLiteral("token")); }).ok());
    }

    void cloudSecretGoesToKeychainOnlyAndLeavesWithTheCloud()
    {
        const QString secret = QStringLiteral("S3cr3t-%1").arg(QDateTime::currentMSecsSinceEpoch());
        const QString dataDir = m_dir.filePath(QStringLiteral("data"));
        auto location = DataLocation::resolve(dataDir);
        QVERIFY(location.ok());
        Cloud added;
        {
            AppCore core(location.value());
            QSignalSpy ready(&core, &AppCore::ready);
            core.start();
            QTRY_COMPARE(ready.size(), 1);

            Cloud c;
            c.name = QStringLiteral("kvm-secret");
            c.provider = QStringLiteral("libvirt");
            c.enabled = false;
            c.config.insert(QStringLiteral("uri"), QStringLiteral("test:///default"));
            c.config.insert(QStringLiteral("username"), QStringLiteral("ops"));
            bool done = false;
            core.addCloud(c, {{QStringLiteral("password"), secret}}, this, [&](Result<Cloud> r) {
                QVERIFY2(r.ok(), qPrintable(r.error().toString()));
                added = r.value();
                done = true;
            });
            QTRY_VERIFY(done);
            QCOMPARE(added.secretFields, QStringList{QStringLiteral("password")});
            SecretStore store(m_service);
            QCOMPARE(offGuiThread([&] { return store.read(added.uuid, QStringLiteral("password")); }).value(), secret);

            core.settings().sync();
            bool synced = false;
            core.store()->barrier(this, [&] { synced = true; });
            QTRY_VERIFY(synced);
            // Not in the database, its WAL, or the settings file.
            QCOMPARE(test::filesContaining(dataDir, secret.toUtf8()), QStringList());
            QVERIFY(!test::filesContaining(dataDir, QByteArrayLiteral("kvm-secret")).isEmpty());   // the scan works

            bool removed = false;
            core.removeCloud(added, this, [&](Result<bool> r) {
                QVERIFY(r.ok());
                removed = true;
            });
            QTRY_VERIFY(removed);
        }   // AppCore waits for its keychain work on destruction
        SecretStore store(m_service);
        QVERIFY(!offGuiThread([&] { return store.read(added.uuid, QStringLiteral("password")); }).ok());
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
