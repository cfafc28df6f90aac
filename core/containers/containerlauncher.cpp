#include "containerlauncher.h"

#include "inventory/inventorystore.h"
#include "polling/polljob.h"
#include "providers/kubernetes/kubecontaineraccess.h"
#include "providers/kubernetes/kubeportforward.h"
#include "providers/providerregistry.h"
#include "secrets/secretstore.h"
#include "services/storeservice.h"
#include "shell/terminalbackend.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThread>

namespace mist {

namespace {

struct Subject
{
    Cloud cloud;
    Machine machine;
};

} // namespace

ContainerLauncher::ContainerLauncher(StoreService *store, QObject *parent) : QObject(parent), m_store(store)
{
    m_pool.setMaxThreadCount(4);
}

ContainerLauncher::~ContainerLauncher()
{
    m_pool.waitForDone();
}

ContainerAccess *ContainerLauncher::accessFor(const Cloud &cloud)
{
    auto provider = ProviderRegistry::instance().provider(cloud.provider);
    return provider ? provider->containerAccess() : nullptr;
}

bool ContainerLauncher::canExec(const Cloud &cloud, const Machine &machine)
{
    ContainerAccess *access = accessFor(cloud);
    return access && access->canExec(machine);
}

bool ContainerLauncher::canLog(const Cloud &cloud, const Machine &machine)
{
    ContainerAccess *access = accessFor(cloud);
    return access && access->canLog(machine);
}

void ContainerLauncher::openExec(qint64 machineId, const ExecRequest &request, QObject *context,
                                 Done<TerminalBackend> done)
{
    launch(
        machineId, context,
        [request](ContainerAccess &access, const Credentials &credentials, const Machine &machine) -> QObject * {
            return access.createExecBackend(credentials, machine, request);
        },
        typed(std::move(done)));
}

void ContainerLauncher::openLogs(qint64 machineId, const LogOptions &options, QObject *context, Done<LogStream> done)
{
    launch(
        machineId, context,
        [options](ContainerAccess &access, const Credentials &credentials, const Machine &machine) -> QObject * {
            return access.createLogStream(credentials, machine, options);
        },
        typed(std::move(done)));
}

bool ContainerLauncher::canPortForward(const Cloud &cloud, const Machine &machine)
{
    return cloud.provider == QLatin1String("kubernetes") && machine.kind == MachineKind::Pod
        && machine.state == MachineState::Running;
}

void ContainerLauncher::openPortForward(qint64 machineId, quint16 remotePort, quint16 localPort, QObject *context,
                                        Done<KubePortForward> done)
{
    launch(
        machineId, context,
        [remotePort, localPort](ContainerAccess &, const Credentials &credentials, const Machine &machine) -> QObject * {
            return KubeContainerAccess::createPortForward(credentials, machine, remotePort, localPort);
        },
        typed(std::move(done)));
}

void ContainerLauncher::launch(qint64 machineId, QObject *context, Make make,
                               std::function<void(Result<QObject *>)> done)
{
    QPointer<QObject> guard(context);
    QThread *target = context->thread();
    QPointer<ContainerLauncher> self(this);
    m_store->call<Subject>(
        this,
        [machineId](InventoryStore &store) -> Result<Subject> {
            auto machine = store.machine(machineId);
            if (!machine)
                return machine.error();
            auto cloud = store.cloud(machine.value().cloudId);
            if (!cloud)
                return cloud.error();
            return Subject{cloud.value(), machine.value()};
        },
        [self, guard, target, make, done](Result<Subject> subject) {
            if (!guard)
                return;
            if (!subject)
                return done(subject.error());
            ContainerAccess *access = accessFor(subject.value().cloud);
            if (!access)
                return done(Error{tr("%1 has no containers to open").arg(subject.value().cloud.name), {}});
            if (!self)
                return;
            self->m_pool.start([guard, target, make, done, access, s = subject.value()] {
                SecretStore secrets;
                const Result<Credentials> credentials = ProviderCall::credentialsFor(s.cloud, secrets);
                const Result<QObject *> made = [&]() -> Result<QObject *> {
                    if (!credentials)
                        return credentials.error();
                    try {
                        if (QObject *object = make(*access, credentials.value(), s.machine)) {
                            object->moveToThread(target);
                            return object;
                        }
                    } catch (const std::exception &e) {
                        return Error{tr("Could not open %1").arg(s.machine.name), QString::fromUtf8(e.what())};
                    }
                    return Error{tr("%1 cannot be opened now").arg(s.machine.name), {}};
                }();
                QMetaObject::invokeMethod(
                    QCoreApplication::instance(),
                    [guard, done, made] {
                        if (guard) {
                            done(made);
                        } else if (made) {
                            delete made.value();   // nobody wants it any more
                        }
                    },
                    Qt::QueuedConnection);
            });
        });
}

} // namespace mist
