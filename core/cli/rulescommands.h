#pragma once

#include "alerts/alertrule.h"
#include "cli/clicontext.h"

namespace mist {

// `mist rules list|add|remove|enable|disable|history`: the alert rules in alerts.json that the
// desktop app evaluates, and their history (alerts.db, read-only).
class RulesCommands
{
public:
    explicit RulesCommands(CliContext &ctx);

    int run(QStringList args);
    static QString summary();

private:
    int groupHelp();
    int list(const QStringList &args);
    int add(const QStringList &args);
    int remove(const QStringList &args);
    int setEnabled(const QStringList &args, bool enabled);
    int history(const QStringList &args);

    // `rules remove|enable|disable RULE...`: parses, opens the inventory and loads the rules;
    // a value is the exit code to stop with.
    std::optional<int> prepareRuleCommand(ArgParser &p, const QStringList &args, AlertRuleBook &book);
    QString dataDir() const;
    Result<AlertRuleBook> loadBook();
    Result<QHash<qint64, QString>> machineNames();
    // Deletes the keychain values of the rule's secret headers (none: the keychain is not touched).
    Status removeSecrets(const AlertRule &rule);
    int printRules(const QVector<AlertRule> &rules);

    CliContext &m_ctx;
};

} // namespace mist
