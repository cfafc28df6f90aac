#pragma once

// Internal to core/inventory: what the store's poll and watch paths share.

#include "inventory/inventorystore.h"
#include "inventory/storecodec.h"

#include <QSet>

namespace mist {

// The audit texts of a poll or watch batch, translated once per write rather than once per row.
struct InventoryStore::PollTexts
{
    QString appeared = storecodec::tr("Appeared in state %1");
    QString returned = storecodec::tr("Reported again after being missing");
    QString stateChanged = storecodec::tr("State changed from %1 to %2");
    QString disappeared = storecodec::tr("No longer reported by the cloud");
    QString removed = storecodec::tr("Removed after being missing since %1");
    QString deleted = storecodec::tr("Deleted in the cloud");
    QString deletedWithParent = storecodec::tr("Deleted in the cloud with %1");
};

namespace storeinternal {

// What the file holds for a reported machine (the cache must equal the file).
inline void normalize(Machine &m)
{
    if (m.state.isEmpty())
        m.state = MachineState::Unknown;
    // A tag needs a key; such entries are not stored. (remove() alone would copy a shared map.)
    if (m.providerTags.contains(QString()))
        m.providerTags.remove(QString());
}

// Those of `ids` that are the parent of a machine in `cached` (one cloud's): only they need
// their children detached before they are deleted, a statement per chunk of ids.
inline QVector<qint64> parentsAmong(const QVector<Machine> &cached, const QVector<qint64> &ids)
{
    const QSet<qint64> wanted(ids.cbegin(), ids.cend());
    QSet<qint64> found;
    for (const Machine &m : cached)
        if (m.parentId && wanted.contains(m.parentId))
            found.insert(m.parentId);
    return QVector<qint64>(found.cbegin(), found.cend());
}

// Cached machines whose parent is deleted by this write now sit directly under the cloud (as
// InventoryStore::detachChildren did in the file); adds their ids to `reparented` for the delta.
inline void detachChildrenOf(QVector<Machine> &cached, const QSet<qint64> &removedIds, QSet<qint64> &reparented)
{
    if (removedIds.isEmpty())
        return;
    for (Machine &m : cached)
        if (m.parentId && removedIds.contains(m.parentId) && !removedIds.contains(m.id)) {
            m.parentId = 0;
            reparented.insert(m.id);
        }
}

// The added and updated machines (in the cache): their parents are resolved after all inserts,
// since a parent may arrive in the same write as its children, or after them.
inline QVector<Machine *> addedAndUpdated(InventoryDiff &diff, QVector<Machine> &cached)
{
    QVector<Machine *> out;
    out.reserve(diff.added.size() + diff.updated.size());
    for (Machine &m : diff.added)
        out << &m;
    for (const InventoryDiff::Update &u : std::as_const(diff.updated))
        out << &cached[u.stored];
    return out;
}

} // namespace storeinternal
} // namespace mist
