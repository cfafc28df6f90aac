#include "monitoringcommands.h"

#include "cli/prometheuscommands.h"
#include "monitoring/machinecollector.h"
#include "monitoring/metricstore.h"
#include "monitoring/monitoringservice.h"
#include "ssh/hostkeys.h"
#include "ssh/sshtargetresolver.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MonitoringCommands", text);
}

const QString kLocalProvider = QStringLiteral("local");

QJsonValue msTime(qint64 ms)
{
    return timeValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
}

} // namespace

MonitoringCommands::MonitoringCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString MonitoringCommands::summary()
{
    return tr("  monitoring enable MACHINE...|--tag KEY=VALUE [--interval S]\n"
              "                                      Collect metrics of machines (default every 10 s)\n"
              "  monitoring disable MACHINE...|--tag KEY=VALUE\n"
              "                                      Stop collecting metrics (stored data is kept)\n"
              "  monitoring [list]                   Show what is monitored and how often\n"
              "  monitoring collect MACHINE          Take a sample now and print it\n"
              "  monitoring custom add NAME MACHINE|--tag KEY=VALUE --command CMD [--unit U] [--interval S]\n"
              "                                      A command whose output (a number, or NAME VALUE lines)\n"
              "                                      is collected as a metric on monitored machines\n"
              "  monitoring custom [list] | custom remove NAME [MACHINE|--tag KEY=VALUE]\n"
              "%1"
              "  metrics MACHINE [METRIC] [--since 1h] [--label L]\n"
              "                                      Stored metrics (the series without METRIC)\n")
        .arg(PrometheusCommands::summary());
}

std::optional<qint64> MonitoringCommands::parseDuration(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d{1,9})\\s*([smhdw])\\s*$"));
    const auto m = re.match(text.toLower());
    if (!m.hasMatch())
        return std::nullopt;
    const qint64 n = m.captured(1).toLongLong();
    const QChar unit = m.captured(2).at(0);
    const qint64 factor = unit == QLatin1Char('s') ? 1000
                          : unit == QLatin1Char('m') ? 60000
                          : unit == QLatin1Char('h') ? 3600000
                          : unit == QLatin1Char('d') ? 86400000LL
                                                     : 7 * 86400000LL;
    if (n <= 0)
        return std::nullopt;
    return n * factor;
}

QString MonitoringCommands::dataDir() const
{
    return QFileInfo(m_ctx.settings()->fileName()).absolutePath();
}

Result<MonitoredMachines> MonitoringCommands::loadRules()
{
    return MonitoredMachines::load(MonitoredMachines::filePath(dataDir()));
}

int MonitoringCommands::run(QStringList args)
{
    const QString sub = CliContext::takeCommandWord(args);
    if (sub.isEmpty()) {
        if (args.contains(QStringLiteral("-h")) || args.contains(QStringLiteral("--help")))
            return groupHelp();
        return list(args);
    }
    if (sub == QLatin1String("enable"))
        return enableOrDisable(args, true);
    if (sub == QLatin1String("disable"))
        return enableOrDisable(args, false);
    if (sub == QLatin1String("list") || sub == QLatin1String("ls"))
        return list(args);
    if (sub == QLatin1String("collect"))
        return collect(args);
    if (sub == QLatin1String("prometheus"))
        return PrometheusCommands(m_ctx).run(args);
    if (sub == QLatin1String("custom"))
        return custom(args);
    if (sub == QLatin1String("help"))
        return groupHelp();
    return m_ctx.usageError(QStringLiteral("monitoring"), tr("unknown monitoring command \"%1\"").arg(sub));
}

int MonitoringCommands::groupHelp()
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring"), tr("[COMMAND] [options]"),
                                     tr("Choose which machines the desktop app collects metrics from (over their SSH\n"
                                        "connection; \"This computer\" locally), and how often.\n\nCommands:\n")
                                         + summary());
    m_ctx.out() << p.helpText();
    m_ctx.out().flush();
    return ExitCode::Ok;
}

int MonitoringCommands::enableOrDisable(const QStringList &args, bool enable)
{
    const QString command = enable ? QStringLiteral("monitoring enable") : QStringLiteral("monitoring disable");
    ArgParser p = CliContext::parser(command, tr("MACHINE...|--tag KEY=VALUE [options]"),
                                     enable ? tr("Collect metrics of these machines, or of every machine with the tag (now and\n"
                                                 "later: the tag is matched each time the app looks). The desktop app collects.")
                                            : tr("Stop collecting metrics of these machines or of the tag rule. Stored data is kept."));
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    p.addOption({QStringLiteral("--tag")}, QStringLiteral("KEY=VALUE"), tr("Every machine with this tag (user or provider tag)."));
    if (enable)
        p.addOption({QStringLiteral("--interval")}, QStringLiteral("S"), tr("Seconds between samples (default 10)."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    const QStringList tags = p.values(QStringLiteral("tag"));
    if (p.positionals().isEmpty() && tags.isEmpty())
        return m_ctx.usageError(p, tr("name machines or give --tag KEY=VALUE"));
    int interval = MonitoredMachines::kDefaultIntervalSeconds;
    if (enable && p.isSet(QStringLiteral("interval"))) {
        bool ok = false;
        interval = p.value(QStringLiteral("interval")).toInt(&ok);
        if (!ok || interval < MonitoredMachines::kMinIntervalSeconds || interval > MonitoredMachines::kMaxIntervalSeconds)
            return m_ctx.usageError(p, tr("the interval must be a number of seconds from %1 to %2")
                                           .arg(MonitoredMachines::kMinIntervalSeconds)
                                           .arg(MonitoredMachines::kMaxIntervalSeconds));
    }
    QVector<std::pair<QString, QString>> tagPairs;
    for (const QString &t : tags) {
        auto pair = MonitoredMachines::parseTag(t);
        if (!pair)
            return m_ctx.usageError(p, pair.error().message);
        tagPairs.append(pair.value());
    }
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    QVector<Machine> machines;
    for (const QString &name : p.positionals()) {
        Result<Machine> m = m_ctx.store().findMachine(name);
        if (!m)
            return m_ctx.fail(m.error());
        machines.append(m.value());
    }
    Result<MonitoredMachines> loaded = loadRules();
    if (!loaded)
        return m_ctx.fail(loaded.error());
    MonitoredMachines rules = loaded.value();
    QStringList lines;
    for (const Machine &m : std::as_const(machines)) {
        if (enable) {
            rules.enableMachine(m.id, interval);
            lines << tr("Monitoring %1 every %2 s").arg(m.name).arg(interval);
        } else if (rules.disableMachine(m.id)) {
            lines << tr("Stopped monitoring %1").arg(m.name);
        } else {
            lines << tr("%1 was not monitored by name").arg(m.name);
        }
        if (!enable) {
            for (const MonitoringRule &r : rules.tagRulesMatching(m))
                m_ctx.warn(Error{tr("%1 is still monitored through the tag %2 (mist monitoring disable --tag %2)").arg(m.name, r.tagText()), {}});
        }
    }
    for (const auto &[key, value] : std::as_const(tagPairs)) {
        const QString text = key + QLatin1Char('=') + value;
        if (enable) {
            rules.enableTag(key, value, interval);
            lines << tr("Monitoring every machine tagged %1 every %2 s").arg(text).arg(interval);
        } else if (rules.disableTag(key, value)) {
            lines << tr("Stopped monitoring machines tagged %1").arg(text);
        } else {
            return m_ctx.fail(tr("No monitoring rule for the tag %1").arg(text));
        }
    }
    if (Status s = rules.save(MonitoredMachines::filePath(dataDir())); !s)
        return m_ctx.fail(s.error());
    if (m_ctx.format() == OutputFormat::Table) {
        for (const QString &l : std::as_const(lines))
            m_ctx.out() << l << '\n';
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    return list({});
}

int MonitoringCommands::custom(QStringList args)
{
    QString sub = CliContext::takeCommandWord(args);
    if (sub.isEmpty() || sub == QLatin1String("ls"))
        sub = QStringLiteral("list");
    if (sub != QLatin1String("add") && sub != QLatin1String("list") && sub != QLatin1String("remove"))
        return m_ctx.usageError(QStringLiteral("monitoring custom"), tr("unknown command \"%1\" (add, list, remove)").arg(sub));
    const bool add = sub == QLatin1String("add"), remove = sub == QLatin1String("remove");
    ArgParser p = CliContext::parser(QStringLiteral("monitoring custom ") + sub,
                                     add ? tr("NAME MACHINE|--tag KEY=VALUE --command CMD [options]")
                                         : remove ? tr("NAME [MACHINE|--tag KEY=VALUE]") : tr("[options]"),
                                     add ? tr("Collect a command's output as a metric on a machine (or every machine with the\n"
                                              "tag) while it is monitored. The output is one number, or \"NAME VALUE\" lines\n"
                                              "(series NAME.<line name>). Runs over the machine's SSH session; locally on\n"
                                              "This computer.")
                                         : remove ? tr("Stop collecting a custom metric (stored data is kept).")
                                                  : tr("The custom metrics and where they run."));
    if (add || remove) {
        p.addPositional(QStringLiteral("NAME"), tr("Series name, e.g. app.queue_length"));
        p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
        p.addOption({QStringLiteral("--tag")}, QStringLiteral("KEY=VALUE"), tr("Every machine with this tag."));
    }
    if (add) {
        p.addOption({QStringLiteral("--command")}, QStringLiteral("CMD"), tr("The shell command to run."));
        p.addOption({QStringLiteral("--unit")}, QStringLiteral("U"), tr("Unit shown in charts (e.g. \"items\", \"%\")."));
        p.addOption({QStringLiteral("--interval")}, QStringLiteral("S"), tr("Seconds between runs (default 60)."));
    }
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<MonitoredMachines> loaded = loadRules();
    if (!loaded)
        return m_ctx.fail(loaded.error());
    MonitoredMachines rules = loaded.value();
    auto machines = m_ctx.store().machines();
    if (!machines)
        return m_ctx.fail(machines.error());
    if (!add && !remove) {
        if (!p.positionals().isEmpty())
            return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().first()));
        Records r;
        r.addColumn(QStringLiteral("name"), tr("Name"));
        r.addColumn(QStringLiteral("target"), tr("Target"));
        r.addColumn(QStringLiteral("command"), tr("Command"));
        r.addColumn(QStringLiteral("unit"), tr("Unit"));
        r.addColumn(QStringLiteral("interval_s"), tr("Interval (s)"));
        for (const CustomMetricRule &c : rules.customMetrics()) {
            QString target = c.isTag() ? c.tagKey + QLatin1Char('=') + c.tagValue : tr("#%1").arg(c.machineId);
            for (const Machine &m : machines.value())
                if (!c.isTag() && m.id == c.machineId)
                    target = m.name;
            r.addRow({c.metric.name, target, c.metric.command, c.metric.unit, c.metric.intervalSeconds});
        }
        if (r.rows.isEmpty() && m_ctx.format() == OutputFormat::Table) {
            m_ctx.out() << tr("No custom metrics. Use 'mist monitoring custom add'.") << '\n';
            m_ctx.out().flush();
            return ExitCode::Ok;
        }
        return print(r);
    }
    const QStringList pos = p.positionals();
    if (pos.isEmpty())
        return m_ctx.usageError(p, tr("name the metric"));
    if (pos.size() > 2)
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(pos.at(2)));
    CustomMetricRule rule;
    rule.metric.name = pos.first();
    if (pos.size() == 2) {
        Result<Machine> m = m_ctx.store().findMachine(pos.at(1));
        if (!m)
            return m_ctx.fail(m.error());
        rule.machineId = m->id;
    }
    if (p.isSet(QStringLiteral("tag"))) {
        if (rule.machineId)
            return m_ctx.usageError(p, tr("give a machine or --tag, not both"));
        auto pair = MonitoredMachines::parseTag(p.value(QStringLiteral("tag")));
        if (!pair)
            return m_ctx.usageError(p, pair.error().message);
        rule.tagKey = pair->first;
        rule.tagValue = pair->second;
    }
    const QString path = MonitoredMachines::filePath(dataDir());
    if (remove) {
        if (rules.removeCustomMetric(rule.metric.name, rule.machineId, rule.tagKey, rule.tagValue) == 0)
            return m_ctx.fail(tr("No custom metric \"%1\" for that target").arg(rule.metric.name));
        if (Status s = rules.save(path); !s)
            return m_ctx.fail(s.error());
        m_ctx.out() << tr("Removed the custom metric %1").arg(rule.metric.name) << '\n';
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    if (!rule.machineId && rule.tagKey.isEmpty())
        return m_ctx.usageError(p, tr("name a machine or give --tag KEY=VALUE"));
    rule.metric.command = p.value(QStringLiteral("command"));
    rule.metric.unit = p.value(QStringLiteral("unit"));
    if (p.isSet(QStringLiteral("interval"))) {
        bool ok = false;
        rule.metric.intervalSeconds = p.value(QStringLiteral("interval")).toInt(&ok);
        if (!ok)
            return m_ctx.usageError(p, tr("the interval must be a number of seconds"));
    }
    if (Status s = rules.addCustomMetric(rule); !s)
        return m_ctx.usageError(p, s.error().message);
    if (Status s = rules.save(path); !s)
        return m_ctx.fail(s.error());
    m_ctx.out() << tr("Custom metric %1 every %2 s").arg(rule.metric.name).arg(rule.metric.intervalSeconds) << '\n';
    // It runs only where monitoring is on: say so instead of leaving an empty chart.
    bool monitored = false;
    for (const Machine &m : machines.value())
        monitored = monitored || (rule.matches(m) && rules.resolve({m}).contains(m.id));
    if (!monitored)
        m_ctx.warn(Error{tr("No machine it applies to is monitored yet: enable monitoring (mist monitoring enable) for it to run"), {}});
    m_ctx.out().flush();
    return ExitCode::Ok;
}

int MonitoringCommands::list(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring list"), tr("[options]"),
                                     tr("The monitoring rules and the machines they match now."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().first()));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<MonitoredMachines> rules = loadRules();
    if (!rules)
        return m_ctx.fail(rules.error());
    auto machines = m_ctx.store().machines();
    if (!machines)
        return m_ctx.fail(machines.error());
    Records r;
    r.addColumn(QStringLiteral("rule"), tr("Rule"));
    r.addColumn(QStringLiteral("target"), tr("Target"));
    r.addColumn(QStringLiteral("interval_s"), tr("Interval (s)"));
    r.addColumn(QStringLiteral("machines"), tr("Machines"));
    for (const MonitoringRule &rule : rules->rules()) {
        QStringList names;
        for (const Machine &m : machines.value()) {
            if (rule.matches(m))
                names << m.name;
        }
        QString target = rule.isTag() ? rule.tagText() : names.value(0, tr("#%1 (no longer in the inventory)").arg(rule.machineId));
        r.addRow({rule.isTag() ? QStringLiteral("tag") : QStringLiteral("machine"), target, rule.intervalSeconds,
                  names.join(QStringLiteral(", "))});
    }
    if (r.rows.isEmpty() && m_ctx.format() == OutputFormat::Table) {
        m_ctx.out() << tr("No machine is monitored. Use 'mist monitoring enable MACHINE'.") << '\n';
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    return print(r);
}

int MonitoringCommands::print(const Records &records)
{
    m_ctx.writer().write(records);
    m_ctx.out().flush();
    return ExitCode::Ok;
}

void MonitoringCommands::printSamples(const MetricSampleSet &set)
{
    Records r;
    r.addColumn(QStringLiteral("metric"), tr("Metric"));
    r.addColumn(QStringLiteral("label"), tr("Label"));
    r.addColumn(QStringLiteral("value"), tr("Value"));
    r.addColumn(QStringLiteral("unit"), tr("Unit"));
    for (const MetricPoint &pt : set.points)
        r.addRow({pt.name, pt.label, pt.value, pt.unit});
    print(r);
}

int MonitoringCommands::collect(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("monitoring collect"), tr("MACHINE [options]"),
                                     tr("Take a sample of a machine's metrics now, as the app does (two reads one second\n"
                                        "apart, so rates and CPU % are there) and print it."));
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    p.addOption({QStringLiteral("--accept-new-host-key")}, {},
                tr("Trust the machine's host key if it is not known yet (it is remembered and audited)."));
    p.addOption({QStringLiteral("--store")}, {},
                tr("Also store the sample in metrics.db. Only while the desktop app is not running: it keeps\n"
                   "recent samples in memory, and both would count them in the rollups."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, p.positionals().isEmpty() ? tr("missing the machine")
                                                             : tr("unexpected argument \"%1\"").arg(p.positionals().at(1)));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<Machine> machine = m_ctx.store().findMachine(p.positionals().first());
    if (!machine)
        return m_ctx.fail(machine.error());
    const Machine m = machine.value();
    auto cloud = m_ctx.store().cloud(m.cloudId);
    const bool local = cloud && cloud->provider == kLocalProvider && m.parentId == 0;

    std::unique_ptr<MachineCollector> collector;
    if (local) {
        collector = std::make_unique<MachineCollector>();
    } else {
        auto verifier = std::make_shared<StoreHostKeyVerifier>(
            m_ctx.store(), p.isSet(QStringLiteral("accept-new-host-key")) ? StoreHostKeyVerifier::Policy::AcceptUnknown
                                                                          : StoreHostKeyVerifier::Policy::RejectUnknown);
        verifier->setAuditContext(QStringLiteral("cli"), m.id, m.name);
        collector = std::make_unique<MachineCollector>(
            [this, m]() -> Result<SshTarget> {
                Result<SshSettings> settings = SshTargetResolver::settings(m_ctx.store(), m);
                if (!settings)
                    return settings.error();
                return SshTargetResolver::target(settings.value(), &m_ctx.secrets());
            },
            verifier);
    }
    Result<MetricSampleSet> first = collector->collect();
    if (!first) {
        m_ctx.warn(first.error());
        if (auto e = collector->lastSshError(); e && e->kind == SshErrorKind::HostKeyUnknown && e->hostKey)
            m_ctx.err() << tr("mist: check the fingerprint %1 with the machine's owner, then re-run with "
                              "--accept-new-host-key to trust it.").arg(e->hostKey->fingerprint) << '\n';
        m_ctx.err().flush();
        return ExitCode::Failure;
    }
    // The machine's custom metrics run with the second read, the one printed.
    if (Result<MonitoredMachines> rules = loadRules(); rules)
        collector->setCustomMetrics(rules->customMetricsFor(m));
    else
        m_ctx.warn(rules.error());
    QThread::msleep(1000);
    Result<MetricSampleSet> second = collector->collect();
    if (!second)
        return m_ctx.fail(second.error());
    for (const Error &w : second->warnings)
        m_ctx.warn(w);
    if (p.isSet(QStringLiteral("store"))) {
        // Compacted on close: this process's rows go straight to samples and rollups.
        MetricStore store;
        Status s = store.open(MonitoringService::metricsPath(dataDir()));
        const QString id = QString::number(m.id);
        if (s)
            s = store.write(id, first.value());
        if (s)
            s = store.write(id, second.value());
        if (!s)
            m_ctx.warn(Error{tr("The sample could not be stored"), s.error().toString()});
        store.close();
    }
    printSamples(second.value());
    return ExitCode::Ok;
}

int MonitoringCommands::listSeries(const Machine &m, MetricStore &store)
{
    auto all = store.series(QString::number(m.id));
    if (!all)
        return m_ctx.fail(all.error());
    Records r;
    r.addColumn(QStringLiteral("metric"), tr("Metric"));
    r.addColumn(QStringLiteral("label"), tr("Label"));
    r.addColumn(QStringLiteral("unit"), tr("Unit"));
    r.addColumn(QStringLiteral("last"), tr("Last"));
    r.addColumn(QStringLiteral("last_time"), tr("Last time"), Records::Kind::Time);
    for (const MetricSeries &s : all.value()) {
        auto latest = store.latest(s.id);
        const bool has = latest && latest->has_value();
        r.addRow({s.name, s.label, s.unit, has ? QJsonValue(latest->value().value) : QJsonValue(),
                  has ? msTime(latest->value().ts) : QJsonValue()});
    }
    if (r.rows.isEmpty()) {
        return m_ctx.fail(tr("No metrics are stored for %1 yet. Enable monitoring ('mist monitoring enable %1') "
                             "and keep the app running.").arg(m.name));
    }
    return print(r);
}

int MonitoringCommands::metrics(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("metrics"), tr("MACHINE [METRIC] [options]"),
                                     tr("Show a machine's stored metrics: without METRIC the series it has, with METRIC\n"
                                        "its values over the time range (at the resolution that fits the range)."));
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    p.addPositional(QStringLiteral("METRIC"), tr("A metric name, e.g. cpu.percent, load.1, mem.used_bytes"));
    p.addOption({QStringLiteral("--label")}, QStringLiteral("L"), tr("Only this label (cpu3, /home, eth0; \"\" for the total)."));
    p.addOption({QStringLiteral("--since")}, tr("DURATION"), tr("How far back: 30m, 1h (default), 7d, 2w."));
    p.addOption({QStringLiteral("--points")}, QStringLiteral("N"), tr("At most N points per series (default 1000; 0 = all)."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    const QStringList pos = p.positionals();
    if (pos.isEmpty() || pos.size() > 2)
        return m_ctx.usageError(p, pos.isEmpty() ? tr("missing the machine") : tr("unexpected argument \"%1\"").arg(pos.at(2)));
    const std::optional<qint64> since = parseDuration(p.isSet(QStringLiteral("since")) ? p.value(QStringLiteral("since")) : QStringLiteral("1h"));
    if (!since)
        return m_ctx.usageError(p, tr("\"%1\" is not a duration: use a number and s, m, h, d or w (30m, 1h, 7d)").arg(p.value(QStringLiteral("since"))));
    int points = 1000;
    if (p.isSet(QStringLiteral("points"))) {
        bool ok = false;
        points = p.value(QStringLiteral("points")).toInt(&ok);
        if (!ok || points < 0)
            return m_ctx.usageError(p, tr("--points must be a number, 0 or more"));
    }
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<Machine> machine = m_ctx.store().findMachine(pos.first());
    if (!machine)
        return m_ctx.fail(machine.error());
    const QString path = MonitoringService::metricsPath(dataDir());
    if (!QFileInfo::exists(path))
        return m_ctx.fail(tr("No metrics are stored yet (%1 does not exist). Enable monitoring with 'mist monitoring enable %2'.")
                              .arg(path, machine->name));
    MetricStore store;
    // Read-only: the app may be writing; its journal is read too, so recent samples show.
    if (Status s = store.open(path, sql::Database::Mode::ReadOnly); !s)
        return m_ctx.fail(s.error());
    if (pos.size() == 1)
        return listSeries(machine.value(), store);

    const QString metric = pos.at(1);
    auto all = store.series(QString::number(machine->id));
    if (!all)
        return m_ctx.fail(all.error());
    QVector<MetricSeries> chosen;
    bool known = false;
    for (const MetricSeries &s : all.value()) {
        if (s.name != metric)
            continue;
        known = true;
        if (!p.isSet(QStringLiteral("label")) || s.label == p.value(QStringLiteral("label")))
            chosen.append(s);
    }
    if (!known)
        return m_ctx.fail(tr("%1 has no metric \"%2\". Run 'mist metrics %1' for the list.").arg(machine->name, metric));
    if (chosen.isEmpty())
        return m_ctx.fail(tr("The metric %1 of %2 has no label \"%3\". Run 'mist metrics %2' for the list.")
                              .arg(metric, machine->name, p.value(QStringLiteral("label"))));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Records r;
    r.addColumn(QStringLiteral("time"), tr("Time"), Records::Kind::Time);
    r.addColumn(QStringLiteral("metric"), tr("Metric"));
    r.addColumn(QStringLiteral("label"), tr("Label"));
    r.addColumn(QStringLiteral("value"), tr("Value"));
    r.addColumn(QStringLiteral("unit"), tr("Unit"));
    for (const MetricSeries &s : std::as_const(chosen)) {
        MetricQuery q;
        q.seriesId = s.id;
        q.fromMs = now - *since;
        q.toMs = now;
        q.maxPoints = points;
        auto data = store.query(q, now);
        if (!data)
            return m_ctx.fail(data.error());
        for (const TimePoint &tp : data->points)
            r.addRow({msTime(tp.ts), s.name, s.label, tp.value, s.unit});
    }
    return print(r);
}

} // namespace mist
