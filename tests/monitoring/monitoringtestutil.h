#pragma once

#include "monitoring/metricsample.h"

#include <QHash>

// The values of one metric in a sample set, keyed by label ("" for the total).
inline QHash<QString, double> metricValues(const mist::MetricSampleSet &s, const QString &name)
{
    QHash<QString, double> out;
    for (const mist::MetricPoint &p : s.points) {
        if (p.name == name)
            out.insert(p.label, p.value);
    }
    return out;
}
