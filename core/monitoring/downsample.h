#pragma once

#include <QVector>

#include <QtGlobal>

namespace mist {

// One point of a series. Raw samples have min == max == value; a rollup point carries its
// bucket's min/max and `value` is its average.
struct TimePoint
{
    qint64 ts = 0;      // ms since the epoch
    double value = 0;
    double min = 0;
    double max = 0;

    static TimePoint raw(qint64 ts, double v) { return TimePoint{ts, v, v, v}; }
};

// Reduces a time-ordered series to about `maxPoints` for drawing. Pure; any thread.
class Downsample
{
public:
    // Largest-Triangle-Three-Buckets: keeps the first and last point and, per bucket, the point
    // that makes the largest triangle (visually the shape). Exactly maxPoints points (or all
    // points if there are not more); maxPoints < 3 is treated as 3.
    static QVector<TimePoint> lttb(const QVector<TimePoint> &points, int maxPoints);
    // maxPoints/2 buckets of equal point count; each gives its lowest and highest point (in time
    // order), so every spike and dip survives. At most maxPoints points.
    static QVector<TimePoint> minMax(const QVector<TimePoint> &points, int maxPoints);
};

} // namespace mist
