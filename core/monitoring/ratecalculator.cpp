#include "monitoring/ratecalculator.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace mist {

namespace {

constexpr double kMinIntervalSeconds = 0.05;
// Above this a "rate" is garbage (a counter that jumped), not traffic.
constexpr double kMaxBytesPerSecond = 1e12;

std::optional<double> counterRate(quint64 before, quint64 after, double seconds, double factor = 1.0)
{
    if (after < before)
        return std::nullopt;   // reset or wrap: skip rather than guess
    const double r = double(after - before) * factor / seconds;
    if (r > kMaxBytesPerSecond)
        return std::nullopt;
    return r;
}

std::optional<double> cpuPercent(const proc::CpuTimes &a, const proc::CpuTimes &b)
{
    const quint64 fa[] = {a.user, a.nice, a.system, a.idle, a.iowait, a.irq, a.softirq, a.steal};
    const quint64 fb[] = {b.user, b.nice, b.system, b.idle, b.iowait, b.irq, b.softirq, b.steal};
    for (int i = 0; i < 8; ++i) {
        if (fb[i] < fa[i])
            return std::nullopt;
    }
    const quint64 total = b.total() - a.total();
    if (total == 0)
        return std::nullopt;
    const quint64 idle = b.idleAll() - a.idleAll();
    return std::clamp(100.0 * double(total - std::min(idle, total)) / double(total), 0.0, 100.0);
}

void add(MetricSampleSet &s, const QString &name, const QString &label, const QString &unit, double value)
{
    if (std::isfinite(value))
        s.points.append(MetricPoint{name, label, unit, value});
}

void addGauges(MetricSampleSet &s, const LinuxSnapshot &c)
{
    const QString bytes = QStringLiteral("bytes");
    const QString percent = QStringLiteral("%");
    if (c.loadAvg) {
        add(s, QStringLiteral("load.1"), {}, {}, c.loadAvg->load1);
        add(s, QStringLiteral("load.5"), {}, {}, c.loadAvg->load5);
        add(s, QStringLiteral("load.15"), {}, {}, c.loadAvg->load15);
    }
    if (c.memInfo) {
        const proc::MemInfo &m = *c.memInfo;
        add(s, QStringLiteral("mem.total_bytes"), {}, bytes, double(m.totalKb) * 1024);
        add(s, QStringLiteral("mem.available_bytes"), {}, bytes, double(m.availableKb) * 1024);
        add(s, QStringLiteral("mem.used_bytes"), {}, bytes, double(m.totalKb - m.availableKb) * 1024);
        add(s, QStringLiteral("mem.used_percent"), {}, percent, 100.0 * double(m.totalKb - m.availableKb) / double(m.totalKb));
        add(s, QStringLiteral("swap.total_bytes"), {}, bytes, double(m.swapTotalKb) * 1024);
        add(s, QStringLiteral("swap.used_bytes"), {}, bytes, double(m.swapTotalKb - m.swapFreeKb) * 1024);
    }
    if (c.df) {
        for (const proc::DfEntry &e : *c.df) {
            if (proc::isPseudoMount(e))
                continue;
            // Like df's Use%: used / (used + available); reserved blocks are not available.
            const quint64 usable = e.usedKb + e.availableKb;
            if (usable > 0)
                add(s, QStringLiteral("disk.used_percent"), e.mount, percent, 100.0 * double(e.usedKb) / double(usable));
        }
    }
    if (c.uptime)
        add(s, QStringLiteral("uptime.seconds"), {}, QStringLiteral("s"), c.uptime->seconds);
}

void addCpu(MetricSampleSet &s, const proc::Stat &a, const proc::Stat &b)
{
    const QString percent = QStringLiteral("%");
    if (auto p = cpuPercent(a.total, b.total))
        add(s, QStringLiteral("cpu.percent"), {}, percent, *p);
    QHash<int, const proc::CpuTimes *> before;
    for (const proc::CpuTimes &c : a.cores)
        before.insert(c.index, &c);
    for (const proc::CpuTimes &c : b.cores) {
        const proc::CpuTimes *old = before.value(c.index);
        if (!old)
            continue;   // a core that just came online: next time
        if (auto p = cpuPercent(*old, c))
            add(s, QStringLiteral("cpu.percent"), QStringLiteral("cpu%1").arg(c.index), percent, *p);
    }
}

void addDiskIo(MetricSampleSet &s, const QVector<proc::DiskIo> &a, const QVector<proc::DiskIo> &b, double dt)
{
    QHash<QString, const proc::DiskIo *> before;
    for (const proc::DiskIo &d : a)
        before.insert(d.name, &d);
    const QString unit = QStringLiteral("bytes/s");
    for (const proc::DiskIo &d : b) {
        const proc::DiskIo *old = before.value(d.name);
        if (!old || !proc::isCountedDisk(d.name, b))
            continue;
        // diskstats counts 512-byte sectors whatever the device's real sector size.
        const auto r = counterRate(old->sectorsRead, d.sectorsRead, dt, 512.0);
        const auto w = counterRate(old->sectorsWritten, d.sectorsWritten, dt, 512.0);
        if (r && w) {
            add(s, QStringLiteral("diskio.read_bytes_per_s"), d.name, unit, *r);
            add(s, QStringLiteral("diskio.write_bytes_per_s"), d.name, unit, *w);
        }
    }
}

void addNet(MetricSampleSet &s, const QVector<proc::NetInterface> &a, const QVector<proc::NetInterface> &b, double dt)
{
    QHash<QString, const proc::NetInterface *> before;
    for (const proc::NetInterface &n : a)
        before.insert(n.name, &n);
    const QString unit = QStringLiteral("bytes/s");
    for (const proc::NetInterface &n : b) {
        const proc::NetInterface *old = before.value(n.name);
        if (!old || n.name == QLatin1String("lo"))
            continue;
        const auto rx = counterRate(old->rxBytes, n.rxBytes, dt);
        const auto tx = counterRate(old->txBytes, n.txBytes, dt);
        if (rx && tx) {
            add(s, QStringLiteral("net.rx_bytes_per_s"), n.name, unit, *rx);
            add(s, QStringLiteral("net.tx_bytes_per_s"), n.name, unit, *tx);
        }
    }
}

} // namespace

bool RateCalculator::rebooted(const LinuxSnapshot &p, const LinuxSnapshot &c)
{
    if (p.uptime && c.uptime && c.uptime->seconds < p.uptime->seconds)
        return true;
    // btime moves by a second or so with NTP adjustments; a reboot moves it much more.
    if (p.stat && c.stat && p.stat->bootTime > 0 && c.stat->bootTime > 0
        && std::abs(c.stat->bootTime - p.stat->bootTime) > 5)
        return true;
    return false;
}

std::optional<double> RateCalculator::interval(const LinuxSnapshot &p, const LinuxSnapshot &c)
{
    if (rebooted(p, c))
        return std::nullopt;
    double dt = 0;
    if (p.uptime && c.uptime)
        dt = c.uptime->seconds - p.uptime->seconds;
    else
        dt = double(c.monotonicMs - p.monotonicMs) / 1000.0;
    if (!(dt >= kMinIntervalSeconds))
        return std::nullopt;
    return dt;
}

MetricSampleSet RateCalculator::compute(const LinuxSnapshot *previous, const LinuxSnapshot &current)
{
    MetricSampleSet s;
    s.timestampMs = current.timestampMs;
    s.warnings = current.errors;
    addGauges(s, current);
    if (!previous)
        return s;
    const auto dt = interval(*previous, current);
    if (!dt)
        return s;   // first sample after a reboot: rates restart from here
    if (previous->stat && current.stat)
        addCpu(s, *previous->stat, *current.stat);
    if (previous->diskStats && current.diskStats)
        addDiskIo(s, *previous->diskStats, *current.diskStats, *dt);
    if (previous->netDev && current.netDev)
        addNet(s, *previous->netDev, *current.netDev, *dt);
    return s;
}

} // namespace mist
