// AlertService end to end: a real MonitoringService collecting "This computer" every second
// into metrics.db, rules in alerts.json, the real store thread (targets, audit), a real
// loopback sshd for Command actions, a Qt HTTP Server fixture for webhooks and a real
// ActionRunner for a lifecycle action.
//  * "cpu.percent last >= 0" fires (history, audit, desktop notification, webhook);
//  * an impossible threshold never fires; NoData on an unmonitored machine fires, on the
//    monitored one it does not;
//  * "uptime below now + a few seconds" fires, then resolves (webhook on resolve);
//  * a Command action runs over SSH (exit status and output in the history);
//  * StateChanged fires and resolves from polls; a Lifecycle action runs through the
//    ActionRunner with actor "alert:<rule>"; Test buttons; disabling a rule drops its state.

#include "alerts/alertrule.h"
#include "alerts/alertservice.h"
#include "inventory/inventorystore.h"
#include "monitoring/monitoredmachines.h"
#include "monitoring/monitoringservice.h"
#include "services/actionrunner.h"
#include "services/storeservice.h"
#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "sshtestserver.h"
#include "webhookfixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {

AlertRule metricRule(const QString &name, const QString &metric, RuleCondition::Aggregate agg, RuleCondition::Compare cmp,
                     double threshold, qint64 machineId)
{
    AlertRule r;
    r.rule.name = name;
    r.rule.condition.metric = metric;
    r.rule.condition.aggregate = agg;
    r.rule.condition.compare = cmp;
    r.rule.condition.threshold = threshold;
    r.rule.condition.windowMs = 10000;
    r.machineIds = {machineId};
    return r;
}

AlertRule noDataRule(const QString &name, qint64 machineId, qint64 forMs)
{
    AlertRule r;
    r.rule.name = name;
    r.rule.condition.kind = RuleCondition::Kind::NoData;
    r.rule.condition.metric = QStringLiteral("cpu.percent");
    r.rule.condition.forMs = forMs;
    r.machineIds = {machineId};
    return r;
}

AlertAction notifyAction()
{
    AlertAction a;
    a.kind = AlertAction::Kind::Notify;
    return a;
}

AlertAction webhookAction(const QString &url, bool onResolve)
{
    AlertAction a;
    a.kind = AlertAction::Kind::Webhook;
    a.url = url;
    a.bodyTemplate = QStringLiteral("{\"rule\": \"{{rule}}\", \"machine\": \"{{machine}}\", \"status\": \"{{status}}\", \"value\": {{value}}}");
    a.onResolve = onResolve;
    a.timeoutSeconds = 5;
    return a;
}

double uptimeSeconds()
{
    QFile f(QStringLiteral("/proc/uptime"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().split(' ').value(0).toDouble();
}

// Rule id -> its history entries, as the service announced them.
using Seen = QVector<AlertHistoryEntry>;

int count(const Seen &seen, const QString &ruleId, const QString &event, const QString &action = {})
{
    return int(std::count_if(seen.begin(), seen.end(), [&](const AlertHistoryEntry &e) {
        return e.ruleId == ruleId && e.event == event && (action.isEmpty() || e.action == action);
    }));
}

const AlertHistoryEntry *find(const Seen &seen, const QString &ruleId, const QString &event, const QString &action = {})
{
    for (const AlertHistoryEntry &e : seen) {
        if (e.ruleId == ruleId && e.event == event && (action.isEmpty() || e.action == action))
            return &e;
    }
    return nullptr;
}

} // namespace

class TestAlertService : public QObject
{
    Q_OBJECT

    SshTestServer m_ssh;
    QTemporaryDir m_tmp;
    qint64 m_local = 0, m_box = 0, m_idle = 0, m_victim = 0, m_serversCloud = 0;

    QString inventoryPath() const { return m_tmp.filePath(QStringLiteral("inventory.db")); }

    MonitoringService::Options monitoringOptions() const
    {
        MonitoringService::Options o = MonitoringService::defaultOptions(m_tmp.path());
        o.resolveInterval = std::chrono::milliseconds(1000);
        o.flushDelay = std::chrono::milliseconds(100);
        return o;
    }

    AlertService::Options alertOptions() const
    {
        AlertService::Options o = AlertService::defaultOptions(m_tmp.path());
        o.evaluateInterval = std::chrono::milliseconds(500);
        o.reloadInterval = std::chrono::milliseconds(1000);
        o.afterSamplesDelay = std::chrono::milliseconds(200);
        o.webhookBackoffMs = 50;
        o.commandTimeout = std::chrono::milliseconds(20000);
        return o;
    }

    Machine sshMachine(const QString &name) const
    {
        Machine m;
        m.externalId = m.name = name;
        m.state = MachineState::Running;
        m.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), m_ssh.host()},
                                                           {QStringLiteral("port"), m_ssh.port()},
                                                           {QStringLiteral("user"), m_ssh.user()},
                                                           {QStringLiteral("identity_file"), m_ssh.clientKeyPath()}});
        return m;
    }

private slots:
    void initTestCase()
    {
        MIST_START_SSHD(m_ssh);
        InventoryStore store;
        QVERIFY(store.open(inventoryPath()).ok());
        // "box" answers over SSH, "idle" is never monitored; "victim" sits in a cloud of its own
        // (removing an Other server removes its cloud when nothing else is configured in it).
        Machine idle = sshMachine(QStringLiteral("idle"));
        QString added = addServerMachines(store, QStringLiteral("servers"), {sshMachine(QStringLiteral("box")), idle});
        QVERIFY2(added.isEmpty(), qPrintable(added));
        added = addServerMachines(store, QStringLiteral("victims"), {sshMachine(QStringLiteral("victim"))});
        QVERIFY2(added.isEmpty(), qPrintable(added));
        Cloud local;
        local.name = QStringLiteral("This computer");
        local.provider = QStringLiteral("local");
        auto cloud = store.addCloud(local, QStringLiteral("test"));
        QVERIFY(cloud.ok());
        PollResult poll;
        poll.success = poll.complete = true;
        Machine self;
        self.externalId = self.name = QStringLiteral("localhost");
        self.state = MachineState::Running;
        poll.machines = {self};
        QVERIFY(store.applyPoll(cloud->id, poll, QDateTime::currentDateTimeUtc()).ok());
        m_local = store.findMachine(QStringLiteral("localhost")).value().id;
        m_box = store.findMachine(QStringLiteral("box")).value().id;
        m_idle = store.findMachine(QStringLiteral("idle")).value().id;
        m_victim = store.findMachine(QStringLiteral("victim")).value().id;
        m_serversCloud = store.findMachine(QStringLiteral("box")).value().cloudId;
        // The user trusted the host key before (alert commands never accept unknown keys).
        StoreHostKeyVerifier v(store, StoreHostKeyVerifier::Policy::AcceptUnknown);
        SshSession session;
        const SshStatus st = session.connect(m_ssh.target(), v);
        QVERIFY2(st.ok(), qPrintable(st.error().toString()));

        MonitoredMachines monitored;
        monitored.enableMachine(m_local, 1);
        QVERIFY(monitored.save(monitoringOptions().rulesPath).ok());
    }

    void rulesFireResolveAndAct()
    {
        WebhookFixture hooks;
        QVERIFY(hooks.listen());
        const double uptime = uptimeSeconds();
        QVERIFY(uptime > 0);

        AlertRuleBook book;
        AlertRule cpu = metricRule(QStringLiteral("CPU seen"), QStringLiteral("cpu.percent"), RuleCondition::Aggregate::Last,
                                   RuleCondition::Compare::GreaterOrEqual, 0, m_local);
        cpu.actions = {notifyAction(), webhookAction(hooks.url(), false)};
        AlertRule impossible = metricRule(QStringLiteral("Load astronomical"), QStringLiteral("load.1"), RuleCondition::Aggregate::Max,
                                          RuleCondition::Compare::Greater, 1e12, m_local);
        impossible.actions = {notifyAction()};
        AlertRule silent = noDataRule(QStringLiteral("Idle is silent"), m_idle, 1500);
        silent.actions = {notifyAction()};
        // Uptime below "now + 12 s": true at first, false once the machine has been up longer.
        AlertRule young = metricRule(QStringLiteral("Recently booted"), QStringLiteral("uptime.seconds"), RuleCondition::Aggregate::Last,
                                     RuleCondition::Compare::Less, std::floor(uptime) + 12, m_local);
        young.actions = {webhookAction(hooks.url(), true)};
        AlertRule command = noDataRule(QStringLiteral("Box command"), m_box, 1000);
        AlertAction run;
        run.kind = AlertAction::Kind::Command;
        run.command = QStringLiteral("echo hello-from-alert; echo second line");
        AlertAction failing;
        failing.kind = AlertAction::Kind::Command;
        failing.command = QStringLiteral("echo broken >&2; exit 3");
        command.actions = {run, failing, notifyAction()};
        command.rule.renotifyMs = 1000;   // renotify repeats the notification, never the commands
        AlertRule state;
        state.rule.name = QStringLiteral("Box stopped");
        state.rule.condition.kind = RuleCondition::Kind::StateChanged;
        state.rule.condition.toState = MachineState::Stopped;
        state.tags = {};
        state.machineIds = {m_box};
        state.actions = {notifyAction()};
        AlertRule lifecycle = noDataRule(QStringLiteral("Forget the victim"), m_victim, 1000);
        AlertAction remove;
        remove.kind = AlertAction::Kind::Lifecycle;
        remove.lifecycleAction = QStringLiteral("remove");
        remove.allowDestructive = true;
        lifecycle.actions = {remove};
        AlertRule talking = noDataRule(QStringLiteral("Local is silent"), m_local, 3000);   // it never is
        talking.actions = {notifyAction()};
        QString ids[8];
        int i = 0;
        for (const AlertRule &r : {cpu, impossible, silent, young, command, state, lifecycle, talking}) {
            auto added = book.upsert(r);
            QVERIFY2(added.ok(), qPrintable(added.error().toString()));
            ids[i++] = added->rule.id;
        }
        const QString cpuId = ids[0], impossibleId = ids[1], silentId = ids[2], youngId = ids[3], commandId = ids[4],
                      stateId = ids[5], lifecycleId = ids[6], talkingId = ids[7];
        QVERIFY(book.save(alertOptions().rulesPath).ok());

        StoreService store;
        bool opened = false;
        store.open(inventoryPath(), std::chrono::seconds(3600), this, [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);
        MonitoringService monitoring(&store, monitoringOptions());
        ActionRunner runner(&store, nullptr);
        AlertService alerts(&store, &monitoring, &runner, alertOptions());
        Seen seen;
        connect(&alerts, &AlertService::historyAppended, this, [&](const AlertHistoryEntry &e) { seen.append(e); });
        QSignalSpy notified(&alerts, &AlertService::notify);
        monitoring.start();
        alerts.start();
        QTRY_VERIFY(alerts.isRunning());

        // Fires once the first sample is stored: history, notification, webhook.
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, cpuId, QStringLiteral("fired")) == 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, cpuId, QStringLiteral("action")) == 2, 10000);
        QVERIFY(find(seen, cpuId, QStringLiteral("action"), QStringLiteral("notify"))->success);
        const AlertHistoryEntry *hook = find(seen, cpuId, QStringLiteral("action"), QStringLiteral("webhook"));
        QVERIFY2(hook->success, qPrintable(hook->message));
        QVERIFY2(hook->message.contains(QLatin1String("HTTP 200")), qPrintable(hook->message));
        QVERIFY(std::any_of(notified.cbegin(), notified.cend(), [](const QList<QVariant> &args) {
            return args.at(0).toString() == QLatin1String("CPU seen on localhost") && !args.at(2).toBool();
        }));
        const auto cpuHooks = [&] {
            QVector<QJsonObject> out;
            for (const WebhookFixture::Request &r : hooks.requests) {
                const QJsonObject o = QJsonDocument::fromJson(r.body).object();
                if (o.value("rule").toString() == QLatin1String("CPU seen"))
                    out.append(o);
            }
            return out;
        };
        QCOMPARE(cpuHooks().size(), 1);
        QCOMPARE(cpuHooks().first().value("machine").toString(), QStringLiteral("localhost"));
        QCOMPARE(cpuHooks().first().value("status").toString(), QStringLiteral("firing"));
        QVERIFY(cpuHooks().first().value("value").toDouble() >= 0);
        QCOMPARE(alerts.states().value(cpuId).value(m_local).status, RuleState::Status::Firing);

        // No data from a machine nobody monitors: fires.
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, silentId, QStringLiteral("fired")) == 1, 10000);

        // The command ran on the box over SSH; the failing one is reported, the first unaffected.
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, commandId, QStringLiteral("action"), QStringLiteral("command")) == 2, 30000);
        const AlertHistoryEntry *ok = nullptr, *bad = nullptr;
        for (const AlertHistoryEntry &e : seen) {
            if (e.ruleId == commandId && e.action == QLatin1String("command"))
                (e.success ? ok : bad) = &e;
        }
        QVERIFY(ok && bad);
        QVERIFY2(ok->message.startsWith(QLatin1String("exit 0: hello-from-alert\nsecond line")), qPrintable(ok->message));
        QVERIFY2(bad->message.contains(QLatin1String("exit 3")) && bad->message.contains(QLatin1String("broken")), qPrintable(bad->message));

        // The lifecycle action went through the ActionRunner: the victim is forgotten.
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, lifecycleId, QStringLiteral("action"), QStringLiteral("lifecycle")) == 1, 15000);
        const AlertHistoryEntry *life = find(seen, lifecycleId, QStringLiteral("action"));
        QVERIFY2(life->success, qPrintable(life->message));

        // Resolves when uptime passes the threshold; the webhook hears about both.
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, youngId, QStringLiteral("fired")) == 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, youngId, QStringLiteral("resolved")) == 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, youngId, QStringLiteral("action")) == 2, 10000);
        QStringList youngStatuses;
        for (const WebhookFixture::Request &r : hooks.requests) {
            const QJsonObject o = QJsonDocument::fromJson(r.body).object();
            if (o.value("rule").toString() == QLatin1String("Recently booted"))
                youngStatuses << o.value("status").toString();
        }
        QCOMPARE(youngStatuses, (QStringList{QStringLiteral("firing"), QStringLiteral("resolved")}));
        QCOMPARE(alerts.states().value(youngId).value(m_local).status, RuleState::Status::Ok);

        // State changes come from polls.
        QCOMPARE(count(seen, stateId, QStringLiteral("fired")), 0);
        const auto pollBox = [&](const QString &st) {
            PollResult poll;
            poll.success = true;   // partial: only updates
            Machine box = sshMachine(QStringLiteral("box"));
            box.state = st;
            poll.machines = {box};
            store.applyPoll(m_serversCloud, poll);
        };
        pollBox(MachineState::Stopped);
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, stateId, QStringLiteral("fired")) == 1, 10000);
        QVERIFY2(find(seen, stateId, QStringLiteral("fired"))->message.contains(QLatin1String("from running to stopped")),
                 qPrintable(find(seen, stateId, QStringLiteral("fired"))->message));
        pollBox(MachineState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(count(seen, stateId, QStringLiteral("resolved")) == 1, 10000);

        // The impossible rule never fired, though it was evaluated all along.
        QCOMPARE(count(seen, impossibleId, QStringLiteral("fired")), 0);
        QVERIFY(alerts.states().value(impossibleId).contains(m_local));
        QCOMPARE(alerts.states().value(impossibleId).value(m_local).status, RuleState::Status::Ok);
        QCOMPARE(count(seen, cpuId, QStringLiteral("fired")), 1);   // announced once (no renotify set)
        QCOMPARE(count(seen, talkingId, QStringLiteral("fired")), 0);   // samples keep coming
        QVERIFY(count(seen, commandId, QStringLiteral("renotify")) >= 2);
        QCOMPARE(count(seen, commandId, QStringLiteral("action"), QStringLiteral("command")), 2);
        QCOMPARE(count(seen, commandId, QStringLiteral("action"), QStringLiteral("notify")), 1 + count(seen, commandId, QStringLiteral("renotify")));
        QCOMPARE(alerts.states().value(talkingId).value(m_local).status, RuleState::Status::Ok);

        // The history is in alerts.db.
        std::optional<Result<QVector<AlertHistoryEntry>>> history;
        alerts.history(cpuId, 100, this, [&](Result<QVector<AlertHistoryEntry>> r) { history = std::move(r); });
        QTRY_VERIFY(history.has_value());
        QVERIFY2(history->ok(), qPrintable(history->error().toString()));
        QCOMPARE(history->value().size(), 3);   // fired + 2 actions
        QCOMPARE(history->value().last().event, QStringLiteral("fired"));

        // ...and in the audit log, with the rule as actor; the lifecycle action too.
        std::optional<Result<QVector<AuditEntry>>> audit;
        store.queryAudit(AuditQuery{}, this, [&](Result<QVector<AuditEntry>> r) { audit = std::move(r); });
        QTRY_VERIFY(audit.has_value());
        QVERIFY(audit->ok());
        QHash<QString, int> actions;
        bool removedByAlert = false;
        for (const AuditEntry &e : audit->value()) {
            if (e.actor == QLatin1String("alert:CPU seen"))
                ++actions[e.action];
            if (e.action == QLatin1String("alert.action") && e.details.value("rule").toString() == QLatin1String("Box command")
                && e.details.value("action").toString() == QLatin1String("command"))
                QVERIFY(e.details.value("command").toString().contains(QLatin1String("echo")));
            // The store audits the removal itself, with the rule as the actor.
            removedByAlert = removedByAlert
                             || (e.actor == QLatin1String("alert:Forget the victim") && !e.action.startsWith(QLatin1String("alert.")));
        }
        QCOMPARE(actions.value(QStringLiteral("alert.fired")), 1);
        QCOMPARE(actions.value(QStringLiteral("alert.action")), 2);
        QVERIFY(removedByAlert);

        // Test buttons: a notification; a lifecycle action that is destructive without the opt-in
        // is refused; one that is not possible now says so.
        std::optional<Result<QString>> tested;
        alerts.testAction(cpu, 0, this, [&](Result<QString> r) { tested = std::move(r); });
        QTRY_VERIFY(tested.has_value());
        QVERIFY(tested->ok());
        AlertRule risky = lifecycle;
        risky.machineIds = {m_box};
        risky.actions[0].allowDestructive = false;
        tested.reset();
        alerts.testAction(risky, 0, this, [&](Result<QString> r) { tested = std::move(r); });
        QTRY_VERIFY(tested.has_value());
        QVERIFY(!tested->ok());
        QVERIFY2(tested->error().message.contains(QLatin1String("destructive")), qPrintable(tested->error().toString()));
        risky.actions[0].lifecycleAction = QStringLiteral("start");
        tested.reset();
        alerts.testAction(risky, 0, this, [&](Result<QString> r) { tested = std::move(r); });
        QTRY_VERIFY(tested.has_value());
        QVERIFY(!tested->ok());
        QVERIFY2(tested->error().message.contains(QLatin1String("not possible")), qPrintable(tested->error().toString()));
        const int before = int(hooks.requests.size());
        tested.reset();
        alerts.testAction(cpu, 1, this, [&](Result<QString> r) { tested = std::move(r); });
        QTRY_VERIFY(tested.has_value());
        QVERIFY2(tested->ok(), qPrintable(tested->error().toString()));
        QCOMPARE(int(hooks.requests.size()), before + 1);

        // Disabling a rule (changed through the service) drops its state. A rule another
        // program (the CLI) added to the file meanwhile is kept.
        AlertRuleBook onDisk = AlertRuleBook::load(alertOptions().rulesPath).value();
        AlertRule cliRule = *onDisk.find(cpuId);
        cliRule.rule.id.clear();
        cliRule.rule.name = QStringLiteral("added by the CLI");
        QVERIFY(onDisk.upsert(cliRule).ok());
        QVERIFY(onDisk.save(alertOptions().rulesPath).ok());
        std::optional<Result<AlertRuleBook>> saved;
        alerts.changeRules([&](AlertRuleBook &b) {
            return b.setEnabled(cpuId, false) ? Status() : Status(Error{QStringLiteral("no such rule"), cpuId});
        }, this, [&](Result<AlertRuleBook> r) { saved = std::move(r); });
        QTRY_VERIFY(saved.has_value());
        QVERIFY2(saved->ok(), qPrintable(saved->error().toString()));
        QVERIFY(saved->value().find(QStringLiteral("added by the CLI")));
        QTRY_VERIFY(!alerts.states().contains(cpuId));
        QVERIFY(alerts.rules().find(cpuId) && !alerts.rules().find(cpuId)->rule.enabled);
        QVERIFY(AlertRuleBook::load(alertOptions().rulesPath).value().find(QStringLiteral("added by the CLI")));
        // A change that fails saves nothing and says why.
        saved.reset();
        alerts.changeRules([](AlertRuleBook &) { return Status(Error{QStringLiteral("refused by the test"), {}}); }, this,
                           [&](Result<AlertRuleBook> r) { saved = std::move(r); });
        QTRY_VERIFY(saved.has_value());
        QVERIFY(!saved->ok() && saved->error().message == QLatin1String("refused by the test"));

        alerts.stop();
        monitoring.stop();
    }

    void damagedRulesFileIsReported()
    {
        QFile f(alertOptions().rulesPath);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{ not json");
        f.close();
        StoreService store;
        bool opened = false;
        store.open(inventoryPath(), std::chrono::seconds(3600), this, [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);
        AlertService alerts(&store, nullptr, nullptr, alertOptions());
        QSignalSpy failed(&alerts, &AlertService::rulesFailed);
        alerts.start();
        QTRY_COMPARE(failed.size(), 1);
        QVERIFY(failed.first().first().value<Error>().message.contains(QLatin1String("alerts.json")));
        QVERIFY(alerts.states().isEmpty());

        // Fixed behind the service's back (as `mist rules add` does): picked up by the next reload.
        AlertRuleBook book;
        AlertRule rule = noDataRule(QStringLiteral("Idle is silent"), m_idle, 60000);
        rule.actions = {notifyAction()};
        auto added = book.upsert(rule);
        QVERIFY2(added.ok(), qPrintable(added.error().toString()));
        QVERIFY(book.save(alertOptions().rulesPath).ok());
        QTRY_VERIFY_WITH_TIMEOUT(alerts.rules().find(added->rule.id) != nullptr, 5000);
    }
};

QTEST_MAIN(TestAlertService)
#include "tst_alertservice.moc"
