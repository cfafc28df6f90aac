#pragma once

#include "inventory/machine.h"
#include "providers/provider.h"

#include <QDateTime>
#include <QHash>
#include <QVector>

#include <chrono>

namespace mist {

// One cloud's stored machines (with tags), indexed by external id. The store keeps one per
// cloud between polls (MachineCache), so a poll does not re-read the cloud.
struct StoredMachines
{
    StoredMachines() = default;
    explicit StoredMachines(QVector<Machine> stored) : machines(std::move(stored)) { reindex(); }

    QVector<Machine> machines;
    QHash<QString, qsizetype> byExternalId;   // -> index in machines
    bool lastSeenSettled = false;             // store bookkeeping: no row holds an explicit last_seen

    void reindex();
    void append(const Machine &m);
    // Removes the machines at these indexes (the order of the others may change).
    void remove(QVector<qsizetype> indexes);
    const Machine *find(const QString &externalId) const
    {
        const auto it = byExternalId.constFind(externalId);
        return it == byExternalId.cend() ? nullptr : &machines.at(*it);
    }
};

// What applying one poll result to a cloud's stored machines would change. Pure: computed
// from values, so the rules ("a failed poll keeps everything", "gone machines wait out a
// grace period") are tested without a database.
struct InventoryDiff
{
    struct Update
    {
        Machine machine;         // stored id and user tags, newly reported fields
        QStringList fields;      // reported fields that changed
        QString previousState;
        bool returned = false;   // was missing, is reported again
        qsizetype stored = -1;   // index in StoredMachines::machines
    };

    QVector<Machine> added;                 // ids 0
    QVector<Update> updated;
    QVector<Machine> disappeared;           // complete poll no longer lists them: missing_since = now
    QVector<Machine> removed;               // missing for longer than the grace period
    QVector<Machine> unchanged;             // reported, nothing to write but last_seen (see below)
    QVector<qsizetype> unchangedStored;     // the same as indexes in StoredMachines::machines
    QVector<qsizetype> disappearedStored;   // index of each disappeared machine
    QVector<qsizetype> removedStored;       // index of each removed machine
    QStringList warnings;                   // bad entries in the provider's answer (skipped)

    bool isEmpty() const { return added.isEmpty() && updated.isEmpty() && disappeared.isEmpty() && removed.isEmpty(); }

    static InventoryDiff compute(const QVector<Machine> &stored, const PollResult &result,
                                 const QDateTime &now, std::chrono::seconds grace);

    // The same rules on indexed machines. With copyUnchanged false, `unchanged` stays empty
    // and only `unchangedStored` is filled: a poll of a big cloud reports mostly unchanged
    // machines, and copying each one costs more than the comparison.
    static InventoryDiff compute(const StoredMachines &stored, const PollResult &result,
                                 const QDateTime &now, std::chrono::seconds grace, bool copyUnchanged);
};

} // namespace mist
