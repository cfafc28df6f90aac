#include "monitoring/procparsers.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cmath>

namespace mist::proc {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ProcParsers", text);
}

Error parseError(const char *file, const QString &detail)
{
    return Error{tr("The machine's %1 could not be read.").arg(QLatin1String(file)), detail};
}

QList<QByteArray> lines(const QByteArray &text)
{
    QList<QByteArray> out = text.split('\n');
    for (QByteArray &l : out) {
        if (l.endsWith('\r'))
            l.chop(1);
    }
    return out;
}

QList<QByteArray> tokens(const QByteArray &line)
{
    return line.simplified().split(' ');
}

std::optional<quint64> toU64(const QByteArray &token)
{
    bool ok = false;
    const quint64 v = token.toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    return v;
}

std::optional<double> toDouble(const QByteArray &token)
{
    bool ok = false;
    const double v = token.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

QString excerpt(const QByteArray &line)
{
    return QString::fromUtf8(line.left(80));
}

// "cpu 1 2 3 4 ..." -> CpuTimes; at least user/nice/system/idle must be there.
std::optional<CpuTimes> cpuLine(const QList<QByteArray> &t, int index)
{
    if (t.size() < 5)
        return std::nullopt;
    quint64 *fields[] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
    CpuTimes c;
    c.index = index;
    fields[0] = &c.user; fields[1] = &c.nice; fields[2] = &c.system; fields[3] = &c.idle;
    fields[4] = &c.iowait; fields[5] = &c.irq; fields[6] = &c.softirq; fields[7] = &c.steal;
    for (int i = 0; i < 8 && i + 1 < t.size(); ++i) {
        auto v = toU64(t[i + 1]);
        if (!v)
            return std::nullopt;
        *fields[i] = *v;
    }
    return c;
}

} // namespace

Result<Stat> parseStat(const QByteArray &text)
{
    Stat s;
    bool haveTotal = false;
    for (const QByteArray &line : lines(text)) {
        if (!line.startsWith("cpu") && !line.startsWith("btime"))
            continue;
        const QList<QByteArray> t = tokens(line);
        if (t.isEmpty())
            continue;
        if (t[0] == "btime") {
            if (t.size() >= 2)
                s.bootTime = qint64(toU64(t[1]).value_or(0));
            continue;
        }
        if (t[0] == "cpu") {
            auto c = cpuLine(t, -1);
            if (!c)
                return parseError("/proc/stat", QStringLiteral("bad cpu line: ") + excerpt(line));
            s.total = *c;
            haveTotal = true;
            continue;
        }
        bool ok = false;
        const int index = t[0].mid(3).toInt(&ok);
        if (!ok || index < 0)
            continue;   // not a core line
        auto c = cpuLine(t, index);
        if (!c)
            return parseError("/proc/stat", QStringLiteral("bad cpu line: ") + excerpt(line));
        s.cores.append(*c);
    }
    if (!haveTotal)
        return parseError("/proc/stat", QStringLiteral("no \"cpu\" line"));
    return s;
}

Result<LoadAvg> parseLoadAvg(const QByteArray &text)
{
    const QList<QByteArray> t = tokens(text.trimmed());
    if (t.size() < 3)
        return parseError("/proc/loadavg", QStringLiteral("expected three numbers, got: ") + excerpt(text));
    LoadAvg l;
    double *out[] = {&l.load1, &l.load5, &l.load15};
    for (int i = 0; i < 3; ++i) {
        auto v = toDouble(t[i]);
        if (!v || *v < 0)
            return parseError("/proc/loadavg", QStringLiteral("not a load average: ") + excerpt(t[i]));
        *out[i] = *v;
    }
    return l;
}

Result<MemInfo> parseMemInfo(const QByteArray &text)
{
    MemInfo m;
    bool haveTotal = false, haveFree = false, haveAvailable = false;
    for (const QByteArray &line : lines(text)) {
        const int colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray key = line.left(colon).trimmed();
        const QList<QByteArray> t = tokens(line.mid(colon + 1));
        if (t.isEmpty())
            continue;
        auto v = toU64(t[0]);
        // Values are in kB; a value in another unit or not a number is ignored for that key.
        if (!v || (t.size() > 1 && t[1] != "kB") || *v > (quint64(1) << 50))
            continue;
        if (key == "MemTotal") { m.totalKb = *v; haveTotal = true; }
        else if (key == "MemFree") { m.freeKb = *v; haveFree = true; }
        else if (key == "MemAvailable") { m.availableKb = *v; haveAvailable = true; }
        else if (key == "Buffers") m.buffersKb = *v;
        else if (key == "Cached") m.cachedKb = *v;
        else if (key == "SwapTotal") m.swapTotalKb = *v;
        else if (key == "SwapFree") m.swapFreeKb = *v;
    }
    if (!haveTotal || m.totalKb == 0)
        return parseError("/proc/meminfo", QStringLiteral("no usable MemTotal"));
    if (!haveAvailable) {
        if (!haveFree)
            return parseError("/proc/meminfo", QStringLiteral("neither MemAvailable nor MemFree"));
        m.availableKb = m.freeKb + m.buffersKb + m.cachedKb;
        m.availableEstimated = true;
    }
    m.availableKb = std::min(m.availableKb, m.totalKb);
    m.swapFreeKb = std::min(m.swapFreeKb, m.swapTotalKb);
    return m;
}

Result<QVector<NetInterface>> parseNetDev(const QByteArray &text)
{
    QVector<NetInterface> out;
    bool sawHeader = false;
    for (const QByteArray &line : lines(text)) {
        if (line.contains('|')) {
            sawHeader = true;
            continue;
        }
        const int colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        // "eth0: 1 2 ..." and the old "eth0:1 2 ..." both split at the colon.
        const QList<QByteArray> t = tokens(line.mid(colon + 1));
        if (t.size() < 16)
            continue;   // a truncated line: skip that interface only
        NetInterface n;
        n.name = QString::fromUtf8(line.left(colon).trimmed());
        auto rx = toU64(t[0]), rxp = toU64(t[1]), tx = toU64(t[8]), txp = toU64(t[9]);
        if (n.name.isEmpty() || !rx || !rxp || !tx || !txp)
            continue;
        n.rxBytes = *rx; n.rxPackets = *rxp; n.txBytes = *tx; n.txPackets = *txp;
        out.append(n);
    }
    if (out.isEmpty() && !sawHeader)
        return parseError("/proc/net/dev", QStringLiteral("no interface table"));
    return out;
}

Result<QVector<DiskIo>> parseDiskStats(const QByteArray &text)
{
    QVector<DiskIo> out;
    bool sawLine = false;
    for (const QByteArray &line : lines(text)) {
        const QList<QByteArray> t = tokens(line);
        if (t.size() < 3 || t[0].isEmpty())
            continue;
        sawLine = true;
        if (t.size() < 14)
            continue;   // 14 fields since 2.6; anything shorter is not a disk line
        auto reads = toU64(t[3]), sr = toU64(t[5]), writes = toU64(t[7]), sw = toU64(t[9]);
        if (!toU64(t[0]) || !reads || !sr || !writes || !sw)
            continue;
        DiskIo d;
        d.name = QString::fromUtf8(t[2]);
        d.reads = *reads; d.sectorsRead = *sr; d.writes = *writes; d.sectorsWritten = *sw;
        out.append(d);
    }
    if (out.isEmpty() && sawLine)
        return parseError("/proc/diskstats", QStringLiteral("no line in the expected format"));
    return out;
}

Result<QVector<DfEntry>> parseDf(const QByteArray &text)
{
    // Filesystem 1024-blocks Used Available Capacity Mounted-on; names and mounts may hold spaces.
    static const QRegularExpression row(
        QStringLiteral("^(.+?)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+%|-)\\s+(/.*)$"));
    QVector<DfEntry> out;
    bool sawHeader = false;
    for (const QByteArray &raw : lines(text)) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(QLatin1String("Filesystem"))) {
            sawHeader = true;
            continue;
        }
        const auto m = row.match(line);
        if (!m.hasMatch())
            continue;
        DfEntry e;
        e.filesystem = m.captured(1).trimmed();
        e.mount = m.captured(6);
        bool ok1 = false, ok2 = false, ok3 = false;
        e.totalKb = m.captured(2).toULongLong(&ok1);
        e.usedKb = m.captured(3).toULongLong(&ok2);
        e.availableKb = m.captured(4).toULongLong(&ok3);
        if (ok1 && ok2 && ok3)
            out.append(e);
    }
    if (out.isEmpty() && !sawHeader)
        return parseError("df output", QStringLiteral("no header and no file system line"));
    return out;
}

Result<Uptime> parseUptime(const QByteArray &text)
{
    const QList<QByteArray> t = tokens(text.trimmed());
    auto up = t.isEmpty() ? std::nullopt : toDouble(t[0]);
    // More than 100 years is not an uptime.
    if (!up || *up < 0 || *up > 100.0 * 365 * 86400)
        return parseError("/proc/uptime", QStringLiteral("not an uptime: ") + excerpt(text));
    Uptime u;
    u.seconds = *up;
    if (t.size() > 1)
        u.idleSeconds = toDouble(t[1]).value_or(0);
    return u;
}

bool isPseudoMount(const DfEntry &e)
{
    static const QStringList pseudoFs = {QStringLiteral("tmpfs"), QStringLiteral("devtmpfs"), QStringLiteral("udev"),
                                         QStringLiteral("overlay"), QStringLiteral("shm"), QStringLiteral("none"),
                                         QStringLiteral("squashfs"), QStringLiteral("efivarfs")};
    if (e.totalKb == 0 || pseudoFs.contains(e.filesystem))
        return true;
    for (const char *prefix : {"/proc", "/sys", "/dev", "/run", "/snap/"}) {
        const QLatin1String p(prefix);
        if (e.mount == p || e.mount.startsWith(p + (p.endsWith(QLatin1Char('/')) ? QString() : QStringLiteral("/"))))
            return true;
    }
    return false;
}

bool isCountedDisk(const QString &name, const QVector<DiskIo> &all)
{
    if (name.startsWith(QLatin1String("loop")) || name.startsWith(QLatin1String("ram"))
        || name.startsWith(QLatin1String("zram")) || name.startsWith(QLatin1String("sr")))
        return false;
    // A partition (sda1, nvme0n1p2, mmcblk0p1) of a disk that is also listed.
    for (const DiskIo &d : all) {
        if (d.name == name || !name.startsWith(d.name))
            continue;
        const QStringView rest = QStringView(name).mid(d.name.size());
        // sda -> sda1; a name ending in a digit takes a 'p': nvme0n1 -> nvme0n1p1 (not dm-1 -> dm-10).
        const bool needsP = d.name.back().isDigit();
        if (needsP && !rest.startsWith(QLatin1Char('p')))
            continue;
        const QStringView digits = needsP ? rest.mid(1) : rest;
        bool ok = false;
        (void)digits.toInt(&ok);
        if (ok)
            return false;
    }
    return true;
}

} // namespace mist::proc
