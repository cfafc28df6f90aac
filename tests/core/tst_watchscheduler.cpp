#include "polling/pollscheduler.h"
#include "polling/watchcoalescer.h"
#include "providers/providerregistry.h"
#include "services/storeservice.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace mist;
using namespace std::chrono_literals;

namespace {

Machine pod(const QString &id, const QString &state = MachineState::Running, const QString &parent = QStringLiteral("node/a"))
{
    Machine m;
    m.externalId = id;
    m.parentExternalId = parent;
    m.kind = parent.isEmpty() ? MachineKind::Node : MachineKind::Pod;
    m.name = id;
    m.state = state;
    return m;
}

WatchBatch batch(QVector<Machine> upserts, QStringList removed = {})
{
    WatchBatch b;
    b.upserts = std::move(upserts);
    b.removedExternalIds = std::move(removed);
    return b;
}

// A test double of a watching provider (the code under test is the scheduler and the store):
// polls return its current listing with a fresh cursor; each watch plays the next script.
class ScriptedProvider : public Provider
{
public:
    struct Step
    {
        enum Kind { Deliver, Sleep, Expire, Fail, UntilStopped } kind;
        WatchBatch batch;
        int ms = 0;
        QString error;
    };

    ProviderInfo info() const override
    {
        ProviderInfo i;
        i.id = QStringLiteral("test-watch");
        i.title = QStringLiteral("Scripted watch");
        i.category = QStringLiteral("Tests");
        i.capabilities = {QStringLiteral("poll")};
        return i;
    }
    PollResult poll(const Credentials &) override
    {
        QMutexLocker lock(&mutex);
        ++polls;
        PollResult r;
        r.success = true;
        r.complete = true;
        r.machines = listing;
        r.watchCursor = QStringLiteral("rv-%1").arg(polls);
        return r;
    }
    QStringList allowedActions(const Machine &) const override { return {}; }
    Status runAction(const Credentials &, const Machine &, const ActionRequest &) override
    {
        return Error{QStringLiteral("no actions"), {}};
    }
    WatchOutcome watch(const Credentials &, const QString &cursor, WatchSink &sink) override
    {
        QVector<Step> script;
        {
            QMutexLocker lock(&mutex);
            ++watches;
            cursors << cursor;
            returned = false;
            script = scripts.isEmpty() ? QVector<Step>{{Step::UntilStopped, {}, 0, {}}} : scripts.takeFirst();
        }
        WatchOutcome out;
        for (const Step &step : script) {
            switch (step.kind) {
            case Step::Deliver:
                sink.deliver(step.batch);
                break;
            case Step::Sleep:
                QThread::msleep(step.ms);
                break;
            case Step::Expire:
                out.end = WatchOutcome::End::Expired;
                returned = true;
                return out;
            case Step::Fail:
                out.end = WatchOutcome::End::Failed;
                out.error = Error{step.error, QStringLiteral("scripted")};
                returned = true;
                return out;
            case Step::UntilStopped:
                while (!sink.stopRequested())
                    QThread::msleep(20);   // well within the "once a second" rule
                break;
            }
        }
        returned = true;
        return out;
    }

    void reset(QVector<Machine> list, QList<QVector<Step>> watchScripts)
    {
        QMutexLocker lock(&mutex);
        listing = std::move(list);
        scripts = std::move(watchScripts);
        cursors.clear();
        polls = 0;
        watches = 0;
        returned = false;
    }
    QStringList cursorsSeen()
    {
        QMutexLocker lock(&mutex);
        return cursors;
    }

    QMutex mutex;
    QVector<Machine> listing;
    QList<QVector<Step>> scripts;
    QStringList cursors;
    std::atomic<int> polls{0};
    std::atomic<int> watches{0};
    std::atomic<bool> returned{false};
};

using Step = ScriptedProvider::Step;

} // namespace

class TestWatchScheduler : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;
    std::shared_ptr<ScriptedProvider> m_provider = std::make_shared<ScriptedProvider>();

    struct Fixture
    {
        std::unique_ptr<StoreService> store = std::make_unique<StoreService>();
        std::unique_ptr<PollScheduler> poller;
        QVector<InventoryDelta> deltas;
        Cloud cloud;
        QString path;
    };

    std::unique_ptr<Fixture> start(QVector<Machine> listing, QList<QVector<Step>> scripts)
    {
        m_provider->reset(std::move(listing), std::move(scripts));
        auto f = std::make_unique<Fixture>();
        f->poller = std::make_unique<PollScheduler>(f->store.get());
        QObject::connect(f->store.get(), &StoreService::deltaApplied, f->store.get(),
                         [fx = f.get()](const InventoryDelta &d) { fx->deltas << d; });
        bool opened = false;
        f->path = m_dir.filePath(QStringLiteral("s%1.db").arg(++m_files));
        f->store->open(f->path, 1h, this,
                       [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        [&] { QTRY_VERIFY(opened); }();
        Cloud c;
        c.name = QStringLiteral("cluster");
        c.provider = QStringLiteral("test-watch");
        c.pollIntervalSec = 60;
        f->store->addCloud(c, QStringLiteral("test"), this, [&](Result<Cloud> r) { f->cloud = r.value(); });
        [&] { QTRY_VERIFY(f->cloud.id != 0); }();
        f->poller->start({f->cloud});
        return f;
    }

    // What the file holds, through a connection of its own (as the CLI would see it).
    static QVector<Machine> stored(Fixture &f)
    {
        InventoryStore reader;
        if (Status st = reader.open(f.path); !st)
            qFatal("%s", qPrintable(st.error().toString()));
        return reader.machines(0).value();
    }

    QMap<QString, QString> states(Fixture &f)
    {
        QMap<QString, QString> out;
        for (const Machine &m : stored(f))
            out.insert(m.externalId, m.state);
        return out;
    }

    static int watchDeltas(const Fixture &f)
    {
        int n = 0;
        for (const InventoryDelta &d : f.deltas)
            if (!d.machinesAdded.isEmpty() || !d.machinesChanged.isEmpty() || !d.machinesRemoved.isEmpty())
                ++n;
        return n;
    }

    static Cloud lastCloud(const Fixture &f)
    {
        Cloud last;
        for (const InventoryDelta &d : f.deltas)
            for (const Cloud &c : d.cloudsChanged)
                if (c.id == f.cloud.id)
                    last = c;
        return last;
    }

private slots:
    void initTestCase() { ProviderRegistry::instance().add(m_provider); }

    void coalescerMergesByExternalId()
    {
        WatchCoalescer c;
        QVERIFY(c.isEmpty());
        QVERIFY(c.add(batch({pod("p1", MachineState::Pending), pod("gone")})));
        QVERIFY(!c.add(batch({pod("p1", MachineState::Running)}, {QStringLiteral("gone"), QStringLiteral("old")})));
        QVERIFY(!c.add(batch({pod("back")}, {QStringLiteral("back")})));
        QVERIFY(!c.add(batch({pod("back", MachineState::Stopped)})));   // re-created after the removal
        const WatchBatch out = c.take();
        QVERIFY(c.isEmpty());
        QStringList ids;
        for (const Machine &m : out.upserts)
            ids << m.externalId + QLatin1Char('=') + m.state;
        QCOMPARE(ids, (QStringList{QStringLiteral("p1=running"), QStringLiteral("back=stopped")}));
        QStringList removed = out.removedExternalIds;
        removed.sort();
        QCOMPARE(removed, (QStringList{QStringLiteral("gone"), QStringLiteral("old")}));
        QVERIFY(c.add(batch({}, {QStringLiteral("x")})));   // empty again: the next add asks for a hand-off
    }

    void batchesReachTheStoreAndTheDeltaSignal()
    {
        auto f = start({pod("node/a", MachineState::Running, {}), pod("p1")},
                       {{{Step::Sleep, {}, 50, {}},
                         {Step::Deliver, batch({pod("p2", MachineState::Pending)}), 0, {}},
                         {Step::Deliver, batch({pod("p1", MachineState::Stopped)}), 0, {}},
                         {Step::UntilStopped, {}, 0, {}}}});
        QSignalSpy started(f->poller.get(), &PollScheduler::watchStarted);
        QTRY_COMPARE(started.size(), 1);
        QVERIFY(f->poller->isWatching(f->cloud.id));
        QCOMPARE(m_provider->cursorsSeen(), QStringList{QStringLiteral("rv-1")});
        // Timer polls are off while the watch keeps the cloud current.
        QCOMPARE(f->poller->nextPollIn(f->cloud.id), std::chrono::milliseconds(-1));
        QTRY_COMPARE(states(*f).value(QStringLiteral("p2")), MachineState::Pending);
        QCOMPARE(states(*f).value(QStringLiteral("p1")), MachineState::Stopped);
        auto sawAdd = [&f] {
            for (const InventoryDelta &d : f->deltas)
                for (const Machine &m : d.machinesAdded)
                    if (m.externalId == QLatin1String("p2"))
                        return true;
            return false;
        };
        QTRY_VERIFY(sawAdd());   // the delta signal follows the commit
        QCOMPARE(m_provider->polls.load(), 1);
        f->poller->stop();
        QVERIFY(m_provider->returned.load());
    }

    void burstsAreCoalesced()
    {
        QVector<Step> script{{Step::Sleep, {}, 50, {}}};
        // 300 batches within a few milliseconds: p1's state flips each time, 100 new pods,
        // an upsert then removal of p-temp, removal of stored p-old after an upsert of it.
        for (int i = 0; i < 300; ++i) {
            WatchBatch b = batch({pod(QStringLiteral("p1"), i % 2 ? MachineState::Stopped : MachineState::Running)});
            if (i < 100)
                b.upserts << pod(QStringLiteral("new-%1").arg(i), MachineState::Pending);
            script << Step{Step::Deliver, b, 0, {}};
        }
        script << Step{Step::Deliver, batch({pod("p-temp"), pod("p-old", MachineState::Error)}), 0, {}}
               << Step{Step::Deliver, batch({}, {QStringLiteral("p-temp"), QStringLiteral("p-old")}), 0, {}}
               << Step{Step::Deliver, batch({pod("p1", MachineState::Paused)}), 0, {}}
               << Step{Step::UntilStopped, {}, 0, {}};
        auto f = start({pod("node/a", MachineState::Running, {}), pod("p1"), pod("p-old")}, {script});
        QTRY_COMPARE(states(*f).value(QStringLiteral("p1")), MachineState::Paused);
        QTRY_COMPARE(states(*f).size(), 102);   // node, p1 and the 100 new ones
        QVERIFY(!states(*f).contains(QStringLiteral("p-temp")));
        QVERIFY(!states(*f).contains(QStringLiteral("p-old")));
        // One delta for the listing, then the burst in very few store writes (not 303). The
        // deltas reach this thread after the commits the file shows.
        QTRY_VERIFY(watchDeltas(*f) >= 2);
        QTest::qWait(300);   // room for any further hand-off to show up
        const int writes = watchDeltas(*f) - 1;
        QVERIFY2(writes >= 1 && writes <= 3, qPrintable(QString::number(writes)));
        f->poller->stop();
    }

    void expiryListsAgainAndWatchesAgain()
    {
        auto f = start({pod("node/a", MachineState::Running, {}), pod("p1")},
                       {{{Step::Deliver, batch({pod("p2")}), 0, {}}, {Step::Sleep, {}, 20, {}}, {Step::Expire, {}, 0, {}}},
                        {{Step::UntilStopped, {}, 0, {}}}});
        QSignalSpy ended(f->poller.get(), &PollScheduler::watchEnded);
        QTRY_COMPARE(ended.size(), 1);
        QCOMPARE(ended.first().at(1).toInt(), int(WatchOutcome::End::Expired));
        {
            // What the cluster looks like when it is listed again.
            QMutexLocker lock(&m_provider->mutex);
            m_provider->listing = {pod("node/a", MachineState::Running, {}), pod("p1"), pod("p2"), pod("p3")};
        }
        QTRY_COMPARE(m_provider->watches.load(), 2);
        QCOMPARE(m_provider->polls.load(), 2);
        QCOMPARE(m_provider->cursorsSeen(), (QStringList{QStringLiteral("rv-1"), QStringLiteral("rv-2")}));
        QTRY_VERIFY(f->poller->isWatching(f->cloud.id));
        QTRY_COMPARE(states(*f).size(), 4);
        QTRY_COMPARE(lastCloud(*f).health, CloudHealth::Ok);   // the delta comes after the commit
        f->poller->stop();
    }

    void failureKeepsInventoryAndBacksOff()
    {
        auto f = start({pod("node/a", MachineState::Running, {}), pod("p1"), pod("p2")},
                       {{{Step::Sleep, {}, 100, {}}, {Step::Fail, {}, 0, QStringLiteral("The connection to the API server broke")}}});
        QSignalSpy ended(f->poller.get(), &PollScheduler::watchEnded);
        QTRY_COMPARE(ended.size(), 1);
        QCOMPARE(ended.first().at(1).toInt(), int(WatchOutcome::End::Failed));
        QVERIFY(ended.first().at(2).toString().contains(QStringLiteral("broke")));
        QVERIFY(!f->poller->isWatching(f->cloud.id));
        QCOMPARE(f->poller->consecutiveFailures(f->cloud.id), 1);
        const auto next = f->poller->nextPollIn(f->cloud.id);
        QVERIFY2(next >= 11s && next <= 18s, qPrintable(QString::number(next.count())));
        QTRY_COMPARE(lastCloud(*f).health, CloudHealth::Error);
        QVERIFY(lastCloud(*f).lastError.contains(QStringLiteral("broke")));
        QCOMPARE(states(*f).size(), 3);   // nothing removed or hidden
        for (const Machine &m : stored(*f))
            QVERIFY(!m.missingSince.isValid());
        QCOMPARE(m_provider->polls.load(), 1);
        // "Refresh now" lists and watches again, and a good listing clears the failure count.
        f->poller->pollNow(f->cloud.id);
        QTRY_COMPARE(m_provider->watches.load(), 2);
        QCOMPARE(f->poller->consecutiveFailures(f->cloud.id), 0);
        f->poller->stop();
    }

    void refreshDuringWatchRestartsItFromTheNewListing()
    {
        auto f = start({pod("node/a", MachineState::Running, {}), pod("p1")}, {});
        QTRY_VERIFY(f->poller->isWatching(f->cloud.id));
        QCOMPARE(f->poller->nextPollIn(f->cloud.id), std::chrono::milliseconds(-1));
        f->poller->pollNow(f->cloud.id);
        QTRY_COMPARE(m_provider->watches.load(), 2);
        QCOMPARE(m_provider->polls.load(), 2);
        QCOMPARE(m_provider->cursorsSeen(), (QStringList{QStringLiteral("rv-1"), QStringLiteral("rv-2")}));
        QTRY_COMPARE(f->poller->runningWatchThreads(), 1);   // the first one stopped
        f->poller->stop();
        QCOMPARE(f->poller->runningWatchThreads(), 0);
    }

    void disablingStopsTheWatch()
    {
        auto f = start({pod("node/a", MachineState::Running, {})}, {});
        QTRY_VERIFY(f->poller->isWatching(f->cloud.id));
        Cloud off = f->cloud;
        off.enabled = false;
        bool updated = false;
        f->store->updateCloud(off, QStringLiteral("test"), this, [&](Result<Cloud> r) { updated = r.ok(); });
        QTRY_VERIFY(updated);
        QTRY_VERIFY(!f->poller->isWatching(f->cloud.id));
        QTRY_VERIFY(m_provider->returned.load());
        QTRY_COMPARE(f->poller->runningWatchThreads(), 0);
        QCOMPARE(f->poller->nextPollIn(f->cloud.id), std::chrono::milliseconds(-1));
    }

    void stopJoinsTheWatchThread()
    {
        auto f = start({pod("node/a", MachineState::Running, {})}, {});
        QTRY_VERIFY(f->poller->isWatching(f->cloud.id));
        QCOMPARE(f->poller->runningWatchThreads(), 1);
        QElapsedTimer t;
        t.start();
        f->poller->stop();
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(m_provider->returned.load());
        QCOMPARE(f->poller->runningWatchThreads(), 0);
        QVERIFY(!f->poller->isWatching(f->cloud.id));
        // Destroying the scheduler with a watch running also ends it.
        auto g = start({pod("node/a", MachineState::Running, {})}, {});
        QTRY_VERIFY(g->poller->isWatching(g->cloud.id));
        g->poller.reset();
        QVERIFY(m_provider->returned.load());
    }
};

QTEST_GUILESS_MAIN(TestWatchScheduler)
#include "tst_watchscheduler.moc"
