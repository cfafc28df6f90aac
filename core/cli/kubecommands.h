#pragma once

#include "cli/clicontext.h"

#include <QStringList>

namespace mist {

// `mist kube import [FILE...] [--context NAME]...`: every context of the kubeconfig (or the
// ones named) becomes a Kubernetes cloud; tokens and client keys go to the keychain.
// `mist kube contexts [FILE...]` lists what an import would bring.
class KubeCommands
{
public:
    explicit KubeCommands(CliContext &ctx);

    int run(QStringList args);
    static QString summary();

private:
    int importContexts(const QStringList &args);
    int listContexts(const QStringList &args);

    CliContext &m_ctx;
};

} // namespace mist
