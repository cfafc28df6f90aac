#include "backoff.h"

#include <algorithm>
#include <cmath>

namespace mist {

double Backoff::jitter(double spread)
{
    std::uniform_real_distribution<double> d(1.0 - spread, 1.0 + spread);
    return d(m_rng);
}

Backoff::ms Backoff::nextDelay(ms interval, int failures)
{
    if (failures <= 0)
        return ms(std::llround(double(interval.count()) * jitter(0.1)));
    const ms cap = std::max(interval, kMaxRetry);
    const double raw = double(kFirstRetry.count()) * std::pow(2.0, std::min(failures - 1, 20));
    const double capped = std::min(raw, double(cap.count()));
    return ms(std::llround(capped * jitter(0.2)));
}

} // namespace mist
