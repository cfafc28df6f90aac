#pragma once

#include "cli/clicontext.h"
#include "inventory/machine.h"

#include <QStringList>

namespace mist {

struct Cloud;

// Containers and pods from the command line, through their provider's ContainerAccess:
// `mist exec CONTAINER_OR_POD [-c NAME] -- CMD` (from SshCommands::exec when the machine is a
// container or pod; the exit status is the command's) and `mist logs CONTAINER_OR_POD [-f]`.
class ContainerCommands
{
public:
    explicit ContainerCommands(CliContext &ctx);

    static bool isContainer(const Machine &machine);
    int exec(const Machine &machine, const QStringList &command, const QString &container);
    int logs(const QStringList &args);

    static QString summary();

private:
    CliContext &m_ctx;
};

} // namespace mist
