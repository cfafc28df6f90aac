#pragma once

#include "cli/clicontext.h"
#include "providers/provider.h"

#include <QStringList>

namespace mist {

// `mist start|stop|reboot|suspend|resume|power-off|destroy MACHINE...` and
// `mist rename MACHINE NEW_NAME`: checks every machine first, asks before destructive
// actions, runs them through ProviderCall, audits each, then polls the clouds involved
// once so the inventory shows the new state.
class ActionCommands
{
public:
    explicit ActionCommands(CliContext &ctx);

    static bool isActionCommand(const QString &command);
    int run(const QString &action, const QStringList &args);

    static QString summary();

private:
    struct Target
    {
        Machine machine;
        Cloud cloud;
    };

    Result<QVector<Target>> resolve(const QStringList &names, const QString &action);
    // True when the user agreed (or --yes); an error code to return otherwise.
    std::optional<int> confirm(const ArgParser &p, const QString &action, const QVector<Target> &targets);
    void audit(const Target &t, const ActionRequest &request, const Status &result);

    CliContext &m_ctx;
};

} // namespace mist
