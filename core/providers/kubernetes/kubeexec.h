#pragma once

#include "providers/containeraccess.h"
#include "providers/kubernetes/kubeexecsession.h"

namespace mist {

// A command run to completion (`mist exec`): no tty, no stdin, stdout and stderr kept apart,
// the exit status from the error channel. Blocks the calling thread (worker threads only);
// the socket runs on its own worker thread.
namespace KubeExec {
Result<ExecOutput> run(const KubeConnectionSource &source, KubeExecTarget target);
} // namespace KubeExec

} // namespace mist
