#pragma once

#include "providers/kubernetes/kubecontaineraccess.h"
#include "providers/provider.h"

namespace mist {

// Kubernetes and OpenShift clusters (same API): nodes > pods > containers, list + watch,
// pod/node actions. Exec, logs and port forwarding are ContainerAccess (kubecontaineraccess).
class KubernetesProvider : public Provider
{
public:
    ProviderInfo info() const override;
    Status validate(const Credentials &credentials) const override;
    PollResult poll(const Credentials &credentials) override;
    QStringList allowedActions(const Machine &machine) const override;
    Status runAction(const Credentials &credentials, const Machine &machine, const ActionRequest &request) override;
    WatchOutcome watch(const Credentials &credentials, const QString &cursor, WatchSink &sink) override;
    ContainerAccess *containerAccess() override { return &m_access; }

    // The pod list path for a cloud: all namespaces, or the cloud's namespace filter.
    static QString podsPath(const Credentials &credentials);

private:
    KubeContainerAccess m_access;   // stateless: safe to share between calls
};

} // namespace mist
