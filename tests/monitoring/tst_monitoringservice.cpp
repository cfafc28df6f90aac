// MonitoringService end to end: two machines behind real loopback sshds plus "This computer",
// collected every second through StoreService (targets, host keys) into metrics.db; samples
// arrive, are stored and queryable; a machine whose sshd dies gets a clear error while the
// others keep collecting, and it recovers when its sshd is back.

#include "monitoringtestutil.h"
#include "inventory/inventorystore.h"
#include "monitoring/monitoredmachines.h"
#include "monitoring/monitoringservice.h"
#include "services/storeservice.h"
#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "sshtestserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {

Machine sshMachine(const QString &name, const SshTestServer &server)
{
    Machine m;
    m.externalId = m.name = name;
    m.state = QStringLiteral("running");
    m.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), server.host()},
                                                       {QStringLiteral("port"), server.port()},
                                                       {QStringLiteral("user"), server.user()},
                                                       {QStringLiteral("identity_file"), server.clientKeyPath()}});
    return m;
}

} // namespace

class TestMonitoringService : public QObject
{
    Q_OBJECT

    SshTestServer m_a, m_b;
    QTemporaryDir m_tmp;
    qint64 m_idA = 0, m_idB = 0, m_idLocal = 0, m_idUnknownKey = 0;

    QString inventoryPath() const { return m_tmp.filePath(QStringLiteral("inventory.db")); }

    MonitoringService::Options options() const
    {
        MonitoringService::Options o = MonitoringService::defaultOptions(m_tmp.path());
        o.resolveInterval = std::chrono::milliseconds(500);
        o.flushDelay = std::chrono::milliseconds(100);
        return o;
    }

    // alpha's sshd under another host name: its key is not trusted for that name.
    Machine unknownKeyMachine() const
    {
        Machine m = sshMachine(QStringLiteral("gamma"), m_a);
        QJsonObject ssh = m.extra.value(QStringLiteral("ssh")).toObject();
        ssh.insert(QStringLiteral("host"), QStringLiteral("localhost"));
        m.extra.insert(QStringLiteral("ssh"), ssh);
        return m;
    }

private slots:
    void initTestCase()
    {
        MIST_START_SSHD(m_a);
        MIST_START_SSHD(m_b);
        InventoryStore store;
        QVERIFY(store.open(inventoryPath()).ok());
        QString added = addServerMachines(store, QStringLiteral("servers"), {sshMachine(QStringLiteral("alpha"), m_a),
                                                                               sshMachine(QStringLiteral("beta"), m_b),
                                                                               unknownKeyMachine()});
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
        poll.machines = {self};
        QVERIFY(store.applyPoll(cloud->id, poll, QDateTime::currentDateTimeUtc()).ok());
        m_idA = store.findMachine(QStringLiteral("alpha")).value().id;
        m_idB = store.findMachine(QStringLiteral("beta")).value().id;
        m_idLocal = store.findMachine(QStringLiteral("localhost")).value().id;
        m_idUnknownKey = store.findMachine(QStringLiteral("gamma")).value().id;
        QVERIFY(store.tagMachines({m_idLocal}, {{QStringLiteral("env"), QStringLiteral("desk")}}, {}, QStringLiteral("test")).ok());

        // The user trusted both host keys before (monitoring never accepts unknown keys).
        for (SshTestServer *s : {&m_a, &m_b}) {
            StoreHostKeyVerifier v(store, StoreHostKeyVerifier::Policy::AcceptUnknown);
            SshSession session;
            const SshStatus st = session.connect(s->target(), v);
            QVERIFY2(st.ok(), qPrintable(st.error().toString()));
        }
    }

    void collectsStoresAndSurvivesADeadMachine()
    {
        MonitoredMachines rules;
        rules.enableMachine(m_idA, 1);
        rules.enableMachine(m_idB, 1);
        rules.enableTag(QStringLiteral("env"), QStringLiteral("desk"), 1);   // resolved to the local machine
        rules.enableMachine(m_idUnknownKey, 1);
        QVERIFY(rules.save(options().rulesPath).ok());

        StoreService store;
        bool opened = false;
        store.open(inventoryPath(), std::chrono::seconds(60), this, [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);

        MonitoringService svc(&store, options());
        QSignalSpy started(&svc, &MonitoringService::started);
        QHash<qint64, QVector<MetricSampleSet>> samples;
        connect(&svc, &MonitoringService::samplesCollected, this,
                [&](qint64 id, const MetricSampleSet &s) { samples[id].append(s); });
        QHash<qint64, MonitoringStatus> status;
        connect(&svc, &MonitoringService::statusChanged, this, [&](qint64 id, const MonitoringStatus &s) { status[id] = s; });
        svc.start();
        QTRY_COMPARE(started.size(), 1);
        QTRY_COMPARE(svc.monitored().size(), 4);
        QCOMPARE(svc.monitored().value(m_idLocal), 1);

        // Every machine: samples every second, rates from the second one on.
        for (qint64 id : {m_idA, m_idB, m_idLocal})
            QTRY_VERIFY_WITH_TIMEOUT(samples.value(id).size() >= 3, 15000);
        for (qint64 id : {m_idA, m_idB, m_idLocal}) {
            const MetricSampleSet &last = samples.value(id).last();
            const double cpu = metricValues(last, QStringLiteral("cpu.percent")).value(QString(), -1);
            QVERIFY2(cpu >= 0 && cpu <= 100, qPrintable(QString::number(cpu)));
            QVERIFY(metricValues(last, QStringLiteral("mem.used_bytes")).value(QString()) > 0);
            QCOMPARE(status.value(id).state, MonitoringStatus::State::Collecting);
        }
        // Polls never accept an unknown host key: a clear error, retried rarely.
        QTRY_VERIFY(status.value(m_idUnknownKey).state == MonitoringStatus::State::Failing);
        QVERIFY2(status.value(m_idUnknownKey).error.message.contains(QStringLiteral("trust its host key")),
                 qPrintable(status.value(m_idUnknownKey).error.toString()));
        QVERIFY(status.value(m_idUnknownKey).nextAttemptMs > QDateTime::currentMSecsSinceEpoch() + 60000);
        QVERIFY(samples.value(m_idUnknownKey).isEmpty());
        const QVector<MetricSampleSet> alpha = samples.value(m_idA);
        QVERIFY(alpha.last().timestampMs - alpha.first().timestampMs >= 1500);   // at the interval, not faster

        // Stored and queryable (by name and label; and the series list).
        std::optional<Result<MetricSeriesData>> answer;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto storedPoints = [&] {
            answer.reset();
            svc.query(MetricSeriesKey{0, m_idA, QStringLiteral("mem.used_bytes"), {}}, now - 60000, now + 1000, 100, this,
                      [&](Result<MetricSeriesData> r) { answer = std::move(r); });
            return QTest::qWaitFor([&] { return answer.has_value(); }, 5000) && answer->ok() && answer->value().points.size() >= 2;
        };
        QTRY_VERIFY_WITH_TIMEOUT(storedPoints(), 5000);
        for (const TimePoint &p : answer->value().points)
            QVERIFY(p.value > 1e6);
        std::optional<Result<QVector<MetricSeries>>> series;
        svc.series(m_idLocal, this, [&](Result<QVector<MetricSeries>> r) { series = std::move(r); });
        QTRY_VERIFY(series.has_value());
        QVERIFY(series->ok());
        QVERIFY(std::any_of(series->value().begin(), series->value().end(),
                            [](const MetricSeries &s) { return s.name == QLatin1String("load.1"); }));
        answer.reset();
        svc.query(MetricSeriesKey{0, m_idA, QStringLiteral("no.such"), {}}, 0, now, 100, this,
                  [&](Result<MetricSeriesData> r) { answer = std::move(r); });
        QTRY_VERIFY(answer.has_value());
        QVERIFY(!answer->ok() && answer->error().message.contains(QStringLiteral("no.such")));

        // beta's sshd dies: a clear error for beta, alpha and the local machine go on.
        m_b.killAll();
        QTRY_VERIFY_WITH_TIMEOUT(status.value(m_idB).state == MonitoringStatus::State::Failing, 15000);
        const QString message = status.value(m_idB).error.message;
        QVERIFY2(message.contains(QStringLiteral("beta")), qPrintable(message));
        QVERIFY(status.value(m_idB).nextAttemptMs > 0);
        const int alphaBefore = samples.value(m_idA).size(), localBefore = samples.value(m_idLocal).size();
        const int betaBefore = samples.value(m_idB).size();
        QTRY_VERIFY_WITH_TIMEOUT(samples.value(m_idA).size() >= alphaBefore + 2 && samples.value(m_idLocal).size() >= localBefore + 2, 10000);
        QCOMPARE(samples.value(m_idB).size(), betaBefore);
        QCOMPARE(svc.statuses().value(m_idA).state, MonitoringStatus::State::Collecting);

        // It comes back (reconnect with backoff) once sshd is there again.
        QVERIFY(m_b.restart());
        QTRY_VERIFY_WITH_TIMEOUT(samples.value(m_idB).size() > betaBefore, 20000);
        QCOMPARE(status.value(m_idB).state, MonitoringStatus::State::Collecting);

        // Rules changed (as the CLI or the GUI would): beta is no longer collected.
        rules.disableMachine(m_idB);
        bool saved = false;
        QSignalSpy changed(&svc, &MonitoringService::monitoredChanged);
        svc.setRules(rules, this, [&](Result<bool> r) { saved = r.ok(); });
        QTRY_VERIFY(saved);
        QTRY_VERIFY(!svc.monitored().contains(m_idB));
        QVERIFY(changed.size() >= 1);
        QVERIFY(!svc.statuses().contains(m_idB));

        svc.stop();
        QVERIFY(!svc.isRunning());

        // Everything reached metrics.db (a fresh reader sees it).
        MetricStore reader;
        QVERIFY(reader.open(options().metricsPath, sql::Database::Mode::ReadOnly).ok());
        auto all = reader.series(QString::number(m_idA));
        QVERIFY(all.ok());
        qint64 memId = 0;
        for (const MetricSeries &s : all.value())
            if (s.name == QLatin1String("mem.used_bytes") && s.label.isEmpty())
                memId = s.id;
        QVERIFY(memId > 0);
        MetricQuery q;
        q.seriesId = memId;
        q.fromMs = now - 120000;
        q.toMs = QDateTime::currentMSecsSinceEpoch();
        q.maxPoints = 0;
        auto stored = reader.query(q, q.toMs);
        QVERIFY(stored.ok());
        QVERIFY2(stored->points.size() >= samples.value(m_idA).size() - 1, qPrintable(QString::number(stored->points.size())));
    }

    void customMetricRules()
    {
        MonitoredMachines rules;
        CustomMetricRule c;
        c.machineId = m_idA;
        c.metric = {QStringLiteral("app.queue"), QStringLiteral("echo 3"), QStringLiteral("items"), 30};
        QVERIFY(rules.addCustomMetric(c).ok());
        CustomMetricRule tagged = c;
        tagged.machineId = 0;
        tagged.tagKey = QStringLiteral("env");
        tagged.tagValue = QStringLiteral("desk");
        tagged.metric.command = QStringLiteral("echo 4");
        QVERIFY(rules.addCustomMetric(tagged).ok());
        // Refused with a clear message, nothing added.
        for (auto broken : {std::pair{QStringLiteral("Bad Name"), QStringLiteral("echo 1")},
                            std::pair{QStringLiteral("ok"), QStringLiteral("  ")}}) {
            CustomMetricRule b = c;
            b.metric.name = broken.first;
            b.metric.command = broken.second;
            const Status st = rules.addCustomMetric(b);
            QVERIFY(!st.ok());
            QVERIFY(!st.error().message.isEmpty());
        }
        CustomMetricRule noTarget = c;
        noTarget.machineId = 0;
        QVERIFY(!rules.addCustomMetric(noTarget).ok());
        QCOMPARE(rules.customMetrics().size(), 2);

        QTemporaryDir dir;
        const QString path = MonitoredMachines::filePath(dir.path());
        QVERIFY(rules.save(path).ok());
        const MonitoredMachines loaded = MonitoredMachines::load(path).value();
        QCOMPARE(loaded.customMetrics().size(), 2);
        Machine a;
        a.id = m_idA;
        Machine desk;
        desk.id = m_idLocal;
        desk.userTags.insert(QStringLiteral("env"), QStringLiteral("desk"));
        Machine both = a;
        both.userTags = desk.userTags;
        QCOMPARE(loaded.customMetricsFor(a).value(0).command, QStringLiteral("echo 3"));
        QCOMPARE(loaded.customMetricsFor(desk).value(0).command, QStringLiteral("echo 4"));
        QCOMPARE(loaded.customMetricsFor(both).size(), 1);   // the machine's own wins over the tag's
        QCOMPARE(loaded.customMetricsFor(both).value(0).command, QStringLiteral("echo 3"));

        MonitoredMachines edited = loaded;
        QCOMPARE(edited.removeCustomMetric(QStringLiteral("app.queue")), 2);
        QVERIFY(edited.customMetrics().isEmpty());

        // A hand-edited bad entry is an error naming the file, not silently dropped.
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"version":1,"rules":[],"custom_metrics":[{"name":"x","command":"","machine_id":1}]})");
        f.close();
        auto bad = MonitoredMachines::load(path);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.contains(path));
    }

    // Custom metrics run with the /proc read: over alpha's SSH session and locally on This
    // computer; a command printing text is a warning in the status, the rest keeps coming.
    void customMetricsAreCollected()
    {
        MonitoredMachines rules;
        rules.enableMachine(m_idA, 1);
        rules.enableMachine(m_idLocal, 1);
        CustomMetricRule remote;
        remote.machineId = m_idA;
        remote.metric = {QStringLiteral("app.answer"), QStringLiteral("echo 42"), QStringLiteral("n"), 1};
        CustomMetricRule text = remote;
        text.metric = {QStringLiteral("app.text"), QStringLiteral("echo hello"), {}, 1};
        CustomMetricRule local;
        local.machineId = m_idLocal;
        local.metric = {QStringLiteral("app.lines"), QStringLiteral("printf 'ready 3\\nfailed 1\\n'"), {}, 1};
        for (const CustomMetricRule &c : {remote, text, local})
            QVERIFY(rules.addCustomMetric(c).ok());
        QVERIFY(rules.save(options().rulesPath).ok());

        StoreService store;
        bool opened = false;
        store.open(inventoryPath(), std::chrono::seconds(60), this, [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);
        MonitoringService svc(&store, options());
        QHash<qint64, QHash<QString, double>> values;
        connect(&svc, &MonitoringService::samplesCollected, this, [&](qint64 id, const MetricSampleSet &set) {
            for (const MetricPoint &p : set.points)
                values[id].insert(p.name, p.value);
        });
        QHash<qint64, MonitoringStatus> status;
        connect(&svc, &MonitoringService::statusChanged, this, [&](qint64 id, const MonitoringStatus &s) { status[id] = s; });
        svc.start();
        QTRY_VERIFY_WITH_TIMEOUT(values.value(m_idA).contains(QStringLiteral("app.answer")), 15000);
        QCOMPARE(values.value(m_idA).value(QStringLiteral("app.answer")), 42.0);
        QTRY_VERIFY_WITH_TIMEOUT(values.value(m_idA).contains(QStringLiteral("cpu.percent")), 10000);   // from the 2nd round
        QTRY_VERIFY_WITH_TIMEOUT(values.value(m_idLocal).contains(QStringLiteral("app.lines.ready")), 15000);
        QCOMPARE(values.value(m_idLocal).value(QStringLiteral("app.lines.failed")), 1.0);
        QCOMPARE(status.value(m_idA).state, MonitoringStatus::State::Collecting);
        QVERIFY(!status.value(m_idA).warnings.isEmpty());
        QVERIFY2(status.value(m_idA).warnings.first().message.contains(QLatin1String("app.text")),
                 qPrintable(status.value(m_idA).warnings.first().toString()));

        // Removing the metric stops it without a restart (the next resolve pushes it).
        rules.removeCustomMetric(QStringLiteral("app.answer"));
        QVERIFY(rules.save(options().rulesPath).ok());
        svc.reload();
        QTest::qWait(1500);
        values[m_idA].clear();
        QTRY_VERIFY_WITH_TIMEOUT(values.value(m_idA).contains(QStringLiteral("cpu.percent")), 10000);
        QTest::qWait(2500);
        QVERIFY(!values.value(m_idA).contains(QStringLiteral("app.answer")));
        svc.stop();
    }

    void badRulesFileIsAClearError()
    {
        QTemporaryDir dir;
        const QString path = MonitoredMachines::filePath(dir.path());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ not json");
        f.close();
        auto r = MonitoredMachines::load(path);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(path));
        QVERIFY(MonitoredMachines::load(dir.filePath(QStringLiteral("missing.json"))).ok());
        QVERIFY(!MonitoredMachines::parseTag(QStringLiteral("=x")).ok());
        QCOMPARE(MonitoredMachines::parseTag(QStringLiteral("role=web")).value().second, QStringLiteral("web"));
    }
};

QTEST_GUILESS_MAIN(TestMonitoringService)
#include "tst_monitoringservice.moc"
