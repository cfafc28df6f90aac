#include "deltapacer.h"

#include "inventory/inventorymodel.h"

namespace mist {

namespace {

qsizetype machineCount(const InventoryDelta &d)
{
    return d.machinesAdded.size() + d.machinesChanged.size() + d.machinesRemoved.size();
}

} // namespace

DeltaPacer::DeltaPacer(InventoryModel *model, QObject *parent, int sliceMachines)
    : QObject(parent), m_model(model), m_slice(qMax(1, sliceMachines))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(0);
    connect(&m_timer, &QTimer::timeout, this, &DeltaPacer::applyNext);
}

void DeltaPacer::push(const InventoryDelta &delta)
{
    if (m_queue.empty() && machineCount(delta) <= m_slice) {
        m_model->applyDelta(delta);
        emit drained();
        return;
    }
    // The first slice carries the cloud changes and every removal (removals are cheap and must
    // not wait behind additions that may reuse a place in the tree).
    InventoryDelta head;
    head.cloudsChanged = delta.cloudsChanged;
    head.cloudsRemoved = delta.cloudsRemoved;
    head.machinesRemoved = delta.machinesRemoved;
    m_queue.push_back(std::move(head));
    for (qsizetype i = 0; i < delta.machinesAdded.size(); i += m_slice) {
        InventoryDelta slice;
        slice.machinesAdded = delta.machinesAdded.mid(i, m_slice);
        m_queue.push_back(std::move(slice));
    }
    for (qsizetype i = 0; i < delta.machinesChanged.size(); i += m_slice) {
        InventoryDelta slice;
        slice.machinesChanged = delta.machinesChanged.mid(i, m_slice);
        m_queue.push_back(std::move(slice));
    }
    if (!m_timer.isActive())
        m_timer.start();
}

void DeltaPacer::applyNext()
{
    if (m_queue.empty())
        return;
    const InventoryDelta slice = std::move(m_queue.front());
    m_queue.pop_front();
    m_model->applyDelta(slice);
    if (m_queue.empty())
        emit drained();
    else
        m_timer.start();
}

} // namespace mist
