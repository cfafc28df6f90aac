#include "inventorydiff.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

namespace mist {

InventoryDiff InventoryDiff::compute(const QVector<Machine> &stored, const PollResult &result,
                                     const QDateTime &now, std::chrono::seconds grace)
{
    InventoryDiff diff;
    // A failed poll tells nothing about what exists: keep everything as it is.
    if (!result.success)
        return diff;

    QHash<QString, const Machine *> byExternalId;
    byExternalId.reserve(stored.size());
    for (const Machine &m : stored)
        byExternalId.insert(m.externalId, &m);

    QSet<QString> reported;
    reported.reserve(result.machines.size());
    for (const Machine &incoming : result.machines) {
        if (incoming.externalId.isEmpty()) {
            diff.warnings << QCoreApplication::translate("Inventory", "The provider listed a machine without an id (%1); it was skipped.")
                                 .arg(incoming.name.isEmpty() ? QStringLiteral("?") : incoming.name);
            continue;
        }
        if (reported.contains(incoming.externalId)) {
            diff.warnings << QCoreApplication::translate("Inventory", "The provider listed the machine id %1 twice; the second entry was skipped.")
                                 .arg(incoming.externalId);
            continue;
        }
        reported.insert(incoming.externalId);

        const Machine *old = byExternalId.value(incoming.externalId);
        if (!old) {
            Machine m = incoming;
            m.id = 0;
            m.userTags.clear();
            m.lastSeen = now;
            m.missingSince = {};
            diff.added << m;
            continue;
        }
        Machine merged = incoming;
        merged.id = old->id;
        merged.cloudId = old->cloudId;
        merged.parentId = old->parentId;   // re-resolved by the store from parentExternalId
        merged.userTags = old->userTags;
        merged.lastSeen = now;
        merged.missingSince = {};
        const QStringList fields = old->changedFields(incoming);
        const bool returned = old->missingSince.isValid();
        if (fields.isEmpty() && !returned) {
            diff.unchanged << merged;
            continue;
        }
        diff.updated << Update{merged, fields, old->state, returned};
    }

    // Only a complete listing says that something is gone.
    if (!result.complete)
        return diff;
    for (const Machine &m : stored) {
        if (reported.contains(m.externalId))
            continue;
        if (!m.missingSince.isValid()) {
            Machine gone = m;
            gone.missingSince = now;
            diff.disappeared << gone;
        } else if (m.missingSince.secsTo(now) >= grace.count()) {
            diff.removed << m;
        }
    }
    return diff;
}

} // namespace mist
