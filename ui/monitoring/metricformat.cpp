#include "metricformat.h"

#include <QCoreApplication>

#include <cmath>

namespace mist {

namespace {
const char *const kBinary[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

bool isBytes(const QString &unit)
{
    return unit == QLatin1String("bytes") || unit == QLatin1String("B");
}

bool isByteRate(const QString &unit)
{
    return unit == QLatin1String("bytes/s") || unit == QLatin1String("B/s");
}

int binaryPower(double v)
{
    int k = 0;
    v = std::fabs(v);
    while (v >= 1024 && k < int(std::size(kBinary)) - 1) {
        v /= 1024;
        ++k;
    }
    return k;
}

QString number(double v)
{
    const double a = std::fabs(v);
    return QString::number(v, 'f', a >= 100 || a == std::floor(a) ? 0 : a >= 10 ? 1 : 2);
}

QString duration(double seconds)
{
    const auto s = qint64(seconds);
    if (s >= 86400)
        return QCoreApplication::translate("mist::MetricFormat", "%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
    if (s >= 3600)
        return QCoreApplication::translate("mist::MetricFormat", "%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60)
        return QCoreApplication::translate("mist::MetricFormat", "%1 min %2 s").arg(s / 60).arg(s % 60);
    return QCoreApplication::translate("mist::MetricFormat", "%1 s").arg(number(seconds));
}
} // namespace

QString MetricFormat::value(double v, const QString &unit)
{
    if (std::isnan(v))
        return QStringLiteral("–");
    if (isBytes(unit) || isByteRate(unit)) {
        const int k = binaryPower(v);
        return QStringLiteral("%1 %2%3").arg(number(v / std::pow(1024.0, k)), QLatin1String(kBinary[k]),
                                             isByteRate(unit) ? QStringLiteral("/s") : QString());
    }
    if (unit == QLatin1String("%"))
        return QStringLiteral("%1 %").arg(number(v));
    if (unit == QLatin1String("s"))
        return duration(v);
    if (unit.isEmpty())
        return number(v);
    return QStringLiteral("%1 %2").arg(number(v), unit);
}

MetricFormat::Scale MetricFormat::scaleFor(double maxValue, const QString &unit)
{
    if (isBytes(unit) || isByteRate(unit)) {
        const int k = binaryPower(maxValue);
        return {std::pow(1024.0, k), QLatin1String(kBinary[k]) + (isByteRate(unit) ? QStringLiteral("/s") : QString())};
    }
    if (unit == QLatin1String("s") && maxValue >= 2 * 86400)
        return {86400, QCoreApplication::translate("mist::MetricFormat", "days")};
    if (unit == QLatin1String("s") && maxValue >= 2 * 3600)
        return {3600, QCoreApplication::translate("mist::MetricFormat", "hours")};
    return {1, unit};
}

} // namespace mist
