#pragma once

#include <QString>

namespace mist {

// Numbers of a metric for people: bytes as KiB/MiB/GiB, rates as "/s", percentages, durations.
// Units are the store's ("bytes", "bytes/s", "%", "s", "" for load and custom numbers).
class MetricFormat
{
public:
    static QString value(double v, const QString &unit);

    // A chart's axis cannot format each label, so its values are divided by a scale that
    // fits the largest one: {1024^k, "MiB/s"} for bytes, {1, "%"} otherwise.
    struct Scale
    {
        double divisor = 1;
        QString suffix;
    };
    static Scale scaleFor(double maxValue, const QString &unit);
};

} // namespace mist
