#include "alerts/alertrule.h"

#include "alerts/alertruletext.h"

#include "providers/provider.h"
#include "util/jsonfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

namespace mist {

namespace {
constexpr int kFileVersion = 1;

QString tr(const char *text)
{
    return QCoreApplication::translate("AlertRuleBook", text);
}

jsonfile::Texts fileTexts()
{
    return {tr("Could not read the alert rules file %1."), tr("The alert rules file %1 is damaged."),
            tr("Could not write the alert rules file %1.")};
}

// Enum <-> JSON words. The file is meant to be readable and hand-editable.
QString kindName(RuleCondition::Kind k)
{
    switch (k) {
    case RuleCondition::Kind::Threshold: return QStringLiteral("threshold");
    case RuleCondition::Kind::NoData: return QStringLiteral("no_data");
    case RuleCondition::Kind::StateChanged: return QStringLiteral("state_changed");
    }
    return {};
}

template <typename E, typename F>
std::optional<E> parseEnum(const QString &word, std::initializer_list<E> values, F name)
{
    for (E v : values) {
        if (name(v) == word)
            return v;
    }
    return std::nullopt;
}

// The unit RuleEngine::validate checks thresholds against, guessed from the series name.
QString unitOfMetric(const QString &metric)
{
    if (metric.endsWith(QLatin1String("percent")))
        return QStringLiteral("%");
    if (metric.endsWith(QLatin1String("bytes_per_s")))
        return QStringLiteral("bytes/s");
    if (metric.endsWith(QLatin1String("bytes")))
        return QStringLiteral("bytes");
    if (metric.endsWith(QLatin1String(".seconds")))
        return QStringLiteral("s");
    return {};
}

// An HTTP header name is a token (RFC 9110): no spaces, colons or control characters.
bool isHeaderName(const QString &name)
{
    if (name.isEmpty())
        return false;
    static const QString specials = QStringLiteral("()<>@,;:\\\"/[]?={} \t");
    for (QChar c : name) {
        if (c.unicode() <= 32 || c.unicode() >= 127 || specials.contains(c))
            return false;
    }
    return true;
}

// Headers that carry credentials by their name: their values belong in the keychain.
bool looksSecret(const QString &headerName)
{
    const QString n = headerName.toLower();
    static const QStringList exact{QStringLiteral("authorization"), QStringLiteral("proxy-authorization"), QStringLiteral("cookie")};
    static const QStringList parts{QStringLiteral("token"), QStringLiteral("secret"), QStringLiteral("password"),
                                   QStringLiteral("api-key"), QStringLiteral("apikey"), QStringLiteral("api_key")};
    return exact.contains(n) || std::any_of(parts.cbegin(), parts.cend(), [&](const QString &p) { return n.contains(p); });
}

Status validateAction(const AlertAction &a, int index)
{
    const auto bad = [index](const QString &why) {
        return Error{tr("Action %1 of this rule is not complete.").arg(index + 1), why};
    };
    switch (a.kind) {
    case AlertAction::Kind::Notify:
        return {};
    case AlertAction::Kind::Webhook: {
        const QUrl url(a.url.trimmed(), QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            || url.host().isEmpty())
            return bad(tr("The webhook address must be an http:// or https:// URL (\"%1\").").arg(a.url));
        if (!url.password().isEmpty())
            return bad(tr("The webhook address holds a password: put credentials in a secret header instead, so they "
                          "stay in the OS keychain."));
        if (a.method != QLatin1String("POST") && a.method != QLatin1String("PUT"))
            return bad(tr("A webhook is sent with POST or PUT, not \"%1\".").arg(a.method));
        if (a.timeoutSeconds < 1 || a.timeoutSeconds > 300)
            return bad(tr("The webhook timeout must be between 1 and 300 seconds."));
        if (a.retries < 0 || a.retries > 10)
            return bad(tr("A webhook is retried at most 10 times."));
        QSet<QString> seen;
        for (const auto &[name, value] : a.headers) {
            if (!isHeaderName(name))
                return bad(tr("\"%1\" is not a valid header name.").arg(name));
            if (looksSecret(name) && !value.isEmpty())
                return bad(tr("The header %1 carries credentials: make it a secret header, so its value stays in the "
                              "OS keychain and out of the rules file.").arg(name));
            if (value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r')))
                return bad(tr("The value of the header %1 spans several lines.").arg(name));
            seen.insert(name.toLower());
        }
        for (const QString &name : a.secretHeaderNames) {
            if (!isHeaderName(name))
                return bad(tr("\"%1\" is not a valid header name.").arg(name));
            if (seen.contains(name.toLower()))
                return bad(tr("The header %1 is given twice.").arg(name));
            seen.insert(name.toLower());
        }
        return {};
    }
    case AlertAction::Kind::Command:
        if (a.command.trimmed().isEmpty())
            return bad(tr("The command to run is empty."));
        return {};
    case AlertAction::Kind::Lifecycle:
        if (a.lifecycleAction.trimmed().isEmpty())
            return bad(tr("No machine action is chosen."));
        if (Action::isDestructive(a.lifecycleAction) && !a.allowDestructive)
            return bad(tr("\"%1\" cannot be undone: allow destructive actions on this rule to use it.")
                           .arg(a.lifecycleAction));
        return {};
    }
    return {};
}

QJsonObject actionToJson(const AlertAction &a)
{
    QJsonObject o{{QStringLiteral("kind"), AlertRuleText::actionKindName(a.kind)}};
    switch (a.kind) {
    case AlertAction::Kind::Notify:
        o.insert(QStringLiteral("on_resolve"), a.onResolve);
        break;
    case AlertAction::Kind::Webhook: {
        QJsonArray headers;
        for (const auto &[name, value] : a.headers)
            headers.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
        o.insert(QStringLiteral("method"), a.method);
        o.insert(QStringLiteral("url"), a.url);
        o.insert(QStringLiteral("headers"), headers);
        // Names only: the values are in the keychain under "alert/<rule id>".
        o.insert(QStringLiteral("secret_headers"), QJsonArray::fromStringList(a.secretHeaderNames));
        o.insert(QStringLiteral("body"), a.bodyTemplate);
        o.insert(QStringLiteral("timeout_s"), a.timeoutSeconds);
        o.insert(QStringLiteral("retries"), a.retries);
        o.insert(QStringLiteral("on_resolve"), a.onResolve);
        break;
    }
    case AlertAction::Kind::Command:
        o.insert(QStringLiteral("command"), a.command);
        break;
    case AlertAction::Kind::Lifecycle:
        o.insert(QStringLiteral("action"), a.lifecycleAction);
        o.insert(QStringLiteral("allow_destructive"), a.allowDestructive);
        break;
    }
    return o;
}

Result<AlertAction> actionFromJson(const QJsonValue &value, int index)
{
    const auto bad = [index](const QString &why) { return Error{tr("Action %1 is malformed.").arg(index + 1), why}; };
    if (!value.isObject())
        return bad(tr("an action must be a JSON object"));
    const QJsonObject o = value.toObject();
    AlertAction a;
    const QString kind = o.value(QStringLiteral("kind")).toString();
    const auto k = parseEnum(kind, {AlertAction::Kind::Notify, AlertAction::Kind::Webhook, AlertAction::Kind::Command,
                                    AlertAction::Kind::Lifecycle}, AlertRuleText::actionKindName);
    if (!k)
        return bad(tr("unknown action kind \"%1\"").arg(kind));
    a.kind = *k;
    a.onResolve = o.value(QStringLiteral("on_resolve")).toBool(false);
    a.method = o.value(QStringLiteral("method")).toString(QStringLiteral("POST")).toUpper();
    a.url = o.value(QStringLiteral("url")).toString();
    for (const QJsonValue &h : o.value(QStringLiteral("headers")).toArray()) {
        const QJsonObject ho = h.toObject();
        if (!ho.value(QStringLiteral("name")).isString())
            return bad(tr("a header has no name"));
        a.headers.append({ho.value(QStringLiteral("name")).toString(), ho.value(QStringLiteral("value")).toString()});
    }
    for (const QJsonValue &h : o.value(QStringLiteral("secret_headers")).toArray()) {
        if (!h.isString())
            return bad(tr("secret_headers must list header names"));
        a.secretHeaderNames.append(h.toString());
    }
    a.bodyTemplate = o.value(QStringLiteral("body")).toString();
    a.timeoutSeconds = o.value(QStringLiteral("timeout_s")).toInt(a.timeoutSeconds);
    a.retries = o.value(QStringLiteral("retries")).toInt(a.retries);
    a.command = o.value(QStringLiteral("command")).toString();
    a.lifecycleAction = o.value(QStringLiteral("action")).toString();
    a.allowDestructive = o.value(QStringLiteral("allow_destructive")).toBool(false);
    return a;
}

// A duration field: a non-negative integer of milliseconds, or absent (the default).
Result<qint64> durationField(const QJsonObject &o, const QString &key, qint64 fallback)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() != std::floor(v.toDouble()))
        return Error{tr("The field \"%1\" must be a whole number of milliseconds.").arg(key), {}};
    return v.toInteger();
}
} // namespace

bool AlertRule::targets(const Machine &m) const
{
    if (machineIds.contains(m.id))
        return true;
    for (const QString &tag : tags) {
        const qsizetype eq = tag.indexOf(QLatin1Char('='));
        const QString key = eq < 0 ? tag : tag.left(eq);
        const auto has = [&](const TagMap &map) {
            return map.contains(key) && (eq < 0 || map.value(key) == tag.mid(eq + 1));
        };
        if (has(m.userTags) || has(m.providerTags))
            return true;
    }
    return false;
}

QString AlertRuleBook::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("alerts.json"));
}

Result<AlertRuleBook> AlertRuleBook::load(const QString &path)
{
    AlertRuleBook book;
    const auto bad = [&](const QString &what) {
        return Error{tr("The alert rules file %1 is damaged.").arg(QDir::toNativeSeparators(path)), what};
    };
    auto read = jsonfile::read(path, fileTexts());
    if (!read)
        return read.error();
    if (!read->has_value())
        return book;
    const QJsonObject root = read->value();
    const int version = root.value(QStringLiteral("version")).toInt(0);
    if (version < 1)
        return bad(tr("no \"version\""));
    if (version > kFileVersion)
        return Error{tr("The alert rules file %1 was written by a newer version of Mist.").arg(QDir::toNativeSeparators(path)),
                     tr("file version %1, this build reads up to %2").arg(version).arg(kFileVersion)};
    const QJsonValue rules = root.value(QStringLiteral("rules"));
    if (!rules.isArray() && !rules.isUndefined())
        return bad(tr("\"rules\" is not a list"));
    QSet<QString> ids;
    const QJsonArray list = rules.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isObject())
            return bad(tr("rule %1 is not a JSON object").arg(i + 1));
        Result<AlertRule> r = fromJson(list.at(i).toObject());
        if (!r)
            return bad(tr("rule %1: %2").arg(i + 1).arg(r.error().toString()));
        if (r->rule.id.isEmpty())
            return bad(tr("rule %1 has no id").arg(i + 1));
        if (ids.contains(r->rule.id))
            return bad(tr("rule id %1 is used twice").arg(r->rule.id));
        ids.insert(r->rule.id);
        book.m_rules.append(std::move(r).value());
    }
    // A hand-edited file gets the checks of upsert() too: a plain header that looks like a
    // credential, an unknown method, a rule that does nothing are refused, not run.
    for (qsizetype i = 0; i < book.m_rules.size(); ++i)
        if (Status valid = validate(book.m_rules.at(i)); !valid)
            return bad(tr("rule %1: %2").arg(i + 1).arg(valid.error().toString()));
    return book;
}

Status AlertRuleBook::save(const QString &path) const
{
    QJsonArray rules;
    for (const AlertRule &r : m_rules)
        rules.append(toJson(r));
    const QJsonObject root{{QStringLiteral("version"), kFileVersion}, {QStringLiteral("rules"), rules}};
    return jsonfile::write(path, root, fileTexts());
}

const AlertRule *AlertRuleBook::find(const QString &idOrName) const
{
    // An id wins over a name (names are unique too, but an id is what scripts pass).
    for (const AlertRule &r : m_rules) {
        if (r.rule.id == idOrName)
            return &r;
    }
    for (const AlertRule &r : m_rules) {
        if (r.rule.name == idOrName)
            return &r;
    }
    return nullptr;
}

Result<AlertRule> AlertRuleBook::upsert(AlertRule rule)
{
    rule.rule.name = rule.rule.name.trimmed();
    if (Status s = validate(rule); !s)
        return s.error();
    for (const AlertRule &other : m_rules) {
        if (other.rule.id != rule.rule.id && other.rule.name.compare(rule.rule.name, Qt::CaseInsensitive) == 0)
            return Error{tr("A rule named \"%1\" already exists.").arg(rule.rule.name), {}};
    }
    if (rule.rule.id.isEmpty())
        rule.rule.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (AlertRule &r : m_rules) {
        if (r.rule.id == rule.rule.id) {
            r = rule;
            return rule;
        }
    }
    m_rules.append(rule);
    return rule;
}

bool AlertRuleBook::remove(const QString &idOrName)
{
    const AlertRule *r = find(idOrName);
    if (!r)
        return false;
    const QString id = r->rule.id;
    return m_rules.removeIf([&](const AlertRule &x) { return x.rule.id == id; }) > 0;
}

bool AlertRuleBook::setEnabled(const QString &idOrName, bool enabled)
{
    const AlertRule *found = find(idOrName);
    if (!found)
        return false;
    const QString id = found->rule.id;
    for (AlertRule &r : m_rules) {
        if (r.rule.id == id)
            r.rule.enabled = enabled;
    }
    return true;
}

QJsonObject AlertRuleBook::toJson(const AlertRule &rule)
{
    const RuleCondition &c = rule.rule.condition;
    QJsonObject cond{{QStringLiteral("kind"), kindName(c.kind)}};
    switch (c.kind) {
    case RuleCondition::Kind::Threshold:
        cond.insert(QStringLiteral("metric"), c.metric);
        cond.insert(QStringLiteral("label"), c.label);
        cond.insert(QStringLiteral("aggregate"), AlertRuleText::aggregateName(c.aggregate));
        cond.insert(QStringLiteral("compare"), AlertRuleText::compareSymbol(c.compare));
        cond.insert(QStringLiteral("threshold"), c.threshold);
        cond.insert(QStringLiteral("window_ms"), c.windowMs);
        cond.insert(QStringLiteral("for_ms"), c.forMs);
        break;
    case RuleCondition::Kind::NoData:
        cond.insert(QStringLiteral("metric"), c.metric);
        cond.insert(QStringLiteral("label"), c.label);
        cond.insert(QStringLiteral("for_ms"), c.forMs);
        break;
    case RuleCondition::Kind::StateChanged:
        cond.insert(QStringLiteral("to_state"), c.toState);
        break;
    }
    QJsonArray machines;
    for (qint64 id : rule.machineIds)
        machines.append(id);
    QJsonArray actions;
    for (const AlertAction &a : rule.actions)
        actions.append(actionToJson(a));
    return QJsonObject{
        {QStringLiteral("id"), rule.rule.id},
        {QStringLiteral("name"), rule.rule.name},
        {QStringLiteral("enabled"), rule.rule.enabled},
        {QStringLiteral("renotify_ms"), rule.rule.renotifyMs},
        {QStringLiteral("cooldown_ms"), rule.rule.cooldownMs},
        {QStringLiteral("condition"), cond},
        {QStringLiteral("targets"),
         QJsonObject{{QStringLiteral("machines"), machines}, {QStringLiteral("tags"), QJsonArray::fromStringList(rule.tags)}}},
        {QStringLiteral("actions"), actions},
    };
}

Result<AlertRule> AlertRuleBook::fromJson(const QJsonObject &json)
{
    const auto bad = [](const QString &why) { return Error{tr("The alert rule is malformed."), why}; };
    AlertRule r;
    r.rule.id = json.value(QStringLiteral("id")).toString();
    r.rule.name = json.value(QStringLiteral("name")).toString();
    r.rule.enabled = json.value(QStringLiteral("enabled")).toBool(true);
    for (auto [key, target] : {std::pair{QStringLiteral("renotify_ms"), &r.rule.renotifyMs},
                               std::pair{QStringLiteral("cooldown_ms"), &r.rule.cooldownMs}}) {
        Result<qint64> d = durationField(json, key, 0);
        if (!d)
            return bad(d.error().message);
        *target = *d;
    }

    const QJsonValue condValue = json.value(QStringLiteral("condition"));
    if (!condValue.isObject())
        return bad(tr("no \"condition\" object"));
    const QJsonObject cond = condValue.toObject();
    RuleCondition &c = r.rule.condition;
    const QString kind = cond.value(QStringLiteral("kind")).toString(QStringLiteral("threshold"));
    const auto k = parseEnum(kind, {RuleCondition::Kind::Threshold, RuleCondition::Kind::NoData,
                                    RuleCondition::Kind::StateChanged}, kindName);
    if (!k)
        return bad(tr("unknown condition kind \"%1\"").arg(kind));
    c.kind = *k;
    c.metric = cond.value(QStringLiteral("metric")).toString();
    c.label = cond.value(QStringLiteral("label")).toString();
    const QString agg = cond.value(QStringLiteral("aggregate")).toString(QStringLiteral("avg"));
    const auto a = parseEnum(agg, {RuleCondition::Aggregate::Avg, RuleCondition::Aggregate::Max,
                                   RuleCondition::Aggregate::Min, RuleCondition::Aggregate::Last}, AlertRuleText::aggregateName);
    if (!a)
        return bad(tr("unknown aggregate \"%1\"").arg(agg));
    c.aggregate = *a;
    const QString cmp = cond.value(QStringLiteral("compare")).toString(QStringLiteral(">"));
    const auto cm = parseEnum(cmp, {RuleCondition::Compare::Greater, RuleCondition::Compare::GreaterOrEqual,
                                    RuleCondition::Compare::Less, RuleCondition::Compare::LessOrEqual}, AlertRuleText::compareSymbol);
    if (!cm)
        return bad(tr("unknown comparison \"%1\"").arg(cmp));
    c.compare = *cm;
    const QJsonValue threshold = cond.value(QStringLiteral("threshold"));
    if (!threshold.isUndefined() && !threshold.isDouble())
        return bad(tr("the threshold is not a number"));
    c.threshold = threshold.toDouble(0);
    for (auto [key, target, fallback] : {std::tuple{QStringLiteral("window_ms"), &c.windowMs, c.windowMs},
                                         std::tuple{QStringLiteral("for_ms"), &c.forMs, c.forMs}}) {
        Result<qint64> d = durationField(cond, key, fallback);
        if (!d)
            return bad(d.error().message);
        *target = *d;
    }
    c.toState = cond.value(QStringLiteral("to_state")).toString();

    const QJsonObject targets = json.value(QStringLiteral("targets")).toObject();
    for (const QJsonValue &v : targets.value(QStringLiteral("machines")).toArray()) {
        if (!v.isDouble() || v.toInteger() <= 0)
            return bad(tr("a target machine id is not a positive number"));
        r.machineIds.append(v.toInteger());
    }
    for (const QJsonValue &v : targets.value(QStringLiteral("tags")).toArray()) {
        if (!v.isString())
            return bad(tr("a target tag is not text"));
        r.tags.append(v.toString());
    }
    const QJsonArray actions = json.value(QStringLiteral("actions")).toArray();
    for (qsizetype i = 0; i < actions.size(); ++i) {
        Result<AlertAction> action = actionFromJson(actions.at(i), int(i));
        if (!action)
            return bad(action.error().toString());
        r.actions.append(std::move(action).value());
    }
    return r;
}

Status AlertRuleBook::validate(const AlertRule &rule)
{
    const auto bad = [](const QString &message, const QString &why = {}) { return Error{message, why}; };
    if (rule.rule.name.trimmed().isEmpty())
        return bad(tr("The rule needs a name."));
    const RuleCondition &c = rule.rule.condition;
    if (c.kind == RuleCondition::Kind::StateChanged) {
        // No metric: it follows the machine state from polling.
        if (rule.rule.renotifyMs < 0 || rule.rule.cooldownMs < 0)
            return bad(tr("This rule cannot work."), tr("Durations cannot be negative."));
    } else if (Status s = RuleEngine::validate(rule.rule, unitOfMetric(c.metric)); !s) {
        return s;
    }
    if (rule.machineIds.isEmpty() && rule.tags.isEmpty())
        return bad(tr("The rule watches no machine: choose machines or tags."));
    for (qint64 id : rule.machineIds) {
        if (id <= 0)
            return bad(tr("The rule targets an unknown machine."), tr("machine id %1").arg(id));
    }
    for (const QString &tag : rule.tags) {
        const qsizetype eq = tag.indexOf(QLatin1Char('='));
        if (eq <= 0 || tag.left(eq).trimmed().isEmpty())
            return bad(tr("\"%1\" is not a tag: use KEY=VALUE.").arg(tag));
    }
    if (rule.actions.isEmpty())
        return bad(tr("The rule does nothing: add at least one action."));
    for (int i = 0; i < rule.actions.size(); ++i) {
        if (Status s = validateAction(rule.actions.at(i), i); !s)
            return s;
    }
    return {};
}

} // namespace mist
