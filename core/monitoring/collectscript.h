#pragma once

#include "monitoring/ratecalculator.h"

#include <QByteArray>
#include <QHash>
#include <QString>

namespace mist {

// The one shell command that reads everything monitoring needs from a Linux machine, and the
// parser of its combined output. Run repeatedly over one open SSH session (exec on an open
// session costs a few ms). Pure; any thread.
class LinuxCollectScript
{
public:
    // A single line for `sh`: every part prints "@@MIST@@ <part>" then the file; a part
    // that fails prints nothing after its marker; "@@MIST@@ end" closes a complete answer.
    static QString command();
    // Section name ("stat", "loadavg", "meminfo", "net/dev", "diskstats", "uptime", "df") -> text.
    static QHash<QString, QByteArray> sections(const QByteArray &output);
    // Parses every section; a missing or odd part is an Error in `errors`, never a crash.
    static LinuxSnapshot parse(const QHash<QString, QByteArray> &sections);
    static LinuxSnapshot parse(const QByteArray &output) { return parse(sections(output)); }
};

} // namespace mist
