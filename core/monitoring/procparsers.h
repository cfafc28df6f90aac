#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>
#include <QVector>

#include <optional>

// Pure parsers for the Linux files monitoring reads (/proc/stat, /proc/loadavg, /proc/meminfo,
// /proc/net/dev, /proc/diskstats, /proc/uptime) and for `df -kP` output. Text in, structs out:
// odd content gives an Error (or skips the odd line), never a crash. Any thread.
namespace mist::proc {

// Jiffies of one CPU line ("cpu" or "cpuN"). Fields an old kernel does not print stay 0.
struct CpuTimes
{
    int index = -1;   // -1 for the "cpu" (all cores) line
    quint64 user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;

    // guest/guest_nice are already counted in user/nice, so they are left out.
    quint64 idleAll() const { return idle + iowait; }
    quint64 total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
};

struct Stat
{
    CpuTimes total;
    QVector<CpuTimes> cores;   // in file order; offline cores are simply absent
    qint64 bootTime = 0;       // "btime" (seconds since the epoch), 0 if absent
};

struct LoadAvg
{
    double load1 = 0, load5 = 0, load15 = 0;
};

struct MemInfo
{
    quint64 totalKb = 0, freeKb = 0, availableKb = 0, buffersKb = 0, cachedKb = 0;
    quint64 swapTotalKb = 0, swapFreeKb = 0;
    bool availableEstimated = false;   // no MemAvailable (kernel < 3.14): free + buffers + cached
};

struct NetInterface
{
    QString name;
    quint64 rxBytes = 0, rxPackets = 0, txBytes = 0, txPackets = 0;
};

struct DiskIo
{
    QString name;
    quint64 reads = 0, sectorsRead = 0, writes = 0, sectorsWritten = 0;
};

struct DfEntry
{
    QString filesystem;
    QString mount;
    quint64 totalKb = 0, usedKb = 0, availableKb = 0;
};

struct Uptime
{
    double seconds = 0;
    double idleSeconds = 0;
};

Result<Stat> parseStat(const QByteArray &text);
Result<LoadAvg> parseLoadAvg(const QByteArray &text);
Result<MemInfo> parseMemInfo(const QByteArray &text);
Result<QVector<NetInterface>> parseNetDev(const QByteArray &text);
Result<QVector<DiskIo>> parseDiskStats(const QByteArray &text);
Result<QVector<DfEntry>> parseDf(const QByteArray &text);   // `df -kP` (POSIX format, 1K blocks)
Result<Uptime> parseUptime(const QByteArray &text);

// Pseudo file systems (tmpfs, overlay, /proc, /sys, /dev, /run...) that say nothing about disk space.
bool isPseudoMount(const DfEntry &entry);
// Devices counted for disk I/O: whole disks, not partitions of a listed disk, loop or ram devices.
bool isCountedDisk(const QString &name, const QVector<DiskIo> &all);

} // namespace mist::proc
