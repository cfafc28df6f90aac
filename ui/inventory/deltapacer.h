#pragma once

#include "inventory/inventorydelta.h"

#include <QObject>
#include <QTimer>

#include <deque>

namespace mist {

class InventoryModel;

// Hands the store's deltas to the tree model in slices of at most `sliceMachines` machines,
// one slice per event-loop turn, so the first listing of a 20,000-pod cluster (60,000 rows)
// never freezes the window. Order is kept: a delta's slices all go before the next delta's,
// removals and cloud changes first, then additions (parents come before their children in a
// delta), then changes. Small deltas with nothing queued are applied at once.
class DeltaPacer : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultSliceMachines = 2000;

    explicit DeltaPacer(InventoryModel *model, QObject *parent = nullptr, int sliceMachines = DefaultSliceMachines);

    void push(const InventoryDelta &delta);
    bool isIdle() const { return m_queue.empty(); }

signals:
    void drained();   // everything pushed so far is in the model

private:
    void applyNext();

    InventoryModel *m_model;
    int m_slice;
    std::deque<InventoryDelta> m_queue;   // slices not applied yet
    QTimer m_timer;
};

} // namespace mist
