#pragma once

#include "containers/logstream.h"
#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "providers/containeraccess.h"
#include "util/result.h"

#include <QObject>
#include <QThreadPool>

#include <functional>

namespace mist {

class KubePortForward;
class StoreService;
class TerminalBackend;

// Opens container shells and log streams for the GUI without blocking it: the machine and
// its cloud are read on the store thread, the cloud's credentials from the keychain and the
// stream object made on a worker (an exec credential plugin may run there), and the object
// is handed to the caller moved to the caller's thread. If the caller is gone by then, the
// object is deleted. Callers live on the GUI thread.
class ContainerLauncher : public QObject
{
    Q_OBJECT
public:
    explicit ContainerLauncher(StoreService *store, QObject *parent = nullptr);
    ~ContainerLauncher() override;

    template <typename T>
    using Done = std::function<void(Result<T *>)>;

    void openExec(qint64 machineId, const ExecRequest &request, QObject *context, Done<TerminalBackend> done);
    void openLogs(qint64 machineId, const LogOptions &options, QObject *context, Done<LogStream> done);
    // Kubernetes pods: a forward of remotePort to 127.0.0.1:localPort (0 = any), not started.
    void openPortForward(qint64 machineId, quint16 remotePort, quint16 localPort, QObject *context,
                         Done<KubePortForward> done);

    // The machine's provider can open a shell / show logs for it (GUI thread, no I/O).
    static bool canExec(const Cloud &cloud, const Machine &machine);
    static bool canLog(const Cloud &cloud, const Machine &machine);
    static bool canPortForward(const Cloud &cloud, const Machine &machine);
    static ContainerAccess *accessFor(const Cloud &cloud);

private:
    using Make = std::function<QObject *(ContainerAccess &, const Credentials &, const Machine &)>;
    void launch(qint64 machineId, QObject *context, Make make, std::function<void(Result<QObject *>)> done);
    // The object made by a Make, handed on as the type that Make creates.
    template <typename T>
    static std::function<void(Result<QObject *>)> typed(Done<T> done)
    {
        return [done = std::move(done)](Result<QObject *> made) {
            if (!made)
                return done(made.error());
            done(static_cast<T *>(made.value()));
        };
    }

    StoreService *m_store;
    QThreadPool m_pool;
};

} // namespace mist
