// KubernetesProvider::watch against the fixture's chunked watch streams: events become
// WatchBatches, bookmarks move the resume point, 410 Gone ends as Expired, a broken stream
// is resumed once, junk ends the watch with a clear error, a stop request is honoured fast.
#include "kubeapifixture.h"
#include "providers/kubernetes/kubernetesprovider.h"
#include "providers/kubernetes/kubewatch.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QMutex>
#include <QTest>

#include <atomic>
#include <future>

using namespace mist;
using namespace mist::test;

namespace {

class Sink : public WatchSink
{
public:
    void deliver(WatchBatch batch) override
    {
        QMutexLocker lock(&mutex);
        batches << batch;
    }
    bool stopRequested() const override { return stop; }

    QStringList upserted()
    {
        QMutexLocker lock(&mutex);
        QStringList ids;
        for (const WatchBatch &b : batches)
            for (const Machine &m : b.upserts)
                ids << m.externalId;
        return ids;
    }
    QStringList removed()
    {
        QMutexLocker lock(&mutex);
        QStringList ids;
        for (const WatchBatch &b : batches)
            ids << b.removedExternalIds;
        return ids;
    }
    Machine last(const QString &id)
    {
        QMutexLocker lock(&mutex);
        Machine out;
        for (const WatchBatch &b : batches)
            for (const Machine &m : b.upserts)
                if (m.externalId == id)
                    out = m;
        return out;
    }

    QMutex mutex;
    QVector<WatchBatch> batches;
    std::atomic<bool> stop{false};
};

// One watch on a worker thread. Stops it when a test returns early, so that the future's
// destructor does not wait forever.
struct WatchRun
{
    WatchRun(Provider &provider, const Credentials &c, const QString &cursor)
        : future(std::async(std::launch::async, [this, &provider, c, cursor] { return provider.watch(c, cursor, sink); }))
    {
    }
    ~WatchRun() { sink.stop = true; }

    Sink sink;
    std::future<WatchOutcome> future;
};

} // namespace

class TestKubeWatch : public QObject
{
    Q_OBJECT

    KubeApiFixture *fx = nullptr;
    KubernetesProvider provider;
    QString pod;

    QString pollCursor()
    {
        const PollResult r = runOffThread([&] { return provider.poll(fx->credentials()); });
        return r.success ? r.watchCursor : QString();
    }
    bool waitOpen(int n)
    {
        QElapsedTimer t;
        t.start();
        while (fx->openWatches() < n || fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/")).isEmpty()) {
            if (t.elapsed() > 5000)
                return false;
            QTest::qWait(10);
        }
        return true;
    }
    WatchOutcome finish(std::future<WatchOutcome> &f, int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready && t.elapsed() < timeoutMs)
            QTest::qWait(10);
        if (f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            return WatchOutcome{WatchOutcome::End::Failed, Error{QStringLiteral("test: watch did not end"), {}}};
        return f.get();
    }

private slots:
    void init()
    {
        fx = new KubeApiFixture(this);
        QVERIFY(fx->start());
        fx->setToken("t0k");
        fx->addNode(QStringLiteral("n1"));
        KubeObjects::PodSpec spec;
        spec.name = QStringLiteral("web-1");
        spec.node = QStringLiteral("n1");
        spec.containers = {QStringLiteral("app"), QStringLiteral("sidecar")};
        pod = fx->addPod(spec);
    }
    void cleanup()
    {
        delete fx;
        fx = nullptr;
    }

    void eventsBecomeBatches()
    {
        const QString cursor = pollCursor();
        QVERIFY(!cursor.isEmpty());
        WatchRun run(provider, fx->credentials(), cursor);
        Sink &sink = run.sink;
        auto &f = run.future;
        QVERIFY(waitOpen(2));
        const auto watches = fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/pods"));
        QCOMPARE(watches.last().query.queryItemValue(QStringLiteral("watch")), QStringLiteral("1"));
        QCOMPARE(watches.last().query.queryItemValue(QStringLiteral("allowWatchBookmarks")), QStringLiteral("true"));
        QCOMPARE(watches.last().query.queryItemValue(QStringLiteral("resourceVersion")), KubeCursor::parse(cursor).pods);

        fx->bumpRestarts(pod);   // MODIFIED
        QTRY_VERIFY(sink.upserted().contains(QStringLiteral("pod/") + pod));
        QVERIFY(sink.upserted().contains(QStringLiteral("pod/%1/app").arg(pod)));
        QCOMPARE(sink.last(QStringLiteral("pod/") + pod).extra.value(QStringLiteral("restarts")).toInt(), 1);
        QCOMPARE(sink.last(QStringLiteral("pod/%1/app").arg(pod)).extra.value(QStringLiteral("restarts")).toInt(), 1);

        KubeObjects::PodSpec extra;
        extra.name = QStringLiteral("new-pod");
        extra.node = QStringLiteral("n1");
        const QString added = fx->addPod(extra);   // ADDED
        QTRY_VERIFY(sink.upserted().contains(QStringLiteral("pod/%1/app").arg(added)));
        QCOMPARE(sink.last(QStringLiteral("pod/") + added).parentExternalId, QStringLiteral("node/n1"));

        // A container that left the pod is removed (seen before in this watch).
        fx->modifyPod(pod, QJsonObject{{QStringLiteral("spec"), QJsonObject{{QStringLiteral("containers"),
                                                                            QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("app")},
                                                                                                   {QStringLiteral("image"), QStringLiteral("x")}}}}}}});
        QTRY_VERIFY(sink.removed().contains(QStringLiteral("pod/%1/sidecar").arg(pod)));

        fx->deletePod(added);   // DELETED
        QTRY_VERIFY(sink.removed().contains(QStringLiteral("pod/") + added));
        QVERIFY(sink.removed().contains(QStringLiteral("pod/%1/app").arg(added)));

        fx->addNode(QStringLiteral("n2"));
        QTRY_VERIFY(sink.upserted().contains(QStringLiteral("node/n2")));
        fx->deleteNode(QStringLiteral("n2"));
        QTRY_VERIFY(sink.removed().contains(QStringLiteral("node/n2")));

        QElapsedTimer t;
        t.start();
        sink.stop = true;
        const WatchOutcome o = finish(f);
        QCOMPARE(o.end, WatchOutcome::End::Stopped);
        QVERIFY(t.elapsed() < 1500);
    }

    void bookmarkMovesResumePoint()
    {
        const QString cursor = pollCursor();
        WatchRun run(provider, fx->credentials(), cursor);
        Sink &sink = run.sink;
        auto &f = run.future;
        QVERIFY(waitOpen(2));
        // Changes elsewhere move the version; the bookmark tells the watcher.
        for (int i = 0; i < 5; ++i)
            fx->addWorkload(QStringLiteral("Deployment"), QStringLiteral("x"), QStringLiteral("d%1").arg(i), 1);
        const QString bookmarkRv = QString::number(fx->resourceVersion());
        fx->sendBookmark();
        QTest::qWait(200);
        QVERIFY(sink.upserted().isEmpty());   // a bookmark is no change
        fx->clearRequests();
        fx->endWatches();   // a clean end (timeoutSeconds): resume at the bookmark
        QTRY_COMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/pods")).size(), 1);
        QCOMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/pods")).first().query.queryItemValue(QStringLiteral("resourceVersion")),
                 bookmarkRv);
        sink.stop = true;
        QCOMPARE(finish(f).end, WatchOutcome::End::Stopped);
    }

    void goneIsExpired()
    {
        const QString cursor = pollCursor();
        fx->bumpRestarts(pod);
        fx->compact();
        WatchRun run(provider, fx->credentials(), cursor);
        QCOMPARE(finish(run.future).end, WatchOutcome::End::Expired);

        fx->setWatchGoneAsHttpStatus(true);
        WatchRun run2(provider, fx->credentials(), cursor);
        QCOMPARE(finish(run2.future).end, WatchOutcome::End::Expired);

        // A cursor that is no cursor asks for a fresh listing too.
        WatchRun run3(provider, fx->credentials(), QStringLiteral("garbage"));
        QCOMPARE(finish(run3.future).end, WatchOutcome::End::Expired);
    }

    void brokenStreamResumesOnceThenFails()
    {
        const QString cursor = pollCursor();
        WatchRun run(provider, fx->credentials(), cursor);
        Sink &sink = run.sink;
        auto &f = run.future;
        QVERIFY(waitOpen(2));
        fx->clearRequests();
        fx->breakWatches();
        QTRY_VERIFY(fx->openWatches() == 2);   // resumed
        fx->bumpRestarts(pod);                 // the resumed stream works and delivers
        QTRY_VERIFY(sink.upserted().contains(QStringLiteral("pod/") + pod));
        QVERIFY(f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready);

        fx->breakWatches();                    // resumed again (there was progress)…
        QTRY_VERIFY(fx->openWatches() == 2);
        fx->stop();                            // …then the server is gone: the resume fails
        const WatchOutcome o = finish(f);
        QCOMPARE(o.end, WatchOutcome::End::Failed);
        QVERIFY2(!o.error.message.isEmpty(), "a failed watch says why");
    }

    void junkEndsWithClearError()
    {
        const QString cursor = pollCursor();
        WatchRun run(provider, fx->credentials(), cursor);
        auto &f = run.future;
        QVERIFY(waitOpen(2));
        fx->sendToWatches("{\"type\":\"MODIFIED\",\"object\":{\"metadata\":\n");   // truncated JSON
        const WatchOutcome o = finish(f);
        QCOMPARE(o.end, WatchOutcome::End::Failed);
        QVERIFY2(o.error.message.contains(QLatin1String("cannot read")), qPrintable(o.error.message));

        WatchRun run2(provider, fx->credentials(), cursor);
        auto &f2 = run2.future;
        QVERIFY(waitOpen(2));
        fx->sendToWatches("\x01\x02 binary garbage \xff\n");
        QCOMPARE(finish(f2).end, WatchOutcome::End::Failed);
    }

    void unauthorizedWatchFails()
    {
        const QString cursor = pollCursor();
        Credentials c = fx->credentials();
        c.secrets.insert(QStringLiteral("token"), QStringLiteral("nope"));
        WatchRun run(provider, c, cursor);
        auto &f = run.future;
        const WatchOutcome o = finish(f);
        QCOMPARE(o.end, WatchOutcome::End::Failed);
        QVERIFY2(o.error.message.contains(QLatin1String("401")), qPrintable(o.error.message));
    }

    void churnKeepsUp()
    {
        fx->generate(2000, 10);
        const QString cursor = pollCursor();
        QVERIFY(!cursor.isEmpty());
        WatchRun run(provider, fx->credentials(), cursor);
        Sink &sink = run.sink;
        auto &f = run.future;
        QVERIFY(waitOpen(2));
        fx->setChurn(1000);
        QTest::qWait(1000);
        fx->setChurn(0);
        const qint64 sent = fx->eventsSent();
        QVERIFY(sent >= 500);
        QTRY_VERIFY(sink.upserted().size() >= sent * 3 * 9 / 10);   // pod + 2 containers each
        sink.stop = true;
        QCOMPARE(finish(f).end, WatchOutcome::End::Stopped);
    }
};

QTEST_GUILESS_MAIN(TestKubeWatch)
#include "tst_kubewatch.moc"
