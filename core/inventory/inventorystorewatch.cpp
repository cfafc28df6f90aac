// InventoryStore: applying one batch of a provider's watch (between full polls).

#include "inventorystore.h"

#include "inventory/storeinternal.h"
#include "util/logging.h"

#include <QHash>
#include <QSet>

#include <vector>

namespace mist {

using namespace storecodec;

namespace {

// The upserts as a partial poll: the same diff rules (new, changed, returned) without
// anything marked missing. The last upsert of an id wins; removed ids are left out.
PollResult upsertsAsPartialPoll(const WatchBatch &batch, const QSet<QString> &removed)
{
    PollResult r;
    r.success = true;
    r.complete = false;
    QHash<QString, qsizetype> last;
    last.reserve(batch.upserts.size());
    for (qsizetype i = 0; i < batch.upserts.size(); ++i)
        last.insert(batch.upserts.at(i).externalId, i);
    r.machines.reserve(last.size());
    for (qsizetype i = 0; i < batch.upserts.size(); ++i) {
        const Machine &m = batch.upserts.at(i);
        if (last.value(m.externalId) == i && !removed.contains(m.externalId))
            r.machines << m;
    }
    return r;
}

// Indexes of the stored machines the batch removes, with all their descendants (a deleted
// pod takes its containers along). Machines the batch reports alive are kept.
QVector<qsizetype> removedWithDescendants(const StoredMachines &stored, const QSet<QString> &removed,
                                          const QSet<QString> &upserted)
{
    QVector<qsizetype> out;
    for (const QString &id : removed)
        if (const auto it = stored.byExternalId.constFind(id); it != stored.byExternalId.cend())
            out << *it;
    if (out.isEmpty())
        return out;
    QHash<qint64, QVector<qsizetype>> children;
    for (qsizetype i = 0; i < stored.machines.size(); ++i)
        if (const qint64 parent = stored.machines.at(i).parentId)
            children[parent] << i;
    std::vector<bool> taken(size_t(stored.machines.size()), false);
    for (qsizetype i : std::as_const(out))
        taken[size_t(i)] = true;
    for (qsizetype next = 0; next < out.size(); ++next) {
        const auto it = children.constFind(stored.machines.at(out.at(next)).id);
        if (it == children.cend())
            continue;
        for (qsizetype child : *it) {
            if (taken[size_t(child)] || upserted.contains(stored.machines.at(child).externalId))
                continue;
            taken[size_t(child)] = true;
            out << child;
        }
    }
    return out;
}

} // namespace

Result<InventoryDelta> InventoryStore::applyWatch(qint64 cloudId, const WatchBatch &batch, const QDateTime &now)
{
    return writeToCloud(cloudId, true, [&](const Cloud &c, StoredMachines &stored) {
        return writeWatch(c, batch, now, stored);
    });
}

// The writes of one watch batch; `stored` (the cache) is brought up to date in place.
Result<InventoryDelta> InventoryStore::writeWatch(Cloud c, const WatchBatch &batch, const QDateTime &now,
                                                  StoredMachines &stored)
{
    const PollTexts texts;
    const QSet<QString> removedIds(batch.removedExternalIds.cbegin(), batch.removedExternalIds.cend());
    const PollResult upserts = upsertsAsPartialPoll(batch, removedIds);
    InventoryDiff diff = InventoryDiff::compute(stored, upserts, now, m_grace, false);
    if (!diff.warnings.isEmpty())
        qCWarning(lcStore) << c.name << diff.warnings;
    for (Machine &m : diff.added)
        m.cloudId = c.id;

    QSet<QString> upserted;
    for (const Machine &m : upserts.machines)
        upserted.insert(m.externalId);
    const QVector<qsizetype> gone = removedWithDescendants(stored, removedIds, upserted);
    QVector<Machine> goneMachines;
    QSet<qint64> goneIds;
    QHash<qint64, QString> names;
    for (qsizetype i : gone) {
        goneMachines << stored.machines.at(i);
        goneIds.insert(stored.machines.at(i).id);
        names.insert(stored.machines.at(i).id, stored.machines.at(i).name);
    }
    if (Status st = writeMachineChanges(diff, now, c.lastSuccessAt, texts, stored, goneIds); !st)
        return st.error();
    if (Status st = deleteMachines(goneMachines, stored, now, QStringLiteral("machine.disappeared"),
                                   [&](const Machine &m) {
                                       return removedIds.contains(m.externalId)
                                                  ? texts.deleted
                                                  : texts.deletedWithParent.arg(names.value(m.parentId));
                                   }); !st)
        return st.error();

    QVector<Machine> &cached = stored.machines;
    cached.detach();   // pointers into it are taken below
    for (const InventoryDiff::Update &u : std::as_const(diff.updated))
        cached[u.stored] = u.machine;
    // A machine the batch kept alive under a deleted parent now sits under the cloud.
    QSet<qint64> reparented;
    storeinternal::detachChildrenOf(cached, goneIds, reparented);
    // Stored machines still waiting for their parent may find it among the added ones.
    QVector<Machine *> needParents = storeinternal::addedAndUpdated(diff, cached);
    std::vector<bool> isUpdated(size_t(cached.size()), false);
    for (const InventoryDiff::Update &u : std::as_const(diff.updated))
        isUpdated[size_t(u.stored)] = true;
    if (!diff.added.isEmpty())
        for (qsizetype i = 0; i < cached.size(); ++i)
            if (!isUpdated[size_t(i)] && !goneIds.contains(cached.at(i).id) && cached.at(i).parentId == 0
                && !cached.at(i).parentExternalId.isEmpty())
                needParents << &cached[i];
    if (Status st = resolveParents(stored, diff.added, goneIds, needParents, reparented); !st)
        return st.error();

    InventoryDelta delta;
    delta.machinesAdded = diff.added;
    for (const InventoryDiff::Update &u : std::as_const(diff.updated))
        delta.machinesChanged << cached.at(u.stored);
    if (!reparented.isEmpty())
        for (qsizetype i = 0; i < cached.size(); ++i)
            if (!isUpdated[size_t(i)] && !goneIds.contains(cached.at(i).id) && reparented.contains(cached.at(i).id))
                delta.machinesChanged << cached.at(i);
    for (const Machine &m : std::as_const(goneMachines))
        delta.machinesRemoved << m.id;

    stored.remove(gone);
    for (const Machine &m : std::as_const(diff.added))
        stored.append(m);

    // A running watch keeps the listing current: machines seen "in the last successful poll"
    // (last_seen NULL) are seen now.
    c.lastSuccessAt = now;
    if (Status st = writeCloudStatus(c); !st)
        return st.error();
    if (Status st = flushAudit(); !st)
        return st.error();
    delta.cloudsChanged << c;
    return delta;
}

} // namespace mist
