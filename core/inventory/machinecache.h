#pragma once

#include "inventory/inventorydiff.h"

#include <QHash>

namespace mist {

// The store's per-cloud copy of its stored machines (with tags), so that a poll diffs against
// memory instead of re-reading and re-parsing the whole cloud. Used only on the store's
// thread. It is trusted only while nothing else wrote the file since it was last in step:
//  * other connections (the `mist` CLI, another process): SQLite's `PRAGMA data_version`
//    changes when they commit;
//  * this connection: sqlite3_total_changes() moves with every row written. Store methods
//    that write no machine or tag re-arm the cache after their write (only if it was in step
//    before), methods that write machines or tags drop the clouds they touch, and anything
//    else (a repository on InventoryStore::database()) leaves the counter off, so the next
//    poll reloads from the file.
class MachineCache
{
public:
    // Drops everything unless the file is as the cache last saw it.
    void validate(qint64 dataVersion, qint64 totalChanges)
    {
        if (!m_synced || dataVersion != m_dataVersion || totalChanges != m_totalChanges)
            clear();
    }
    // The cache matches the file as of this data_version and own change count.
    void markInStep(qint64 dataVersion, qint64 totalChanges)
    {
        m_synced = true;
        m_dataVersion = dataVersion;
        m_totalChanges = totalChanges;
    }
    // For writes that touch no machine or tag: the cache stays in step if it was before.
    bool inStepWith(qint64 totalChanges) const { return m_synced && totalChanges == m_totalChanges; }
    void rearm(qint64 totalChanges) { m_totalChanges = totalChanges; }

    StoredMachines *find(qint64 cloudId)
    {
        const auto it = m_clouds.find(cloudId);
        return it == m_clouds.end() ? nullptr : &it.value();
    }
    StoredMachines &insert(qint64 cloudId, QVector<Machine> machines)
    {
        return *m_clouds.insert(cloudId, StoredMachines(std::move(machines)));
    }
    void drop(qint64 cloudId) { m_clouds.remove(cloudId); }
    void clear()
    {
        m_clouds.clear();
        m_synced = false;
    }
    qsizetype machineCount() const;

private:
    QHash<qint64, StoredMachines> m_clouds;
    bool m_synced = false;
    qint64 m_dataVersion = -1;
    qint64 m_totalChanges = -1;
};

} // namespace mist
