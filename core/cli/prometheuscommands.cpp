#include "prometheuscommands.h"

#include "cli/monitoringcommands.h"
#include "monitoring/monitoredmachines.h"
#include "monitoring/prometheus/prometheuscollector.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PrometheusCommands", text);
}

// "30s" -> 30; nullopt unless whole seconds from 1 s to a day.
std::optional<int> seconds(const QString &text)
{
    const std::optional<qint64> ms = MonitoringCommands::parseDuration(text);
    if (!ms || *ms % 1000 != 0 || *ms > 86400000)
        return std::nullopt;
    return int(*ms / 1000);
}

} // namespace

PrometheusCommands::PrometheusCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString PrometheusCommands::summary()
{
    return tr("  monitoring prometheus add NAME --url URL --machine M|--cloud C [options]\n"
              "                                      Read the metrics of a machine (or of a cloud's machines) from\n"
              "                                      Prometheus / VictoriaMetrics instead of over SSH\n"
              "  monitoring prometheus list|remove NAME|test NAME [--machine M]\n");
}

QString PrometheusCommands::dataDir() const
{
    return QFileInfo(m_ctx.settings()->fileName()).absolutePath();
}

QString PrometheusCommands::filePath() const
{
    return PrometheusSources::filePath(dataDir());
}

Result<PrometheusSources> PrometheusCommands::load()
{
    return PrometheusSources::load(filePath());
}

int PrometheusCommands::run(QStringList args)
{
    const QString sub = CliContext::takeCommandWord(args);
    if (sub.isEmpty() || sub == QLatin1String("list") || sub == QLatin1String("ls")) {
        if (sub.isEmpty() && (args.contains(QStringLiteral("-h")) || args.contains(QStringLiteral("--help"))))
            return help();
        return list(args);
    }
    if (sub == QLatin1String("add"))
        return add(args);
    if (sub == QLatin1String("remove") || sub == QLatin1String("rm"))
        return remove(args);
    if (sub == QLatin1String("test"))
        return test(args);
    if (sub == QLatin1String("help"))
        return help();
    return m_ctx.usageError(QStringLiteral("monitoring prometheus"), tr("unknown command \"%1\"").arg(sub));
}

int PrometheusCommands::help()
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring prometheus"), tr("[COMMAND] [options]"),
                                     tr("Prometheus-compatible servers (Prometheus, VictoriaMetrics) as the source of machines'\n"
                                        "metrics: the app imports the node_exporter series of each monitored machine the source\n"
                                        "covers (no SSH needed), into the same store, charts and rules.\n\nCommands:\n")
                                         + summary());
    m_ctx.out() << p.helpText();
    m_ctx.out().flush();
    return ExitCode::Ok;
}

QString PrometheusCommands::scopeText(const PrometheusSource &s)
{
    if (s.scope == PrometheusSource::Scope::Machine) {
        auto m = m_ctx.store().machine(s.scopeId);
        return tr("machine %1").arg(m ? m->name : QStringLiteral("#%1").arg(s.scopeId));
    }
    auto c = m_ctx.store().cloud(s.scopeId);
    return tr("cloud %1").arg(c ? c->name : QStringLiteral("#%1").arg(s.scopeId));
}

int PrometheusCommands::add(const QStringList &args)
{
    ArgParser p = CliContext::parser(
        QStringLiteral("monitoring prometheus add"), tr("NAME --url URL --machine M|--cloud C [options]"),
        tr("Read the metrics of a machine, or of every monitored machine of a cloud, from a Prometheus-compatible\n"
           "server. Its series are found with the instance matcher ({host}, {name} and {ip} are replaced by the\n"
           "machine's values). Passwords and tokens are read from standard input and kept in the OS keychain."));
    p.addPositional(QStringLiteral("NAME"), tr("A name for the source"));
    p.addOption({QStringLiteral("--url")}, QStringLiteral("URL"),
                tr("Base URL, e.g. http://prometheus:9090 or http://vmselect:8481/select/0/prometheus."));
    p.addOption({QStringLiteral("--machine")}, QStringLiteral("M"), tr("The machine (id, external id or name)."));
    p.addOption({QStringLiteral("--cloud")}, QStringLiteral("C"), tr("Every monitored machine of this cloud."));
    p.addOption({QStringLiteral("--token-stdin")}, {}, tr("Bearer token, read from standard input."));
    p.addOption({QStringLiteral("--user")}, QStringLiteral("U"), tr("Basic authentication user (with --password-stdin)."));
    p.addOption({QStringLiteral("--password-stdin")}, {}, tr("Basic authentication password, read from standard input."));
    p.addOption({QStringLiteral("--matcher")}, QStringLiteral("T"),
                tr("Label matchers for the machine's series (default %1).").arg(PrometheusSource::kDefaultMatcher));
    p.addOption({QStringLiteral("--step")}, QStringLiteral("DURATION"),
                tr("Resolution of the imported series, e.g. 15s (default: the machine's monitoring interval)."));
    p.addOption({QStringLiteral("--timeout")}, QStringLiteral("DURATION"), tr("How long to wait for an answer (default 30s)."));
    p.addOption({QStringLiteral("--insecure")}, {}, tr("Accept any TLS certificate of the server."));
    p.addOption({QStringLiteral("--ca-file")}, QStringLiteral("FILE"), tr("CA certificates (PEM) for the server's certificate."));
    p.addOption({QStringLiteral("--query")}, QStringLiteral("SERIES[LABEL]=PROMQL"),
                tr("Add or replace a series (repeatable). $match is the machine's matcher, $rate a rate window;\n"
                   "[LABEL] names the Prometheus label that tells its series apart. An empty PROMQL drops a default."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, p.positionals().isEmpty() ? tr("missing the name")
                                                             : tr("unexpected argument \"%1\"").arg(p.positionals().at(1)));
    if (!p.isSet(QStringLiteral("url")))
        return m_ctx.usageError(p, tr("missing --url"));
    if (p.isSet(QStringLiteral("machine")) == p.isSet(QStringLiteral("cloud")))
        return m_ctx.usageError(p, tr("give either --machine or --cloud"));
    if (p.isSet(QStringLiteral("token-stdin")) && (p.isSet(QStringLiteral("user")) || p.isSet(QStringLiteral("password-stdin"))))
        return m_ctx.usageError(p, tr("use either --token-stdin or --user with --password-stdin"));
    if (p.isSet(QStringLiteral("user")) != p.isSet(QStringLiteral("password-stdin")))
        return m_ctx.usageError(p, tr("--user and --password-stdin go together"));

    PrometheusSource s;
    s.name = p.positionals().first();
    s.url = p.value(QStringLiteral("url"));
    if (p.isSet(QStringLiteral("matcher")))
        s.matcher = p.value(QStringLiteral("matcher"));
    for (const char *key : {"step", "timeout"}) {
        const QString k = QString::fromLatin1(key);
        if (!p.isSet(k))
            continue;
        const std::optional<int> v = seconds(p.value(k));
        if (!v)
            return m_ctx.usageError(p, tr("--%1 must be whole seconds up to a day, e.g. 15s or 1m").arg(k));
        (k == QLatin1String("step") ? s.stepSeconds : s.timeoutSeconds) = *v;
    }
    s.insecureTls = p.isSet(QStringLiteral("insecure"));
    s.caFile = p.value(QStringLiteral("ca-file"));
    for (const QString &text : p.values(QStringLiteral("query"))) {
        const std::optional<PrometheusQuery> q = PrometheusQuery::parse(text);
        if (!q)
            return m_ctx.usageError(p, tr("--query needs SERIES=PROMQL or SERIES[LABEL]=PROMQL, e.g. app.rps=sum(rate(x{$match}[$rate]))"));
        s.queries.append(*q);
    }
    if (p.isSet(QStringLiteral("token-stdin"))) {
        s.auth = PrometheusSource::Auth::Bearer;
    } else if (p.isSet(QStringLiteral("user"))) {
        s.auth = PrometheusSource::Auth::Basic;
        s.user = p.value(QStringLiteral("user"));
    }

    if (Status st = m_ctx.open(); !st)
        return m_ctx.fail(st.error());
    if (p.isSet(QStringLiteral("machine"))) {
        Result<Machine> m = m_ctx.store().findMachine(p.value(QStringLiteral("machine")));
        if (!m)
            return m_ctx.fail(m.error());
        s.scopeId = m->id;
    } else {
        auto clouds = m_ctx.cloudsNamed({p.value(QStringLiteral("cloud"))});
        if (!clouds)
            return m_ctx.fail(clouds.error());
        s.scope = PrometheusSource::Scope::Cloud;
        s.scopeId = clouds->first().id;
    }
    Result<PrometheusSources> sources = load();
    if (!sources)
        return m_ctx.fail(sources.error());
    Result<PrometheusSource> added = sources.value().upsert(s);
    if (!added)
        return m_ctx.fail(added.error());
    // The secret first: a source must never be stored without it.
    const QString field = added->secretField();
    if (!field.isEmpty()) {
        const std::optional<QString> secret = m_ctx.terminal().readSecret(tr("%1 for %2: ").arg(field, s.name));
        if (!secret || secret->isEmpty())
            return m_ctx.fail(tr("No %1 on standard input.").arg(field));
        if (Status st = m_ctx.secrets().write(added->secretOwner(), field, *secret); !st)
            return m_ctx.fail(st.error());
    }
    if (Status st = sources.value().save(filePath()); !st) {
        if (!field.isEmpty())
            (void)m_ctx.secrets().remove(added->secretOwner(), field);
        return m_ctx.fail(st.error());
    }
    m_ctx.out() << tr("Added the Prometheus source %1 for %2.").arg(added->name, scopeText(added.value())) << '\n';
    m_ctx.out() << tr("Machines it covers are read from it when their monitoring starts (mist monitoring enable MACHINE);\n"
                      "try it now with 'mist monitoring prometheus test %1'.").arg(added->name)
                << '\n';
    m_ctx.out().flush();
    return ExitCode::Ok;
}

int PrometheusCommands::remove(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring prometheus remove"), tr("NAME"),
                                     tr("Forget a Prometheus source and delete its password or token from the keychain.\n"
                                        "Metrics already imported are kept."));
    p.addPositional(QStringLiteral("NAME"), tr("The source's name or id"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, tr("name one source"));
    if (Status st = m_ctx.open(); !st)
        return m_ctx.fail(st.error());
    Result<PrometheusSources> sources = load();
    if (!sources)
        return m_ctx.fail(sources.error());
    const PrometheusSource *found = sources->find(p.positionals().first());
    if (!found)
        return m_ctx.fail(tr("No Prometheus source \"%1\". 'mist monitoring prometheus list' shows them.").arg(p.positionals().first()));
    const PrometheusSource gone = *found;
    sources.value().remove(gone.id);
    if (Status st = sources.value().save(filePath()); !st)
        return m_ctx.fail(st.error());
    int code = ExitCode::Ok;
    if (Status st = m_ctx.secrets().removeAll(gone.secretOwner(), {QStringLiteral("password"), QStringLiteral("token")}); !st)
        code = m_ctx.fail(tr("Removed %1, but its secret could not be deleted from the OS keychain").arg(gone.name), st.error().toString());
    m_ctx.out() << tr("Removed the Prometheus source %1.").arg(gone.name) << '\n';
    m_ctx.out().flush();
    return code;
}

int PrometheusCommands::list(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring prometheus list"), tr("[options]"),
                                     tr("The Prometheus sources and what they feed."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().first()));
    if (Status st = m_ctx.open(); !st)
        return m_ctx.fail(st.error());
    Result<PrometheusSources> sources = load();
    if (!sources)
        return m_ctx.fail(sources.error());
    if (sources->sources().isEmpty() && m_ctx.format() == OutputFormat::Table) {
        m_ctx.out() << tr("No Prometheus source. Use 'mist monitoring prometheus add NAME --url URL --machine M'.") << '\n';
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    Records r;
    r.addColumn(QStringLiteral("name"), tr("Name"));
    r.addColumn(QStringLiteral("url"), tr("URL"));
    r.addColumn(QStringLiteral("auth"), tr("Auth"));
    r.addColumn(QStringLiteral("for"), tr("For"));
    r.addColumn(QStringLiteral("matcher"), tr("Matcher"));
    r.addColumn(QStringLiteral("step_s"), tr("Step (s)"));
    r.addColumn(QStringLiteral("custom_queries"), tr("Custom queries"));
    r.addColumn(QStringLiteral("id"), tr("Id"));
    for (const PrometheusSource &s : sources->sources()) {
        QJsonValue step = s.stepSeconds > 0 ? QJsonValue(s.stepSeconds) : QJsonValue(tr("interval"));
        r.addRow({s.name, s.url, PrometheusSource::authName(s.auth) + (s.user.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(s.user)),
                  scopeText(s), s.matcher, step, int(s.queries.size()), s.id});
    }
    m_ctx.writer().write(r);
    m_ctx.out().flush();
    return ExitCode::Ok;
}

int PrometheusCommands::test(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring prometheus test"), tr("NAME [--machine M] [options]"),
                                     tr("Run the source's queries for a machine over a recent range and show the series found\n"
                                        "and how many points each has. Nothing is stored."));
    p.addPositional(QStringLiteral("NAME"), tr("The source's name or id"));
    p.addOption({QStringLiteral("--machine")}, QStringLiteral("M"),
                tr("The machine to test with (default: the source's machine, or the first of its cloud)."));
    p.addOption({QStringLiteral("--since")}, tr("DURATION"), tr("How far back (default 10m)."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, tr("name one source"));
    const std::optional<qint64> since = MonitoringCommands::parseDuration(p.isSet(QStringLiteral("since")) ? p.value(QStringLiteral("since"))
                                                                                                          : QStringLiteral("10m"));
    if (!since)
        return m_ctx.usageError(p, tr("--since must be a duration such as 10m or 1h"));
    if (Status st = m_ctx.open(); !st)
        return m_ctx.fail(st.error());
    Result<PrometheusSources> sources = load();
    if (!sources)
        return m_ctx.fail(sources.error());
    const PrometheusSource *source = sources->find(p.positionals().first());
    if (!source)
        return m_ctx.fail(tr("No Prometheus source \"%1\". 'mist monitoring prometheus list' shows them.").arg(p.positionals().first()));

    std::optional<Machine> machine;
    if (p.isSet(QStringLiteral("machine")) || source->scope == PrometheusSource::Scope::Machine) {
        Result<Machine> m = p.isSet(QStringLiteral("machine")) ? m_ctx.store().findMachine(p.value(QStringLiteral("machine")))
                                                               : m_ctx.store().machine(source->scopeId);
        if (!m)
            return m_ctx.fail(m.error());
        machine = m.value();
    } else {
        auto all = m_ctx.store().machines();
        if (!all)
            return m_ctx.fail(all.error());
        for (const Machine &m : all.value()) {
            if (source->appliesTo(m) && (!machine || m.name < machine->name))
                machine = m;
        }
        if (!machine)
            return m_ctx.fail(tr("The cloud of %1 has no machines to test with.").arg(source->name));
    }
    if (!source->appliesTo(*machine))
        m_ctx.warn(Error{tr("%1 is not covered by %2; testing with it anyway.").arg(machine->name, source->name), {}});

    Result<QString> secret = PrometheusCollector::keychainSecret(*source);
    if (!secret)
        return m_ctx.fail(secret.error());
    int stepSeconds = source->stepSeconds;
    if (stepSeconds <= 0) {
        auto rules = MonitoredMachines::load(MonitoredMachines::filePath(dataDir()));
        stepSeconds = rules ? rules->resolve({*machine}).value(machine->id, MonitoredMachines::kDefaultIntervalSeconds)
                            : MonitoredMachines::kDefaultIntervalSeconds;
    }
    const qint64 stepMs = qint64(stepSeconds) * 1000;
    const qint64 to = QDateTime::currentMSecsSinceEpoch() / stepMs * stepMs;
    const qint64 from = to - std::min(*since, (PrometheusCollector::kMaxPointsPerQuery - 1) * stepMs);
    m_ctx.err() << tr("Testing %1 for %2 with %3, every %4 s").arg(source->name, machine->name, source->matcherFor(*machine)).arg(stepSeconds)
                << '\n';
    m_ctx.err().flush();
    Result<PrometheusImport> imported = PrometheusCollector::fetch(*source, *machine, secret.value(), from, to, stepMs);
    if (!imported)
        return m_ctx.fail(imported.error());
    for (const QString &w : imported->warnings)
        m_ctx.warn(Error{w, {}});
    for (const Error &e : imported->failedQueries)
        m_ctx.warn(e);
    Records r;
    r.addColumn(QStringLiteral("series"), tr("Series"));
    r.addColumn(QStringLiteral("label"), tr("Label"));
    r.addColumn(QStringLiteral("points"), tr("Points"));
    r.addColumn(QStringLiteral("query"), tr("Query"));
    for (const PrometheusImport::SeriesCount &c : imported->counts)
        r.addRow({c.series, c.label, c.points, c.promql});
    m_ctx.writer().write(r);
    m_ctx.out().flush();
    if (imported->counts.isEmpty())
        return m_ctx.fail(tr("%1 has no series for %2 with %3: check the matcher.").arg(source->name, machine->name, source->matcherFor(*machine)));
    return ExitCode::Ok;
}

} // namespace mist
