#include "monitoring/ruleengine.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("RuleEngine", text);
}

bool compare(double v, RuleCondition::Compare c, double t)
{
    switch (c) {
    case RuleCondition::Compare::Greater: return v > t;
    case RuleCondition::Compare::GreaterOrEqual: return v >= t;
    case RuleCondition::Compare::Less: return v < t;
    case RuleCondition::Compare::LessOrEqual: return v <= t;
    }
    return false;
}

QString describe(const Rule &r, std::optional<double> value, const QString &fromState, const QString &toState)
{
    const RuleCondition &c = r.condition;
    if (c.kind == RuleCondition::Kind::StateChanged)
        return tr("%1: state changed from %2 to %3").arg(r.name, fromState, toState);
    const QString series = c.label.isEmpty() ? c.metric : c.metric + QLatin1Char('{') + c.label + QLatin1Char('}');
    if (c.kind == RuleCondition::Kind::NoData)
        return tr("%1: no data from %2 for %3 s").arg(r.name, series).arg(c.forMs / 1000);
    return tr("%1: %2 %3 over %4 s is %5 (%6 %7)")
        .arg(r.name, series, RuleEngine::aggregateName(c.aggregate))
        .arg(c.windowMs / 1000)
        .arg(value ? QString::number(*value, 'g', 6) : QStringLiteral("?"), RuleEngine::compareSymbol(c.compare))
        .arg(c.threshold);
}

} // namespace

QString RuleEngine::aggregateName(RuleCondition::Aggregate a)
{
    switch (a) {
    case RuleCondition::Aggregate::Avg: return QStringLiteral("avg");
    case RuleCondition::Aggregate::Max: return QStringLiteral("max");
    case RuleCondition::Aggregate::Min: return QStringLiteral("min");
    case RuleCondition::Aggregate::Last: return QStringLiteral("last");
    }
    return {};
}

QString RuleEngine::compareSymbol(RuleCondition::Compare c)
{
    switch (c) {
    case RuleCondition::Compare::Greater: return QStringLiteral(">");
    case RuleCondition::Compare::GreaterOrEqual: return QStringLiteral(">=");
    case RuleCondition::Compare::Less: return QStringLiteral("<");
    case RuleCondition::Compare::LessOrEqual: return QStringLiteral("<=");
    }
    return {};
}

std::optional<double> RuleEngine::aggregate(const QVector<TimePoint> &points, RuleCondition::Aggregate how)
{
    if (points.isEmpty())
        return std::nullopt;
    switch (how) {
    case RuleCondition::Aggregate::Avg: {
        double sum = 0;
        for (const TimePoint &p : points)
            sum += p.value;
        return sum / double(points.size());
    }
    case RuleCondition::Aggregate::Max:
        return std::max_element(points.cbegin(), points.cend(), [](auto &a, auto &b) { return a.max < b.max; })->max;
    case RuleCondition::Aggregate::Min:
        return std::min_element(points.cbegin(), points.cend(), [](auto &a, auto &b) { return a.min < b.min; })->min;
    case RuleCondition::Aggregate::Last:
        return std::max_element(points.cbegin(), points.cend(), [](auto &a, auto &b) { return a.ts < b.ts; })->value;
    }
    return std::nullopt;
}

RuleEvaluation RuleEngine::evaluate(const Rule &rule, const RuleState &previous, const RuleInput &input, qint64 now)
{
    RuleEvaluation out;
    out.state = previous;
    RuleState &s = out.state;
    const QString fromState = previous.machineState;
    auto raise = [&](RuleEvent::Kind kind) {
        out.event = RuleEvent{kind, now, out.value, describe(rule, out.value, fromState, input.state)};
    };
    auto resolve = [&](bool announce) {
        if (s.status == RuleState::Status::Firing && s.notified && announce)
            raise(RuleEvent::Kind::Resolved);
        if (s.status == RuleState::Status::Firing)
            s.lastResolvedMs = now;
        s = RuleState{RuleState::Status::Ok, 0, 0, s.lastNotifiedMs, s.lastResolvedMs, false, s.machineState};
    };

    if (!rule.enabled) {
        resolve(false);
        return out;
    }

    // Is the condition true now? nullopt = cannot tell (no data in the window).
    std::optional<bool> holds;
    const RuleCondition &c = rule.condition;
    if (c.kind == RuleCondition::Kind::StateChanged) {
        if (input.state.isEmpty())
            return out;
        s.machineState = input.state;
        if (fromState.isEmpty())
            return out;   // first look: nothing has changed yet
        const bool changed = fromState != input.state;
        if (c.toState.isEmpty()) {
            // Every change is an event of its own: the previous one ends (silently) first.
            if (s.status != RuleState::Status::Ok)
                resolve(false);
            if (!changed)
                return out;
            holds = true;
        } else if (input.state != c.toState) {
            holds = false;
        } else if (s.status == RuleState::Status::Ok && !changed) {
            return out;   // it was in that state already: no change to announce
        } else {
            holds = true;
        }
    } else if (c.kind == RuleCondition::Kind::NoData) {
        if (input.lastSampleMs > 0) {
            holds = now - input.lastSampleMs >= c.forMs;
        } else {
            // Never any data: count from the first evaluation.
            if (s.status == RuleState::Status::Ok) {
                s.status = RuleState::Status::Pending;
                s.pendingSinceMs = now;
            }
            holds = now - s.pendingSinceMs >= c.forMs;
            if (!*holds)
                return out;
        }
    } else {
        out.value = aggregate(input.window, c.aggregate);
        if (!out.value)
            return out;   // no data in the window: keep the state
        holds = compare(*out.value, c.compare, c.threshold);
    }

    if (!*holds) {
        resolve(true);
        return out;
    }

    const bool momentary = c.kind == RuleCondition::Kind::StateChanged && c.toState.isEmpty();
    const qint64 forMs = c.kind == RuleCondition::Kind::NoData || momentary ? 0 : c.forMs;
    if (s.status == RuleState::Status::Ok) {
        s.status = RuleState::Status::Pending;
        s.pendingSinceMs = now;
    }
    if (s.status == RuleState::Status::Pending && now - s.pendingSinceMs >= forMs) {
        s.status = RuleState::Status::Firing;
        s.firingSinceMs = now;
        s.notified = false;
    }
    if (s.status != RuleState::Status::Firing)
        return out;
    if (!s.notified) {
        // A momentary firing always ends at once, so its cooldown counts from the last event.
        const qint64 since = momentary ? s.lastNotifiedMs : s.lastResolvedMs;
        const bool coolingDown = since > 0 && rule.cooldownMs > 0 && now - since < rule.cooldownMs;
        if (!coolingDown) {
            s.notified = true;
            s.lastNotifiedMs = now;
            raise(RuleEvent::Kind::Fired);
        }
    } else if (rule.renotifyMs > 0 && now - s.lastNotifiedMs >= rule.renotifyMs) {
        s.lastNotifiedMs = now;
        raise(RuleEvent::Kind::Renotify);
    }
    return out;
}

Status RuleEngine::validate(const Rule &rule, const QString &unit)
{
    const RuleCondition &c = rule.condition;
    auto bad = [](const QString &why) { return Error{tr("This rule cannot work."), why}; };
    if (c.forMs < 0 || rule.renotifyMs < 0 || rule.cooldownMs < 0)
        return bad(tr("Durations cannot be negative."));
    if (c.kind == RuleCondition::Kind::StateChanged)
        return {};   // any state, or a named one: both can happen
    if (c.metric.trimmed().isEmpty())
        return bad(tr("No metric is chosen."));
    if (c.kind == RuleCondition::Kind::NoData) {
        if (c.forMs <= 0)
            return bad(tr("\"No data\" needs a duration."));
        return {};
    }
    if (c.windowMs <= 0)
        return bad(tr("The window must be longer than zero."));
    if (!std::isfinite(c.threshold))
        return bad(tr("The threshold is not a number."));
    const bool above = c.compare == RuleCondition::Compare::Greater || c.compare == RuleCondition::Compare::GreaterOrEqual;
    if (unit == QLatin1String("%")) {
        if ((above && (c.threshold > 100 || (c.threshold == 100 && c.compare == RuleCondition::Compare::Greater)))
            || (!above && (c.threshold < 0 || (c.threshold == 0 && c.compare == RuleCondition::Compare::Less))))
            return bad(tr("A percentage is always between 0 and 100, so this threshold is never crossed."));
    }
    if ((unit == QLatin1String("bytes") || unit == QLatin1String("bytes/s") || unit == QLatin1String("s"))
        && !above && (c.threshold < 0 || (c.threshold == 0 && c.compare == RuleCondition::Compare::Less)))
        return bad(tr("This value is never below zero, so this threshold is never crossed."));
    return {};
}

} // namespace mist
