#pragma once

#include "providers/containeraccess.h"
#include "providers/provider.h"

#include <QCoreApplication>
#include <QStringList>

namespace mist {

// Shells, commands and logs in the containers of a Docker/Podman engine.
class DockerContainerAccess : public ContainerAccess
{
public:
    bool canExec(const Machine &machine) const override;
    bool canLog(const Machine &machine) const override;
    TerminalBackend *createExecBackend(const Credentials &credentials, const Machine &machine,
                                       const ExecRequest &request) override;
    Result<ExecOutput> exec(const Credentials &credentials, const Machine &machine, const ExecRequest &request) override;
    LogStream *createLogStream(const Credentials &credentials, const Machine &machine, const LogOptions &options) override;

    static QString containerId(const Machine &machine);   // extra["id"], else the external id
};

// A Docker Engine API (Docker or Podman) over a unix socket, TCP with TLS client
// certificates, or SSH. The engine host is a ContainerHost machine, its containers are
// Container machines under it (contracts.md). Actions run by container state.
class DockerProvider : public Provider
{
    Q_DECLARE_TR_FUNCTIONS(DockerProvider)

public:
    ProviderInfo info() const override;
    Status validate(const Credentials &credentials) const override;
    PollResult poll(const Credentials &credentials) override;
    QStringList allowedActions(const Machine &machine) const override;
    Status runAction(const Credentials &credentials, const Machine &machine, const ActionRequest &request) override;
    ContainerAccess *containerAccess() override { return &m_access; }

    // Local engine sockets that exist and answer /_ping like Docker, as "unix://..." URIs
    // (first start offers them as clouds). Blocking (up to timeoutMs per socket): worker threads.
    static QStringList findLocalEndpoints(const QStringList &candidates = defaultLocalSockets(), int timeoutMs = 2000);
    // $DOCKER_HOST (unix), /var/run/docker.sock, rootless Docker, Podman (rootless and root), Docker Desktop.
    // No IO.
    static QStringList defaultLocalSockets();

private:
    DockerContainerAccess m_access;
};

} // namespace mist
