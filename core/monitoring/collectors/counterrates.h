#pragma once

#include "monitoring/metricsample.h"

#include <QHash>
#include <QString>

#include <optional>

namespace mist {

// Rates of monotonic counters (bytes, CPU nanoseconds) between two collection rounds, per
// series. A counter that went down (container restarted, VM rebooted, device re-added)
// gives no rate for that round and measures from the new value next time, so there are no
// negative or huge spikes. Series not seen in a round are forgotten. Not thread-safe: one
// collector, one round at a time.
class CounterRates
{
public:
    // Starts a round `seconds` after the previous one; nullopt or too short (clock went back,
    // first round): this round only records baselines.
    void startRound(std::optional<double> seconds);
    // Records `value` for `key` and returns its rate per second since the previous round.
    std::optional<double> rate(const QString &key, double value);
    // rate() of (name, label), appended to `out` as a point when there is one.
    void addRate(MetricSampleSet &out, const QString &name, const QString &label, const QString &unit, double value);
    // Forgets every baseline (after a reconnect).
    void reset();

private:
    QHash<QString, double> m_previous;
    QHash<QString, double> m_current;
    std::optional<double> m_seconds;
};

// Appends a point when `value` is a finite number.
void addMetric(MetricSampleSet &out, const QString &name, const QString &label, const QString &unit, double value);

} // namespace mist
