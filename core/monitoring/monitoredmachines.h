#pragma once

#include "inventory/machine.h"
#include "util/result.h"

#include <QHash>
#include <QString>
#include <QVector>

namespace mist {

// Which machines are monitored and how often: rules naming a machine id or a tag (KEY=VALUE,
// matched against user and provider tags when the rules are resolved, so machines tagged
// later are picked up). Kept in <data dir>/monitoring.json so the CLI and the GUI share it
// without an inventory schema change.
struct MonitoringRule
{
    qint64 machineId = 0;   // a machine rule, or (0) a tag rule
    QString tagKey;
    QString tagValue;
    int intervalSeconds = 10;

    bool isTag() const { return machineId == 0; }
    QString tagText() const { return tagKey + QLatin1Char('=') + tagValue; }
    bool matches(const Machine &m) const;
};

class MonitoredMachines
{
public:
    static constexpr int kDefaultIntervalSeconds = 10;
    static constexpr int kMinIntervalSeconds = 1;
    static constexpr int kMaxIntervalSeconds = 24 * 3600;

    static QString filePath(const QString &dataDir);   // <dataDir>/monitoring.json
    // A missing file is an empty set; an unreadable or malformed one is an Error naming it.
    static Result<MonitoredMachines> load(const QString &path);
    Status save(const QString &path) const;   // atomic (QSaveFile)

    const QVector<MonitoringRule> &rules() const { return m_rules; }
    // Adds or updates (interval) the rule; returns false when nothing changed.
    bool enableMachine(qint64 machineId, int intervalSeconds);
    bool enableTag(const QString &key, const QString &value, int intervalSeconds);
    bool disableMachine(qint64 machineId);   // false: there was no such rule
    bool disableTag(const QString &key, const QString &value);

    // Machine id -> interval (s) for every machine a rule matches; when several rules match,
    // the shortest interval wins.
    QHash<qint64, int> resolve(const QVector<Machine> &machines) const;
    // The tag rules that match `m` (to tell the user why disabling by id did not stop it).
    QVector<MonitoringRule> tagRulesMatching(const Machine &m) const;

    // "KEY=VALUE" -> (key, value); an Error for anything else.
    static Result<std::pair<QString, QString>> parseTag(const QString &text);

private:
    bool upsert(const MonitoringRule &rule);
    QVector<MonitoringRule> m_rules;
};

} // namespace mist
