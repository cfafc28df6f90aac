#include "machinecache.h"

namespace mist {

qsizetype MachineCache::machineCount() const
{
    qsizetype n = 0;
    for (const StoredMachines &s : m_clouds)
        n += s.machines.size();
    return n;
}

} // namespace mist
