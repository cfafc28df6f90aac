#pragma once

#include "inventory/machine.h"
#include "inventory/sqlite.h"
#include "monitoring/ruleengine.h"
#include "util/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace mist {

// What an alert rule does when it fires (and, for notify/webhook, when it resolves).
struct AlertAction
{
    enum class Kind { Notify, Webhook, Command, Lifecycle };
    Kind kind = Kind::Notify;

    // Webhook: POST or PUT of a JSON body built from bodyTemplate ({{rule}}, {{machine}},
    // {{machine_id}}, {{status}} = firing|resolved, {{value}}, {{message}}, {{time}} ISO 8601),
    // with plain headers and secret headers whose values live only in the keychain
    // (SecretStore owner "alert/<rule id>", field "header:<Name>"). An empty template sends
    // a default JSON object with all of those fields.
    QString method = QStringLiteral("POST");
    QString url;
    QVector<std::pair<QString, QString>> headers;
    QStringList secretHeaderNames;
    QString bodyTemplate;
    int timeoutSeconds = 10;
    int retries = 3;                 // further attempts after a 5xx or a network failure

    // Command: run over SSH on the machine the rule fired for.
    QString command;

    // Lifecycle: a provider action id ("stop", "reboot", "destroy"); destructive ones only with
    // allowDestructive (the rule's explicit opt-in), refused otherwise.
    QString lifecycleAction;
    bool allowDestructive = false;

    bool onResolve = false;          // Notify/Webhook: also on resolve (Command/Lifecycle never)
};

// A monitoring alert: condition (RuleCondition, incl. state changes from polling), targets, actions.
struct AlertRule
{
    Rule rule;                       // id, name, condition, enabled, renotifyMs, cooldownMs
    QVector<qint64> machineIds;      // targets: these machines...
    QStringList tags;                // ...and every machine with one of these KEY=VALUE tags
    QVector<AlertAction> actions;

    bool targets(const Machine &m) const;
};

// The rules file, <data dir>/alerts.json, shared by the GUI and the CLI. Secrets never in it.
class AlertRuleBook
{
public:
    static QString filePath(const QString &dataDir);
    // Missing file = no rules; malformed = an Error naming the file and what is wrong.
    static Result<AlertRuleBook> load(const QString &path);
    Status save(const QString &path) const;   // atomic

    const QVector<AlertRule> &rules() const { return m_rules; }
    const AlertRule *find(const QString &idOrName) const;
    // Validates (RuleEngine::validate + targets + actions) and adds or replaces by id; a new
    // rule without id gets one (a UUID).
    Result<AlertRule> upsert(AlertRule rule);
    bool remove(const QString &idOrName);
    bool setEnabled(const QString &idOrName, bool enabled);

    static QJsonObject toJson(const AlertRule &rule);
    static Result<AlertRule> fromJson(const QJsonObject &json);
    static Status validate(const AlertRule &rule);

private:
    QVector<AlertRule> m_rules;
};

// One line of a rule's history (fired, renotified, resolved, or an action's outcome).
struct AlertHistoryEntry
{
    qint64 id = 0;
    qint64 atMs = 0;
    QString ruleId;
    QString ruleName;
    qint64 machineId = 0;
    QString machineName;
    QString event;      // "fired", "renotify", "resolved", "action"
    QString action;     // "notify", "webhook", "command", "lifecycle" (event "action")
    bool success = true;
    QString message;    // what happened, incl. the error of a failed action
};

// Rule history in <data dir>/alerts.db (SQLite, WAL), written by the AlertService's worker,
// read by the rules window and `mist rules history`. Kept 90 days. Not thread-safe: one
// thread per instance, never the GUI thread for writes.
class AlertHistory
{
public:
    static QString filePath(const QString &dataDir);
    Status open(const QString &path, sql::Database::Mode mode = sql::Database::Mode::ReadWrite);
    Status append(const AlertHistoryEntry &entry);
    // Newest first; ruleId "" = every rule.
    Result<QVector<AlertHistoryEntry>> recent(const QString &ruleId, int limit = 500);
    Status prune(qint64 olderThanMs);

private:
    sql::Database m_db;
};

} // namespace mist
