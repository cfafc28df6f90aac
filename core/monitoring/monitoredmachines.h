#pragma once

#include "inventory/machine.h"
#include "monitoring/custommetric.h"
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

// A custom metric (a command over SSH, or locally on "This computer") for one machine or for
// every machine with a tag. It runs on monitored machines only, at its own interval.
struct CustomMetricRule
{
    qint64 machineId = 0;   // or (0) a tag rule
    QString tagKey;
    QString tagValue;
    CustomMetric metric;

    bool isTag() const { return machineId == 0; }
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

    const QVector<CustomMetricRule> &customMetrics() const { return m_custom; }
    // Adds, or replaces the one with the same name and target. Refused with a clear Error: a
    // name that is not a series name ([a-z0-9_.-], starting with a letter), an empty command,
    // an interval out of range, no target.
    Status addCustomMetric(const CustomMetricRule &rule);
    // Removes the metric of that name for that target (machineId 0 and no tag: every target).
    // Returns how many were removed.
    int removeCustomMetric(const QString &name, qint64 machineId = 0, const QString &tagKey = {},
                           const QString &tagValue = {});
    // The custom metrics that run on `m` (a machine rule wins over a tag rule of the same name).
    QVector<CustomMetric> customMetricsFor(const Machine &m) const;

    // "KEY=VALUE" -> (key, value); an Error for anything else.
    static Result<std::pair<QString, QString>> parseTag(const QString &text);

private:
    bool upsert(const MonitoringRule &rule);
    QVector<MonitoringRule> m_rules;
    QVector<CustomMetricRule> m_custom;
};

} // namespace mist
