#pragma once

#include "providers/provider.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace mist {

// Parsers for the Linux /proc files this provider reads. They take the file's text so tests
// can feed captured fixtures, and return nothing (never crash) on text they do not understand.
namespace procinfo {
std::optional<qint64> memTotalKb(const QString &meminfo);       // "MemTotal:  16318540 kB"
QString cpuModel(const QString &cpuinfo);                         // "model name : ..." or ""
std::optional<qint64> uptimeSeconds(const QString &uptime);      // "350735.47 234388.90"
} // namespace procinfo

// The computer Mist runs on, as a single always-running machine. Read-only: no actions.
class ThisComputerProvider : public Provider
{
    Q_DECLARE_TR_FUNCTIONS(ThisComputerProvider)

public:
    ProviderInfo info() const override;
    PollResult poll(const Credentials &credentials) override;
    QStringList allowedActions(const Machine &machine) const override;
    Status runAction(const Credentials &credentials, const Machine &machine,
                     const ActionRequest &request) override;
};

} // namespace mist
