#pragma once

#include "inventory/machine.h"

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace mist {

// What one SSH round trip learns about a server. The probe is a single POSIX shell script
// (no agent, nothing installed): its output has one "@@section" header per part, so a
// missing tool only empties its own section.
struct ServerProbe
{
    struct Disk
    {
        QString mount;
        qint64 sizeKb = 0;
        qint64 usedKb = 0;
        int usedPercent = 0;
    };

    QString hostname;
    QString kernelName;      // "Linux", "Darwin", "FreeBSD"
    QString kernelRelease;   // "6.1.0-18-amd64"
    QString arch;            // "x86_64"
    QString distro;          // os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)"
    std::optional<qint64> uptimeSeconds;
    int cores = 0;
    qint64 memTotalMb = 0;
    qint64 memAvailableMb = 0;
    QVector<Disk> disks;
    QStringList ips;

    static QString script();                         // the shell script to run
    static ServerProbe parse(const QString &output); // never fails; unknown text is skipped

    QString osDescription() const;                   // distro, else "Linux 6.1.0"
    // Boot time from the uptime, rounded to the minute so repeated probes agree.
    QDateTime bootTime(const QDateTime &now) const;
    // Fills the descriptive fields of `machine` and its extra["probe"] details.
    void applyTo(Machine &machine, const QDateTime &now) const;
};

} // namespace mist
