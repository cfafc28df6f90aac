#pragma once

#include "monitoring/metricsample.h"
#include "monitoring/procparsers.h"

#include <optional>

namespace mist {

// Everything one read of a Linux machine gave, parsed. A part that could not be read is
// absent (its Error is in `errors`); the other parts still count.
struct LinuxSnapshot
{
    qint64 timestampMs = 0;     // wall clock when it was taken (ms since the epoch)
    qint64 monotonicMs = 0;     // steady clock of this process: the interval when uptime is missing
    std::optional<proc::Stat> stat;
    std::optional<proc::LoadAvg> loadAvg;
    std::optional<proc::MemInfo> memInfo;
    std::optional<QVector<proc::NetInterface>> netDev;
    std::optional<QVector<proc::DiskIo>> diskStats;
    std::optional<QVector<proc::DfEntry>> df;
    std::optional<proc::Uptime> uptime;
    QVector<Error> errors;
};

// Turns two successive snapshots into metrics (pure, any thread). Metric names (label):
//   cpu.percent ("" total, "cpuN" per core) %, load.1 / load.5 / load.15,
//   mem.total_bytes / mem.available_bytes / mem.used_bytes, mem.used_percent %,
//   swap.total_bytes / swap.used_bytes, disk.used_percent (mount) %,
//   diskio.read_bytes_per_s / diskio.write_bytes_per_s (disk), net.rx_bytes_per_s /
//   net.tx_bytes_per_s (interface, "lo" left out), uptime.seconds.
//  * Gauges (load, memory, swap, disk used %, uptime) come from `current` alone.
//  * Rates (CPU %, disk and network bytes/s) need `previous`. The interval is the difference of
//    the machine's own uptimes (so SSH latency does not distort it), else of monotonicMs.
//  * A counter that went down (reset, 32-bit wrap, device re-added) skips that one series for
//    this sample; a reboot (uptime or btime went back) skips every rate. The next sample
//    measures from the new baseline, so there are no negative or huge spikes.
class RateCalculator
{
public:
    static MetricSampleSet compute(const LinuxSnapshot *previous, const LinuxSnapshot &current);
    static bool rebooted(const LinuxSnapshot &previous, const LinuxSnapshot &current);
    // Seconds between the two snapshots; nullopt when not measurable (reboot, clock going back).
    static std::optional<double> interval(const LinuxSnapshot &previous, const LinuxSnapshot &current);
};

} // namespace mist
