#include "kubecontaineraccess.h"

#include "providers/kubernetes/kubeexec.h"
#include "providers/kubernetes/kubeexecbackend.h"
#include "providers/kubernetes/kubelogs.h"
#include "providers/kubernetes/kubeportforward.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeContainerAccess", text);
}

bool isPodOrContainer(const Machine &m)
{
    return (m.kind == MachineKind::Pod || m.kind == MachineKind::Container)
           && !m.extra.value(QStringLiteral("namespace")).toString().isEmpty()
           && !m.extra.value(QStringLiteral("pod")).toString().isEmpty();
}

QStringList podContainers(const Machine &m)
{
    QStringList names;
    for (const QJsonValue &v : m.extra.value(QStringLiteral("containers")).toArray())
        if (!v.toString().isEmpty())
            names << v.toString();
    return names;
}

QString defaultContainer(const Machine &m, const QString &requested)
{
    if (!requested.isEmpty())
        return requested;
    if (m.kind == MachineKind::Container)
        return m.extra.value(QStringLiteral("container")).toString();
    const QStringList names = podContainers(m);
    return names.isEmpty() ? QString() : names.first();
}

// A source that fails at start: the stream then reports the error the usual way.
KubeConnectionSource failing(const Error &error)
{
    return [error]() -> Result<KubeConnection> { return error; };
}

} // namespace

bool KubeContainerAccess::canExec(const Machine &machine) const
{
    return isPodOrContainer(machine) && machine.state == MachineState::Running;
}

bool KubeContainerAccess::canLog(const Machine &machine) const
{
    return isPodOrContainer(machine);
}

Result<KubeExecTarget> KubeContainerAccess::execTarget(const Machine &machine, const ExecRequest &request)
{
    if (!isPodOrContainer(machine))
        return Error{tr("%1 is not a Kubernetes pod or container.").arg(machine.name), {}};
    KubeExecTarget t;
    t.ns = machine.extra.value(QStringLiteral("namespace")).toString();
    t.pod = machine.extra.value(QStringLiteral("pod")).toString();
    t.container = defaultContainer(machine, request.container);
    t.command = request.command;
    t.tty = request.tty;
    return t;
}

QStringList KubeContainerAccess::logContainers(const Machine &machine, const LogOptions &options)
{
    if (options.allContainers && machine.kind == MachineKind::Pod && options.container.isEmpty()) {
        const QStringList all = podContainers(machine);
        if (!all.isEmpty())
            return all;
    }
    const QString one = defaultContainer(machine, options.container);
    return one.isEmpty() ? QStringList() : QStringList{one};
}

TerminalBackend *KubeContainerAccess::createExecBackend(const Credentials &credentials, const Machine &machine,
                                                        const ExecRequest &request)
{
    Result<KubeExecTarget> target = execTarget(machine, request);
    if (!target)
        return new KubeExecBackend(failing(target.error()), KubeExecTarget{});
    return new KubeExecBackend(kubeConnectionSource(credentials), target.value());
}

Result<ExecOutput> KubeContainerAccess::exec(const Credentials &credentials, const Machine &machine,
                                             const ExecRequest &request)
{
    Result<KubeExecTarget> target = execTarget(machine, request);
    if (!target)
        return target.error();
    if (target->command.isEmpty())
        return Error{tr("No command to run in %1.").arg(target->description()), {}};
    return KubeExec::run(kubeConnectionSource(credentials), target.value());
}

LogStream *KubeContainerAccess::createLogStream(const Credentials &credentials, const Machine &machine,
                                                const LogOptions &options)
{
    const QString ns = machine.extra.value(QStringLiteral("namespace")).toString();
    const QString pod = machine.extra.value(QStringLiteral("pod")).toString();
    KubeConnectionSource source = isPodOrContainer(machine)
                                      ? kubeConnectionSource(credentials)
                                      : failing({tr("%1 is not a Kubernetes pod or container.").arg(machine.name), {}});
    return new KubeLogStream(std::move(source), ns, pod, logContainers(machine, options), options);
}

KubePortForward *KubeContainerAccess::createPortForward(const Credentials &credentials, const Machine &machine,
                                                        quint16 remotePort, quint16 localPort)
{
    const QString ns = machine.extra.value(QStringLiteral("namespace")).toString();
    const QString pod = machine.extra.value(QStringLiteral("pod")).toString();
    KubeConnectionSource source = isPodOrContainer(machine)
                                      ? kubeConnectionSource(credentials)
                                      : failing({tr("%1 is not a Kubernetes pod.").arg(machine.name), {}});
    return new KubePortForward(std::move(source), ns, pod, remotePort, localPort);
}

} // namespace mist
