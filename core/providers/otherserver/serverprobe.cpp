#include "serverprobe.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

namespace mist {

namespace {

// Splits "@@name" sections; text before the first header is ignored (login banners, motd).
QHash<QString, QStringList> sections(const QString &output)
{
    QHash<QString, QStringList> out;
    QString current;
    const QStringList lines = output.split(QLatin1Char('\n'));
    for (QString line : lines) {
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        if (line.startsWith(QLatin1String("@@"))) {
            current = line.mid(2).trimmed();
            out[current];   // present even when empty
            continue;
        }
        if (!current.isEmpty())
            out[current] << line;
    }
    return out;
}

QString firstNonEmpty(const QStringList &lines)
{
    for (const QString &l : lines)
        if (!l.trimmed().isEmpty())
            return l.trimmed();
    return {};
}

QString unquote(QString v)
{
    v = v.trimmed();
    if (v.size() >= 2 && (v.startsWith(QLatin1Char('"')) || v.startsWith(QLatin1Char('\''))) && v.endsWith(v.front()))
        v = v.mid(1, v.size() - 2);
    return v;
}

void parseOsRelease(const QStringList &lines, ServerProbe &p)
{
    QString name, version;
    for (const QString &l : lines) {
        const int eq = l.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        const QString key = l.left(eq).trimmed();
        const QString value = unquote(l.mid(eq + 1));
        if (key == QLatin1String("PRETTY_NAME"))
            p.distro = value;
        else if (key == QLatin1String("NAME"))
            name = value;
        else if (key == QLatin1String("VERSION_ID"))
            version = value;
    }
    if (p.distro.isEmpty() && !name.isEmpty())
        p.distro = version.isEmpty() ? name : name + QLatin1Char(' ') + version;
}

void parseUname(const QStringList &lines, ServerProbe &p)
{
    // `uname -snrm`: kernel name, node name, release, machine.
    const QStringList f = firstNonEmpty(lines).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (f.size() >= 1)
        p.kernelName = f.at(0);
    if (f.size() >= 2)
        p.hostname = f.at(1);
    if (f.size() >= 3)
        p.kernelRelease = f.at(2);
    if (f.size() >= 4)
        p.arch = f.at(3);
}

void parseMeminfo(const QStringList &lines, ServerProbe &p)
{
    static const QRegularExpression re(QStringLiteral(R"(^(\w+):\s+(\d+)\s*kB)"));
    for (const QString &l : lines) {
        const auto m = re.match(l);
        if (!m.hasMatch())
            continue;
        const qint64 mb = m.captured(2).toLongLong() / 1024;
        if (m.captured(1) == QLatin1String("MemTotal"))
            p.memTotalMb = mb;
        else if (m.captured(1) == QLatin1String("MemAvailable"))
            p.memAvailableMb = mb;
    }
}

void parseDf(const QStringList &lines, ServerProbe &p)
{
    // POSIX `df -P -k`: Filesystem 1024-blocks Used Available Capacity Mounted-on. The mount
    // point is everything after the fifth field, so mounts with spaces survive.
    static const QRegularExpression re(QStringLiteral(R"(^\S+\s+(\d+)\s+(\d+)\s+\d+\s+(\d+)%\s+(.+)$)"));
    for (const QString &l : lines) {
        const auto m = re.match(l);
        if (!m.hasMatch())
            continue;
        ServerProbe::Disk d;
        d.sizeKb = m.captured(1).toLongLong();
        d.usedKb = m.captured(2).toLongLong();
        d.usedPercent = m.captured(3).toInt();
        d.mount = m.captured(4);
        if (d.sizeKb > 0)
            p.disks << d;
    }
}

void parseSysctl(const QStringList &lines, ServerProbe &p)
{
    // BSD/macOS: "hw.ncpu: 8", "hw.memsize: 17179869184" / "hw.physmem: ...".
    for (const QString &l : lines) {
        const int colon = l.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            continue;
        const QString key = l.left(colon).trimmed();
        const qint64 value = l.mid(colon + 1).trimmed().toLongLong();
        if (key == QLatin1String("hw.ncpu") && p.cores == 0)
            p.cores = int(value);
        else if ((key == QLatin1String("hw.memsize") || key == QLatin1String("hw.physmem")) && p.memTotalMb == 0)
            p.memTotalMb = value / (1024 * 1024);
    }
}

} // namespace

QString ServerProbe::script()
{
    // One line per tool, each allowed to fail; LC_ALL=C keeps number formats parseable.
    return QStringLiteral(
        "export LC_ALL=C; "
        "echo @@uname; uname -snrm 2>/dev/null; "
        "echo @@os-release; cat /etc/os-release 2>/dev/null; "
        "echo @@uptime; cat /proc/uptime 2>/dev/null; "
        "echo @@nproc; (nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null); "
        "echo @@meminfo; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo 2>/dev/null; "
        "echo @@sysctl; [ -r /proc/meminfo ] || sysctl hw.ncpu hw.memsize hw.physmem 2>/dev/null; "
        "echo @@df; df -P -k -x tmpfs -x devtmpfs -x overlay -x squashfs 2>/dev/null || df -P -k 2>/dev/null; "
        "echo @@ips; hostname -I 2>/dev/null; "
        "echo @@end");
}

ServerProbe ServerProbe::parse(const QString &output)
{
    ServerProbe p;
    const auto s = sections(output);
    parseUname(s.value(QStringLiteral("uname")), p);
    parseOsRelease(s.value(QStringLiteral("os-release")), p);
    const QString uptime = firstNonEmpty(s.value(QStringLiteral("uptime")));
    bool ok = false;
    const double up = uptime.section(QLatin1Char(' '), 0, 0).toDouble(&ok);
    if (ok && up >= 0)
        p.uptimeSeconds = qint64(up);
    p.cores = qMax(0, firstNonEmpty(s.value(QStringLiteral("nproc"))).toInt());
    parseMeminfo(s.value(QStringLiteral("meminfo")), p);
    parseSysctl(s.value(QStringLiteral("sysctl")), p);
    parseDf(s.value(QStringLiteral("df")), p);
    p.ips = firstNonEmpty(s.value(QStringLiteral("ips"))).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    return p;
}

QString ServerProbe::osDescription() const
{
    if (!distro.isEmpty())
        return distro;
    return QStringList{kernelName, kernelRelease}.join(QLatin1Char(' ')).trimmed();
}

QDateTime ServerProbe::bootTime(const QDateTime &now) const
{
    if (!uptimeSeconds)
        return {};
    const qint64 boot = now.toSecsSinceEpoch() - *uptimeSeconds;
    return QDateTime::fromSecsSinceEpoch((boot + 30) / 60 * 60, Qt::UTC);
}

void ServerProbe::applyTo(Machine &machine, const QDateTime &now) const
{
    machine.os = osDescription();
    machine.cores = cores;
    machine.memoryMb = memTotalMb;
    QJsonObject probe;
    if (!hostname.isEmpty())
        probe[QStringLiteral("hostname")] = hostname;
    if (!kernelRelease.isEmpty())
        probe[QStringLiteral("kernel")] = QStringList{kernelName, kernelRelease}.join(QLatin1Char(' '));
    if (!arch.isEmpty())
        probe[QStringLiteral("arch")] = arch;
    if (const QDateTime boot = bootTime(now); boot.isValid())
        probe[QStringLiteral("booted_at")] = boot.toString(Qt::ISODate);
    QJsonArray disks;
    for (const Disk &d : this->disks)
        disks.append(QJsonObject{{QStringLiteral("mount"), d.mount},
                                 {QStringLiteral("size_gb"), qRound(d.sizeKb / 1048576.0 * 10) / 10.0},
                                 {QStringLiteral("used_percent"), d.usedPercent}});
    if (!disks.isEmpty())
        probe[QStringLiteral("disks")] = disks;
    machine.extra[QStringLiteral("probe")] = probe;
}

} // namespace mist
