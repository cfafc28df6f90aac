#include "kubecommands.h"

#include "providers/kubernetes/kubeconfig.h"
#include "util/logging.h"

#include <QCoreApplication>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeCommands", text);
}

const QString kActor = QStringLiteral("cli");

// The given files, else $KUBECONFIG or ~/.kube/config; skipped contexts are warned about.
Result<KubeconfigImport> readKubeconfig(CliContext &ctx, const QStringList &files)
{
    Result<KubeconfigImport> config = files.isEmpty() ? KubeconfigReader::readDefault() : KubeconfigReader::readFiles(files);
    if (config)
        for (const QString &w : std::as_const(config.value().warnings))
            ctx.warn(Error{w, {}});
    return config;
}

} // namespace

KubeCommands::KubeCommands(CliContext &ctx) : m_ctx(ctx) {}

QString KubeCommands::summary()
{
    return tr("  kube import [FILE...] [--context NAME]...\n"
              "                                      Add kubeconfig contexts as Kubernetes clouds\n"
              "  kube contexts [FILE...]             List the contexts of a kubeconfig\n");
}

int KubeCommands::run(QStringList args)
{
    const QString sub = CliContext::takeCommandWord(args);
    if (sub == QLatin1String("import"))
        return importContexts(args);
    if (sub == QLatin1String("contexts"))
        return listContexts(args);
    return m_ctx.usageError(QStringLiteral("kube"), sub.isEmpty() ? tr("missing the sub-command (import or contexts)")
                                                                  : tr("unknown sub-command \"%1\"").arg(sub));
}

int KubeCommands::listContexts(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("kube contexts"), tr("[FILE...]"),
                                     tr("List the contexts of kubeconfig files (default: $KUBECONFIG or ~/.kube/config)."));
    p.addPositional(QStringLiteral("FILE"), tr("kubeconfig files, merged as kubectl does"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    Result<KubeconfigImport> config = readKubeconfig(m_ctx, p.positionals());
    if (!config)
        return m_ctx.fail(config.error());
    Records out;
    out.addColumn(QStringLiteral("name"), tr("Context"));
    out.addColumn(QStringLiteral("server"), tr("Server"));
    out.addColumn(QStringLiteral("namespace"), tr("Namespace"));
    out.addColumn(QStringLiteral("user"), tr("User"));
    out.addColumn(QStringLiteral("current"), tr("Current"));
    out.addColumn(QStringLiteral("warnings"), tr("Warnings"));
    for (const KubeContextImport &c : std::as_const(config.value().contexts))
        out.addRow({c.name, c.server, c.namespaceName.isEmpty() ? QStringLiteral("default") : c.namespaceName, c.user,
                    c.current, c.warnings.join(QStringLiteral("; "))});
    m_ctx.writer().write(out);
    return ExitCode::Ok;
}

int KubeCommands::importContexts(const QStringList &args)
{
    ArgParser p = CliContext::parser(
        QStringLiteral("kube import"), tr("[FILE...] [--context NAME]..."),
        tr("Add the contexts of kubeconfig files (default: $KUBECONFIG or ~/.kube/config) as Kubernetes clouds,\n"
           "named after the contexts. Tokens and client keys go to the OS keychain; exec credential plugins\n"
           "are kept and run when the cluster is polled."));
    p.addPositional(QStringLiteral("FILE"), tr("kubeconfig files, merged as kubectl does"));
    p.addOption({QStringLiteral("--context")}, QStringLiteral("NAME"), tr("Import only this context (repeatable)."));
    p.addOption({QStringLiteral("--current")}, {}, tr("Import only the current context."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    Result<KubeconfigImport> config = readKubeconfig(m_ctx, p.positionals());
    if (!config)
        return m_ctx.fail(config.error());

    QVector<KubeContextImport> chosen;
    const QStringList wanted = p.values(QStringLiteral("context"));
    for (const QString &name : wanted) {
        const KubeContextImport *c = config.value().context(name);
        if (!c)
            return m_ctx.fail(tr("There is no context \"%1\" in %2").arg(name, config.value().files.join(QStringLiteral(", "))));
        chosen << *c;
    }
    if (wanted.isEmpty()) {
        for (const KubeContextImport &c : std::as_const(config.value().contexts))
            if (!p.isSet(QStringLiteral("current")) || c.current)
                chosen << c;
    }
    if (chosen.isEmpty())
        return m_ctx.fail(tr("No context to import from %1").arg(config.value().files.join(QStringLiteral(", "))));

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    int failures = 0;
    for (const KubeContextImport &c : std::as_const(chosen)) {
        for (const QString &w : c.warnings)
            m_ctx.warn(Error{tr("%1: %2").arg(c.name, w), {}});
        Cloud cloud;
        cloud.provider = QStringLiteral("kubernetes");
        cloud.name = c.name;
        cloud.config = c.config;
        Result<Cloud> added = m_ctx.addCloud(cloud, c.secrets, kActor);
        if (!added) {
            ++failures;
            m_ctx.warn(Error{tr("Context \"%1\" was not imported: %2").arg(c.name, added.error().message),
                             added.error().detail});
            continue;
        }
        qCInfo(lcCli) << "imported kube context" << c.name;
        if (m_ctx.format() == OutputFormat::Table)
            m_ctx.out() << tr("Added cloud \"%1\" (id %2) for %3.").arg(added->name).arg(added->id).arg(c.server) << '\n';
    }
    if (m_ctx.format() == OutputFormat::Table && failures < chosen.size())
        m_ctx.out() << tr("Run 'mist poll' to list their nodes and pods.") << '\n';
    return failures == 0 ? ExitCode::Ok : ExitCode::Failure;
}

} // namespace mist
