#include "monitoring/collectscript.h"

#include <QCoreApplication>

namespace mist {

namespace {

const QByteArray kMarker = QByteArrayLiteral("@@MIST@@ ");

template <typename T, typename Parser>
void parsePart(const QHash<QString, QByteArray> &sections, const char *name, Parser parser,
               std::optional<T> &out, QVector<Error> &errors)
{
    const auto it = sections.constFind(QLatin1String(name));
    if (it == sections.constEnd() || it->trimmed().isEmpty()) {
        errors.append(Error{QCoreApplication::translate("LinuxCollectScript", "The machine did not return %1.")
                                .arg(QLatin1String(name)),
                            QStringLiteral("empty or missing section")});
        return;
    }
    auto r = parser(*it);
    if (r)
        out = std::move(r).value();
    else
        errors.append(r.error());
}

} // namespace

QString LinuxCollectScript::command()
{
    // sh -c so a login shell that is not POSIX (fish, csh) still runs it. LC_ALL=C keeps df's
    // header and numbers parseable; timeout keeps a hung network mount from stalling the sample.
    return QStringLiteral(
        "sh -c 'export LC_ALL=C; "
        "for f in stat loadavg meminfo net/dev diskstats uptime; do "
        "printf \"\\n@@MIST@@ %s\\n\" \"$f\"; cat \"/proc/$f\" 2>/dev/null; done; "
        "printf \"\\n@@MIST@@ df\\n\"; "
        "if command -v timeout >/dev/null 2>&1; then timeout 5 df -kP 2>/dev/null; else df -kP 2>/dev/null; fi; "
        "printf \"\\n@@MIST@@ end\\n\"'");
}

QHash<QString, QByteArray> LinuxCollectScript::sections(const QByteArray &output)
{
    QHash<QString, QByteArray> out;
    QString current;
    QByteArray text;
    bool inSection = false;
    for (const QByteArray &line : output.split('\n')) {
        if (line.startsWith(kMarker)) {
            if (inSection)
                out.insert(current, text);
            current = QString::fromUtf8(line.mid(kMarker.size()).trimmed());
            text.clear();
            inSection = true;
            continue;
        }
        if (inSection) {
            text += line;
            text += '\n';
        }
    }
    if (inSection)
        out.insert(current, text);
    return out;
}

LinuxSnapshot LinuxCollectScript::parse(const QHash<QString, QByteArray> &s)
{
    LinuxSnapshot snap;
    if (!s.contains(QStringLiteral("end")))
        snap.errors.append(Error{QCoreApplication::translate("LinuxCollectScript", "The machine's answer was cut short."),
                                 QStringLiteral("no end marker")});
    parsePart(s, "stat", proc::parseStat, snap.stat, snap.errors);
    parsePart(s, "loadavg", proc::parseLoadAvg, snap.loadAvg, snap.errors);
    parsePart(s, "meminfo", proc::parseMemInfo, snap.memInfo, snap.errors);
    parsePart(s, "net/dev", proc::parseNetDev, snap.netDev, snap.errors);
    parsePart(s, "diskstats", proc::parseDiskStats, snap.diskStats, snap.errors);
    parsePart(s, "uptime", proc::parseUptime, snap.uptime, snap.errors);
    parsePart(s, "df", proc::parseDf, snap.df, snap.errors);
    return snap;
}

} // namespace mist
