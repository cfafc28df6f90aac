#pragma once

#include "inventory/machine.h"
#include "providers/provider.h"

#include <QDateTime>
#include <QVector>

#include <chrono>

namespace mist {

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
    };

    QVector<Machine> added;                 // ids 0
    QVector<Update> updated;
    QVector<Machine> disappeared;           // complete poll no longer lists them: missing_since = now
    QVector<Machine> removed;               // missing for longer than the grace period
    QVector<Machine> unchanged;             // reported, nothing to write but last_seen
    QStringList warnings;                   // bad entries in the provider's answer (skipped)

    bool isEmpty() const { return added.isEmpty() && updated.isEmpty() && disappeared.isEmpty() && removed.isEmpty(); }

    static InventoryDiff compute(const QVector<Machine> &stored, const PollResult &result,
                                 const QDateTime &now, std::chrono::seconds grace);
};

} // namespace mist
