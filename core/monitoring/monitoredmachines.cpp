#include "monitoredmachines.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("MonitoredMachines", text);
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

QString MonitoredMachines::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("monitoring.json"));
}

Result<MonitoredMachines> MonitoredMachines::load(const QString &path)
{
    MonitoredMachines out;
    QFile f(path);
    if (!f.exists())
        return out;
    if (!f.open(QIODevice::ReadOnly))
        return Error{tr("Could not read the monitoring settings %1").arg(path), f.errorString()};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error{tr("The monitoring settings %1 are not valid JSON").arg(path), pe.errorString()};
    for (const QJsonValue &v : doc.object().value(QStringLiteral("rules")).toArray()) {
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
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error{tr("Could not write the monitoring settings %1").arg(path), f.errorString()};
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("rules"), rules}}).toJson());
    if (!f.commit())
        return Error{tr("Could not write the monitoring settings %1").arg(path), f.errorString()};
    return {};
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
