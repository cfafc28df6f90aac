#include "monitoring/downsample.h"

#include <algorithm>
#include <cmath>

namespace mist {

QVector<TimePoint> Downsample::lttb(const QVector<TimePoint> &in, int maxPoints)
{
    maxPoints = std::max(maxPoints, 3);
    const qsizetype n = in.size();
    if (n <= maxPoints)
        return in;
    QVector<TimePoint> out;
    out.reserve(maxPoints);
    out.append(in.first());
    // Buckets over in[1 .. n-2]; x is time relative to the first point (doubles keep precision).
    const double every = double(n - 2) / double(maxPoints - 2);
    const qint64 t0 = in.first().ts;
    qsizetype a = 0;
    for (int i = 0; i < maxPoints - 2; ++i) {
        const qsizetype start = qsizetype(std::floor(i * every)) + 1;
        const qsizetype end = std::min<qsizetype>(qsizetype(std::floor((i + 1) * every)) + 1, n - 1);
        // Average of the next bucket (the last point for the last bucket).
        const qsizetype nStart = end;
        const qsizetype nEnd = std::min<qsizetype>(qsizetype(std::floor((i + 2) * every)) + 1, n);
        double avgX = 0, avgY = 0;
        const qsizetype count = std::max<qsizetype>(nEnd - nStart, 1);
        for (qsizetype j = nStart; j < nStart + count && j < n; ++j) {
            avgX += double(in[j].ts - t0);
            avgY += in[j].value;
        }
        avgX /= double(count);
        avgY /= double(count);
        const double ax = double(in[a].ts - t0), ay = in[a].value;
        double best = -1;
        qsizetype bestIndex = start;
        for (qsizetype j = start; j < end; ++j) {
            const double area = std::abs((ax - avgX) * (in[j].value - ay) - (ax - double(in[j].ts - t0)) * (avgY - ay));
            if (area > best) {
                best = area;
                bestIndex = j;
            }
        }
        out.append(in[bestIndex]);
        a = bestIndex;
    }
    out.append(in.last());
    return out;
}

QVector<TimePoint> Downsample::minMax(const QVector<TimePoint> &in, int maxPoints)
{
    maxPoints = std::max(maxPoints, 2);
    const qsizetype n = in.size();
    if (n <= maxPoints)
        return in;
    const int buckets = maxPoints / 2;
    QVector<TimePoint> out;
    out.reserve(buckets * 2);
    for (int b = 0; b < buckets; ++b) {
        const qsizetype start = n * b / buckets;
        const qsizetype end = n * (b + 1) / buckets;
        if (start >= end)
            continue;
        qsizetype lo = start, hi = start;
        for (qsizetype j = start + 1; j < end; ++j) {
            if (in[j].min < in[lo].min)
                lo = j;
            if (in[j].max > in[hi].max)
                hi = j;
        }
        // The low point shows its bucket's minimum, the high point its maximum.
        TimePoint low = in[lo];
        low.value = low.min;
        TimePoint high = in[hi];
        high.value = high.max;
        if (lo == hi) {
            out.append(low.value == high.value ? low : TimePoint{low.ts, low.value, low.min, low.min});
            if (low.value != high.value)
                out.append(TimePoint{high.ts, high.value, high.max, high.max});
        } else if (lo < hi) {
            out.append(low);
            out.append(high);
        } else {
            out.append(high);
            out.append(low);
        }
    }
    return out;
}

} // namespace mist
