#include "secrets/secretstore.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "testsupport.h"

#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>

using namespace mist;

// With no Secret Service reachable, secrets are refused with a clear message; nothing is
// written anywhere in plain text and no half-added cloud is left behind.
class TestNoKeychain : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void writeFailsClearly()
    {
        SecretStore store;
        const Status s = QtConcurrent::run([&] { return store.write(QStringLiteral("o"), QStringLiteral("f"), QStringLiteral("v")); }).result();
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(QStringLiteral("keychain")), qPrintable(s.error().toString()));
    }

    void cloudWithSecretIsNotAdded()
    {
        const QString secret = QStringLiteral("NoPlainText-%1").arg(QDateTime::currentMSecsSinceEpoch());
        const QString dataDir = m_dir.filePath(QStringLiteral("data"));
        AppCore core(DataLocation::resolve(dataDir).value());
        QSignalSpy ready(&core, &AppCore::ready);
        core.start();
        QTRY_COMPARE(ready.size(), 1);
        Cloud c;
        c.name = QStringLiteral("kvm");
        c.provider = QStringLiteral("libvirt");
        c.config.insert(QStringLiteral("uri"), QStringLiteral("test:///default"));
        std::optional<Result<Cloud>> result;
        core.addCloud(c, {{QStringLiteral("password"), secret}}, this, [&](Result<Cloud> r) { result = r; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
        QVERIFY(!result->ok());
        QVERIFY2(result->error().message.contains(QStringLiteral("keychain")), qPrintable(result->error().toString()));

        std::optional<QVector<Cloud>> clouds;
        core.store()->snapshot(this, [&](Result<InventorySnapshot> s) { clouds = s.value().clouds; });
        QTRY_VERIFY(clouds.has_value());
        for (const Cloud &cl : *clouds)
            QVERIFY(cl.name != QStringLiteral("kvm"));
        core.settings().sync();
        QCOMPARE(test::filesContaining(dataDir, secret.toUtf8()), QStringList());
        QCOMPARE(test::filesContaining(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation), secret.toUtf8()),
                 QStringList());
    }
};

int main(int argc, char **argv)
{
    // Point the session bus at nothing before anything connects to it.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/mist-test-bus");
    QCoreApplication app(argc, argv);
    TestNoKeychain test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_nokeychain.moc"
