#pragma once

#include "inventory/cloud.h"
#include "inventory/inventorydelta.h"
#include "polling/backoff.h"
#include "providers/provider.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <memory>

namespace mist {

class StoreService;
class WatchRun;

// Polls every enabled cloud at its own interval on worker threads and hands each result to
// the store thread. Knows clouds from the store's snapshot and deltas; never touches the UI
// or the database itself.
//
// Watching: after a successful complete poll that returned a watch cursor, the provider's
// watch runs on a thread of its own (it blocks for as long as the cloud is followed). Its
// batches are merged (WatchCoalescer) and handed to the store at most every
// watchFlushInterval(), and not while the previous hand-off is still being written. While a
// cloud is watched its timer polls are skipped ("refresh now" still lists; the new listing
// restarts the watch from its cursor). Expired: list again at once, then watch again.
// Failed: the cloud is marked failed like a failed poll (inventory kept), then backoff and list.
// Disabling or removing the cloud asks the watch to stop and does not wait for it; stop()
// (and the destructor) asks every watch to stop and waits up to kWatchJoinTimeout in all
// (providers check stopRequested() at least once a second); a watch still running then is
// left to finish on its own, no longer connected to the scheduler.
class PollScheduler : public QObject
{
    Q_OBJECT
public:
    explicit PollScheduler(StoreService *store, QObject *parent = nullptr);
    ~PollScheduler() override;

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    // Starts scheduling the given clouds (from the first snapshot). Enabled clouds poll now.
    void start(const QVector<Cloud> &clouds);
    void stop();

    bool isPolling(qint64 cloudId) const;
    int consecutiveFailures(qint64 cloudId) const;
    std::chrono::milliseconds nextPollIn(qint64 cloudId) const;   // -1 when not scheduled
    bool isWatching(qint64 cloudId) const;
    int runningWatchThreads() const;   // watch threads not finished yet (also stopped ones)

    void setWatchFlushInterval(std::chrono::milliseconds interval) { m_flushInterval = interval; }
    std::chrono::milliseconds watchFlushInterval() const { return m_flushInterval; }
    static constexpr std::chrono::milliseconds kWatchJoinTimeout{3000};

public slots:
    void pollNow(qint64 cloudId);   // "refresh now": also for a disabled cloud
    void pollAll();                 // every enabled cloud
    void applyDelta(const mist::InventoryDelta &delta);

signals:
    void pollStarted(qint64 cloudId);
    void pollFinished(qint64 cloudId, bool success, const QString &error);
    void watchStarted(qint64 cloudId);
    // end: int(WatchOutcome::End); not emitted for a watch the scheduler stopped itself.
    void watchEnded(qint64 cloudId, int end, const QString &error);

private:
    friend class WatchRun;   // hands watch events back on the scheduler's thread
    struct Entry
    {
        Cloud cloud;
        QTimer *timer = nullptr;
        QTimer *watchdog = nullptr;
        int failures = 0;
        quint64 generation = 0;   // a result for an older generation arrived too late
        bool inFlight = false;
        bool again = false;       // refresh asked for while a poll was running
        std::shared_ptr<WatchRun> watch;   // the running watch, if any
    };

    void track(const Cloud &cloud);
    void forget(qint64 cloudId);
    void schedule(Entry &entry);
    void finish(qint64 cloudId, quint64 generation, const PollResult &result);

    void startWatch(Entry &entry, const QString &cursor);
    void stopWatch(Entry &entry);   // asks it to stop, drops its pending changes, does not wait
    WatchRun *currentWatch(qint64 cloudId, quint64 runId);
    void watchFinished(qint64 cloudId, quint64 runId, const WatchOutcome &outcome);
    void scheduleWatchFlush(qint64 cloudId, quint64 runId);
    void flushWatch(qint64 cloudId, quint64 runId);

    StoreService *m_store;
    QHash<qint64, Entry> m_entries;
    QThreadPool m_pool;
    Backoff m_backoff;
    std::chrono::milliseconds m_timeout{120000};
    std::chrono::milliseconds m_flushInterval{100};
    QVector<std::shared_ptr<WatchRun>> m_watchRuns;   // every watch whose thread may still run
    quint64 m_nextRunId = 0;
    bool m_running = false;
};

} // namespace mist
