#pragma once

#include "kubeapiclient.h"
#include "providers/provider.h"

namespace mist {

// Pod and node actions: delete pod, restart/scale the pod's Deployment/StatefulSet (found
// through ownerReferences: pod → ReplicaSet → Deployment), cordon/uncordon a node.
namespace KubeActions {

QStringList allowed(const Machine &machine);
Status run(KubeApiClient &client, const Machine &machine, const ActionRequest &request);

} // namespace KubeActions

} // namespace mist
