#include "cliapp.h"

#include "cli/actioncommands.h"
#include "cli/auditcommands.h"
#include "cli/clicontext.h"
#include "cli/cloudcommands.h"
#include "cli/keycommands.h"
#include "cli/machinecommands.h"
#include "cli/monitoringcommands.h"
#include "cli/pollcommand.h"
#include "cli/rulescommands.h"
#include "cli/containercommands.h"
#include "cli/kubecommands.h"
#include "cli/sshcommands.h"
#include "util/logging.h"

#include <QCoreApplication>

#include <exception>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CliApp", text);
}
} // namespace

CliApp::CliApp(QTextStream &out, QTextStream &err)
    : m_out(out)
    , m_err(err)
{
}

QString CliApp::helpText()
{
    ArgParser p(QString(), tr("[options] COMMAND [arguments]"),
                tr("Mist Desktop's command line: the clouds, machines and audit log of the desktop\n"
                   "app, from the same inventory.\n\n"
                   "Commands:\n")
                    + CloudCommands::summary() + MachineCommands::summary() + ActionCommands::summary()
                    + PollCommand::summary() + AuditCommands::summary() + SshCommands::summary() + ContainerCommands::summary() + KubeCommands::summary() + KeyCommands::summary() + MonitoringCommands::summary() + RulesCommands::summary()
                    + tr("  help [COMMAND]                      Show help for a command\n"));
    CliContext::addGlobalOptions(p);
    p.addNote(tr("MACHINE is a machine's id, its provider's id for it, or its name.\n"
                 "Run 'mist COMMAND --help' for the options of a command.\n\n"
                 "Exit status: 0 success, 1 error, 2 wrong usage."));
    return p.helpText();
}

int CliApp::run(const QStringList &arguments)
{
    CliContext ctx(m_out, m_err);
    QStringList args = arguments;
    const QString command = CliContext::takeCommandWord(args);
    try {
        if (command.isEmpty()) {
            // Only global options: --help, --version, or nothing at all.
            ArgParser p(QString(), {}, {});
            CliContext::addGlobalOptions(p);
            if (!p.parse(args))
                return ctx.usageError(QString(), p.errorText());
            if (p.isSet(QStringLiteral("help"))) {
                m_out << helpText();
                m_out.flush();
                return ExitCode::Ok;
            }
            if (auto code = ctx.applyGlobalOptions(p))
                return *code;
            return ctx.usageError(QString(), tr("missing command"));
        }
        if (command == QLatin1String("help")) {
            if (args.isEmpty()) {
                m_out << helpText();
                m_out.flush();
                return ExitCode::Ok;
            }
            QStringList helpArgs = args;
            helpArgs << QStringLiteral("--help");
            return run(helpArgs);
        }
        if (command == QLatin1String("clouds") || command == QLatin1String("cloud"))
            return CloudCommands(ctx).run(args);
        if (command == QLatin1String("machines"))
            return MachineCommands(ctx).list(args);
        if (command == QLatin1String("machine"))
            return MachineCommands(ctx).show(args);
        if (command == QLatin1String("tag"))
            return MachineCommands(ctx).tag(args);
        if (command == QLatin1String("poll"))
            return PollCommand(ctx).run(args);
        if (command == QLatin1String("audit"))
            return AuditCommands(ctx).run(args);
        if (command == QLatin1String("ssh"))
            return SshCommands(ctx).ssh(args);
        if (command == QLatin1String("exec"))
            return SshCommands(ctx).exec(args);
        if (command == QLatin1String("kube"))
            return KubeCommands(ctx).run(args);
        if (command == QLatin1String("logs"))
            return ContainerCommands(ctx).logs(args);
        if (command == QLatin1String("monitoring"))
            return MonitoringCommands(ctx).run(args);
        if (command == QLatin1String("metrics"))
            return MonitoringCommands(ctx).metrics(args);
        if (command == QLatin1String("rules") || command == QLatin1String("rule"))
            return RulesCommands(ctx).run(args);
        if (command == QLatin1String("keys") || command == QLatin1String("key"))
            return KeyCommands(ctx).run(args);
        if (ActionCommands::isActionCommand(command))
            return ActionCommands(ctx).run(command, args);
        return ctx.usageError(QString(), tr("unknown command \"%1\"").arg(command));
    } catch (const std::exception &e) {
        // Last resort: a library threw where nothing expected it. Report, never crash.
        qCWarning(lcCli) << "uncaught exception" << e.what();
        return ctx.fail(tr("Unexpected internal error"), QString::fromUtf8(e.what()));
    }
}

} // namespace mist
