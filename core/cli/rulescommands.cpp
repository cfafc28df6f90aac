#include "rulescommands.h"

#include "alerts/alertruletext.h"
#include "alerts/webhooksender.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("RulesCommands", text);
}

// "Name: value" -> (Name, value); nullopt without a name before the colon.
std::optional<std::pair<QString, QString>> parseHeader(const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0 || text.left(colon).trimmed().isEmpty())
        return std::nullopt;
    return std::make_pair(text.left(colon).trimmed(), text.mid(colon + 1).trimmed());
}

} // namespace

RulesCommands::RulesCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString RulesCommands::summary()
{
    return tr("  rules [list]                        List the alert rules\n"
              "  rules add NAME --metric M --above X|--below X|--no-data D|--state-changed\n"
              "            (--machine M|--tag K=V)... --notify|--webhook URL|--command C|--lifecycle A\n"
              "                                      Add an alert rule (see 'mist rules add --help')\n"
              "  rules remove|enable|disable RULE... Remove, enable or disable alert rules\n"
              "  rules history [RULE] [--limit N]    What the alert rules did (newest first)\n");
}

int RulesCommands::run(QStringList args)
{
    const QString sub = CliContext::takeCommandWord(args);
    if (sub.isEmpty()) {
        if (args.contains(QStringLiteral("-h")) || args.contains(QStringLiteral("--help")))
            return groupHelp();
        return list(args);
    }
    if (sub == QLatin1String("list") || sub == QLatin1String("ls"))
        return list(args);
    if (sub == QLatin1String("add"))
        return add(args);
    if (sub == QLatin1String("remove") || sub == QLatin1String("rm"))
        return remove(args);
    if (sub == QLatin1String("enable"))
        return setEnabled(args, true);
    if (sub == QLatin1String("disable"))
        return setEnabled(args, false);
    if (sub == QLatin1String("history"))
        return history(args);
    if (sub == QLatin1String("help"))
        return groupHelp();
    return m_ctx.usageError(QStringLiteral("rules"), tr("unknown rules command \"%1\"").arg(sub));
}

int RulesCommands::groupHelp()
{
    ArgParser p = CliContext::parser(QStringLiteral("rules"), tr("[COMMAND] [options]"),
                                     tr("Alert rules: conditions on monitoring metrics or machine states, the machines\n"
                                        "they watch, and what happens when they fire. The desktop app evaluates them.\n\n"
                                        "Commands:\n")
                                         + summary());
    m_ctx.out() << p.helpText();
    m_ctx.out().flush();
    return ExitCode::Ok;
}

QString RulesCommands::dataDir() const
{
    return QFileInfo(m_ctx.settings()->fileName()).absolutePath();
}

Result<AlertRuleBook> RulesCommands::loadBook()
{
    return AlertRuleBook::load(AlertRuleBook::filePath(dataDir()));
}

Result<QHash<qint64, QString>> RulesCommands::machineNames()
{
    auto machines = m_ctx.store().machines();
    if (!machines)
        return machines.error();
    QHash<qint64, QString> names;
    for (const Machine &m : machines.value())
        names.insert(m.id, m.name);
    return names;
}

Status RulesCommands::removeSecrets(const AlertRule &rule)
{
    QStringList fields;
    for (const AlertAction &a : rule.actions) {
        for (const QString &name : a.secretHeaderNames)
            fields << WebhookSender::secretField(name);
    }
    if (fields.isEmpty())
        return {};
    return m_ctx.secrets().removeAll(WebhookSender::secretOwner(rule.rule.id), fields);
}

int RulesCommands::printRules(const QVector<AlertRule> &rules)
{
    if (m_ctx.format() == OutputFormat::Json) {
        QJsonArray all;
        for (const AlertRule &r : rules)
            all.append(AlertRuleBook::toJson(r));
        m_ctx.writer().writeJson(all);
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    auto names = machineNames();
    if (!names)
        return m_ctx.fail(names.error());
    Records rec;
    rec.addColumn(QStringLiteral("id"), tr("Id"));
    rec.addColumn(QStringLiteral("name"), tr("Name"));
    rec.addColumn(QStringLiteral("enabled"), tr("Enabled"));
    rec.addColumn(QStringLiteral("condition"), tr("Condition"));
    rec.addColumn(QStringLiteral("targets"), tr("Targets"));
    rec.addColumn(QStringLiteral("actions"), tr("Actions"));
    for (const AlertRule &r : rules) {
        rec.addRow({r.rule.id, r.rule.name, r.rule.enabled, AlertRuleText::condition(r.rule.condition),
                    AlertRuleText::targets(r, names.value()), AlertRuleText::actions(r)});
    }
    m_ctx.writer().write(rec);
    m_ctx.out().flush();
    return ExitCode::Ok;
}

int RulesCommands::list(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("rules list"), tr("[options]"), tr("The alert rules."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().first()));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<AlertRuleBook> book = loadBook();
    if (!book)
        return m_ctx.fail(book.error());
    if (book->rules().isEmpty() && m_ctx.format() == OutputFormat::Table) {
        m_ctx.out() << tr("No alert rules. Use 'mist rules add'.") << '\n';
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    return printRules(book->rules());
}

int RulesCommands::add(const QStringList &args)
{
    ArgParser p = CliContext::parser(
        QStringLiteral("rules add"), tr("NAME CONDITION TARGETS ACTIONS [options]"),
        tr("Add an alert rule. The condition is one of: --metric M with --above X or --below X (an aggregate over\n"
           "a window, held for a duration), --metric M --no-data DURATION, or --state-changed [--to STATE].\n"
           "Durations: 90s, 5m, 1h30m, 2d."));
    p.addPositional(QStringLiteral("NAME"), tr("The rule's name (unique)"));
    p.addOption({QStringLiteral("--metric")}, QStringLiteral("M"), tr("Series name, e.g. cpu.percent, mem.used_percent, disk.used_percent."));
    p.addOption({QStringLiteral("--label")}, QStringLiteral("L"), tr("Series label (a mount, interface, core); default the total."));
    p.addOption({QStringLiteral("--aggregate")}, QStringLiteral("avg|max|min|last"), tr("How the window is summed up (default avg)."));
    p.addOption({QStringLiteral("--above")}, QStringLiteral("X"), tr("Fire when the aggregate is above X."));
    p.addOption({QStringLiteral("--below")}, QStringLiteral("X"), tr("Fire when the aggregate is below X."));
    p.addOption({QStringLiteral("--window")}, QStringLiteral("D"), tr("The aggregate's window (default 5m)."));
    p.addOption({QStringLiteral("--for")}, QStringLiteral("D"), tr("How long the condition must hold before firing (default 0)."));
    p.addOption({QStringLiteral("--no-data")}, QStringLiteral("D"), tr("Fire when the metric had no sample for this long."));
    p.addOption({QStringLiteral("--state-changed")}, {}, tr("Fire when the machine's state changes."));
    p.addOption({QStringLiteral("--to")}, QStringLiteral("STATE"), tr("With --state-changed: only a change to this state (e.g. stopped)."));
    p.addOption({QStringLiteral("--machine")}, QStringLiteral("M"), tr("Watch this machine (id, external id or name; repeatable)."));
    p.addOption({QStringLiteral("--tag")}, QStringLiteral("KEY=VALUE"), tr("Watch every machine with this tag (repeatable)."));
    p.addOption({QStringLiteral("--notify")}, {}, tr("Show a desktop notification."));
    p.addOption({QStringLiteral("--webhook")}, QStringLiteral("URL"), tr("Send an HTTP request with a JSON body."));
    p.addOption({QStringLiteral("--method")}, QStringLiteral("POST|PUT"), tr("The webhook's method (default POST)."));
    p.addOption({QStringLiteral("--header")}, QStringLiteral("'NAME: VALUE'"), tr("A webhook header (repeatable)."));
    p.addOption({QStringLiteral("--secret-header")}, QStringLiteral("'NAME: VALUE'|NAME"),
                tr("A webhook header whose value is kept in the OS keychain only (repeatable). With NAME\n"
                   "alone the value is read from stdin (without echo on a terminal)."));
    p.addOption({QStringLiteral("--body")}, QStringLiteral("TEMPLATE"),
                tr("The webhook body; {{rule}} {{machine}} {{machine_id}} {{status}} {{value}} {{message}} {{time}}\n"
                   "are replaced. Default: a JSON object with all of them."));
    p.addOption({QStringLiteral("--on-resolve")}, {}, tr("Also notify / call the webhook when the condition clears."));
    p.addOption({QStringLiteral("--command")}, QStringLiteral("CMD"), tr("Run this shell command on the machine over SSH."));
    p.addOption({QStringLiteral("--lifecycle")}, QStringLiteral("ACTION"), tr("Run a machine action: stop, reboot, destroy..."));
    p.addOption({QStringLiteral("--allow-destructive")}, {}, tr("Allow a --lifecycle action that cannot be undone (destroy)."));
    p.addOption({QStringLiteral("--renotify")}, QStringLiteral("D"), tr("While firing, notify again this often (default once)."));
    p.addOption({QStringLiteral("--cooldown")}, QStringLiteral("D"), tr("After a resolve, stay quiet this long."));
    p.addOption({QStringLiteral("--disabled")}, {}, tr("Add the rule switched off."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, p.positionals().isEmpty() ? tr("missing NAME")
                                                             : tr("unexpected argument \"%1\"").arg(p.positionals().at(1)));

    AlertRule rule;
    rule.rule.name = p.positionals().first();
    rule.rule.enabled = !p.isSet(QStringLiteral("disabled"));
    RuleCondition &c = rule.rule.condition;

    // Durations and numbers first: a typo is a usage error naming the option.
    const auto duration = [&](const QString &key, qint64 *target) -> std::optional<int> {
        if (!p.isSet(key))
            return std::nullopt;
        const auto ms = AlertRuleText::parseDuration(p.value(key));
        if (!ms)
            return m_ctx.usageError(p, tr("--%1: \"%2\" is not a duration (use 90s, 5m, 1h30m, 2d)").arg(key, p.value(key)));
        *target = *ms;
        return std::nullopt;
    };
    for (auto [key, target] : {std::pair{QStringLiteral("window"), &c.windowMs}, std::pair{QStringLiteral("for"), &c.forMs},
                               std::pair{QStringLiteral("renotify"), &rule.rule.renotifyMs},
                               std::pair{QStringLiteral("cooldown"), &rule.rule.cooldownMs}}) {
        if (auto code = duration(key, target))
            return *code;
    }

    const bool above = p.isSet(QStringLiteral("above"));
    const bool below = p.isSet(QStringLiteral("below"));
    const bool noData = p.isSet(QStringLiteral("no-data"));
    const bool stateChanged = p.isSet(QStringLiteral("state-changed"));
    if (int(above) + int(below) + int(noData) + int(stateChanged) != 1)
        return m_ctx.usageError(p, tr("give exactly one condition: --above, --below, --no-data or --state-changed"));
    c.metric = p.value(QStringLiteral("metric"));
    c.label = p.value(QStringLiteral("label"));
    if (stateChanged) {
        c.kind = RuleCondition::Kind::StateChanged;
        c.toState = p.value(QStringLiteral("to")).trimmed();
        if (!c.metric.isEmpty())
            return m_ctx.usageError(p, tr("--state-changed follows the machine state: it takes no --metric"));
    } else {
        if (c.metric.trimmed().isEmpty())
            return m_ctx.usageError(p, tr("missing --metric (e.g. cpu.percent)"));
        if (p.isSet(QStringLiteral("to")))
            return m_ctx.usageError(p, tr("--to goes with --state-changed"));
    }
    if (noData) {
        c.kind = RuleCondition::Kind::NoData;
        if (auto code = duration(QStringLiteral("no-data"), &c.forMs))
            return *code;
    }
    if (above || below) {
        c.kind = RuleCondition::Kind::Threshold;
        const QString text = p.value(above ? QStringLiteral("above") : QStringLiteral("below"));
        bool ok = false;
        c.threshold = text.toDouble(&ok);
        if (!ok)
            return m_ctx.usageError(p, tr("\"%1\" is not a number").arg(text));
        c.compare = above ? RuleCondition::Compare::Greater : RuleCondition::Compare::Less;
        const QString agg = p.value(QStringLiteral("aggregate"));
        if (!agg.isEmpty()) {
            bool found = false;
            for (auto a : {RuleCondition::Aggregate::Avg, RuleCondition::Aggregate::Max, RuleCondition::Aggregate::Min,
                           RuleCondition::Aggregate::Last}) {
                if (AlertRuleText::aggregateName(a) == agg.toLower()) {
                    c.aggregate = a;
                    found = true;
                }
            }
            if (!found)
                return m_ctx.usageError(p, tr("--aggregate must be avg, max, min or last, not \"%1\"").arg(agg));
        }
    }

    // Actions.
    if (p.isSet(QStringLiteral("on-resolve")) && !p.isSet(QStringLiteral("notify")) && !p.isSet(QStringLiteral("webhook")))
        return m_ctx.usageError(p, tr("--on-resolve goes with --notify or --webhook"));
    QHash<QString, QString> secretValues;
    if (p.isSet(QStringLiteral("notify"))) {
        AlertAction a;
        a.onResolve = p.isSet(QStringLiteral("on-resolve"));
        rule.actions << a;
    }
    if (p.isSet(QStringLiteral("webhook"))) {
        AlertAction a;
        a.kind = AlertAction::Kind::Webhook;
        a.url = p.value(QStringLiteral("webhook"));
        a.method = p.isSet(QStringLiteral("method")) ? p.value(QStringLiteral("method")).toUpper() : QStringLiteral("POST");
        a.bodyTemplate = p.value(QStringLiteral("body"));
        a.onResolve = p.isSet(QStringLiteral("on-resolve"));
        for (const QString &h : p.values(QStringLiteral("header"))) {
            const auto header = parseHeader(h);
            if (!header)
                return m_ctx.usageError(p, tr("--header \"%1\" is not NAME: VALUE").arg(h));
            a.headers.append(*header);
        }
        for (const QString &h : p.values(QStringLiteral("secret-header"))) {
            auto header = parseHeader(h);
            if (!h.contains(QLatin1Char(':')) && !h.trimmed().isEmpty()) {
                // Only the name: the value comes from stdin (no echo on a terminal), so it is
                // not in the shell history or the process list.
                const auto value = m_ctx.terminal().readSecret(tr("Value of the header %1: ").arg(h.trimmed()));
                if (!value || value->isEmpty())
                    return m_ctx.usageError(p, tr("no value for the secret header %1 on stdin").arg(h.trimmed()));
                header = std::make_pair(h.trimmed(), *value);
            }
            if (!header)
                return m_ctx.usageError(p, tr("--secret-header is not NAME or NAME: VALUE"));   // never echo the value
            a.secretHeaderNames << header->first;
            secretValues.insert(header->first, header->second);
        }
        rule.actions << a;
    } else {
        for (const QString &key : {QStringLiteral("method"), QStringLiteral("header"), QStringLiteral("secret-header"),
                                  QStringLiteral("body")}) {
            if (p.isSet(key))
                return m_ctx.usageError(p, tr("--%1 goes with --webhook").arg(key));
        }
    }
    if (p.isSet(QStringLiteral("command"))) {
        AlertAction a;
        a.kind = AlertAction::Kind::Command;
        a.command = p.value(QStringLiteral("command"));
        rule.actions << a;
    }
    if (p.isSet(QStringLiteral("lifecycle"))) {
        AlertAction a;
        a.kind = AlertAction::Kind::Lifecycle;
        a.lifecycleAction = p.value(QStringLiteral("lifecycle")).trimmed().toLower();
        a.allowDestructive = p.isSet(QStringLiteral("allow-destructive"));
        rule.actions << a;
    }
    if (rule.actions.isEmpty())
        return m_ctx.usageError(p, tr("give at least one action: --notify, --webhook, --command or --lifecycle"));

    // Targets.
    const QStringList machines = p.values(QStringLiteral("machine"));
    rule.tags = p.values(QStringLiteral("tag"));
    if (machines.isEmpty() && rule.tags.isEmpty())
        return m_ctx.usageError(p, tr("give the machines to watch: --machine M or --tag KEY=VALUE"));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    for (const QString &name : machines) {
        Result<Machine> m = m_ctx.store().findMachine(name);
        if (!m)
            return m_ctx.fail(m.error());
        if (!rule.machineIds.contains(m->id))
            rule.machineIds << m->id;
    }

    Result<AlertRuleBook> loaded = loadBook();
    if (!loaded)
        return m_ctx.fail(loaded.error());
    AlertRuleBook book = loaded.value();
    Result<AlertRule> added = book.upsert(rule);
    if (!added)
        return m_ctx.usageError(p, added.error().toString());

    const auto cleanup = [&] {
        if (Status s = removeSecrets(added.value()); !s)
            qCWarning(lcCli) << "could not clean up the rule's secret headers:" << s.error().toString();
    };
    // Secrets first: a rule must never name a secret header whose value is not in the keychain.
    if (!secretValues.isEmpty()) {
        QHash<QString, QString> fields;
        for (auto it = secretValues.cbegin(); it != secretValues.cend(); ++it)
            fields.insert(WebhookSender::secretField(it.key()), it.value());
        if (Status s = m_ctx.secrets().writeAll(WebhookSender::secretOwner(added->rule.id), fields); !s) {
            cleanup();   // nothing half-written
            return m_ctx.fail(tr("Could not store the secret headers in the OS keychain, so the rule was not added"),
                              s.error().toString());
        }
    }
    if (Status s = book.save(AlertRuleBook::filePath(dataDir())); !s) {
        cleanup();
        return m_ctx.fail(s.error());
    }
    if (m_ctx.format() != OutputFormat::Table)
        return printRules({added.value()});
    m_ctx.out() << tr("Added rule \"%1\" (%2): %3.")
                       .arg(added->rule.name, added->rule.id, AlertRuleText::condition(added->rule.condition))
                << '\n';
    m_ctx.out().flush();
    return ExitCode::Ok;
}

std::optional<int> RulesCommands::prepareRuleCommand(ArgParser &p, const QStringList &args, AlertRuleBook &book)
{
    p.addPositional(QStringLiteral("RULE"), tr("Rule name or id"));
    if (auto code = m_ctx.parse(p, args))
        return code;
    if (p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("missing RULE"));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<AlertRuleBook> loaded = loadBook();
    if (!loaded)
        return m_ctx.fail(loaded.error());
    book = loaded.value();
    return std::nullopt;
}

int RulesCommands::remove(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("rules remove"), tr("RULE... [options]"),
                                     tr("Remove alert rules (by name or id) and their secret headers from the OS keychain.\n"
                                        "Their history is kept."));
    AlertRuleBook book;
    if (auto code = prepareRuleCommand(p, args, book))
        return *code;
    QVector<AlertRule> removed;
    for (const QString &name : p.positionals()) {
        const AlertRule *r = book.find(name);
        const bool already = std::any_of(removed.cbegin(), removed.cend(), [&](const AlertRule &gone) {
            return gone.rule.id == name || gone.rule.name.compare(name, Qt::CaseInsensitive) == 0;
        });
        if (already)
            continue;   // named twice (by name and by id, say)
        if (!r)
            return m_ctx.fail(tr("No alert rule \"%1\"").arg(name));
        removed << *r;
        book.remove(r->rule.id);
    }
    if (Status s = book.save(AlertRuleBook::filePath(dataDir())); !s)
        return m_ctx.fail(s.error());
    int code = ExitCode::Ok;
    for (const AlertRule &r : std::as_const(removed)) {
        if (Status s = removeSecrets(r); !s)
            code = m_ctx.fail(tr("Removed \"%1\", but its secret headers could not be deleted from the OS keychain").arg(r.rule.name),
                              s.error().toString());
        if (m_ctx.format() == OutputFormat::Table)
            m_ctx.out() << tr("Removed rule \"%1\".").arg(r.rule.name) << '\n';
    }
    m_ctx.out().flush();
    if (m_ctx.format() != OutputFormat::Table)
        printRules(removed);
    return code;
}

int RulesCommands::setEnabled(const QStringList &args, bool enabled)
{
    const QString command = enabled ? QStringLiteral("rules enable") : QStringLiteral("rules disable");
    ArgParser p = CliContext::parser(command, tr("RULE... [options]"),
                                     enabled ? tr("Switch alert rules on.") : tr("Switch alert rules off (a firing rule resolves silently)."));
    AlertRuleBook book;
    if (auto code = prepareRuleCommand(p, args, book))
        return *code;
    QVector<AlertRule> changed;
    for (const QString &name : p.positionals()) {
        if (!book.setEnabled(name, enabled))
            return m_ctx.fail(tr("No alert rule \"%1\"").arg(name));
        changed << *book.find(name);
    }
    if (Status s = book.save(AlertRuleBook::filePath(dataDir())); !s)
        return m_ctx.fail(s.error());
    if (m_ctx.format() != OutputFormat::Table)
        return printRules(changed);
    for (const AlertRule &r : std::as_const(changed))
        m_ctx.out() << (enabled ? tr("Enabled rule \"%1\".") : tr("Disabled rule \"%1\".")).arg(r.rule.name) << '\n';
    m_ctx.out().flush();
    return ExitCode::Ok;
}

int RulesCommands::history(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("rules history"), tr("[RULE] [options]"),
                                     tr("What alert rules did, newest first: firings, resolves and action results."));
    p.addPositional(QStringLiteral("RULE"), tr("Only this rule (name or id)"));
    p.addOption({QStringLiteral("--limit")}, QStringLiteral("N"), tr("At most N entries (default 50)."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() > 1)
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().at(1)));
    int limit = 50;
    if (p.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        limit = p.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1 || limit > 100000)
            return m_ctx.usageError(p, tr("--limit must be a number from 1 to 100000"));
    }
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    QString ruleId;
    if (!p.positionals().isEmpty()) {
        Result<AlertRuleBook> book = loadBook();
        if (!book)
            return m_ctx.fail(book.error());
        const AlertRule *r = book->find(p.positionals().first());
        // A removed rule's history stays: its id still selects it.
        ruleId = r ? r->rule.id : p.positionals().first();
    }
    AlertHistory store;
    if (Status s = store.open(AlertHistory::filePath(dataDir()), sql::Database::Mode::ReadOnly); !s)
        return m_ctx.fail(s.error());
    auto entries = store.recent(ruleId, limit);
    if (!entries)
        return m_ctx.fail(entries.error());
    if (entries->isEmpty() && m_ctx.format() == OutputFormat::Table) {
        m_ctx.out() << tr("No alert history yet.") << '\n';
        m_ctx.out().flush();
        return ExitCode::Ok;
    }
    Records rec;
    rec.addColumn(QStringLiteral("time"), tr("Time"), Records::Kind::Time);
    rec.addColumn(QStringLiteral("rule"), tr("Rule"));
    rec.addColumn(QStringLiteral("machine"), tr("Machine"));
    rec.addColumn(QStringLiteral("event"), tr("Event"));
    rec.addColumn(QStringLiteral("action"), tr("Action"));
    rec.addColumn(QStringLiteral("success"), tr("Success"));
    rec.addColumn(QStringLiteral("message"), tr("Message"));
    for (const AlertHistoryEntry &e : entries.value()) {
        rec.addRow({timeValue(QDateTime::fromMSecsSinceEpoch(e.atMs, Qt::UTC)), e.ruleName, e.machineName, e.event, e.action,
                    e.success, e.message});
    }
    m_ctx.writer().write(rec);
    m_ctx.out().flush();
    return ExitCode::Ok;
}

} // namespace mist
