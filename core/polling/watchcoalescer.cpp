#include "watchcoalescer.h"

namespace mist {

bool WatchCoalescer::add(WatchBatch batch)
{
    QMutexLocker lock(&m_mutex);
    const bool wasEmpty = m_upsertAt.isEmpty() && m_removed.isEmpty();
    for (Machine &m : batch.upserts) {
        m_removed.remove(m.externalId);
        if (const auto it = m_upsertAt.constFind(m.externalId); it != m_upsertAt.cend()) {
            m_upserts[*it] = std::move(m);
            continue;
        }
        m_upsertAt.insert(m.externalId, m_upserts.size());
        m_upserts << std::move(m);
        m_dropped.push_back(false);
    }
    for (const QString &id : std::as_const(batch.removedExternalIds)) {
        if (const auto it = m_upsertAt.constFind(id); it != m_upsertAt.cend()) {
            m_dropped[size_t(*it)] = true;
            m_upsertAt.erase(it);
        }
        m_removed.insert(id);
    }
    return wasEmpty && !(m_upsertAt.isEmpty() && m_removed.isEmpty());
}

WatchBatch WatchCoalescer::take()
{
    QMutexLocker lock(&m_mutex);
    WatchBatch out;
    out.upserts.reserve(m_upsertAt.size());
    for (qsizetype i = 0; i < m_upserts.size(); ++i)
        if (!m_dropped[size_t(i)])
            out.upserts << std::move(m_upserts[i]);
    out.removedExternalIds = QStringList(m_removed.cbegin(), m_removed.cend());
    m_upserts.clear();
    m_dropped.clear();
    m_upsertAt.clear();
    m_removed.clear();
    return out;
}

bool WatchCoalescer::isEmpty() const
{
    QMutexLocker lock(&m_mutex);
    return m_upsertAt.isEmpty() && m_removed.isEmpty();
}

} // namespace mist
