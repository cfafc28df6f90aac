#include "actioncommands.h"

#include "cli/machinerecords.h"
#include "cli/pollcommand.h"
#include "polling/polljob.h"
#include "services/serverremoval.h"
#include "services/storehostkeys.h"
#include "util/logging.h"

#include <QCoreApplication>

#include <algorithm>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ActionCommands", text);
}

const QString kActor = QStringLiteral("cli");

const QStringList &actionCommands()
{
    static const QStringList commands{Action::Start,  Action::Stop,     Action::Reboot, Action::Suspend,
                                      Action::Resume, Action::PowerOff, Action::Destroy, Action::Rename,
                                      Action::Remove, Action::Restart, Action::Pause, Action::Unpause,
                                      Action::Cordon, Action::Uncordon, Action::Scale, Action::RolloutRestart};
    return commands;
}

// "Rename…" is a button text; messages want the bare verb.
QString actionTitle(const QString &action)
{
    return Action::title(action).remove(QChar(0x2026));
}

QString description(const QString &action)
{
    if (action == Action::Start) return tr("Start (boot) stopped machines.");
    if (action == Action::Stop) return tr("Shut machines down gracefully.");
    if (action == Action::Reboot) return tr("Reboot running machines.");
    if (action == Action::Suspend) return tr("Suspend (pause) running machines.");
    if (action == Action::Resume) return tr("Resume paused machines.");
    if (action == Action::PowerOff) return tr("Force machines off, like pulling the plug. Asks for confirmation.");
    if (action == Action::Destroy) return tr("Delete machines for good at their provider (libvirt: force off and undefine;\n"
                                             "disk images are kept). This cannot be undone. Asks for confirmation.");
    if (action == Action::Rename) return tr("Rename a machine at its provider (libvirt: only while it is stopped).");
    if (action == Action::Remove) return tr("Forget servers of an Other server cloud (the servers are not touched). Asks for confirmation.");
    if (action == Action::Restart) return tr("Restart containers (stop, then start).");
    if (action == Action::Pause) return tr("Pause containers (their processes are frozen).");
    if (action == Action::Unpause) return tr("Unpause paused containers.");
    if (action == Action::Cordon) return tr("Mark Kubernetes nodes unschedulable (running pods stay).");
    if (action == Action::Uncordon) return tr("Mark Kubernetes nodes schedulable again.");
    if (action == Action::Scale) return tr("Scale the Deployment or StatefulSet that owns a pod to --replicas N.");
    if (action == Action::RolloutRestart) return tr("Restart the rollout of the Deployment or StatefulSet that owns a pod.");
    return {};
}

} // namespace

ActionCommands::ActionCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

bool ActionCommands::isActionCommand(const QString &command)
{
    return actionCommands().contains(command);
}

QString ActionCommands::summary()
{
    return tr("  start|stop|reboot|suspend|resume MACHINE...\n"
              "                                      Run a lifecycle action on machines\n"
              "  power-off|destroy MACHINE... [--yes]\n"
              "                                      Force off or delete machines (asks first)\n"
              "  rename MACHINE NEW_NAME             Rename a machine at its provider\n"
              "  remove SERVER... [--yes]            Forget servers of an Other server cloud\n"
              "  restart|pause|unpause CONTAINER...  Container lifecycle (Docker)\n"
              "  cordon|uncordon NODE...             Kubernetes node scheduling\n"
              "  scale POD --replicas N              Scale the pod's Deployment/StatefulSet\n"
              "  rollout-restart POD...              Restart the pod's Deployment/StatefulSet\n");
}

Result<QVector<ActionCommands::Target>> ActionCommands::resolve(const QStringList &names, const QString &action)
{
    QVector<Target> targets;
    QStringList problems;
    for (const QString &name : names) {
        Result<Machine> m = m_ctx.store().findMachine(name);
        if (!m) {
            problems << m.error().toString();
            continue;
        }
        if (std::any_of(targets.cbegin(), targets.cend(), [&](const Target &t) { return t.machine.id == m->id; }))
            continue;
        Result<Cloud> cloud = m_ctx.store().cloud(m->cloudId);
        if (!cloud) {
            problems << cloud.error().toString();
            continue;
        }
        if (m->missingSince.isValid()) {
            problems << tr("%1 \"%2\" is not possible: the machine is no longer reported by %3 (missing since %4)")
                            .arg(actionTitle(action), m->name, cloud->name,
                                 m->missingSince.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
            continue;
        }
        const QStringList allowed = ProviderCall::allowedActions(cloud.value(), m.value());
        if (!allowed.contains(action)) {
            problems << (allowed.isEmpty()
                             ? tr("%1 \"%2\" is not possible: it is %3 and has no actions").arg(actionTitle(action), m->name, m->state)
                             : tr("%1 \"%2\" is not possible while it is %3; possible now: %4")
                                   .arg(actionTitle(action), m->name, m->state, allowed.join(QStringLiteral(", "))));
            continue;
        }
        targets << Target{m.value(), cloud.value()};
    }
    // Nothing runs unless every machine can: half a batch is harder to reason about.
    if (!problems.isEmpty())
        return Error{problems.join(QStringLiteral("\nmist: ")), {}};
    return targets;
}

std::optional<int> ActionCommands::confirm(const ArgParser &p, const QString &action, const QVector<Target> &targets)
{
    if (!Action::isDestructive(action) || p.isSet(QStringLiteral("yes")))
        return std::nullopt;
    if (!m_ctx.terminal().stdinIsInteractive())
        return m_ctx.usageError(p, tr("%1 needs confirmation and standard input is not a terminal; pass --yes to confirm")
                                       .arg(action));
    QStringList names;
    for (const Target &t : targets)
        names << tr("%1 (id %2, %3)").arg(t.machine.name).arg(t.machine.id).arg(t.cloud.name);
    const QString question = action == Action::Destroy
                                 ? tr("Destroy %1? This deletes the machine for good and cannot be undone.").arg(names.join(QStringLiteral(", ")))
                                 : tr("Force off %1? Unsaved work in the machine is lost.").arg(names.join(QStringLiteral(", ")));
    if (m_ctx.terminal().confirm(question))
        return std::nullopt;
    m_ctx.err() << tr("Nothing was done.") << '\n';
    return ExitCode::Failure;
}

void ActionCommands::audit(const Target &t, const ActionRequest &request, const Status &result)
{
    AuditEntry e;
    e.actor = kActor;
    e.action = QStringLiteral("machine.") + request.action;
    e.cloudId = t.cloud.id;
    e.machineId = t.machine.id;
    e.target = t.machine.name;
    e.success = result.ok();
    e.message = result.ok() ? tr("%1 succeeded").arg(actionTitle(request.action)) : result.error().toString();
    if (request.action == Action::Rename)
        e.details.insert(QStringLiteral("new_name"), request.arguments.value(QStringLiteral("name")).toString());
    if (request.action == Action::Scale)
        e.details.insert(QStringLiteral("replicas"), request.arguments.value(QStringLiteral("replicas")).toInt());
    if (Status s = m_ctx.store().appendAudit(e); !s)
        m_ctx.warn(Error{tr("Could not write the audit log"), s.error().toString()});
}

int ActionCommands::run(const QString &action, const QStringList &args)
{
    const bool rename = action == Action::Rename;
    ArgParser p = CliContext::parser(action, rename ? tr("MACHINE NEW_NAME") : tr("MACHINE..."), description(action));
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    if (rename)
        p.addPositional(QStringLiteral("NEW_NAME"), tr("The new name"));
    if (action == Action::Scale)
        p.addOption({QStringLiteral("--replicas")}, QStringLiteral("N"), tr("How many replicas (required)."));
    if (Action::isDestructive(action))
        p.addOption({QStringLiteral("-y"), QStringLiteral("--yes")}, {},
                    tr("Do not ask; required when standard input is not a terminal."));
    p.addNote(tr("The machine must allow the action in its current state (see 'mist machine MACHINE').\n"
                 "Afterwards its cloud is polled once, so the listing shows the new state.\n"
                 "Exits with 1 when any action failed."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    QStringList names = p.positionals();
    ActionRequest request;
    request.action = action;
    if (rename) {
        if (names.size() != 2)
            return m_ctx.usageError(p, names.size() < 2 ? tr("give the machine and its new name")
                                                        : tr("unexpected argument \"%1\"").arg(names.at(2)));
        if (names.at(1).trimmed().isEmpty())
            return m_ctx.usageError(p, tr("the new name is empty"));
        request.arguments.insert(QStringLiteral("name"), names.takeLast().trimmed());
    } else if (names.isEmpty()) {
        return m_ctx.usageError(p, tr("missing the machine"));
    }
    if (action == Action::Scale) {
        bool ok = false;
        const int replicas = p.value(QStringLiteral("replicas")).toInt(&ok);
        if (!p.isSet(QStringLiteral("replicas")) || !ok || replicas < 0)
            return m_ctx.usageError(p, tr("give --replicas N with N = 0 or more"));
        request.arguments.insert(QStringLiteral("replicas"), replicas);
    }

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<QVector<Target>> targets = resolve(names, action);
    if (!targets)
        return m_ctx.fail(targets.error());
    if (auto code = confirm(p, action, targets.value()))
        return *code;

    QVector<Status> results;
    QVector<Cloud> touched;
    for (const Target &t : std::as_const(targets.value())) {
        qCInfo(lcCli) << action << t.machine.name << "on" << t.cloud.name;
        if (action == Action::Remove) {
            // Nothing runs at the provider; the store forgets the server (and audits it).
            const Result<InventoryDelta> removed = removeOtherServer(m_ctx.store(), t.cloud, t.machine, kActor);
            results << (removed ? Status() : Status(removed.error()));
            continue;
        }
        auto hostKeys = std::make_shared<SerializedHostKeyVerifier>(std::make_shared<StoreHostKeyVerifier>(m_ctx.store()));
        const Status result = ProviderCall::runAction(t.cloud, t.machine, request, m_ctx.secrets(), hostKeys);
        audit(t, request, result);
        results << result;
        if (std::none_of(touched.cbegin(), touched.cend(), [&](const Cloud &c) { return c.id == t.cloud.id; }))
            touched << t.cloud;
    }

    PollCommand poller(m_ctx);
    for (const Cloud &c : std::as_const(touched)) {
        const PollCommand::Outcome o = poller.pollOnce(c);
        if (!o.ok)
            m_ctx.warn(Error{tr("The action ran, but polling \"%1\" afterwards failed, so the states shown may be old")
                                 .arg(c.name),
                             o.error.toString()});
    }

    Records r;
    r.addColumn(QStringLiteral("id"), tr("Id"));
    r.addColumn(QStringLiteral("machine"), tr("Machine"));
    r.addColumn(QStringLiteral("cloud"), tr("Cloud"));
    r.addColumn(QStringLiteral("action"), tr("Action"));
    r.addColumn(QStringLiteral("result"), tr("Result"));
    r.addColumn(QStringLiteral("state"), tr("State"));
    const bool table = m_ctx.format() == OutputFormat::Table;
    if (!table)   // a table shows it in the state, as "(missing)"
        r.addColumn(QStringLiteral("missing"), tr("Missing"));
    r.addColumn(QStringLiteral("error"), tr("Error"));
    int code = ExitCode::Ok;
    for (int i = 0; i < results.size(); ++i) {
        const Target &t = targets->at(i);
        Machine now = t.machine;
        Cloud cloud = t.cloud;
        if (Result<Machine> m = m_ctx.store().machine(t.machine.id); m.ok())
            now = m.value();
        if (Result<Cloud> c = m_ctx.store().cloud(t.cloud.id); c.ok())
            cloud = c.value();
        const Status &result = results.at(i);
        if (!result.ok()) {
            code = ExitCode::Failure;
            m_ctx.warn(Error{tr("%1 \"%2\" failed").arg(actionTitle(action), t.machine.name), result.error().toString()});
        }
        QVector<QJsonValue> row{now.id, now.name, cloud.name, action,
                                result.ok() ? QStringLiteral("ok") : QStringLiteral("failed"),
                                table ? MachineRecords::stateText(now, cloud) : now.state};
        if (!table)
            row << now.missingSince.isValid();
        row << (result.ok() ? QJsonValue(QJsonValue::Null) : QJsonValue(result.error().toString()));
        r.addRow(row);
    }
    m_ctx.writer().write(r);
    return code;
}

} // namespace mist
