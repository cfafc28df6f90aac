#pragma once

#include "providers/provider.h"

#include <QHash>
#include <QMutex>
#include <QSet>

#include <vector>

namespace mist {

// Merges the batches a watch delivers until they are handed to the store, so a burst of
// changes becomes one transaction. Thread-safe: the watch thread adds, the scheduler takes.
// Rules: a later upsert of an id replaces an earlier one; a removal drops an earlier upsert
// of the same id (and stays a removal); an upsert after a removal wins (the cloud re-created it).
class WatchCoalescer
{
public:
    // True when nothing was pending before: the caller arranges a hand-off.
    bool add(WatchBatch batch);
    WatchBatch take();
    bool isEmpty() const;

private:
    mutable QMutex m_mutex;
    QVector<Machine> m_upserts;
    std::vector<bool> m_dropped;            // upserts superseded by a later removal
    QHash<QString, qsizetype> m_upsertAt;   // live upserts by external id
    QSet<QString> m_removed;
};

} // namespace mist
