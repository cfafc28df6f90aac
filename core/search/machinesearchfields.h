#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "search/searchfields.h"

namespace mist {

// What the search box (SearchIndex) and `mist machines --search` look at for one row, already
// normalized (lowercased) as SearchQuery::matches() expects. One definition for both, so the
// GUI and the CLI find the same machines for the same query.

inline SearchFields machineSearchFields(const Machine &machine, const Cloud &cloud)
{
    SearchFields f;
    f.name = machine.name;
    f.state = machine.state;
    f.cloud = cloud.name;
    f.provider = cloud.provider;
    f.kind = machineKindName(machine.kind);
    f.id = machine.externalId;
    f.size = machine.size;
    f.image = machine.image;
    f.location = machine.location;
    f.os = machine.os;
    f.ips = machine.publicIps + machine.privateIps;
    f.tags = machine.providerTags;
    for (auto it = machine.userTags.cbegin(); it != machine.userTags.cend(); ++it)
        f.tags.insert(it.key(), it.value());   // the user's tag wins over the provider's
    return f.normalized();
}

// A cloud row matches by its name, provider and health ("state:error" finds failing clouds).
inline SearchFields cloudSearchFields(const Cloud &cloud)
{
    SearchFields f;
    f.name = cloud.name;
    f.cloud = cloud.name;
    f.provider = cloud.provider;
    f.state = cloudHealthName(cloud.health);
    f.kind = QStringLiteral("cloud");
    f.id = cloud.uuid;
    return f.normalized();
}

} // namespace mist
