#include "inventorydiff.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>
#include <functional>
#include <vector>

namespace mist {

void StoredMachines::reindex()
{
    byExternalId.clear();
    byExternalId.reserve(machines.size());
    for (qsizetype i = 0; i < machines.size(); ++i)
        byExternalId.insert(machines.at(i).externalId, i);
}

void StoredMachines::append(const Machine &m)
{
    byExternalId.insert(m.externalId, machines.size());
    machines.append(m);
}

void StoredMachines::remove(QVector<qsizetype> indexes)
{
    // Highest first, each replaced by the last machine: no shifting, no full re-index.
    std::sort(indexes.begin(), indexes.end(), std::greater<>());
    for (qsizetype i : std::as_const(indexes)) {
        byExternalId.remove(machines.at(i).externalId);
        const qsizetype last = machines.size() - 1;
        if (i != last) {
            machines[i] = std::move(machines[last]);
            byExternalId[machines.at(i).externalId] = i;
        }
        machines.removeLast();
    }
}

InventoryDiff InventoryDiff::compute(const QVector<Machine> &stored, const PollResult &result,
                                     const QDateTime &now, std::chrono::seconds grace)
{
    return compute(StoredMachines(stored), result, now, grace, true);
}

InventoryDiff InventoryDiff::compute(const StoredMachines &stored, const PollResult &result,
                                     const QDateTime &now, std::chrono::seconds grace, bool copyUnchanged)
{
    InventoryDiff diff;
    // A failed poll tells nothing about what exists: keep everything as it is.
    if (!result.success)
        return diff;

    std::vector<bool> reported(size_t(stored.machines.size()), false);
    QSet<QString> reportedNew;   // ids not stored yet (the stored ones are flagged above)
    diff.unchangedStored.reserve(stored.machines.size());
    for (const Machine &incoming : result.machines) {
        if (incoming.externalId.isEmpty()) {
            diff.warnings << QCoreApplication::translate("Inventory", "The provider listed a machine without an id (%1); it was skipped.")
                                 .arg(incoming.name.isEmpty() ? QStringLiteral("?") : incoming.name);
            continue;
        }
        const auto found = stored.byExternalId.constFind(incoming.externalId);
        const bool known = found != stored.byExternalId.cend();
        const bool twice = known ? reported[size_t(*found)] : reportedNew.contains(incoming.externalId);
        if (twice) {
            diff.warnings << QCoreApplication::translate("Inventory", "The provider listed the machine id %1 twice; the second entry was skipped.")
                                 .arg(incoming.externalId);
            continue;
        }
        if (!known) {
            reportedNew.insert(incoming.externalId);
            Machine m = incoming;
            m.id = 0;
            m.userTags.clear();
            m.lastSeen = now;
            m.missingSince = {};
            diff.added << m;
            continue;
        }
        const qsizetype index = *found;
        reported[size_t(index)] = true;
        const Machine &old = stored.machines.at(index);
        QStringList fields = old.sameReportedState(incoming) ? QStringList() : old.changedFields(incoming);
        const bool returned = old.missingSince.isValid();
        if (fields.isEmpty() && !returned) {
            diff.unchangedStored << index;
            if (copyUnchanged) {
                Machine same = old;
                same.lastSeen = now;
                diff.unchanged << same;
            }
            continue;
        }
        Machine merged = incoming;
        merged.id = old.id;
        merged.cloudId = old.cloudId;
        merged.parentId = old.parentId;   // re-resolved by the store from parentExternalId
        merged.userTags = old.userTags;
        merged.lastSeen = now;
        merged.missingSince = {};
        diff.updated << Update{merged, std::move(fields), old.state, returned, index};
    }

    // Only a complete listing says that something is gone.
    if (!result.complete)
        return diff;
    for (qsizetype i = 0; i < stored.machines.size(); ++i) {
        if (reported[size_t(i)])
            continue;
        const Machine &m = stored.machines.at(i);
        if (!m.missingSince.isValid()) {
            Machine gone = m;
            gone.missingSince = now;
            diff.disappeared << gone;
            diff.disappearedStored << i;
        } else if (m.missingSince.secsTo(now) >= grace.count()) {
            diff.removed << m;
            diff.removedStored << i;
        }
    }
    return diff;
}

} // namespace mist
