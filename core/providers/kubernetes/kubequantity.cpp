#include "providers/kubernetes/kubequantity.h"

#include <cmath>

namespace mist {

namespace {

// Reads [sign] number at `i`; digits before or after the point (at least one).
std::optional<double> readNumber(const QString &s, qsizetype &i, bool allowFraction)
{
    const qsizetype start = i;
    if (i < s.size() && (s[i] == QLatin1Char('+') || s[i] == QLatin1Char('-')))
        ++i;
    qsizetype digits = 0;
    while (i < s.size() && s[i].isDigit() && s[i].unicode() < 128) {
        ++i;
        ++digits;
    }
    if (allowFraction && i < s.size() && s[i] == QLatin1Char('.')) {
        ++i;
        while (i < s.size() && s[i].isDigit() && s[i].unicode() < 128) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0)
        return std::nullopt;
    bool ok = false;
    const double v = s.mid(start, i - start).toDouble(&ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

std::optional<double> suffixFactor(const QString &suffix)
{
    struct Unit
    {
        const char *name;
        double factor;
    };
    static const Unit units[] = {
        {"", 1},         {"n", 1e-9},     {"u", 1e-6},     {"m", 1e-3},     {"k", 1e3},     {"M", 1e6},
        {"G", 1e9},      {"T", 1e12},     {"P", 1e15},     {"E", 1e18},     {"Ki", 0x1p10}, {"Mi", 0x1p20},
        {"Gi", 0x1p30},  {"Ti", 0x1p40},  {"Pi", 0x1p50},  {"Ei", 0x1p60},
    };
    for (const Unit &u : units) {
        if (suffix == QLatin1String(u.name))
            return u.factor;
    }
    return std::nullopt;
}

std::optional<double> finite(double v)
{
    return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

} // namespace

std::optional<double> parseKubeQuantity(const QString &text)
{
    qsizetype i = 0;
    const auto number = readNumber(text, i, true);
    if (!number)
        return std::nullopt;
    const QString suffix = text.mid(i);
    // "e3"/"E-2" is an exponent; a lone "E" is exa.
    if (suffix.size() > 1 && (suffix[0] == QLatin1Char('e') || suffix[0] == QLatin1Char('E'))) {
        qsizetype j = 1;
        const auto exponent = readNumber(suffix, j, false);
        if (!exponent || j != suffix.size() || std::abs(*exponent) > 300)
            return std::nullopt;
        return finite(*number * std::pow(10.0, *exponent));   // "9e300e..." is no number
    }
    const auto factor = suffixFactor(suffix);
    if (!factor)
        return std::nullopt;
    return finite(*number * *factor);
}

} // namespace mist
