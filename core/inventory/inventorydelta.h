#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"

#include <QMetaType>
#include <QVector>

namespace mist {

// What one write changed, sent from the store thread to the models as a value.
struct InventoryDelta
{
    QVector<Cloud> cloudsChanged;      // added or updated (status, name, settings)
    QVector<qint64> cloudsRemoved;     // their machines are gone with them
    QVector<Machine> machinesAdded;
    QVector<Machine> machinesChanged;  // any field, incl. parent, tags, missing_since
    QVector<qint64> machinesRemoved;

    bool isEmpty() const
    {
        return cloudsChanged.isEmpty() && cloudsRemoved.isEmpty() && machinesAdded.isEmpty()
               && machinesChanged.isEmpty() && machinesRemoved.isEmpty();
    }
};

struct InventorySnapshot
{
    QVector<Cloud> clouds;
    QVector<Machine> machines;
};

} // namespace mist

Q_DECLARE_METATYPE(mist::InventoryDelta)
Q_DECLARE_METATYPE(mist::InventorySnapshot)
