#include "serverremoval.h"

#include "inventory/inventorystore.h"
#include "providers/otherserver/otherserverprovider.h"

#include <QCoreApplication>

namespace mist {

Result<InventoryDelta> removeOtherServer(InventoryStore &store, const Cloud &cloud, const Machine &machine, const QString &actor)
{
    if (cloud.provider != OtherServerProvider::Id)
        return Error{QCoreApplication::translate("ServerRemoval", "Only servers of an Other server cloud can be removed this way"), {}};
    auto current = store.cloud(cloud.id);   // the config as stored now, not as the caller saw it
    if (!current)
        return current.error();
    const QJsonObject config = OtherServerProvider::configWithout(current.value().config, machine.externalId);
    if (OtherServerProvider::servers(config).isEmpty()) {
        if (Status s = store.removeCloud(cloud.id, actor); !s)
            return s.error();
        InventoryDelta delta;
        delta.cloudsRemoved << cloud.id;
        return delta;
    }
    return store.forgetMachine(machine.id, config, actor);
}

} // namespace mist
