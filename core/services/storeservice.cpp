#include "storeservice.h"

#include "util/logging.h"

#include <QMetaObject>

#include <future>

namespace mist {

StoreService::StoreService(QObject *parent)
    : QObject(parent), m_store(std::make_shared<InventoryStore>())
{
    qRegisterMetaType<mist::InventoryDelta>();
    qRegisterMetaType<mist::Error>();
    m_thread.setObjectName(QStringLiteral("mist-store"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

StoreService::~StoreService()
{
    // Writes already queued still run: nothing the user did is dropped on quit.
    m_thread.quit();
    m_thread.wait();
}

struct StoreService::PollBatch
{
    struct Poll
    {
        qint64 cloudId = 0;
        PollResult result;
        QPointer<QObject> guard;
        bool hasContext = false;
        Callback<InventoryDelta> done;
    };
    QMutex mutex;
    QVector<Poll> polls;
    bool taken = false;   // the store thread has started on it: a new result needs a new batch
};

void StoreService::post(std::function<void(InventoryStore &)> work)
{
    {
        QMutexLocker lock(&m_batchMutex);
        m_openBatch.reset();
    }
    enqueue(std::move(work));
}

void StoreService::enqueue(std::function<void(InventoryStore &)> work)
{
    ++*m_pending;
    QMetaObject::invokeMethod(m_worker, [store = m_store, pending = m_pending, work = std::move(work)] {
        work(*store);
        // When idle; while busy only past ~80 MB of WAL, so it cannot grow without bound.
        const int minFrames = --*pending == 0 ? 1000 : 20000;
        if (store->isOpen())
            if (Status st = store->checkpointIfLarge(minFrames); !st)
                qCWarning(lcStore) << "checkpoint failed:" << st.error().detail;
    }, Qt::QueuedConnection);
}

bool StoreService::runBlocking(std::function<void(InventoryStore &)> work, std::chrono::milliseconds timeout)
{
    if (QThread::currentThread() == &m_thread) {
        work(*m_store);
        return true;
    }
    Q_ASSERT_X(QThread::currentThread() != thread(), "StoreService::runBlocking", "would block the GUI thread");
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    post([work = std::move(work), done](InventoryStore &store) {
        work(store);
        done->set_value();
    });
    return finished.wait_for(timeout) == std::future_status::ready;
}

void StoreService::open(const QString &path, std::chrono::seconds missingGrace, QObject *context,
                        Callback<InventorySnapshot> done)
{
    QPointer<QObject> guard(context);
    post([guard, path, missingGrace, done = std::move(done)](InventoryStore &store) {
        store.setMissingGracePeriod(missingGrace);
        store.setDeferredCheckpoints(true);   // checkpoints when idle (see post())
        Status opened = store.open(path);
        Result<InventorySnapshot> result = opened ? store.snapshot() : Result<InventorySnapshot>(opened.error());
        if (guard)
            QMetaObject::invokeMethod(guard, [done, result] { done(result); }, Qt::QueuedConnection);
    });
}

void StoreService::snapshot(QObject *context, Callback<InventorySnapshot> done)
{
    call<InventorySnapshot>(context, [](InventoryStore &s) { return s.snapshot(); }, std::move(done));
}

void StoreService::writeCloud(std::function<Result<Cloud>(InventoryStore &)> write, QObject *context, Callback<Cloud> done)
{
    QPointer<StoreService> self(this);
    call<Cloud>(context, [write = std::move(write), self](InventoryStore &s) {
        auto r = write(s);
        if (r.ok() && self) {
            InventoryDelta d;
            d.cloudsChanged << r.value();
            emit self->deltaApplied(d);
            emit self->auditAppended();
        }
        return r;
    }, std::move(done));
}

void StoreService::addCloud(const Cloud &cloud, const QString &actor, QObject *context, Callback<Cloud> done)
{
    writeCloud([cloud, actor](InventoryStore &s) { return s.addCloud(cloud, actor); }, context, std::move(done));
}

void StoreService::updateCloud(const Cloud &cloud, const QString &actor, QObject *context, Callback<Cloud> done)
{
    writeCloud([cloud, actor](InventoryStore &s) { return s.updateCloud(cloud, actor); }, context, std::move(done));
}

void StoreService::removeCloud(qint64 cloudId, const QString &actor, QObject *context, Callback<bool> done)
{
    QPointer<StoreService> self(this);
    call<bool>(context, [cloudId, actor, self](InventoryStore &s) -> Result<bool> {
        if (Status st = s.removeCloud(cloudId, actor); !st)
            return st.error();
        if (self) {
            InventoryDelta d;
            d.cloudsRemoved << cloudId;
            emit self->deltaApplied(d);
            emit self->auditAppended();
        }
        return true;
    }, std::move(done));
}

void StoreService::markPolling(qint64 cloudId)
{
    QPointer<StoreService> self(this);
    post([cloudId, self](InventoryStore &s) {
        if (!s.isOpen())
            return;
        auto c = s.setCloudPolling(cloudId);
        if (c.ok() && self) {
            InventoryDelta d;
            d.cloudsChanged << c.value();
            emit self->deltaApplied(d);
        }
    });
}

void StoreService::applyPoll(qint64 cloudId, const PollResult &result, QObject *context, Callback<InventoryDelta> done)
{
    PollBatch::Poll poll{cloudId, result, QPointer<QObject>(context), context != nullptr, std::move(done)};
    QMutexLocker lock(&m_batchMutex);
    if (m_openBatch) {
        QMutexLocker batchLock(&m_openBatch->mutex);
        if (!m_openBatch->taken) {
            m_openBatch->polls.append(std::move(poll));
            return;
        }
    }
    auto batch = std::make_shared<PollBatch>();
    batch->polls.append(std::move(poll));
    m_openBatch = batch;
    lock.unlock();
    QPointer<StoreService> self(this);
    enqueue([self, batch](InventoryStore &store) {
        if (self)
            self->applyPollBatch(store, *batch);
    });
}

// On the store thread. Each result gets its delta, error and callback as if applied alone.
void StoreService::applyPollBatch(InventoryStore &store, PollBatch &batch)
{
    QVector<PollBatch::Poll> polls;
    {
        QMutexLocker lock(&batch.mutex);
        batch.taken = true;
        polls = std::move(batch.polls);
    }
    QVector<std::pair<qint64, PollResult>> results;
    results.reserve(polls.size());
    for (const PollBatch::Poll &p : std::as_const(polls))
        results.append({p.cloudId, p.result});
    QVector<Result<InventoryDelta>> deltas;
    if (store.isOpen())
        deltas = store.applyPolls(results, QDateTime::currentDateTimeUtc());
    else
        deltas.fill(Error{tr("The inventory is not open"), {}}, polls.size());
    bool audited = false;
    for (qsizetype i = 0; i < polls.size(); ++i) {
        const Result<InventoryDelta> &r = deltas.at(i);
        const PollBatch::Poll &p = polls.at(i);
        if (r.ok() && !r.value().isEmpty())
            emit deltaApplied(r.value());
        audited = audited || r.ok();
        if (!r.ok() && !(p.done && p.hasContext))
            emit writeFailed(r.error());
        if (p.done && p.hasContext && p.guard)
            QMetaObject::invokeMethod(p.guard, [done = p.done, r] { done(r); }, Qt::QueuedConnection);
    }
    if (audited)
        emit auditAppended();
}

void StoreService::applyWatch(qint64 cloudId, const WatchBatch &batch, QObject *context, Callback<InventoryDelta> done)
{
    QPointer<StoreService> self(this);
    call<InventoryDelta>(context, [cloudId, batch, self](InventoryStore &s) {
        auto r = s.applyWatch(cloudId, batch, QDateTime::currentDateTimeUtc());
        if (r.ok() && self && (!r.value().machinesAdded.isEmpty() || !r.value().machinesChanged.isEmpty()
                               || !r.value().machinesRemoved.isEmpty()))
            emit self->auditAppended();
        return r;
    }, std::move(done));
}

void StoreService::tagMachines(const QVector<qint64> &ids, const TagMap &set, const QStringList &removeKeys,
                               const QString &actor, QObject *context, Callback<InventoryDelta> done)
{
    QPointer<StoreService> self(this);
    call<InventoryDelta>(context, [ids, set, removeKeys, actor, self](InventoryStore &s) {
        auto r = s.tagMachines(ids, set, removeKeys, actor);
        if (r.ok() && self)
            emit self->auditAppended();
        return r;
    }, std::move(done));
}

void StoreService::appendAudit(const AuditEntry &entry)
{
    QPointer<StoreService> self(this);
    post([entry, self](InventoryStore &s) {
        if (!s.isOpen())
            return;
        if (Status st = s.appendAudit(entry); !st) {
            qCWarning(lcStore) << "audit write failed:" << st.error().toString();
            if (self)
                emit self->writeFailed(st.error());
        } else if (self) {
            emit self->auditAppended();
        }
    });
}

void StoreService::queryAudit(const AuditQuery &query, QObject *context, Callback<QVector<AuditEntry>> done)
{
    call<QVector<AuditEntry>>(context, [query](InventoryStore &s) { return s.audit(query); }, std::move(done));
}

void StoreService::machine(qint64 id, QObject *context, Callback<Machine> done)
{
    call<Machine>(context, [id](InventoryStore &s) { return s.machine(id); }, std::move(done));
}

void StoreService::barrier(QObject *context, std::function<void()> done)
{
    QPointer<QObject> guard(context);
    post([guard, done = std::move(done)](InventoryStore &) {
        if (guard)
            QMetaObject::invokeMethod(guard, done, Qt::QueuedConnection);
    });
}

} // namespace mist
