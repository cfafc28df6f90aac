#pragma once

#include "inventory/cloud.h"
#include "inventory/inventorydelta.h"
#include "inventory/machine.h"
#include "util/result.h"

namespace mist {

class InventoryStore;

// "Remove" on an Other server: nothing happens on the server; Mist forgets it. The server
// leaves the cloud's config and the inventory in one transaction (it would otherwise come
// back with the next poll, or linger as missing for the grace period). Removing the last
// server removes the cloud. Runs on the store's thread (GUI) or in the CLI.
Result<InventoryDelta> removeOtherServer(InventoryStore &store, const Cloud &cloud, const Machine &machine,
                                         const QString &actor);

} // namespace mist
