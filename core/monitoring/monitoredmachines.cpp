#include "monitoredmachines.h"

#include "util/jsonfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("MonitoredMachines", text);
}

jsonfile::Texts fileTexts()
{
    return {tr("Could not read the monitoring settings %1"), tr("The monitoring settings %1 are not valid JSON"),
            tr("Could not write the monitoring settings %1")};
}

bool sameTarget(const MonitoringRule &a, const MonitoringRule &b)
{
    return a.machineId == b.machineId && a.tagKey == b.tagKey && a.tagValue == b.tagValue;
}
} // namespace

bool MonitoringRule::matches(const Machine &m) const
{
    if (!isTag())
        return m.id == machineId;
    const auto hasTag = [this](const TagMap &tags) { return tags.contains(tagKey) && tags.value(tagKey) == tagValue; };
    return hasTag(m.userTags) || hasTag(m.providerTags);
}

bool CustomMetricRule::matches(const Machine &m) const
{
    MonitoringRule target;
    target.machineId = machineId;
    target.tagKey = tagKey;
    target.tagValue = tagValue;
    return target.matches(m);
}

QString MonitoredMachines::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("monitoring.json"));
}

Result<MonitoredMachines> MonitoredMachines::load(const QString &path)
{
    MonitoredMachines out;
    auto root = jsonfile::read(path, fileTexts());
    if (!root)
        return root.error();
    if (!root->has_value())
        return out;
    const QJsonObject doc = root->value();
    for (const QJsonValue &v : doc.value(QStringLiteral("rules")).toArray()) {
        const QJsonObject o = v.toObject();
        MonitoringRule r;
        r.machineId = o.value(QStringLiteral("machine_id")).toInteger();
        r.tagKey = o.value(QStringLiteral("tag_key")).toString();
        r.tagValue = o.value(QStringLiteral("tag_value")).toString();
        r.intervalSeconds = std::clamp(o.value(QStringLiteral("interval_s")).toInt(kDefaultIntervalSeconds),
                                       kMinIntervalSeconds, kMaxIntervalSeconds);
        if (r.machineId > 0 || (r.machineId == 0 && !r.tagKey.isEmpty()))
            out.upsert(r);   // anything else (a hand-edited mistake) is dropped
    }
    for (const QJsonValue &v : doc.value(QStringLiteral("custom_metrics")).toArray()) {
        const QJsonObject o = v.toObject();
        CustomMetricRule c;
        c.machineId = o.value(QStringLiteral("machine_id")).toInteger();
        c.tagKey = o.value(QStringLiteral("tag_key")).toString();
        c.tagValue = o.value(QStringLiteral("tag_value")).toString();
        c.metric.name = o.value(QStringLiteral("name")).toString();
        c.metric.command = o.value(QStringLiteral("command")).toString();
        c.metric.unit = o.value(QStringLiteral("unit")).toString();
        c.metric.intervalSeconds = o.value(QStringLiteral("interval_s")).toInt(60);
        if (Status st = out.addCustomMetric(c); !st)
            return Error{tr("The monitoring settings %1 have a bad custom metric").arg(path), st.error().message};
    }
    return out;
}

Status MonitoredMachines::save(const QString &path) const
{
    QJsonArray rules;
    for (const MonitoringRule &r : m_rules) {
        QJsonObject o{{QStringLiteral("interval_s"), r.intervalSeconds}};
        if (r.isTag()) {
            o.insert(QStringLiteral("tag_key"), r.tagKey);
            o.insert(QStringLiteral("tag_value"), r.tagValue);
        } else {
            o.insert(QStringLiteral("machine_id"), r.machineId);
        }
        rules.append(o);
    }
    QJsonArray custom;
    for (const CustomMetricRule &c : m_custom) {
        QJsonObject o{{QStringLiteral("name"), c.metric.name},
                      {QStringLiteral("command"), c.metric.command},
                      {QStringLiteral("unit"), c.metric.unit},
                      {QStringLiteral("interval_s"), c.metric.intervalSeconds}};
        if (c.isTag()) {
            o.insert(QStringLiteral("tag_key"), c.tagKey);
            o.insert(QStringLiteral("tag_value"), c.tagValue);
        } else {
            o.insert(QStringLiteral("machine_id"), c.machineId);
        }
        custom.append(o);
    }
    QJsonObject root{{QStringLiteral("version"), 1}, {QStringLiteral("rules"), rules}};
    if (!custom.isEmpty())
        root.insert(QStringLiteral("custom_metrics"), custom);
    return jsonfile::write(path, root, fileTexts());
}

bool MonitoredMachines::upsert(const MonitoringRule &rule)
{
    for (MonitoringRule &r : m_rules) {
        if (sameTarget(r, rule)) {
            if (r.intervalSeconds == rule.intervalSeconds)
                return false;
            r.intervalSeconds = rule.intervalSeconds;
            return true;
        }
    }
    m_rules.append(rule);
    return true;
}

bool MonitoredMachines::enableMachine(qint64 machineId, int intervalSeconds)
{
    MonitoringRule r;
    r.machineId = machineId;
    r.intervalSeconds = intervalSeconds;
    return upsert(r);
}

bool MonitoredMachines::enableTag(const QString &key, const QString &value, int intervalSeconds)
{
    MonitoringRule r;
    r.tagKey = key;
    r.tagValue = value;
    r.intervalSeconds = intervalSeconds;
    return upsert(r);
}

bool MonitoredMachines::disableMachine(qint64 machineId)
{
    return m_rules.removeIf([&](const MonitoringRule &r) { return !r.isTag() && r.machineId == machineId; }) > 0;
}

bool MonitoredMachines::disableTag(const QString &key, const QString &value)
{
    return m_rules.removeIf([&](const MonitoringRule &r) { return r.isTag() && r.tagKey == key && r.tagValue == value; }) > 0;
}

Status MonitoredMachines::addCustomMetric(const CustomMetricRule &rule)
{
    static const QRegularExpression name(QStringLiteral("^[a-z][a-z0-9_.-]{0,63}$"));
    if (!name.match(rule.metric.name).hasMatch())
        return Error{tr("\"%1\" is not a metric name: use lower-case letters, digits, '.', '_' or '-', starting with a letter")
                         .arg(rule.metric.name), {}};
    if (rule.metric.command.trimmed().isEmpty())
        return Error{tr("The custom metric %1 has no command").arg(rule.metric.name), {}};
    if (rule.metric.intervalSeconds < kMinIntervalSeconds || rule.metric.intervalSeconds > kMaxIntervalSeconds)
        return Error{tr("The interval of %1 must be from %2 to %3 seconds")
                         .arg(rule.metric.name).arg(kMinIntervalSeconds).arg(kMaxIntervalSeconds), {}};
    if (rule.machineId < 0 || (rule.machineId == 0 && rule.tagKey.isEmpty()))
        return Error{tr("The custom metric %1 needs a machine or a tag").arg(rule.metric.name), {}};
    for (CustomMetricRule &c : m_custom) {
        if (c.metric.name == rule.metric.name && c.machineId == rule.machineId && c.tagKey == rule.tagKey
            && c.tagValue == rule.tagValue) {
            c = rule;
            return {};
        }
    }
    m_custom.append(rule);
    return {};
}

int MonitoredMachines::removeCustomMetric(const QString &name, qint64 machineId, const QString &tagKey, const QString &tagValue)
{
    const bool anyTarget = machineId == 0 && tagKey.isEmpty();
    return int(m_custom.removeIf([&](const CustomMetricRule &c) {
        return c.metric.name == name
               && (anyTarget || (c.machineId == machineId && c.tagKey == tagKey && c.tagValue == tagValue));
    }));
}

QVector<CustomMetric> MonitoredMachines::customMetricsFor(const Machine &m) const
{
    QHash<QString, CustomMetricRule> chosen;
    for (const CustomMetricRule &c : m_custom) {
        if (!c.matches(m))
            continue;
        auto it = chosen.find(c.metric.name);
        if (it == chosen.end() || (it->isTag() && !c.isTag()))
            chosen.insert(c.metric.name, c);
    }
    QVector<CustomMetric> out;
    for (const CustomMetricRule &c : std::as_const(chosen))
        out.append(c.metric);
    std::sort(out.begin(), out.end(), [](const CustomMetric &a, const CustomMetric &b) { return a.name < b.name; });
    return out;
}

QHash<qint64, int> MonitoredMachines::resolve(const QVector<Machine> &machines) const
{
    QHash<qint64, int> out;
    for (const Machine &m : machines) {
        for (const MonitoringRule &r : m_rules) {
            if (!r.matches(m))
                continue;
            auto it = out.find(m.id);
            if (it == out.end())
                out.insert(m.id, r.intervalSeconds);
            else
                *it = std::min(*it, r.intervalSeconds);
        }
    }
    return out;
}

QVector<MonitoringRule> MonitoredMachines::tagRulesMatching(const Machine &m) const
{
    QVector<MonitoringRule> out;
    for (const MonitoringRule &r : m_rules) {
        if (r.isTag() && r.matches(m))
            out.append(r);
    }
    return out;
}

Result<std::pair<QString, QString>> MonitoredMachines::parseTag(const QString &text)
{
    const qsizetype eq = text.indexOf(QLatin1Char('='));
    const QString key = text.left(eq).trimmed();
    if (eq <= 0 || key.isEmpty())
        return Error{tr("\"%1\" is not a tag: use KEY=VALUE").arg(text), {}};
    return std::make_pair(key, text.mid(eq + 1).trimmed());
}

} // namespace mist
