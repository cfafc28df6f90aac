#pragma once

#include "cli/clicontext.h"

#include <QDateTime>
#include <QStringList>

namespace mist {

// `mist audit`: the audit log, newest first, with the GUI's filters.
class AuditCommands
{
public:
    explicit AuditCommands(CliContext &ctx);

    int run(const QStringList &args);
    static QString summary();

    // "2024-05-01", "2024-05-01T10:00", an ISO 8601 time with offset, or an age before
    // `now`: "90s", "30m", "1h", "2d", "1w". Invalid on anything else.
    static QDateTime parseSince(const QString &text, const QDateTime &now);

private:
    CliContext &m_ctx;
};

} // namespace mist
