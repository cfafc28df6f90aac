// `mist keys ...` end to end: the real binary (MIST_CLI_BINARY) with a temporary data
// folder per test and the real keychain of the test session (scripts/with-keyring.sh).

#include "clirunner.h"
#include "secrets/secretstore.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <optional>

using namespace mist;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

QByteArray describe(const Run &r)
{
    return QStringLiteral("exit %1\n--- stdout\n%2--- stderr\n%3").arg(r.code).arg(r.out, r.err).toUtf8();
}

std::optional<QJsonDocument> json(const QString &text)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    return doc;
}

} // namespace

class TestCliKeys : public QObject
{
    Q_OBJECT

    const QString m_service = QStringLiteral("mist-cli-keys-test-%1").arg(QCoreApplication::applicationPid());
    std::unique_ptr<QTemporaryDir> m_tmp;

    QString dataDir() const { return m_tmp->filePath(QStringLiteral("data")); }

    Run mist(const QStringList &args, const QByteArray &input = {}, const QProcessEnvironment &extra = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), m_service);
        env.insert(extra);
        const test::CliRun run = test::runMist(dataDir(), args, env, input, 120000);
        return Run{run.code, QString::fromUtf8(run.out), run.err};
    }

    QJsonArray keysJson()
    {
        const Run r = mist({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("-o"), QStringLiteral("json")});
        auto doc = json(r.out);
        if (r.code != 0 || !doc || !doc->isArray()) {
            qWarning() << describe(r);
            return {};
        }
        return doc->array();
    }

    QString sshKeygenFingerprint(const QString &publicKeyLine)
    {
        const QString file = m_tmp->filePath(QStringLiteral("probe.pub"));
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(publicKeyLine.toUtf8() + '\n');
        f.close();
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-lf"), file});
        p.waitForFinished(30000);
        return QString::fromUtf8(p.readAllStandardOutput()).section(QLatin1Char(' '), 1, 1);
    }

    bool needKeychain()
    {
        if (test::secretServiceAvailable())
            return true;
        if (qEnvironmentVariableIsSet("MIST_REQUIRE_KEYCHAIN"))
            qFatal("No Secret Service on the session bus; the test command should have started gnome-keyring-daemon");
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(QStringLiteral(MIST_CLI_BINARY)).isExecutable(), MIST_CLI_BINARY);
        qputenv("MIST_KEYCHAIN_SERVICE", m_service.toUtf8());
    }

    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void cleanup()
    {
        // Take this test's keys out of the keyring.
        if (test::secretServiceAvailable())
            for (const QJsonValue &k : keysJson())
                mist({QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("--yes"),
                      k.toObject().value(QStringLiteral("name")).toString()});
        m_tmp.reset();
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown sub") << QStringList{QStringLiteral("keys"), QStringLiteral("frob")} << 2 << QStringLiteral("unknown keys command");
        QTest::newRow("generate without name") << QStringList{QStringLiteral("keys"), QStringLiteral("generate")} << 2 << QStringLiteral("missing NAME");
        QTest::newRow("bad type") << QStringList{QStringLiteral("keys"), QStringLiteral("generate"), QStringLiteral("k"),
                                                 QStringLiteral("--type"), QStringLiteral("dsa")}
                                  << 2 << QStringLiteral("unknown key type");
        QTest::newRow("import without file") << QStringList{QStringLiteral("keys"), QStringLiteral("import"), QStringLiteral("k")} << 2
                                             << QStringLiteral("missing FILE");
        QTest::newRow("rename one arg") << QStringList{QStringLiteral("keys"), QStringLiteral("rename"), QStringLiteral("k")} << 2
                                        << QStringLiteral("missing NEW");
        QTest::newRow("show unknown") << QStringList{QStringLiteral("keys"), QStringLiteral("show"), QStringLiteral("nope")} << 1
                                      << QStringLiteral("No SSH key is called \"nope\"");
        QTest::newRow("import missing file") << QStringList{QStringLiteral("keys"), QStringLiteral("import"), QStringLiteral("k"),
                                                            QStringLiteral("/nonexistent/id_rsa")}
                                             << 1 << QStringLiteral("does not exist");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = mist(args);
        QVERIFY2(r.code == code, describe(r));
        QVERIFY2(r.err.contains(message), describe(r));
    }

    void helpListsKeys()
    {
        Run r = mist({QStringLiteral("--help")});
        QVERIFY2(r.code == 0 && r.out.contains(QLatin1String("keys generate NAME")), describe(r));
        r = mist({QStringLiteral("keys"), QStringLiteral("--help")});
        QVERIFY2(r.code == 0 && r.out.contains(QLatin1String("import NAME FILE")), describe(r));
    }

    void generateListShowDefaultDelete()
    {
        if (!needKeychain())
            QSKIP("no Secret Service on the session bus (run the tests through scripts/with-keyring.sh)");
        Run r = mist({QStringLiteral("keys"), QStringLiteral("generate"), QStringLiteral("first")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY2(r.out.contains(QLatin1String("Generated ssh-ed25519 key \"first\"")), describe(r));
        QVERIFY2(r.out.contains(QLatin1String("ssh-ed25519 AAAA")), describe(r));

        r = mist({QStringLiteral("-o"), QStringLiteral("json"), QStringLiteral("keys"), QStringLiteral("generate"),
                  QStringLiteral("second"), QStringLiteral("--type"), QStringLiteral("rsa")});
        QVERIFY2(r.code == 0, describe(r));
        auto second = json(r.out);
        QVERIFY2(second && second->isObject(), describe(r));
        QCOMPARE(second->object().value(QStringLiteral("type")).toString(), QStringLiteral("ssh-rsa"));
        QCOMPARE(second->object().value(QStringLiteral("bits")).toInt(), 4096);

        QJsonArray keys = keysJson();
        QCOMPARE(keys.size(), 2);
        QCOMPARE(keys.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("first"));
        QVERIFY(keys.at(0).toObject().value(QStringLiteral("default")).toBool());
        QVERIFY(!keys.at(1).toObject().value(QStringLiteral("default")).toBool());
        for (const QJsonValue &k : keys) {
            const QJsonObject o = k.toObject();
            QVERIFY(!o.contains(QStringLiteral("private_key")));
            QCOMPARE(sshKeygenFingerprint(o.value(QStringLiteral("public_key")).toString()),
                     o.value(QStringLiteral("fingerprint")).toString());
        }

        r = mist({QStringLiteral("keys"), QStringLiteral("show"), QStringLiteral("second")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY2(r.out.contains(second->object().value(QStringLiteral("fingerprint")).toString()), describe(r));
        QVERIFY2(r.out.contains(second->object().value(QStringLiteral("public_key")).toString()), describe(r));

        r = mist({QStringLiteral("keys"), QStringLiteral("default"), QStringLiteral("second")});
        QVERIFY2(r.code == 0, describe(r));
        keys = keysJson();
        QVERIFY(!keys.at(0).toObject().value(QStringLiteral("default")).toBool());
        QVERIFY(keys.at(1).toObject().value(QStringLiteral("default")).toBool());

        r = mist({QStringLiteral("keys")});   // = list, as a table
        QVERIFY2(r.code == 0 && r.out.contains(QLatin1String("first")) && r.out.contains(QLatin1String("FINGERPRINT")), describe(r));
        r = mist({QStringLiteral("keys"), QStringLiteral("-o"), QStringLiteral("csv")});
        QVERIFY2(r.code == 0 && r.out.startsWith(QLatin1String("id,name,type,bits,fingerprint,default")), describe(r));

        r = mist({QStringLiteral("keys"), QStringLiteral("rename"), QStringLiteral("first"), QStringLiteral("renamed")});
        QVERIFY2(r.code == 0, describe(r));

        // Deleting needs --yes without a terminal.
        const QString uuid = keys.at(0).toObject().value(QStringLiteral("uuid")).toString();
        r = mist({QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("renamed")});
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("--yes")), describe(r));
        SecretStore keychain(m_service);
        QVERIFY(keychain.read(QStringLiteral("key/") + uuid, QStringLiteral("private_key")).ok());
        r = mist({QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("renamed"), QStringLiteral("--yes")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY(!keychain.read(QStringLiteral("key/") + uuid, QStringLiteral("private_key")).ok());
        keys = keysJson();
        QCOMPARE(keys.size(), 1);
        QCOMPARE(keys.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("second"));

        // The audit log has the story.
        r = mist({QStringLiteral("audit"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        for (const char *action : {"key.generated", "key.default_set", "key.renamed", "key.deleted"})
            QVERIFY2(r.out.contains(QLatin1String(action)), describe(r));
    }

    void importWithPassphraseOnStdin()
    {
        if (!needKeychain())
            QSKIP("no Secret Service on the session bus (run the tests through scripts/with-keyring.sh)");
        const QString file = m_tmp->filePath(QStringLiteral("id_test"));
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                               QStringLiteral("-N"), QStringLiteral("stdin pass"), QStringLiteral("-f"), file});
        QVERIFY(p.waitForFinished(30000) && p.exitCode() == 0);

        Run r = mist({QStringLiteral("keys"), QStringLiteral("import"), QStringLiteral("imported"), file});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("--passphrase-stdin")), describe(r));
        r = mist({QStringLiteral("keys"), QStringLiteral("import"), QStringLiteral("imported"), file, QStringLiteral("--passphrase-stdin")},
                 "not the pass\n");
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("The passphrase is wrong")), describe(r));
        QVERIFY2(!r.err.contains(QLatin1String("not the pass")), describe(r));
        r = mist({QStringLiteral("keys"), QStringLiteral("import"), QStringLiteral("imported"), file + QStringLiteral(".pub")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("public key")), describe(r));
        QCOMPARE(keysJson().size(), 0);

        r = mist({QStringLiteral("-o"), QStringLiteral("json"), QStringLiteral("keys"), QStringLiteral("import"),
                  QStringLiteral("imported"), file, QStringLiteral("--passphrase-stdin")},
                 "stdin pass\n");
        QVERIFY2(r.code == 0, describe(r));
        auto key = json(r.out);
        QVERIFY2(key && key->isObject(), describe(r));
        QVERIFY(key->object().value(QStringLiteral("passphrase")).toBool());
        QFile pub(file + QStringLiteral(".pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QCOMPARE(key->object().value(QStringLiteral("public_key")).toString().section(QLatin1Char(' '), 0, 1),
                 QString::fromUtf8(pub.readAll()).section(QLatin1Char(' '), 0, 1));
        QCOMPARE(test::filesContaining(dataDir(), "stdin pass"), QStringList());
    }

    void withoutKeychainNothingIsWritten()
    {
        QProcessEnvironment noBus;
        noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/mist-cli-keys-test-bus"));
        const Run r = mist({QStringLiteral("keys"), QStringLiteral("generate"), QStringLiteral("nokeychain")}, {}, noBus);
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.contains(QLatin1String("keychain")) && r.err.contains(QLatin1String("not added")), describe(r));
        const Run list = mist({QStringLiteral("keys"), QStringLiteral("-o"), QStringLiteral("json")}, {}, noBus);
        const auto doc = json(list.out);
        QVERIFY2(list.code == 0 && doc && doc->isArray() && doc->array().isEmpty(), describe(list));
        QCOMPARE(test::filesContaining(dataDir(), "nokeychain"), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestCliKeys)
#include "tst_cli_keys.moc"
