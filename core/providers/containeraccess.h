#pragma once

#include "containers/logstream.h"
#include "inventory/machine.h"
#include "providers/provider.h"
#include "util/result.h"

#include <QByteArray>
#include <QStringList>

namespace mist {

class TerminalBackend;

struct ExecRequest
{
    QStringList command;   // empty: the provider's default shell ("/bin/sh" or better)
    bool tty = true;
    QString container;     // Kubernetes: which container of a pod; empty = the first
};

struct ExecOutput
{
    QByteArray stdoutData;
    QByteArray stderrData;
    int exitStatus = -1;   // -1: the runtime did not say
};

// Shells, commands and logs inside containers, for providers that have containers (Docker,
// Kubernetes). Credentials are already resolved (keychain read) by the caller, which does so
// off the GUI thread. Created objects have no parent and belong to the caller.
class ContainerAccess
{
public:
    virtual ~ContainerAccess() = default;

    virtual bool canExec(const Machine &machine) const = 0;   // e.g. a running container, a pod
    virtual bool canLog(const Machine &machine) const = 0;

    // An interactive shell/command in a terminal tab. Connecting starts with start() and runs
    // on the backend's own thread; resize() reaches the runtime (exec resize, resize channel).
    virtual TerminalBackend *createExecBackend(const Credentials &credentials, const Machine &machine,
                                               const ExecRequest &request) = 0;

    // Blocking, for `mist exec`: collects stdout/stderr and the exit status. Worker threads only.
    virtual Result<ExecOutput> exec(const Credentials &credentials, const Machine &machine,
                                    const ExecRequest &request) = 0;

    virtual LogStream *createLogStream(const Credentials &credentials, const Machine &machine,
                                       const LogOptions &options) = 0;
};

} // namespace mist
