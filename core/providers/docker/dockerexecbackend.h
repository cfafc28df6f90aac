#pragma once

#include "providers/containeraccess.h"
#include "providers/provider.h"
#include "shell/terminalbackend.h"

#include <memory>

namespace mist {

// A shell (or command) in a container with a tty, for a terminal tab: a worker thread
// creates the exec, starts it hijacked, pumps bytes both ways, sends resizes through
// POST /exec/{id}/resize and reads the exit code from /exec/{id}/json at the end.
// Closing or destroying never waits for the network.
class DockerExecBackend : public TerminalBackend
{
    Q_OBJECT

public:
    DockerExecBackend(Credentials credentials, QString containerId, QString containerName, ExecRequest request,
                      QObject *parent = nullptr);
    ~DockerExecBackend() override;

    void start(int cols, int rows) override;
    void write(const QByteArray &data) override;
    void resize(int cols, int rows) override;
    void close() override;
    QString description() const override;   // "docker: web-1"

    struct Shared;

private:
    static void runWorker(const std::shared_ptr<Shared> &shared, const Credentials &credentials, const QString &containerId,
                          const ExecRequest &request, int cols, int rows);
    void reportConnected();
    void reportFailure(const Error &error);
    void reportFinished(int exitStatus);

    Credentials m_credentials;
    QString m_containerId;
    QString m_containerName;
    ExecRequest m_request;
    std::shared_ptr<Shared> m_shared;
};

} // namespace mist
