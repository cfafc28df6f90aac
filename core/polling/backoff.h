#pragma once

#include <chrono>
#include <random>

namespace mist {

// When to poll next. Regular polls keep the cloud's interval with ±10% jitter so clouds
// added together do not poll in lock-step. After failures the delay starts short (a blip
// recovers quickly) and doubles up to a cap, with ±20% jitter.
class Backoff
{
public:
    using ms = std::chrono::milliseconds;

    explicit Backoff(unsigned seed = std::random_device{}()) : m_rng(seed) {}

    ms nextDelay(ms interval, int consecutiveFailures);

    static constexpr ms kFirstRetry{15000};
    static constexpr ms kMaxRetry{15 * 60 * 1000};

private:
    double jitter(double spread);
    std::mt19937 m_rng;
};

} // namespace mist
