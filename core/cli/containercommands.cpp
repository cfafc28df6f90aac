#include "containercommands.h"

#include "containers/containerlauncher.h"
#include "inventory/inventorystore.h"
#include "polling/polljob.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonObject>

#include <cstdio>
#include <unistd.h>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ContainerCommands", text);
}

} // namespace

ContainerCommands::ContainerCommands(CliContext &ctx) : m_ctx(ctx) {}

QString ContainerCommands::summary()
{
    return tr("  logs MACHINE [-f] [--tail N]    Logs of a container or pod\n");
}

bool ContainerCommands::isContainer(const Machine &machine)
{
    return machine.kind == MachineKind::Container || machine.kind == MachineKind::Pod;
}

int ContainerCommands::exec(const Machine &machine, const QStringList &command, const QString &container)
{
    Result<Cloud> cloud = m_ctx.store().cloud(machine.cloudId);
    if (!cloud)
        return m_ctx.fail(cloud.error());
    ContainerAccess *access = ContainerLauncher::accessFor(cloud.value());
    if (!access || !access->canExec(machine))
        return m_ctx.fail(tr("Cannot run commands in %1 now (state: %2)").arg(machine.name, machine.state));
    Result<Credentials> credentials = ProviderCall::credentialsFor(cloud.value(), m_ctx.secrets());
    if (!credentials)
        return m_ctx.fail(credentials.error());
    ExecRequest request;
    request.command = command;
    request.tty = false;
    request.container = container;
    Result<ExecOutput> output = access->exec(credentials.value(), machine, request);
    QJsonObject details{{QStringLiteral("command"), command.join(QLatin1Char(' '))}};
    if (!container.isEmpty())
        details.insert(QStringLiteral("container"), container);
    if (!output) {
        m_ctx.auditMachine(machine, QStringLiteral("container.exec"), false, output.error().message, details);
        m_ctx.fail(output.error());
        return 255;   // like `mist exec` over SSH: the command never ran
    }
    writeAll(STDOUT_FILENO, output.value().stdoutData);
    writeAll(STDERR_FILENO, output.value().stderrData);
    const int status = output.value().exitStatus;
    details.insert(QStringLiteral("exit_status"), status);
    m_ctx.auditMachine(machine, QStringLiteral("container.exec"), status == 0, tr("Command exited with %1").arg(status), details);
    return status < 0 ? 255 : status;
}

int ContainerCommands::logs(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("logs"), tr("CONTAINER_OR_POD [options]"),
                                     tr("Print the logs of a container (Docker) or pod (Kubernetes)."));
    p.addOption({QStringLiteral("-f"), QStringLiteral("--follow")}, {}, tr("Keep printing new lines until interrupted."));
    p.addOption({QStringLiteral("--tail")}, QStringLiteral("N"), tr("Only the last N lines (default: all)."));
    p.addOption({QStringLiteral("--timestamps")}, {}, tr("Prefix each line with its timestamp."));
    p.addOption({QStringLiteral("-p"), QStringLiteral("--previous")}, {},
                tr("Kubernetes: the previous instance of the container."));
    p.addOption({QStringLiteral("-c"), QStringLiteral("--container")}, QStringLiteral("NAME"),
                tr("Kubernetes: which container of the pod."));
    p.addOption({QStringLiteral("--all-containers")}, {}, tr("Kubernetes: every container of the pod, merged."));
    p.addOption({QStringLiteral("--workload")}, {},
                tr("Kubernetes: every container of every pod of the pod's owner (its ReplicaSet,\n"
                   "StatefulSet...), merged with a [pod/container] prefix."));
    p.addPositional(QStringLiteral("CONTAINER_OR_POD"), tr("Name or id"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, tr("give exactly one container or pod"));
    LogOptions options;
    options.follow = p.isSet(QStringLiteral("follow"));
    options.timestamps = p.isSet(QStringLiteral("timestamps"));
    options.previous = p.isSet(QStringLiteral("previous"));
    options.container = p.value(QStringLiteral("container"));
    options.allContainers = p.isSet(QStringLiteral("all-containers"));
    options.workload = p.isSet(QStringLiteral("workload"));
    options.tailLines = -1;
    if (p.isSet(QStringLiteral("tail"))) {
        bool ok = false;
        options.tailLines = p.value(QStringLiteral("tail")).toInt(&ok);
        if (!ok || options.tailLines < 0)
            return m_ctx.usageError(p, tr("--tail needs a number of lines (0 or more)"));
    }

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<Machine> machine = m_ctx.store().findMachine(p.positionals().first());
    if (!machine)
        return m_ctx.fail(machine.error());
    Result<Cloud> cloud = m_ctx.store().cloud(machine.value().cloudId);
    if (!cloud)
        return m_ctx.fail(cloud.error());
    ContainerAccess *access = ContainerLauncher::accessFor(cloud.value());
    if (!access || !access->canLog(machine.value()))
        return m_ctx.fail(tr("%1 has no logs to show (it is not a container or pod)").arg(machine.value().name));
    Result<Credentials> credentials = ProviderCall::credentialsFor(cloud.value(), m_ctx.secrets());
    if (!credentials)
        return m_ctx.fail(credentials.error());

    std::unique_ptr<LogStream> stream(access->createLogStream(credentials.value(), machine.value(), options));
    if (!stream)
        return m_ctx.fail(tr("Cannot read the logs of %1").arg(machine.value().name));
    QEventLoop loop;
    Status outcome;
    bool stdoutGone = false;
    QObject::connect(stream.get(), &LogStream::linesReceived, &loop, [&](const QString &lines) {
        if (!writeAll(STDOUT_FILENO, lines.toUtf8()) && !stdoutGone) {
            stdoutGone = true;   // `mist logs -f | head`: stop quietly
            stream->stop();
        }
    });
    QObject::connect(stream.get(), &LogStream::finished, &loop, [&](const Status &status) {
        outcome = status;
        loop.quit();
    });
    stream->start();
    loop.exec();
    if (!outcome && !stdoutGone)
        return m_ctx.fail(outcome.error());
    return ExitCode::Ok;
}

} // namespace mist
