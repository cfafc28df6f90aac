#include "monitoring/collectors/counterrates.h"

#include <cmath>

namespace mist {

namespace {
constexpr double kMinIntervalSeconds = 0.05;
// Above this a "rate" is a counter that jumped (garbage), not traffic.
constexpr double kMaxRate = 1e12;
} // namespace

void CounterRates::startRound(std::optional<double> seconds)
{
    m_previous = std::move(m_current);
    m_current.clear();
    m_seconds = seconds && *seconds >= kMinIntervalSeconds ? seconds : std::nullopt;
}

std::optional<double> CounterRates::rate(const QString &key, double value)
{
    if (!std::isfinite(value) || value < 0)
        return std::nullopt;
    m_current.insert(key, value);
    const auto it = m_previous.constFind(key);
    if (!m_seconds || it == m_previous.constEnd() || value < it.value())
        return std::nullopt;
    const double r = (value - it.value()) / *m_seconds;
    if (r > kMaxRate)
        return std::nullopt;
    return r;
}

void CounterRates::addRate(MetricSampleSet &out, const QString &name, const QString &label, const QString &unit, double value)
{
    if (const auto r = rate(name + QLatin1Char('\x1f') + label, value))
        out.points.append(MetricPoint{name, label, unit, *r});
}

void CounterRates::reset()
{
    m_previous.clear();
    m_current.clear();
    m_seconds.reset();
}

void addMetric(MetricSampleSet &out, const QString &name, const QString &label, const QString &unit, double value)
{
    if (std::isfinite(value))
        out.points.append(MetricPoint{name, label, unit, value});
}

} // namespace mist
