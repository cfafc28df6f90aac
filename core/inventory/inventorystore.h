#pragma once

#include "inventory/auditentry.h"
#include "inventory/cloud.h"
#include "inventory/inventorydelta.h"
#include "inventory/inventorydiff.h"
#include "inventory/machinecache.h"
#include "inventory/machine.h"
#include "inventory/sqlite.h"
#include "providers/provider.h"
#include "util/result.h"

#include <QDateTime>
#include <QSet>
#include <QString>
#include <QVector>

#include <chrono>
#include <functional>

namespace mist {

// The inventory on SQLite. Synchronous: in the GUI it lives on the store thread
// (StoreService), which is the only writer; the CLI uses it directly on its main thread.
class InventoryStore
{
public:
    InventoryStore() = default;
    InventoryStore(const InventoryStore &) = delete;
    InventoryStore &operator=(const InventoryStore &) = delete;

    // Opens (creating if needed) and checks the file: integrity_check, WAL, foreign keys,
    // migrations. A damaged file is left untouched and reported.
    Status open(const QString &path);
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_db.path(); }
    // For repositories of other tables on the same connection (same thread only). Writing
    // machines or tags through it is noticed (the next poll re-reads the cloud), not wrong.
    sql::Database &database() { return m_db; }

    // For a long-lived writer (the store thread): commits never checkpoint the WAL; call
    // checkpointIfLarge() when idle instead. The CLI keeps SQLite's automatic checkpoints.
    void setDeferredCheckpoints(bool deferred) { m_db.setDeferredCheckpoints(deferred); }
    Status checkpointIfLarge(int minFrames = 1000);

    void setMissingGracePeriod(std::chrono::seconds grace) { m_grace = grace; }
    std::chrono::seconds missingGracePeriod() const { return m_grace; }

    // Clouds
    Result<QVector<Cloud>> clouds();
    Result<Cloud> cloud(qint64 id);
    Result<Cloud> cloudByName(const QString &nameOrId);   // name (case-insensitive) or numeric id
    Result<Cloud> addCloud(Cloud cloud, const QString &actor);
    Result<Cloud> updateCloud(const Cloud &cloud, const QString &actor);   // name, enabled, interval, config
    Status removeCloud(qint64 id, const QString &actor);
    // Drops one machine the user no longer wants listed and saves the cloud's new config
    // (without it) in the same transaction, e.g. a server removed from an "Other server" cloud.
    Result<InventoryDelta> forgetMachine(qint64 machineId, const QJsonObject &newCloudConfig, const QString &actor);
    Result<Cloud> setCloudPolling(qint64 id);

    // Machines
    Result<QVector<Machine>> machines(qint64 cloudId = 0);   // 0 = all clouds, with tags
    Result<Machine> machine(qint64 id);
    // By numeric id, external id or name (case-insensitive); an ambiguous name is an error.
    Result<Machine> findMachine(const QString &nameOrId);
    Result<InventorySnapshot> snapshot();

    // Applies one poll result in one transaction: machines, parents, cloud status, audit.
    Result<InventoryDelta> applyPoll(qint64 cloudId, const PollResult &result, const QDateTime &now);
    // Several clouds' poll results in ONE transaction: one commit instead of one per cloud
    // for a round of polls that finish together. If a cloud's write fails, the round is
    // rolled back and each cloud applied in its own transaction (that one gets its error).
    QVector<Result<InventoryDelta>> applyPolls(const QVector<std::pair<qint64, PollResult>> &results, const QDateTime &now);

    // Applies changes a provider's watch reported (after a complete poll), in one transaction.
    // Upserts are treated like a partial poll's new and changed machines (parents resolved by
    // external id, also among the batch); removed ids are deleted at once with all their
    // descendants (the cloud said they are gone: no missing_since, no grace period). An id
    // both upserted and removed in one batch is removed. Every change is audited as for polls.
    // The cloud's last_success_at moves to `now`: a running watch keeps the listing current.
    Result<InventoryDelta> applyWatch(qint64 cloudId, const WatchBatch &batch, const QDateTime &now);

    // User tags: set (add/overwrite) and remove keys on several machines at once.
    Result<InventoryDelta> tagMachines(const QVector<qint64> &machineIds, const TagMap &set,
                                       const QStringList &removeKeys, const QString &actor);

    // Audit
    Status appendAudit(const AuditEntry &entry);
    Result<QVector<AuditEntry>> audit(const AuditQuery &query);

    // Machines held by the poll cache (tests and the benchmark).
    qsizetype cachedMachineCount() const { return m_cache.machineCount(); }
    // Frees the poll cache's memory; the next poll of each cloud re-reads it.
    void dropCache() { m_cache.clear(); }

private:
    struct PollTexts;
    Status insertAudit(const AuditEntry &entry);
    // Poll and watch writes queue their audit lines and write them together (flushAudit).
    // `detailsJson`, when given, is the entry's details already encoded (a poll's thousands of
    // {"from","to"} objects cost more as QJsonObjects than the rows themselves).
    void queueAudit(AuditEntry entry, QString detailsJson = {}) { m_auditQueue.append({std::move(entry), std::move(detailsJson)}); }
    Status flushAudit();
    // INSERTs `count` rows, many per statement: `head` is "INSERT ... VALUES ", `row` one
    // row's placeholders ("(?, ?)"), `bind` binds row i at parameter base + 1...
    // Runs `sql` (its "%1" is where the id list goes: "... WHERE id IN (%1)") over all ids,
    // many per statement; `bindLeading` binds the `leading` parameters before the list.
    Status forIdChunks(const QString &sql, int leading, const QVector<qint64> &ids,
                       const std::function<void(sql::Statement &)> &bindLeading = {});
    Status insertRows(const QString &head, const QString &row, int columns, qsizetype count,
                      const std::function<void(sql::Statement &, int, qsizetype)> &bind);
    Result<QVector<Machine>> queryMachines(const QString &where, const QVariantList &args);
    Status loadTags(QVector<Machine> &machines, const QString &where, const QVariantList &args);
    Status writeMachineRow(Machine &machine, bool insert);   // the machines table only
    Status writeStatuses(const QVector<Machine> &machines);
    Status updateMachine(Machine &machine);   // its row and its status
    Status writeProviderTags(const Machine &machine);
    Status deleteTagsOf(const QVector<qint64> &ids);
    Status detachChildren(const QVector<qint64> &parentIds);
    // Deletes machines of one cloud (tags first, many per statement; their children, found in
    // `stored`, are detached) and audits each one.
    Status deleteMachines(const QVector<Machine> &machines, const StoredMachines &stored, const QDateTime &now,
                          const QString &action,
                          const std::function<QString(const Machine &)> &message);
    Result<InventoryDelta> writePoll(qint64 cloudId, Cloud cloud, const PollResult &result, const QDateTime &now,
                                     StoredMachines &stored);
    // A write on one cloud: `write` gets the cloud and (withMachines) its stored machines.
    struct CloudWrite
    {
        using Function = std::function<Result<InventoryDelta>(const Cloud &, StoredMachines &)>;
        qint64 cloudId = 0;
        bool withMachines = true;
        Function write;
    };
    // One write transaction on several clouds (if one fails, each gets its own), with the poll cache checked
    // before and kept in step after. A cloud removed meanwhile gives an empty delta.
    QVector<Result<InventoryDelta>> writeToClouds(const QVector<CloudWrite> &writes);
    Result<InventoryDelta> writeToCloud(qint64 cloudId, bool withMachines, const CloudWrite::Function &write);
    Result<InventoryDelta> writeOneCloud(const CloudWrite &write);
    Result<InventoryDelta> writeWatch(Cloud cloud, const WatchBatch &batch, const QDateTime &now,
                                      StoredMachines &stored);
    // `stored` and `removedIds` (deleted by this write) let new machines get their parent
    // with the insert when it is known already; resolveParents() does the rest.
    Status writeMachineChanges(InventoryDiff &diff, const QDateTime &now, const QDateTime &previousSuccess,
                               const PollTexts &texts, const StoredMachines &stored, const QSet<qint64> &removedIds);
    Status insertNewMachines(QVector<Machine> &added, const QDateTime &now, const PollTexts &texts,
                             const StoredMachines &stored, const QSet<qint64> &removedIds);
    Status resolveParents(const StoredMachines &stored, const QVector<Machine> &added,
                          const QSet<qint64> &removedIds, const QVector<Machine *> &machines, QSet<qint64> &reparented);
    Status settleLastSeen(qint64 cloudId, bool complete, StoredMachines &stored, const InventoryDiff &diff,
                          const QDateTime &previousSuccess);
    Status writeCloudStatus(const Cloud &cloud);
    Result<Cloud> readCloud(sql::Statement &stmt);
    // The cloud's stored machines: from the cache, or read (and cached) inside the caller's
    // write transaction.
    Result<StoredMachines *> storedMachines(qint64 cloudId);
    void seedCache(const InventorySnapshot &snapshot, qint64 dataVersion);
    // Runs a write that touches no cached machine or tag (or drops the clouds it touches),
    // keeping the poll cache armed for the others.
    template <typename Write>
    auto keepingCache(Write &&write);

    sql::Database m_db;
    MachineCache m_cache;
    struct QueuedAudit
    {
        AuditEntry entry;
        QString detailsJson;
    };
    QVector<QueuedAudit> m_auditQueue;
    std::chrono::seconds m_grace{3600};
};

} // namespace mist
