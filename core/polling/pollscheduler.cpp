#include "pollscheduler.h"

#include "polling/polljob.h"
#include "polling/watchcoalescer.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMutex>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

// One running watch: the sink the provider delivers to (on the watch thread) and what the
// scheduler keeps about it (on the scheduler's thread). Shared by both, so it outlives
// whichever side lets go first.
class WatchRun final : public WatchSink
{
public:
    WatchRun(PollScheduler *owner, qint64 cloudId, quint64 id) : cloudId(cloudId), id(id), m_owner(owner) {}

    void deliver(WatchBatch batch) override
    {
        // After a stop the next listing supersedes whatever the watch still sends.
        if (stopped.load() || batch.isEmpty())
            return;
        if (coalescer.add(std::move(batch)))
            post([](PollScheduler *s, qint64 cloud, quint64 run) { s->scheduleWatchFlush(cloud, run); });
    }
    bool stopRequested() const override { return stopped.load(); }

    // Runs f on the scheduler's thread unless the scheduler has let go of this run.
    template <typename F>
    void post(F f)
    {
        QMutexLocker lock(&m_ownerMutex);
        if (PollScheduler *owner = m_owner)
            QMetaObject::invokeMethod(owner, [owner, f, cloud = cloudId, run = id] { f(owner, cloud, run); },
                                      Qt::QueuedConnection);
    }
    void orphan()
    {
        QMutexLocker lock(&m_ownerMutex);
        m_owner = nullptr;
    }

    const qint64 cloudId;
    const quint64 id;
    std::atomic<bool> stopped{false};
    WatchCoalescer coalescer;
    QPointer<QThread> thread;   // deletes itself when finished
    // Scheduler's thread only:
    QElapsedTimer started;
    QElapsedTimer lastFlush;
    bool flushScheduled = false;
    bool inStore = false;       // a hand-off is being written; the next waits for it

private:
    QMutex m_ownerMutex;
    PollScheduler *m_owner;
};

PollScheduler::PollScheduler(StoreService *store, QObject *parent)
    : QObject(parent), m_store(store)
{
    // libvirt and similar C APIs block a thread per call; keep enough for many clouds
    // while a few hang until their timeout.
    m_pool.setMaxThreadCount(8);
    m_pool.setObjectName(QStringLiteral("mist-pollers"));
    connect(m_store, &StoreService::deltaApplied, this, &PollScheduler::applyDelta);
}

PollScheduler::~PollScheduler()
{
    stop();
    for (const auto &run : std::as_const(m_watchRuns))
        run->orphan();   // a watch that did not stop in time finishes on its own
    m_pool.waitForDone();
}

void PollScheduler::start(const QVector<Cloud> &clouds)
{
    m_running = true;
    for (const Cloud &c : clouds)
        track(c);
    pollAll();
}

void PollScheduler::stop()
{
    m_running = false;
    for (Entry &e : m_entries) {
        if (e.timer)
            e.timer->stop();
        if (e.watchdog)
            e.watchdog->stop();
        stopWatch(e);
    }
    // Providers check stopRequested() at least once a second: wait a little for them.
    const QDeadlineTimer deadline(kWatchJoinTimeout);
    for (const auto &run : std::as_const(m_watchRuns))
        if (QThread *t = run->thread)
            if (!t->wait(deadline))
                qCWarning(lcPolling) << "a watch of cloud" << run->cloudId << "did not stop in time";
}

int PollScheduler::runningWatchThreads() const
{
    int n = 0;
    for (const auto &run : m_watchRuns)
        if (run->thread && run->thread->isRunning())
            ++n;
    return n;
}

bool PollScheduler::isWatching(qint64 cloudId) const
{
    auto it = m_entries.constFind(cloudId);
    return it != m_entries.constEnd() && it->watch;
}

bool PollScheduler::isPolling(qint64 cloudId) const
{
    auto it = m_entries.constFind(cloudId);
    return it != m_entries.constEnd() && it->inFlight;
}

int PollScheduler::consecutiveFailures(qint64 cloudId) const
{
    return m_entries.value(cloudId).failures;
}

std::chrono::milliseconds PollScheduler::nextPollIn(qint64 cloudId) const
{
    auto it = m_entries.constFind(cloudId);
    if (it == m_entries.constEnd() || !it->timer || !it->timer->isActive())
        return std::chrono::milliseconds(-1);
    return std::chrono::milliseconds(it->timer->remainingTime());
}

void PollScheduler::track(const Cloud &cloud)
{
    Entry &e = m_entries[cloud.id];
    const bool wasEnabled = e.timer && e.cloud.enabled;
    const int oldInterval = e.cloud.pollIntervalSec;
    const bool settingsChanged = e.cloud.config != cloud.config || e.cloud.secretFields != cloud.secretFields;
    // Keep the status fields the scheduler does not own out of the comparison.
    e.cloud = cloud;
    if (!e.timer) {
        e.timer = new QTimer(this);
        e.timer->setSingleShot(true);
        connect(e.timer, &QTimer::timeout, this, [this, id = cloud.id] {
            if (!isWatching(id))   // a watched cloud is kept current by its watch
                pollNow(id);
        });
        e.watchdog = new QTimer(this);
        e.watchdog->setSingleShot(true);
    }
    if (!m_running)
        return;
    if (!cloud.enabled) {
        e.timer->stop();
        stopWatch(e);
    } else if (e.watch && settingsChanged) {
        // New credentials or server: follow the cloud with them from a fresh listing.
        stopWatch(e);
        QMetaObject::invokeMethod(this, [this, id = cloud.id] { pollNow(id); }, Qt::QueuedConnection);
    } else if (!wasEnabled) {
        // Newly added or re-enabled: poll right away.
        QMetaObject::invokeMethod(this, [this, id = cloud.id] { pollNow(id); }, Qt::QueuedConnection);
    } else if (oldInterval != cloud.pollIntervalSec && !e.inFlight) {
        schedule(e);
    }
}

void PollScheduler::forget(qint64 cloudId)
{
    auto it = m_entries.find(cloudId);
    if (it == m_entries.end())
        return;
    stopWatch(*it);
    delete it->timer;
    delete it->watchdog;
    m_entries.erase(it);
}

void PollScheduler::applyDelta(const InventoryDelta &delta)
{
    for (qint64 id : delta.cloudsRemoved)
        forget(id);
    for (const Cloud &c : delta.cloudsChanged)
        track(c);
}

void PollScheduler::schedule(Entry &e)
{
    if (!m_running || !e.cloud.enabled || e.watch) {
        e.timer->stop();
        return;
    }
    const auto delay = m_backoff.nextDelay(std::chrono::seconds(e.cloud.pollIntervalSec), e.failures);
    e.timer->start(delay);
}

void PollScheduler::pollAll()
{
    const auto ids = m_entries.keys();
    for (qint64 id : ids)
        if (m_entries.value(id).cloud.enabled)
            pollNow(id);
}

void PollScheduler::pollNow(qint64 cloudId)
{
    auto it = m_entries.find(cloudId);
    if (it == m_entries.end())
        return;
    Entry &e = *it;
    if (e.inFlight) {
        // The running poll may have started before the change the caller wants to see.
        e.again = true;
        return;
    }
    e.timer->stop();
    e.inFlight = true;
    const quint64 generation = ++e.generation;
    m_store->markPolling(cloudId);
    emit pollStarted(cloudId);
    qCDebug(lcPolling) << "polling" << e.cloud.name;

    const Cloud cloud = e.cloud;
    auto *watcher = new QFutureWatcher<PollResult>(this);
    connect(watcher, &QFutureWatcher<PollResult>::finished, this, [this, watcher, cloudId, generation] {
        finish(cloudId, generation, watcher->result());
        watcher->deleteLater();
    });
    auto hostKeys = std::make_shared<StoreServiceHostKeyVerifier>(m_store);
    watcher->setFuture(QtConcurrent::run(&m_pool, [cloud, hostKeys] {
        SecretStore secrets;
        return ProviderCall::poll(cloud, secrets, hostKeys);
    }));

    // A provider that hangs must not hold the cloud's status at "polling" forever: its late
    // answer is dropped by the generation check.
    e.watchdog->disconnect();
    connect(e.watchdog, &QTimer::timeout, this, [this, cloudId, generation, secs = m_timeout.count() / 1000.0] {
        finish(cloudId, generation,
               PollResult::failure(Error{QCoreApplication::translate("PollScheduler", "The cloud did not answer within %1 seconds")
                                             .arg(secs), {}}));
    });
    e.watchdog->start(m_timeout);
}

void PollScheduler::finish(qint64 cloudId, quint64 generation, const PollResult &result)
{
    auto it = m_entries.find(cloudId);
    if (it == m_entries.end() || it->generation != generation || !it->inFlight)
        return;   // cloud removed meanwhile, or this answer came after the timeout
    Entry &e = *it;
    e.inFlight = false;
    e.watchdog->stop();
    e.failures = result.success ? 0 : e.failures + 1;
    if (!result.success)
        qCInfo(lcPolling) << "poll failed" << e.cloud.name << result.error.toString() << "failures" << e.failures;
    // A new listing supersedes the running watch (and what it has not handed over yet):
    // the next watch resumes from this listing's cursor.
    const bool watch = result.success && result.complete && !result.watchCursor.isEmpty();
    if (watch || !result.success)
        stopWatch(e);
    m_store->applyPoll(cloudId, result);
    if (e.again) {
        e.again = false;
        QMetaObject::invokeMethod(this, [this, cloudId] { pollNow(cloudId); }, Qt::QueuedConnection);
    } else if (watch && m_running && e.cloud.enabled) {
        startWatch(e, result.watchCursor);
    } else {
        schedule(e);
    }
    emit pollFinished(cloudId, result.success, result.error.toString());
}

// ---- watching -----------------------------------------------------------------------------

void PollScheduler::startWatch(Entry &e, const QString &cursor)
{
    stopWatch(e);
    e.timer->stop();
    auto run = std::make_shared<WatchRun>(this, e.cloud.id, ++m_nextRunId);
    run->started.start();
    run->lastFlush.start();
    e.watch = run;
    // Finished runs are pruned here rather than on their last event: stop() may wait on them.
    m_watchRuns.removeIf([](const std::shared_ptr<WatchRun> &r) { return !r->thread || r->thread->isFinished(); });
    m_watchRuns << run;

    auto hostKeys = std::make_shared<StoreServiceHostKeyVerifier>(m_store);
    QThread *thread = QThread::create([run, cloud = e.cloud, cursor, hostKeys] {
        SecretStore secrets;
        const WatchOutcome outcome = ProviderCall::watch(cloud, cursor, *run, secrets, hostKeys);
        run->post([outcome](PollScheduler *s, qint64 cloudId, quint64 runId) { s->watchFinished(cloudId, runId, outcome); });
    });
    thread->setObjectName(QStringLiteral("mist-watch-%1").arg(e.cloud.id));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    run->thread = thread;
    qCDebug(lcPolling) << "watching" << e.cloud.name;
    thread->start();
    emit watchStarted(e.cloud.id);
}

void PollScheduler::stopWatch(Entry &e)
{
    if (!e.watch)
        return;
    e.watch->stopped = true;
    e.watch.reset();   // its pending changes and late events are ignored from now on
}

WatchRun *PollScheduler::currentWatch(qint64 cloudId, quint64 runId)
{
    auto it = m_entries.find(cloudId);
    return it != m_entries.end() && it->watch && it->watch->id == runId ? it->watch.get() : nullptr;
}

void PollScheduler::scheduleWatchFlush(qint64 cloudId, quint64 runId)
{
    WatchRun *run = currentWatch(cloudId, runId);
    if (!run || run->flushScheduled || run->inStore)
        return;   // the running hand-off looks for more when it is written
    run->flushScheduled = true;
    const qint64 wait = std::max<qint64>(0, m_flushInterval.count() - run->lastFlush.elapsed());
    QTimer::singleShot(std::chrono::milliseconds(wait), this, [this, cloudId, runId] { flushWatch(cloudId, runId); });
}

void PollScheduler::flushWatch(qint64 cloudId, quint64 runId)
{
    WatchRun *run = currentWatch(cloudId, runId);
    if (!run)
        return;
    run->flushScheduled = false;
    WatchBatch batch = run->coalescer.take();
    if (batch.isEmpty())
        return;
    run->inStore = true;
    run->lastFlush.restart();
    m_store->applyWatch(cloudId, batch, this, [this, cloudId, runId](Result<InventoryDelta> r) {
        WatchRun *run = currentWatch(cloudId, runId);
        if (!run)
            return;
        run->inStore = false;
        if (!r) {
            // The store no longer matches the cloud: list it again.
            qCWarning(lcPolling) << "could not store watched changes of cloud" << cloudId << r.error().toString();
            stopWatch(m_entries[cloudId]);
            pollNow(cloudId);
            return;
        }
        if (!run->coalescer.isEmpty())
            scheduleWatchFlush(cloudId, runId);
    });
}

void PollScheduler::watchFinished(qint64 cloudId, quint64 runId, const WatchOutcome &outcome)
{
    WatchRun *run = currentWatch(cloudId, runId);
    if (!run)
        return;   // stopped by us: nothing to do
    Entry &e = m_entries[cloudId];
    // What the watch saw before it ended is still true: store it before anything else.
    if (WatchBatch rest = run->coalescer.take(); !rest.isEmpty())
        m_store->applyWatch(cloudId, rest);
    const bool quick = run->started.elapsed() < 1000;
    e.watch.reset();
    emit watchEnded(cloudId, int(outcome.end), outcome.error.toString());
    switch (outcome.end) {
    case WatchOutcome::End::Expired:
        qCInfo(lcPolling) << "watch expired, listing again" << e.cloud.name;
        if (!m_running || !e.cloud.enabled)
            break;
        // Right away, unless watches keep expiring at once: then not more than once a second.
        QTimer::singleShot(quick ? 1000 : 0, this, [this, cloudId] {
            if (m_running && m_entries.contains(cloudId) && !isWatching(cloudId))
                pollNow(cloudId);
        });
        break;
    case WatchOutcome::End::Failed:
        ++e.failures;
        qCInfo(lcPolling) << "watch failed" << e.cloud.name << outcome.error.toString() << "failures" << e.failures;
        m_store->applyPoll(cloudId, PollResult::failure(outcome.error));
        schedule(e);
        break;
    case WatchOutcome::End::Stopped:
        schedule(e);   // the provider cannot watch (any more): poll at the interval
        break;
    }
}

} // namespace mist
