#pragma once

#include "alerts/alertrule.h"

#include <QString>

#include <optional>

namespace mist {

// Short human texts for alert rules, shared by `mist rules` and the rules window, plus the
// duration syntax both accept ("90s", "5m", "1h30m", "2d", "0").
namespace AlertRuleText {

QString condition(const RuleCondition &c);          // "cpu.percent avg over 5m > 90 for 2m"
QString targets(const AlertRule &rule, const QHash<qint64, QString> &machineNames);   // "web1, #12, env=prod"
QString action(const AlertAction &a);               // "webhook POST https://…"
QString actions(const AlertRule &rule);             // the actions joined with ", "
QString duration(qint64 ms);                        // 150000 -> "2m30s", 0 -> "0"
std::optional<qint64> parseDuration(const QString &text);   // nullopt: not a duration
QString aggregateName(RuleCondition::Aggregate a);  // "avg"
QString compareSymbol(RuleCondition::Compare c);    // ">="
QString actionKindName(AlertAction::Kind k);        // "webhook"

} // namespace AlertRuleText

} // namespace mist
