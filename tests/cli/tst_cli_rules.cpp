// `mist rules`, end to end with the real binary: add/list/enable/disable/remove against
// alerts.json, secret webhook headers in the real keychain (and never on disk), history
// from alerts.db, and clear errors for bad input.

#include "alerts/alertrule.h"
#include "inventory/inventorystore.h"
#include "secrets/secretstore.h"

#include "clirunner.h"
#include "sshtestserver.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

class TestCliRules : public QObject
{
    Q_OBJECT

    const QString m_service = QStringLiteral("mist-cli-rules-test-%1").arg(QCoreApplication::applicationPid());
    QTemporaryDir m_tmp;
    qint64 m_web1 = 0;

    QString dataDir() const { return m_tmp.filePath(QStringLiteral("data")); }

    CliRun mist(const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), m_service);
        env.insert(QStringLiteral("HOME"), m_tmp.path());
        return runMist(dataDir(), args, env);
    }

    QJsonArray rulesJson()
    {
        const CliRun r = mist({QStringLiteral("rules"), QStringLiteral("list"), QStringLiteral("-o"), QStringLiteral("json")});
        if (r.code != 0)
            qWarning() << r.describe();
        return QJsonDocument::fromJson(r.out).array();
    }

    AlertRuleBook book()
    {
        auto b = AlertRuleBook::load(AlertRuleBook::filePath(dataDir()));
        if (!b)
            qWarning() << b.error().toString();
        return b ? b.value() : AlertRuleBook{};
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(QStringLiteral(MIST_CLI_BINARY)).isExecutable(), MIST_CLI_BINARY);
        QVERIFY(QDir().mkpath(dataDir()));
        InventoryStore store;
        QVERIFY(store.open(dataDir() + QStringLiteral("/inventory.db")).ok());
        Machine web1;
        web1.externalId = web1.name = QStringLiteral("web1");
        Machine web2 = web1;
        web2.externalId = web2.name = QStringLiteral("web2");
        const QString added = addServerMachines(store, QStringLiteral("servers"), {web1, web2});
        QVERIFY2(added.isEmpty(), qPrintable(added));
        auto found = store.findMachine(QStringLiteral("web1"));
        QVERIFY(found.ok());
        m_web1 = found->id;
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("text");
        const QStringList base{QStringLiteral("rules"), QStringLiteral("add"), QStringLiteral("r")};
        const QStringList target{QStringLiteral("--machine"), QStringLiteral("web1")};
        const QStringList notify{QStringLiteral("--notify")};
        QTest::newRow("unknown sub") << QStringList{QStringLiteral("rules"), QStringLiteral("frob")} << 2 << QStringLiteral("frob");
        QTest::newRow("no name") << QStringList{QStringLiteral("rules"), QStringLiteral("add")} << 2 << QStringLiteral("NAME");
        QTest::newRow("no condition") << base + target + notify << 2 << QStringLiteral("exactly one condition");
        QTest::newRow("two conditions") << base + QStringList{"--metric", "cpu.percent", "--above", "1", "--below", "2"} + target + notify
                                        << 2 << QStringLiteral("exactly one condition");
        QTest::newRow("no metric") << base + QStringList{"--above", "90"} + target + notify << 2 << QStringLiteral("--metric");
        QTest::newRow("threshold not a number") << base + QStringList{"--metric", "cpu.percent", "--above", "ninety"} + target + notify
                                                << 2 << QStringLiteral("ninety");
        QTest::newRow("bad duration") << base + QStringList{"--metric", "cpu.percent", "--above", "9", "--for", "soon"} + target + notify
                                      << 2 << QStringLiteral("soon");
        QTest::newRow("bad aggregate") << base + QStringList{"--metric", "cpu.percent", "--above", "9", "--aggregate", "median"} + target
                                              + notify
                                       << 2 << QStringLiteral("median");
        QTest::newRow("impossible") << base + QStringList{"--metric", "cpu.percent", "--above", "150"} + target + notify << 2
                                    << QStringLiteral("percentage");
        QTest::newRow("no action") << base + QStringList{"--metric", "cpu.percent", "--above", "9"} + target << 2
                                   << QStringLiteral("at least one action");
        QTest::newRow("no target") << base + QStringList{"--metric", "cpu.percent", "--above", "9"} + notify << 2
                                   << QStringLiteral("--machine");
        QTest::newRow("unknown machine") << base + QStringList{"--metric", "cpu.percent", "--above", "9", "--machine", "nosuch"} + notify
                                         << 1 << QStringLiteral("nosuch");
        QTest::newRow("bad tag") << base + QStringList{"--metric", "cpu.percent", "--above", "9", "--tag", "prod"} + notify << 2
                                 << QStringLiteral("KEY=VALUE");
        QTest::newRow("ftp webhook") << base + QStringList{"--state-changed", "--webhook", "ftp://x/y"} + target << 2
                                     << QStringLiteral("http");
        QTest::newRow("GET webhook") << base + QStringList{"--state-changed", "--webhook", "http://x/y", "--method", "GET"} + target
                                     << 2 << QStringLiteral("POST or PUT");
        QTest::newRow("header without webhook") << base + QStringList{"--state-changed", "--header", "A: b"} + target + notify << 2
                                                << QStringLiteral("--webhook");
        QTest::newRow("on-resolve alone") << base + QStringList{"--state-changed", "--on-resolve", "--command", "true"} + target << 2
                                          << QStringLiteral("--on-resolve");
        QTest::newRow("bad header") << base + QStringList{"--state-changed", "--webhook", "http://x/y", "--header", "nocolon"} + target
                                    << 2 << QStringLiteral("NAME: VALUE");
        QTest::newRow("credentials in a plain header")
            << base + QStringList{"--state-changed", "--webhook", "http://x/y", "--header", "Authorization: Bearer abc"} + target << 2
            << QStringLiteral("secret header");
        QTest::newRow("destroy without opt-in") << base + QStringList{"--state-changed", "--lifecycle", "destroy"} + target << 2
                                                << QStringLiteral("destructive");
        QTest::newRow("state with metric") << base + QStringList{"--state-changed", "--metric", "cpu.percent"} + target + notify << 2
                                           << QStringLiteral("no --metric");
        QTest::newRow("remove unknown") << QStringList{QStringLiteral("rules"), QStringLiteral("remove"), QStringLiteral("nosuch")} << 1
                                        << QStringLiteral("nosuch");
        QTest::newRow("enable unknown") << QStringList{QStringLiteral("rules"), QStringLiteral("enable"), QStringLiteral("nosuch")} << 1
                                        << QStringLiteral("nosuch");
        QTest::newRow("history limit") << QStringList{QStringLiteral("rules"), QStringLiteral("history"), QStringLiteral("--limit"),
                                                      QStringLiteral("x")}
                                       << 2 << QStringLiteral("--limit");
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, text);
        const CliRun r = mist(args);
        QVERIFY2(r.code == code, r.describe());
        QVERIFY2(r.err.contains(text), r.describe());
        QVERIFY(book().rules().isEmpty());   // nothing half-added
    }

    void addListEnableDisableRemove()
    {
        CliRun r = mist({"rules", "add", "CPU high", "--metric", "cpu.percent", "--aggregate", "max", "--above", "90", "--window",
                         "10m", "--for", "2m", "--machine", "web1", "--tag", "env=prod", "--notify", "--on-resolve",
                         "--command", "uptime", "--renotify", "30m", "--cooldown", "10m"});
        QVERIFY2(r.code == 0, r.describe());
        QVERIFY2(r.out.contains("CPU high"), r.describe());
        r = mist({"rules", "add", "Silent", "--metric", "uptime.seconds", "--no-data", "5m", "--machine", "web2",
                  "--lifecycle", "reboot", "--disabled"});
        QVERIFY2(r.code == 0, r.describe());
        r = mist({"rules", "add", "cpu HIGH", "--state-changed", "--machine", "web1", "--notify"});
        QVERIFY2(r.code == 2 && r.err.contains("already exists"), r.describe());

        AlertRuleBook b = book();
        QCOMPARE(b.rules().size(), 2);
        const AlertRule *cpu = b.find(QStringLiteral("CPU high"));
        QVERIFY(cpu);
        QCOMPARE(cpu->rule.condition.kind, RuleCondition::Kind::Threshold);
        QCOMPARE(cpu->rule.condition.aggregate, RuleCondition::Aggregate::Max);
        QCOMPARE(cpu->rule.condition.compare, RuleCondition::Compare::Greater);
        QCOMPARE(cpu->rule.condition.threshold, 90.0);
        QCOMPARE(cpu->rule.condition.windowMs, 10 * 60 * 1000);
        QCOMPARE(cpu->rule.condition.forMs, 2 * 60 * 1000);
        QCOMPARE(cpu->rule.renotifyMs, 30 * 60 * 1000);
        QCOMPARE(cpu->rule.cooldownMs, 10 * 60 * 1000);
        QCOMPARE(cpu->machineIds, QVector<qint64>{m_web1});
        QCOMPARE(cpu->tags, QStringList{QStringLiteral("env=prod")});
        QCOMPARE(cpu->actions.size(), 2);
        QVERIFY(cpu->actions.at(0).onResolve);
        QCOMPARE(cpu->actions.at(1).command, QStringLiteral("uptime"));
        const AlertRule *silent = b.find(QStringLiteral("Silent"));
        QVERIFY(silent);
        QVERIFY(!silent->rule.enabled);
        QCOMPARE(silent->rule.condition.kind, RuleCondition::Kind::NoData);
        QCOMPARE(silent->rule.condition.forMs, 5 * 60 * 1000);

        // The table names machines; CSV and JSON carry the same rules.
        r = mist({"rules", "list"});
        QVERIFY2(r.code == 0 && r.out.contains("web1") && r.out.contains("tag env=prod") && r.out.contains("max over 10m > 90"),
                 r.describe());
        r = mist({"rules", "-o", "csv"});
        QVERIFY2(r.code == 0 && r.out.startsWith("id,name,enabled,condition,targets,actions"), r.describe());
        QJsonArray all = rulesJson();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("CPU high"));

        r = mist({"rules", "enable", "Silent"});
        QVERIFY2(r.code == 0, r.describe());
        r = mist({"rules", "disable", cpu->rule.id});   // by id as well
        QVERIFY2(r.code == 0, r.describe());
        b = book();
        QVERIFY(b.find(QStringLiteral("Silent"))->rule.enabled);
        QVERIFY(!b.find(QStringLiteral("CPU high"))->rule.enabled);

        r = mist({"rules", "remove", "CPU high", "Silent", "silent"});   // named twice: removed once
        QVERIFY2(r.code == 0, r.describe());
        QVERIFY(book().rules().isEmpty());
        r = mist({"rules"});
        QVERIFY2(r.code == 0 && r.out.contains("No alert rules"), r.describe());
    }

    void secretHeadersGoToTheKeychain()
    {
        MIST_REQUIRE_KEYCHAIN();
        const QByteArray secret = "Bearer s3cr3t-" + QByteArray::number(QCoreApplication::applicationPid());
        CliRun r = mist({"rules", "add", "Hook", "--state-changed", "--to", "stopped", "--tag", "env=prod", "--webhook",
                         "https://hooks.example.com/alert", "--method", "put", "--header", "X-Team: ops", "--secret-header",
                         "Authorization: " + QString::fromLatin1(secret), "--body", "{\"text\": \"{{message}}\"}"});
        QVERIFY2(r.code == 0, r.describe());
        QVERIFY2(!r.out.contains(secret) && !r.err.contains(QString::fromLatin1(secret)), r.describe());

        const AlertRuleBook b = book();
        const AlertRule *hook = b.find(QStringLiteral("Hook"));
        QVERIFY(hook);
        QCOMPARE(hook->actions.size(), 1);
        const AlertAction &a = hook->actions.at(0);
        QCOMPARE(a.method, QStringLiteral("PUT"));
        QCOMPARE(a.secretHeaderNames, QStringList{QStringLiteral("Authorization")});
        QCOMPARE(a.headers.size(), 1);
        QCOMPARE(a.headers.at(0).second, QStringLiteral("ops"));
        QCOMPARE(a.bodyTemplate, QStringLiteral("{\"text\": \"{{message}}\"}"));

        // The value is in the keychain, and in no file of the data folder.
        SecretStore keychain(m_service);
        const QString owner = QStringLiteral("alert/") + hook->rule.id;
        auto value = keychain.read(owner, QStringLiteral("header:Authorization"));
        QVERIFY2(value.ok(), qPrintable(value.error().toString()));
        QCOMPARE(value.value(), QString::fromLatin1(secret));
        QCOMPARE(filesContaining(m_tmp.path(), secret), QStringList());

        // Removing the rule takes the secret out of the keychain.
        r = mist({"rules", "remove", "Hook"});
        QVERIFY2(r.code == 0, r.describe());
        value = keychain.read(owner, QStringLiteral("header:Authorization"));
        QVERIFY(!value.ok());

        // NAME alone: the value comes from stdin, so it is on no command line.
        const QByteArray piped = "stdin-" + secret;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), m_service);
        env.insert(QStringLiteral("HOME"), m_tmp.path());
        r = runMist(dataDir(), {"rules", "add", "Piped", "--state-changed", "--tag", "env=prod", "--webhook", "https://h.example/x",
                                "--secret-header", "X-Api-Key"},
                    env, piped + '\n');
        QVERIFY2(r.code == 0, r.describe());
        const QString pipedId = book().find(QStringLiteral("Piped"))->rule.id;
        value = keychain.read(QStringLiteral("alert/") + pipedId, QStringLiteral("header:X-Api-Key"));
        QVERIFY2(value.ok() && value.value() == QString::fromLatin1(piped), qPrintable(value.ok() ? value.value() : value.error().toString()));
        QCOMPARE(filesContaining(m_tmp.path(), piped), QStringList());
        r = runMist(dataDir(), {"rules", "add", "Empty", "--state-changed", "--tag", "env=prod", "--webhook", "https://h.example/x",
                                "--secret-header", "X-Api-Key"},
                    env, QByteArray());
        QVERIFY2(r.code == 2 && r.err.contains("no value"), r.describe());
        QVERIFY2(mist({"rules", "remove", "Piped"}).code == 0, "remove");
        QVERIFY(!keychain.read(QStringLiteral("alert/") + pipedId, QStringLiteral("header:X-Api-Key")).ok());
    }

    void history()
    {
        CliRun r = mist({"rules", "history"});   // no alerts.db yet
        QVERIFY2(r.code == 0 && r.out.contains("No alert history"), r.describe());
        QVERIFY(!QFileInfo::exists(AlertHistory::filePath(dataDir())));

        r = mist({"rules", "add", "Disk", "--metric", "disk.used_percent", "--label", "/", "--above", "80", "--machine", "web1",
                  "--notify"});
        QVERIFY2(r.code == 0, r.describe());
        const QString diskId = book().find(QStringLiteral("Disk"))->rule.id;
        {
            AlertHistory h;
            QVERIFY(h.open(AlertHistory::filePath(dataDir())).ok());
            AlertHistoryEntry e;
            e.atMs = QDateTime::currentMSecsSinceEpoch() - 60000;
            e.ruleId = diskId;
            e.ruleName = QStringLiteral("Disk");
            e.machineId = m_web1;
            e.machineName = QStringLiteral("web1");
            e.event = QStringLiteral("fired");
            e.message = QStringLiteral("Disk: disk.used_percent avg is 93");
            QVERIFY(h.append(e).ok());
            e.atMs += 1000;
            e.event = QStringLiteral("action");
            e.action = QStringLiteral("webhook");
            e.success = false;
            e.message = QStringLiteral("HTTP 500");
            QVERIFY(h.append(e).ok());
            e.ruleId = QStringLiteral("other");
            e.ruleName = QStringLiteral("Other");
            e.event = QStringLiteral("resolved");
            QVERIFY(h.append(e).ok());
        }
        r = mist({"rules", "history", "Disk", "-o", "json"});
        QVERIFY2(r.code == 0, r.describe());
        const QJsonArray entries = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).toObject().value(QStringLiteral("event")).toString(), QStringLiteral("action"));   // newest first
        QCOMPARE(entries.at(0).toObject().value(QStringLiteral("success")).toBool(), false);
        QCOMPARE(entries.at(0).toObject().value(QStringLiteral("message")).toString(), QStringLiteral("HTTP 500"));
        QCOMPARE(entries.at(1).toObject().value(QStringLiteral("event")).toString(), QStringLiteral("fired"));
        r = mist({"rules", "history", "--limit", "1"});
        QVERIFY2(r.code == 0 && r.out.contains("Other") && !r.out.contains("93"), r.describe());
    }

    void damagedFile()
    {
        QFile f(AlertRuleBook::filePath(dataDir()));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{ not json");
        f.close();
        const CliRun r = mist({"rules", "list"});
        QVERIFY2(r.code == 1 && r.err.contains("alerts.json"), r.describe());
        QVERIFY(f.remove());
    }
};

QTEST_GUILESS_MAIN(TestCliRules)
#include "tst_cli_rules.moc"
