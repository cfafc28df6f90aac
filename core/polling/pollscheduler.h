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

// Polls every enabled cloud at its own interval on worker threads and hands each result to
// the store thread. Knows clouds from the store's snapshot and deltas; never touches the UI
// or the database itself.
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

public slots:
    void pollNow(qint64 cloudId);   // "refresh now": also for a disabled cloud
    void pollAll();                 // every enabled cloud
    void applyDelta(const mist::InventoryDelta &delta);

signals:
    void pollStarted(qint64 cloudId);
    void pollFinished(qint64 cloudId, bool success, const QString &error);

private:
    struct Entry
    {
        Cloud cloud;
        QTimer *timer = nullptr;
        QTimer *watchdog = nullptr;
        int failures = 0;
        quint64 generation = 0;   // a result for an older generation arrived too late
        bool inFlight = false;
        bool again = false;       // refresh asked for while a poll was running
    };

    void track(const Cloud &cloud);
    void forget(qint64 cloudId);
    void schedule(Entry &entry);
    void finish(qint64 cloudId, quint64 generation, const PollResult &result);

    StoreService *m_store;
    QHash<qint64, Entry> m_entries;
    QThreadPool m_pool;
    Backoff m_backoff;
    std::chrono::milliseconds m_timeout{120000};
    bool m_running = false;
};

} // namespace mist
