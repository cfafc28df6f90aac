// AlertRuleBook: the alerts.json round trip, validation, damaged files, and that no secret
// value is ever written to the file.
#include "alerts/alertrule.h"
#include "alerts/alertruletext.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace mist;

Q_DECLARE_METATYPE(mist::AlertRule)

namespace {

AlertRule cpuRule(const QString &name = QStringLiteral("CPU high"))
{
    AlertRule r;
    r.rule.name = name;
    r.rule.condition.kind = RuleCondition::Kind::Threshold;
    r.rule.condition.metric = QStringLiteral("cpu.percent");
    r.rule.condition.threshold = 90;
    r.rule.condition.windowMs = 5 * 60 * 1000;
    r.rule.condition.forMs = 2 * 60 * 1000;
    r.machineIds = {7};
    r.actions = {AlertAction{}};
    return r;
}

AlertAction webhook(const QString &url)
{
    AlertAction a;
    a.kind = AlertAction::Kind::Webhook;
    a.url = url;
    return a;
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

} // namespace

class TestAlertRuleBook : public QObject
{
    Q_OBJECT

private slots:
    void missingFileIsEmpty()
    {
        QTemporaryDir dir;
        const auto book = AlertRuleBook::load(AlertRuleBook::filePath(dir.path()));
        QVERIFY(book.ok());
        QVERIFY(book->rules().isEmpty());
        QCOMPARE(AlertRuleBook::filePath(dir.path()), dir.filePath(QStringLiteral("alerts.json")));
    }

    void roundTripKeepsEveryField()
    {
        QTemporaryDir dir;
        const QString path = AlertRuleBook::filePath(dir.path());

        AlertRule full = cpuRule();
        full.rule.enabled = false;
        full.rule.renotifyMs = 30 * 60 * 1000;
        full.rule.cooldownMs = 10 * 60 * 1000;
        full.rule.condition.label = QStringLiteral("cpu3");
        full.rule.condition.aggregate = RuleCondition::Aggregate::Max;
        full.rule.condition.compare = RuleCondition::Compare::GreaterOrEqual;
        full.rule.condition.threshold = 85.5;
        full.machineIds = {3, 9};
        full.tags = {QStringLiteral("env=prod"), QStringLiteral("team=db")};
        AlertAction notify;
        notify.onResolve = true;
        AlertAction hook = webhook(QStringLiteral("https://hooks.example.com/x?y=1"));
        hook.method = QStringLiteral("PUT");
        hook.headers = {{QStringLiteral("X-Team"), QStringLiteral("db")}};
        hook.secretHeaderNames = {QStringLiteral("Authorization")};
        hook.bodyTemplate = QStringLiteral("{\"text\": \"{{rule}} on {{machine}} is {{status}}\"}");
        hook.timeoutSeconds = 20;
        hook.retries = 1;
        hook.onResolve = true;
        AlertAction cmd;
        cmd.kind = AlertAction::Kind::Command;
        cmd.command = QStringLiteral("systemctl restart nginx");
        AlertAction life;
        life.kind = AlertAction::Kind::Lifecycle;
        life.lifecycleAction = QStringLiteral("destroy");
        life.allowDestructive = true;
        full.actions = {notify, hook, cmd, life};

        AlertRule noData;
        noData.rule.name = QStringLiteral("Silent");
        noData.rule.condition.kind = RuleCondition::Kind::NoData;
        noData.rule.condition.metric = QStringLiteral("uptime.seconds");
        noData.rule.condition.forMs = 5 * 60 * 1000;
        noData.tags = {QStringLiteral("env=prod")};
        noData.actions = {AlertAction{}};

        AlertRule state;
        state.rule.name = QStringLiteral("Stopped");
        state.rule.condition.kind = RuleCondition::Kind::StateChanged;
        state.rule.condition.toState = QStringLiteral("stopped");
        state.machineIds = {4};
        state.actions = {AlertAction{}};

        AlertRuleBook book;
        for (const AlertRule &r : {full, noData, state}) {
            const auto added = book.upsert(r);
            QVERIFY2(added.ok(), qPrintable(added.error().toString()));
            QVERIFY(!added->rule.id.isEmpty());
        }
        QVERIFY(book.save(path).ok());

        const auto loaded = AlertRuleBook::load(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().toString()));
        QCOMPARE(loaded->rules().size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(AlertRuleBook::toJson(loaded->rules().at(i)), AlertRuleBook::toJson(book.rules().at(i)));

        const AlertRule &r = loaded->rules().at(0);
        QCOMPARE(r.rule.name, QStringLiteral("CPU high"));
        QCOMPARE(r.rule.enabled, false);
        QCOMPARE(r.rule.renotifyMs, 30 * 60 * 1000);
        QCOMPARE(r.rule.cooldownMs, 10 * 60 * 1000);
        QCOMPARE(r.rule.condition.label, QStringLiteral("cpu3"));
        QCOMPARE(r.rule.condition.aggregate, RuleCondition::Aggregate::Max);
        QCOMPARE(r.rule.condition.compare, RuleCondition::Compare::GreaterOrEqual);
        QCOMPARE(r.rule.condition.threshold, 85.5);
        QCOMPARE(r.rule.condition.windowMs, 5 * 60 * 1000);
        QCOMPARE(r.rule.condition.forMs, 2 * 60 * 1000);
        QCOMPARE(r.machineIds, (QVector<qint64>{3, 9}));
        QCOMPARE(r.tags, (QStringList{QStringLiteral("env=prod"), QStringLiteral("team=db")}));
        QCOMPARE(r.actions.size(), 4);
        QCOMPARE(r.actions.at(0).kind, AlertAction::Kind::Notify);
        QVERIFY(r.actions.at(0).onResolve);
        const AlertAction &h = r.actions.at(1);
        QCOMPARE(h.kind, AlertAction::Kind::Webhook);
        QCOMPARE(h.method, QStringLiteral("PUT"));
        QCOMPARE(h.url, QStringLiteral("https://hooks.example.com/x?y=1"));
        QCOMPARE(h.headers.size(), 1);
        QCOMPARE(h.headers.at(0).first, QStringLiteral("X-Team"));
        QCOMPARE(h.headers.at(0).second, QStringLiteral("db"));
        QCOMPARE(h.secretHeaderNames, QStringList{QStringLiteral("Authorization")});
        QCOMPARE(h.bodyTemplate, hook.bodyTemplate);
        QCOMPARE(h.timeoutSeconds, 20);
        QCOMPARE(h.retries, 1);
        QCOMPARE(r.actions.at(2).command, QStringLiteral("systemctl restart nginx"));
        QCOMPARE(r.actions.at(3).lifecycleAction, QStringLiteral("destroy"));
        QVERIFY(r.actions.at(3).allowDestructive);
        QCOMPARE(loaded->rules().at(1).rule.condition.kind, RuleCondition::Kind::NoData);
        QCOMPARE(loaded->rules().at(2).rule.condition.kind, RuleCondition::Kind::StateChanged);
        QCOMPARE(loaded->rules().at(2).rule.condition.toState, QStringLiteral("stopped"));
    }

    void findUpsertRemoveEnable()
    {
        AlertRuleBook book;
        const auto a = book.upsert(cpuRule(QStringLiteral("A")));
        const auto b = book.upsert(cpuRule(QStringLiteral("B")));
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->rule.id != b->rule.id);
        QCOMPARE(book.find(QStringLiteral("B"))->rule.id, b->rule.id);
        QCOMPARE(book.find(a->rule.id)->rule.name, QStringLiteral("A"));
        QVERIFY(!book.find(QStringLiteral("C")));

        // Same name (any case) as another rule: refused; same id: replaced.
        QVERIFY(!book.upsert(cpuRule(QStringLiteral("a"))).ok());
        AlertRule edited = *book.find(QStringLiteral("A"));
        edited.rule.name = QStringLiteral("A2");
        edited.rule.condition.threshold = 50;
        QVERIFY(book.upsert(edited).ok());
        QCOMPARE(book.rules().size(), 2);
        QCOMPARE(book.find(a->rule.id)->rule.name, QStringLiteral("A2"));
        QCOMPARE(book.find(a->rule.id)->rule.condition.threshold, 50.0);

        QVERIFY(book.setEnabled(QStringLiteral("B"), false));
        QVERIFY(!book.find(QStringLiteral("B"))->rule.enabled);
        QVERIFY(!book.setEnabled(QStringLiteral("nope"), false));

        QVERIFY(book.remove(a->rule.id));
        QVERIFY(!book.remove(a->rule.id));
        QVERIFY(book.remove(QStringLiteral("B")));
        QVERIFY(book.rules().isEmpty());
    }

    void targets()
    {
        AlertRule r = cpuRule();
        r.machineIds = {5};
        r.tags = {QStringLiteral("env=prod")};
        Machine m;
        m.id = 5;
        QVERIFY(r.targets(m));
        m.id = 6;
        QVERIFY(!r.targets(m));
        m.userTags.insert(QStringLiteral("env"), QStringLiteral("dev"));
        QVERIFY(!r.targets(m));
        m.providerTags.insert(QStringLiteral("env"), QStringLiteral("prod"));
        QVERIFY(r.targets(m));
        m.providerTags.clear();
        m.userTags.insert(QStringLiteral("env"), QStringLiteral("prod"));
        QVERIFY(r.targets(m));
    }

    void validation_data()
    {
        QTest::addColumn<AlertRule>("rule");
        QTest::addColumn<QString>("expected");   // "" = valid, else a word of the error

        QTest::newRow("valid") << cpuRule() << QString();
        AlertRule r = cpuRule();
        r.rule.name = QStringLiteral("  ");
        QTest::newRow("no name") << r << QStringLiteral("name");
        r = cpuRule();
        r.machineIds.clear();
        QTest::newRow("no target") << r << QStringLiteral("machine");
        r.tags = {QStringLiteral("prod")};
        QTest::newRow("tag without =") << r << QStringLiteral("KEY=VALUE");
        r.tags = {QStringLiteral("env=prod")};
        QTest::newRow("tag only") << r << QString();
        r = cpuRule();
        r.actions.clear();
        QTest::newRow("no action") << r << QStringLiteral("action");
        r = cpuRule();
        r.rule.condition.threshold = 150;
        QTest::newRow("percent above 100") << r << QStringLiteral("percentage");
        r.rule.condition.metric = QStringLiteral("load.1");
        QTest::newRow("load above 100 is fine") << r << QString();
        r = cpuRule();
        r.rule.condition.threshold = std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("NaN") << r << QStringLiteral("not a number");
        r = cpuRule();
        r.rule.condition.metric.clear();
        QTest::newRow("no metric") << r << QStringLiteral("metric");
        r = cpuRule();
        r.rule.condition.metric = QStringLiteral("net.rx_bytes_per_s");
        r.rule.condition.compare = RuleCondition::Compare::Less;
        r.rule.condition.threshold = -1;
        QTest::newRow("bytes/s below zero") << r << QStringLiteral("below zero");
        r = cpuRule();
        r.rule.condition.kind = RuleCondition::Kind::NoData;
        r.rule.condition.forMs = 0;
        QTest::newRow("no data without duration") << r << QStringLiteral("duration");
        r = cpuRule();
        r.rule.condition.kind = RuleCondition::Kind::StateChanged;
        r.rule.condition.metric.clear();
        QTest::newRow("state changed needs no metric") << r << QString();
        r = cpuRule();
        r.rule.cooldownMs = -5;
        QTest::newRow("negative cooldown") << r << QStringLiteral("negative");

        r = cpuRule();
        r.actions = {webhook(QStringLiteral("ftp://example.com/x"))};
        QTest::newRow("webhook ftp") << r << QStringLiteral("http");
        r.actions = {webhook(QStringLiteral("not a url"))};
        QTest::newRow("webhook garbage") << r << QStringLiteral("http");
        r.actions = {webhook(QStringLiteral("http://127.0.0.1:8080/hook"))};
        QTest::newRow("webhook http") << r << QString();
        r.actions[0].method = QStringLiteral("GET");
        QTest::newRow("webhook GET") << r << QStringLiteral("POST or PUT");
        r.actions[0].method = QStringLiteral("POST");
        r.actions[0].headers = {{QStringLiteral("Bad Name"), QStringLiteral("x")}};
        QTest::newRow("header name with space") << r << QStringLiteral("header name");
        r.actions[0].headers = {{QStringLiteral("X-A"), QStringLiteral("a\r\nInjected: 1")}};
        QTest::newRow("header value with newline") << r << QStringLiteral("lines");
        r.actions[0].headers = {{QStringLiteral("X-Team"), QStringLiteral("x")}};
        r.actions[0].secretHeaderNames = {QStringLiteral("x-team")};
        QTest::newRow("header twice") << r << QStringLiteral("twice");
        r.actions[0].secretHeaderNames.clear();
        r.actions[0].headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer x")}};
        QTest::newRow("plain Authorization header") << r << QStringLiteral("secret header");
        r.actions[0].headers = {{QStringLiteral("X-Auth-Token"), QStringLiteral("x")}};
        QTest::newRow("plain token header") << r << QStringLiteral("secret header");
        r.actions[0].headers.clear();
        r.actions[0].secretHeaderNames = {QStringLiteral("Authorization")};
        QTest::newRow("secret Authorization header") << r << QString();
        r.actions[0].secretHeaderNames.clear();
        r.actions[0].url = QStringLiteral("https://user:pw@example.com/hook");
        QTest::newRow("password in URL") << r << QStringLiteral("password");

        AlertAction cmd;
        cmd.kind = AlertAction::Kind::Command;
        cmd.command = QStringLiteral("   ");
        r = cpuRule();
        r.actions = {AlertAction{}, cmd};
        QTest::newRow("empty command") << r << QStringLiteral("command");

        AlertAction life;
        life.kind = AlertAction::Kind::Lifecycle;
        life.lifecycleAction = QStringLiteral("reboot");
        r.actions = {life};
        QTest::newRow("reboot") << r << QString();
        r.actions[0].lifecycleAction = QStringLiteral("destroy");
        QTest::newRow("destroy without opt-in") << r << QStringLiteral("destructive");
        r.actions[0].allowDestructive = true;
        QTest::newRow("destroy with opt-in") << r << QString();
        r.actions[0].lifecycleAction.clear();
        QTest::newRow("no lifecycle action") << r << QStringLiteral("action");
    }

    void validation()
    {
        QFETCH(AlertRule, rule);
        QFETCH(QString, expected);
        const Status s = AlertRuleBook::validate(rule);
        AlertRuleBook book;
        const auto added = book.upsert(rule);
        QCOMPARE(added.ok(), s.ok());
        if (expected.isEmpty()) {
            QVERIFY2(s.ok(), qPrintable(s.error().toString()));
            return;
        }
        QVERIFY(!s.ok());
        QVERIFY2(s.error().toString().contains(expected, Qt::CaseInsensitive), qPrintable(s.error().toString()));
        QVERIFY(book.rules().isEmpty());
    }

    void malformedFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{ \"version\": 1, \"rules\": [") << QStringLiteral("JSON");
        QTest::newRow("array") << QByteArray("[]") << QStringLiteral("object");
        QTest::newRow("no version") << QByteArray("{\"rules\": []}") << QStringLiteral("version");
        QTest::newRow("newer") << QByteArray("{\"version\": 99, \"rules\": []}") << QStringLiteral("newer");
        QTest::newRow("rules not list") << QByteArray("{\"version\": 1, \"rules\": 3}") << QStringLiteral("list");
        QTest::newRow("rule not object") << QByteArray("{\"version\": 1, \"rules\": [1]}") << QStringLiteral("rule 1");
        QTest::newRow("no condition") << QByteArray(R"({"version": 1, "rules": [{"id": "a", "name": "x"}]})")
                                      << QStringLiteral("condition");
        QTest::newRow("bad kind")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "name": "x", "condition": {"kind": "weird"}}]})")
            << QStringLiteral("weird");
        QTest::newRow("bad aggregate")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "condition": {"aggregate": "median"}}]})")
            << QStringLiteral("median");
        QTest::newRow("threshold text")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "condition": {"threshold": "90"}}]})")
            << QStringLiteral("threshold");
        QTest::newRow("negative window")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "condition": {"window_ms": -4}}]})")
            << QStringLiteral("window_ms");
        QTest::newRow("bad action")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "condition": {}, "actions": [{"kind": "email"}]}]})")
            << QStringLiteral("email");
        QTest::newRow("bad machine")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "condition": {}, "targets": {"machines": ["x"]}}]})")
            << QStringLiteral("machine id");
        QTest::newRow("no id") << QByteArray(R"({"version": 1, "rules": [{"name": "a", "condition": {}}]})")
                               << QStringLiteral("no id");
        // Well-formed but refused by the checks upsert() makes: never run from a hand-edited file.
        QTest::newRow("does nothing")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "name": "x", "condition": {"metric": "cpu.percent", )"
                          R"("threshold": 90}, "targets": {"machines": [1]}}]})")
            << QStringLiteral("does nothing");
        QTest::newRow("duplicate id")
            << QByteArray(R"({"version": 1, "rules": [{"id": "a", "condition": {}}, {"id": "a", "condition": {}}]})")
            << QStringLiteral("twice");
    }

    void malformedFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = AlertRuleBook::filePath(dir.path());
        writeFile(path, content);
        const auto book = AlertRuleBook::load(path);
        QVERIFY(!book.ok());
        const QString text = book.error().toString();
        QVERIFY2(text.contains(QStringLiteral("alerts.json")), qPrintable(text));
        QVERIFY2(text.contains(expected, Qt::CaseInsensitive), qPrintable(text));
    }

    void saveIsAtomicAndVersioned()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/alerts.json"));
        AlertRuleBook book;
        QVERIFY(book.upsert(cpuRule()).ok());
        QVERIFY(book.save(path).ok());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(root.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(root.value(QStringLiteral("rules")).toArray().size(), 1);

        // A folder where the file should be: a clear error, nothing crashes.
        const QString blocked = dir.filePath(QStringLiteral("blocked"));
        QVERIFY(QDir().mkpath(blocked + QStringLiteral("/alerts.json")));
        const Status s = book.save(AlertRuleBook::filePath(blocked));
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.contains(QStringLiteral("alerts.json")));
    }

    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");   // -1: not a duration
        QTest::newRow("0") << QStringLiteral("0") << qint64(0);
        QTest::newRow("90s") << QStringLiteral("90s") << qint64(90000);
        QTest::newRow("5m") << QStringLiteral(" 5m ") << qint64(300000);
        QTest::newRow("1h30m") << QStringLiteral("1h30m") << qint64(5400000);
        QTest::newRow("2d") << QStringLiteral("2D") << qint64(2 * 86400000LL);
        QTest::newRow("1w") << QStringLiteral("1w") << qint64(7 * 86400000LL);
        QTest::newRow("250ms") << QStringLiteral("250ms") << qint64(250);
        QTest::newRow("no unit") << QStringLiteral("5") << qint64(-1);
        QTest::newRow("word") << QStringLiteral("soon") << qint64(-1);
        QTest::newRow("negative") << QStringLiteral("-5m") << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
        QTest::newRow("space inside") << QStringLiteral("1h 30m") << qint64(-1);
    }

    void durations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        const auto parsed = AlertRuleText::parseDuration(text);
        QCOMPARE(parsed.has_value(), ms >= 0);
        if (ms < 0)
            return;
        QCOMPARE(*parsed, ms);
        QCOMPARE(AlertRuleText::parseDuration(AlertRuleText::duration(ms)), std::optional<qint64>(ms));   // round trip
    }

    void texts()
    {
        AlertRule r = cpuRule();
        r.rule.condition.label = QStringLiteral("cpu1");
        r.rule.condition.compare = RuleCondition::Compare::LessOrEqual;
        r.rule.condition.threshold = 12.5;
        QCOMPARE(AlertRuleText::condition(r.rule.condition), QStringLiteral("cpu.percent{cpu1} avg over 5m <= 12.5 for 2m"));
        r.rule.condition.kind = RuleCondition::Kind::NoData;
        r.rule.condition.forMs = 90000;
        QCOMPARE(AlertRuleText::condition(r.rule.condition), QStringLiteral("no data from cpu.percent{cpu1} for 1m30s"));
        r.rule.condition.kind = RuleCondition::Kind::StateChanged;
        QCOMPARE(AlertRuleText::condition(r.rule.condition), QStringLiteral("state changes"));
        r.machineIds = {7, 8};
        r.tags = {QStringLiteral("env=prod")};
        QCOMPARE(AlertRuleText::targets(r, {{7, QStringLiteral("web1")}}), QStringLiteral("web1, #8, tag env=prod"));
        AlertAction hook = webhook(QStringLiteral("https://h.example/x"));
        hook.onResolve = true;
        r.actions = {AlertAction{}, hook};
        QCOMPARE(AlertRuleText::actions(r), QStringLiteral("notify, webhook POST https://h.example/x (+ resolve)"));
    }

    void noSecretValueInFile()
    {
        QTemporaryDir dir;
        const QString path = AlertRuleBook::filePath(dir.path());
        AlertRule r = cpuRule();
        AlertAction hook = webhook(QStringLiteral("https://example.com/hook"));
        hook.secretHeaderNames = {QStringLiteral("Authorization"), QStringLiteral("X-Api-Key")};
        hook.headers = {{QStringLiteral("X-Plain"), QStringLiteral("visible")}};
        r.actions = {hook};
        AlertRuleBook book;
        QVERIFY(book.upsert(r).ok());
        QVERIFY(book.save(path).ok());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("Authorization"));
        QVERIFY(text.contains("X-Api-Key"));
        QVERIFY(text.contains("visible"));
        // The structure has no place for a secret header value at all.
        const QJsonObject action = QJsonDocument::fromJson(text)
                                       .object()
                                       .value(QStringLiteral("rules"))
                                       .toArray()
                                       .at(0)
                                       .toObject()
                                       .value(QStringLiteral("actions"))
                                       .toArray()
                                       .at(0)
                                       .toObject();
        QCOMPARE(action.value(QStringLiteral("secret_headers")).toArray(),
                 QJsonArray({QStringLiteral("Authorization"), QStringLiteral("X-Api-Key")}));
        QCOMPARE(action.value(QStringLiteral("headers")).toArray().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAlertRuleBook)
#include "tst_alertrulebook.moc"
