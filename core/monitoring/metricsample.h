#pragma once

#include <QString>
#include <QVector>

#include "util/result.h"

namespace mist {

// One value of one series at one time. `label` tells series of the same metric apart:
// the core ("cpu3"), mount ("/home"), interface ("eth0") or disk ("nvme0n1"); empty for totals.
struct MetricPoint
{
    QString name;    // "cpu.percent", "mem.used_bytes", ... (the list is in ratecalculator.h)
    QString label;
    QString unit;    // "%", "bytes", "bytes/s", "s", "" (load)
    double value = 0;
};

// What one collection round of one machine produced.
struct MetricSampleSet
{
    qint64 timestampMs = 0;        // local wall clock (ms since the epoch) when the answer arrived
    QVector<MetricPoint> points;
    QVector<Error> warnings;       // parts that could not be read (the rest is still there)
};

} // namespace mist
