#pragma once

#include "inventory/auditentry.h"
#include "inventory/inventorydelta.h"
#include "inventory/inventorystore.h"
#include "providers/provider.h"
#include "util/result.h"

#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace mist {

// The store thread. Owns the only write connection to the inventory; every write runs
// there, in one transaction, and comes back to the caller's thread as a value:
// deltas through deltaApplied(), answers through a callback run in `context`'s thread
// (dropped if `context` is gone by then).
class StoreService : public QObject
{
    Q_OBJECT
public:
    explicit StoreService(QObject *parent = nullptr);
    ~StoreService() override;   // stops and joins the thread

    template <typename T>
    using Callback = std::function<void(Result<T>)>;

    void open(const QString &path, std::chrono::seconds missingGrace, QObject *context, Callback<InventorySnapshot> done);
    void snapshot(QObject *context, Callback<InventorySnapshot> done);
    void addCloud(const Cloud &cloud, const QString &actor, QObject *context, Callback<Cloud> done);
    void updateCloud(const Cloud &cloud, const QString &actor, QObject *context, Callback<Cloud> done);
    void removeCloud(qint64 cloudId, const QString &actor, QObject *context, Callback<bool> done);
    void markPolling(qint64 cloudId);
    void applyPoll(qint64 cloudId, const PollResult &result, QObject *context = nullptr,
                   Callback<InventoryDelta> done = {});
    // Changes from a provider's watch (see InventoryStore::applyWatch); broadcast as a delta.
    void applyWatch(qint64 cloudId, const WatchBatch &batch, QObject *context = nullptr,
                    Callback<InventoryDelta> done = {});
    void tagMachines(const QVector<qint64> &ids, const TagMap &set, const QStringList &removeKeys,
                     const QString &actor, QObject *context, Callback<InventoryDelta> done);
    void appendAudit(const AuditEntry &entry);
    void queryAudit(const AuditQuery &query, QObject *context, Callback<QVector<AuditEntry>> done);
    void machine(qint64 id, QObject *context, Callback<Machine> done);

    // Runs after every write queued so far (tests and shutdown).
    void barrier(QObject *context, std::function<void()> done);

    // Runs `work` on the store thread and waits for it. Only for worker threads that must
    // have an answer before they go on (an SSH connect checking a host key); never call it
    // on the GUI thread. False when the store did not run it within `timeout`; `work` may still
    // run later then, so it must own (capture by value) everything it touches.
    bool runBlocking(std::function<void(InventoryStore &)> work,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

signals:
    void deltaApplied(const mist::InventoryDelta &delta);
    void auditAppended();
    void writeFailed(const mist::Error &error);

public:
    // Runs `work` on the store thread with the store, then `done(result)` in `context`'s
    // thread. A delta result is also broadcast through deltaApplied().
    template <typename T>
    void call(QObject *context, std::function<Result<T>(InventoryStore &)> work, Callback<T> done);

private:
    void post(std::function<void(InventoryStore &)> work);
    void enqueue(std::function<void(InventoryStore &)> work);   // post() without closing the poll batch
    struct PollBatch;
    void applyPollBatch(InventoryStore &store, PollBatch &batch);
    // A cloud write whose result is also broadcast as a delta.
    void writeCloud(std::function<Result<Cloud>(InventoryStore &)> write, QObject *context, Callback<Cloud> done);

    QThread m_thread;
    QObject *m_worker = nullptr;               // lives on m_thread, deleted there
    std::shared_ptr<InventoryStore> m_store;   // used only on m_thread
    // Requests posted but not run yet: the WAL is checkpointed when this drops to 0, so
    // no poll waits for a checkpoint inside its commit (see InventoryStore::setDeferredCheckpoints).
    std::shared_ptr<std::atomic<int>> m_pending = std::make_shared<std::atomic<int>>(0);
    // Group commit: poll results that arrive while the store thread is busy join the batch
    // already queued and are applied in one transaction. Any other request closes the batch,
    // so nothing is reordered around it.
    QMutex m_batchMutex;
    std::shared_ptr<PollBatch> m_openBatch;
};

template <typename T>
void StoreService::call(QObject *context, std::function<Result<T>(InventoryStore &)> work, Callback<T> done)
{
    QPointer<QObject> guard(context);
    QPointer<StoreService> self(this);
    post([guard, self, work = std::move(work), done = std::move(done), hasContext = context != nullptr](InventoryStore &store) {
        Result<T> result = store.isOpen() ? work(store)
                                          : Result<T>(Error{QObject::tr("The inventory is not open"), {}});
        if constexpr (std::is_same_v<T, InventoryDelta>) {
            if (result.ok() && self && !result.value().isEmpty())
                emit self->deltaApplied(result.value());
        }
        // A caller with a callback shows the error itself; only unanswered failures
        // (poll results, audit lines) need the general signal.
        if (!result.ok() && self && !(done && hasContext))
            emit self->writeFailed(result.error());
        if (done && hasContext && guard)
            QMetaObject::invokeMethod(guard, [done, result] { done(result); }, Qt::QueuedConnection);
    });
}

} // namespace mist
