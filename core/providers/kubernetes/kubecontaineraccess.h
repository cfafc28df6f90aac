#pragma once

#include "providers/containeraccess.h"
#include "providers/kubernetes/kubeexecsession.h"

namespace mist {

class KubePortForward;

// Shells, commands, logs and port forwards for the pods and containers of a Kubernetes cloud
// (machine records as in the contracts: extra "namespace", "pod", "container"/"containers").
// Stateless; the connection is built from the credentials on each stream's worker thread.
class KubeContainerAccess : public ContainerAccess
{
public:
    KubeContainerAccess() = default;

    bool canExec(const Machine &machine) const override;   // running pods and containers
    bool canLog(const Machine &machine) const override;    // pods and containers

    TerminalBackend *createExecBackend(const Credentials &credentials, const Machine &machine,
                                       const ExecRequest &request) override;
    Result<ExecOutput> exec(const Credentials &credentials, const Machine &machine, const ExecRequest &request) override;
    LogStream *createLogStream(const Credentials &credentials, const Machine &machine, const LogOptions &options) override;

    // A forward of remotePort of the machine's pod (not started; see KubePortForwardList).
    static KubePortForward *createPortForward(const Credentials &credentials, const Machine &machine, quint16 remotePort,
                                              quint16 localPort = 0);

    // The exec target for a machine: namespace/pod from extra, the container from the request,
    // else the container machine's own, else the pod's first. Error when not a pod/container.
    static Result<KubeExecTarget> execTarget(const Machine &machine, const ExecRequest &request);
    // Which containers a log stream reads.
    static QStringList logContainers(const Machine &machine, const LogOptions &options);
};

} // namespace mist
