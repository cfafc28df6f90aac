#pragma once

#include "providers/containeraccess.h"
#include "providers/docker/dockerclient.h"

#include <chrono>
#include <functional>

namespace mist {

// The exec calls of the Engine API: create (POST /containers/{id}/exec), start hijacked
// (POST /exec/{id}/start with Connection: Upgrade), resize, inspect for the exit code.
namespace DockerExec {

// The command to run: the request's, or a login-ish shell that prefers bash.
QStringList commandFor(const ExecRequest &request);

Result<QString> create(DockerClient &client, const QString &containerId, const QStringList &command, bool tty,
                       int cols = 0, int rows = 0);
Result<std::unique_ptr<HttpConnection>> start(DockerClient &client, const QString &execId, bool tty, int cols = 0, int rows = 0);
Status resize(DockerClient &client, const QString &execId, int cols, int rows);
// -1 while it still runs or when the engine does not say.
Result<int> exitCode(DockerClient &client, const QString &execId);

// Non-interactive: runs the command, demultiplexes stdout/stderr, returns the exit code.
// `stop` (may be empty) is polled to give up early.
Result<ExecOutput> run(DockerClient &client, const QString &containerId, const QStringList &command,
                       std::chrono::milliseconds timeout = std::chrono::minutes(5), std::function<bool()> stop = {});

} // namespace DockerExec

} // namespace mist
