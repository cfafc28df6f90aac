#include "polling/backoff.h"
#include "polling/pollscheduler.h"
#include "services/storeservice.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace mist;
using namespace std::chrono_literals;

// The scheduler against real providers: libvirt's test driver answers, a closed port
// refuses, and a server that accepts but never speaks makes libvirt hang until the
// scheduler's timeout.
class TestPollScheduler : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_dbCounter = 0;

    struct Fixture
    {
        std::unique_ptr<StoreService> store = std::make_unique<StoreService>();
        std::unique_ptr<PollScheduler> poller;
        QVector<InventoryDelta> deltas;
    };

    std::unique_ptr<Fixture> open(QObject *context)
    {
        auto f = std::make_unique<Fixture>();
        f->poller = std::make_unique<PollScheduler>(f->store.get());
        // The fixture's own store is the context: queued deltas die with the fixture.
        QObject::connect(f->store.get(), &StoreService::deltaApplied, f->store.get(),
                         [fx = f.get()](const InventoryDelta &d) { fx->deltas << d; });
        bool opened = false;
        f->store->open(m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_dbCounter)), 1h, context,
                       [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        [&] { QTRY_VERIFY(opened); }();
        return f;
    }

    Cloud addCloud(Fixture &f, const QString &name, const QString &uri, bool enabled = true)
    {
        Cloud c;
        c.name = name;
        c.provider = QStringLiteral("libvirt");
        c.enabled = enabled;
        c.pollIntervalSec = 60;
        c.config.insert(QStringLiteral("uri"), uri);
        Cloud added;
        f.store->addCloud(c, QStringLiteral("test"), this, [&](Result<Cloud> r) { added = r.value(); });
        [&] { QTRY_VERIFY(added.id != 0); }();
        return added;
    }

    static int machinesAdded(const Fixture &f)
    {
        int n = 0;
        for (const auto &d : f.deltas)
            n += d.machinesAdded.size();
        return n;
    }

    static Cloud lastCloudState(const Fixture &f, qint64 id)
    {
        Cloud last;
        for (const auto &d : f.deltas)
            for (const Cloud &c : d.cloudsChanged)
                if (c.id == id)
                    last = c;
        return last;
    }

private slots:
    void backoffGrowsWithJitterAndCaps()
    {
        Backoff b(42);
        for (int i = 0; i < 50; ++i) {
            const auto regular = b.nextDelay(60s, 0);
            QVERIFY(regular >= 54s && regular <= 66s);
            const auto first = b.nextDelay(60s, 1);
            QVERIFY(first >= 12s && first <= 18s);
            const auto third = b.nextDelay(60s, 3);
            QVERIFY(third >= 48s && third <= 72s);
            const auto many = b.nextDelay(60s, 40);
            QVERIFY(many <= Backoff::kMaxRetry * 1.2 && many >= Backoff::kMaxRetry * 0.8);
        }
        // A long regular interval is never shortened by the failure cap.
        QVERIFY(b.nextDelay(std::chrono::hours(2), 40) >= std::chrono::minutes(90));
    }

    void enabledCloudIsPolledAndApplied()
    {
        auto f = open(this);
        const Cloud c = addCloud(*f, QStringLiteral("kvm"), QStringLiteral("test:///default"));
        QSignalSpy finished(f->poller.get(), &PollScheduler::pollFinished);
        f->poller->start({c});
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).toBool(), true);
        QTRY_COMPARE(machinesAdded(*f), 2);   // the hypervisor and domain "test"
        QTRY_COMPARE(lastCloudState(*f, c.id).health, CloudHealth::Ok);
        const auto next = f->poller->nextPollIn(c.id);
        QVERIFY2(next > 50s && next <= 70s, // ±10% jitter, plus coarse-timer slack
                 qPrintable(QString::number(next.count())));
    }

    void disabledCloudIsNotPolledUntilAsked()
    {
        auto f = open(this);
        const Cloud c = addCloud(*f, QStringLiteral("off"), QStringLiteral("test:///default"), false);
        QSignalSpy started(f->poller.get(), &PollScheduler::pollStarted);
        f->poller->start({c});
        QTest::qWait(200);
        QCOMPARE(started.size(), 0);
        QCOMPARE(f->poller->nextPollIn(c.id), std::chrono::milliseconds(-1));
        f->poller->pollNow(c.id);   // "refresh now" works on a disabled cloud
        QTRY_COMPARE(started.size(), 1);
    }

    void failureBacksOffAndKeepsInventory()
    {
        // Find a port nothing listens on.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();

        auto f = open(this);
        const Cloud c = addCloud(*f, QStringLiteral("down"), QStringLiteral("qemu+tcp://127.0.0.1:%1/system").arg(port));
        QSignalSpy finished(f->poller.get(), &PollScheduler::pollFinished);
        f->poller->start({c});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QVERIFY(!finished.first().at(2).toString().isEmpty());
        QCOMPARE(f->poller->consecutiveFailures(c.id), 1);
        const auto next = f->poller->nextPollIn(c.id);
        QVERIFY2(next >= 11s && next <= 18s, "first retry comes after ~15 s");
        QTRY_COMPARE(lastCloudState(*f, c.id).health, CloudHealth::Error);
        QVERIFY(!lastCloudState(*f, c.id).lastError.isEmpty());
    }

    void hangingCloudTimesOutAndLateAnswerIsDropped()
    {
        // Accepts connections and never answers: libvirt waits for its handshake.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QList<QTcpSocket *> held;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (auto *s = silent.nextPendingConnection())
                held << s;
        });

        auto f = open(this);
        f->poller->setTimeout(700ms);
        const Cloud c = addCloud(*f, QStringLiteral("hang"),
                                 QStringLiteral("qemu+tcp://127.0.0.1:%1/system?no_verify=1").arg(silent.serverPort()));
        QSignalSpy finished(f->poller.get(), &PollScheduler::pollFinished);
        f->poller->start({c});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QVERIFY2(finished.first().at(2).toString().contains(QStringLiteral("did not answer")),
                 qPrintable(finished.first().at(2).toString()));
        QVERIFY(!f->poller->isPolling(c.id));
        QTRY_COMPARE(lastCloudState(*f, c.id).health, CloudHealth::Error);
        // Let libvirt's blocked call return; its late answer must not count as a second poll.
        for (QTcpSocket *s : held)
            s->abort();
        silent.close();
        QTest::qWait(500);
        QCOMPARE(finished.size(), 1);
    }

    void refreshDuringPollRunsAgainAfterIt()
    {
        auto f = open(this);
        const Cloud c = addCloud(*f, QStringLiteral("kvm"), QStringLiteral("test:///default"));
        QSignalSpy finished(f->poller.get(), &PollScheduler::pollFinished);
        f->poller->start({c});
        f->poller->pollNow(c.id);   // asked while the first is in flight
        QTRY_COMPARE(finished.size(), 2);
    }

    void removedCloudIsForgotten()
    {
        auto f = open(this);
        const Cloud c = addCloud(*f, QStringLiteral("kvm"), QStringLiteral("test:///default"));
        f->poller->start({c});
        bool removed = false;
        f->store->removeCloud(c.id, QStringLiteral("test"), this, [&](Result<bool> r) { removed = r.ok(); });
        QTRY_VERIFY(removed);
        QTRY_COMPARE(f->poller->nextPollIn(c.id), std::chrono::milliseconds(-1));
        QSignalSpy failed(f->store.get(), &StoreService::writeFailed);
        QTest::qWait(300);
        QCOMPARE(failed.size(), 0);   // a poll result for a removed cloud is not applied
    }

    // Results that arrive while the store thread is busy are applied together (one
    // transaction, one "now"); any other request in between starts a new batch, so a
    // "polling" mark queued before a result never lands after it.
    void resultsArrivingTogetherAreAppliedTogetherInOrder()
    {
        auto f = open(this);
        const Cloud a = addCloud(*f, QStringLiteral("a"), QStringLiteral("test:///default"));
        const Cloud b = addCloud(*f, QStringLiteral("b"), QStringLiteral("test:///default"));
        const Cloud c = addCloud(*f, QStringLiteral("c"), QStringLiteral("test:///default"));
        auto machine = [](const QString &id) {
            Machine m;
            m.externalId = id;
            m.name = id;
            m.state = MachineState::Running;
            return m;
        };
        auto result = [&](const QString &id) {
            PollResult r;
            r.success = r.complete = true;
            r.machines = {machine(id)};
            return r;
        };
        // Hold the store thread so the next requests queue up behind this one.
        std::atomic_bool release = false;
        f->store->call<bool>(this, [&release](InventoryStore &) -> Result<bool> {
            while (!release)
                QThread::msleep(5);
            return true;
        }, {});
        QVector<Result<InventoryDelta>> answers;
        auto collect = [&answers](Result<InventoryDelta> r) { answers << r; };
        f->store->applyPoll(a.id, result(QStringLiteral("a1")), this, collect);
        f->store->applyPoll(b.id, result(QStringLiteral("b1")), this, collect);
        f->store->markPolling(c.id);
        f->store->applyPoll(c.id, result(QStringLiteral("c1")), this, collect);
        release = true;
        QTRY_COMPARE(answers.size(), 3);
        for (const auto &r : answers)
            QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        const Cloud stateA = lastCloudState(*f, a.id), stateB = lastCloudState(*f, b.id), stateC = lastCloudState(*f, c.id);
        QCOMPARE(stateA.health, CloudHealth::Ok);
        QCOMPARE(stateB.health, CloudHealth::Ok);
        QCOMPARE(stateA.lastPollAt, stateB.lastPollAt);   // one batch
        QCOMPARE(stateC.health, CloudHealth::Ok);          // applied after its "polling" mark
        QVERIFY(stateC.lastPollAt >= stateB.lastPollAt);
        QCOMPARE(machinesAdded(*f), 3);
    }
};

QTEST_GUILESS_MAIN(TestPollScheduler)
#include "tst_pollscheduler.moc"
