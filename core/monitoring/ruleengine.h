#pragma once

#include "monitoring/downsample.h"
#include "util/result.h"

#include <QString>
#include <QVector>

#include <optional>

namespace mist {

// A monitoring rule's condition. Pure data: which machines it targets and what happens when it
// fires (notification, webhook, command, lifecycle action) are kept by the caller.
struct RuleCondition
{
    // StateChanged comes from polling, not samples: it fires when a targeted machine's state
    // changes to toState ("" = any change) and resolves when it leaves it.
    enum class Kind { Threshold, NoData, StateChanged };
    enum class Aggregate { Avg, Max, Min, Last };
    enum class Compare { Greater, GreaterOrEqual, Less, LessOrEqual };

    Kind kind = Kind::Threshold;
    QString metric;          // series name, e.g. "cpu.percent"
    QString label;           // "" = the total / unlabelled series
    Aggregate aggregate = Aggregate::Avg;
    Compare compare = Compare::Greater;
    double threshold = 0;
    qint64 windowMs = 5 * 60 * 1000;   // the aggregate is over [now - window, now]
    qint64 forMs = 0;                  // held this long before firing (NoData: no sample for this long)
    QString toState;                   // StateChanged: the new state that fires ("" = any change)
};

struct Rule
{
    QString id;
    QString name;
    RuleCondition condition;
    bool enabled = true;
    qint64 renotifyMs = 0;   // while firing, notify again this often (0 = once)
    qint64 cooldownMs = 0;   // after a resolve, a new firing is not announced before this has passed
};

// Where one rule stands for one machine. Kept by the caller between evaluations (start with {}).
struct RuleState
{
    enum class Status { Ok, Pending, Firing };
    Status status = Status::Ok;
    qint64 pendingSinceMs = 0;
    qint64 firingSinceMs = 0;
    qint64 lastNotifiedMs = 0;    // last Fired/Renotify event
    qint64 lastResolvedMs = 0;
    bool notified = false;        // this firing was announced (a cooldown may have held it back)
    QString machineState;         // StateChanged: the machine's state at the previous evaluation
};

struct RuleEvent
{
    enum class Kind { Fired, Renotify, Resolved };
    Kind kind = Kind::Fired;
    qint64 atMs = 0;
    std::optional<double> value;   // the aggregate that decided (none for NoData)
    QString message;               // "CPU avg over 5 min 93.1 > 90" style, for history and notifications
};

// What the caller gives per evaluation: the samples of the rule's series in its window and when
// the series last had a sample at all (0 = never).
struct RuleInput
{
    RuleInput() = default;
    RuleInput(QVector<TimePoint> w, qint64 last, QString machineState = {})
        : window(std::move(w)), lastSampleMs(last), state(std::move(machineState)) {}

    QVector<TimePoint> window;
    qint64 lastSampleMs = 0;
    QString state;   // StateChanged: the machine's state now (from polling); "" = unknown
};

struct RuleEvaluation
{
    RuleState state;
    std::optional<RuleEvent> event;
    std::optional<double> value;
};

// Pure, table-driven evaluation: (rule, previous state, input, now) -> (next state, event).
//  * Threshold: aggregate of the window compared to the threshold. True -> Pending; held for
//    forMs -> Firing (event Fired). False -> Ok (event Resolved if the firing was announced).
//    An empty window changes nothing (the NoData kind covers silence).
//  * NoData: fires when no sample arrived for forMs (or since the first evaluation if never).
//  * Renotify every renotifyMs while firing; cooldown holds back a Fired that comes sooner than
//    cooldownMs after the previous resolve (the state still shows Firing; if it stays, the event
//    comes when the cooldown ends). A disabled rule resolves silently.
//  * StateChanged compares input.state with the state seen at the previous evaluation
//    (RuleState::machineState; the first evaluation only remembers it). With toState: a change
//    into toState -> Pending (Firing after forMs, like a threshold), leaving it -> Resolved.
//    Without toState every change fires; such a firing is momentary and resolves silently at
//    the next evaluation without a change, and its cooldown counts from the last event.
//    An unknown state ("") changes nothing.
class RuleEngine
{
public:
    static RuleEvaluation evaluate(const Rule &rule, const RuleState &previous, const RuleInput &input, qint64 nowMs);
    static std::optional<double> aggregate(const QVector<TimePoint> &points, RuleCondition::Aggregate how);
    // Impossible or meaningless rules (NaN threshold, > 100 on a percentage, empty window...).
    static Status validate(const Rule &rule, const QString &unit);
    // The words used in messages (and by AlertRuleText): "avg", ">=".
    static QString aggregateName(RuleCondition::Aggregate a);
    static QString compareSymbol(RuleCondition::Compare c);
};

} // namespace mist
