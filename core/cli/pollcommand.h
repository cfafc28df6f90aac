#pragma once

#include "cli/clicontext.h"

#include <QStringList>

namespace mist {

// `mist poll [CLOUD]...`: polls synchronously on the main thread with the GUI workers'
// code (ProviderCall::poll) and applies the result to the inventory.
class PollCommand
{
public:
    struct Outcome
    {
        Cloud cloud;
        bool ok = false;        // the provider answered and the result was stored
        bool partial = false;   // answered, but not every machine could be listed
        int added = 0;
        int changed = 0;
        int missing = 0;        // no longer reported, kept for the grace period
        int removed = 0;        // missing for longer than the grace period, now gone
        Error error;            // why it failed, or what the partial poll lacked
    };

    explicit PollCommand(CliContext &ctx);

    int run(const QStringList &args);
    // One poll of one cloud, applied to the store (also used after machine actions).
    Outcome pollOnce(const Cloud &cloud);

    static QString summary();

private:
    CliContext &m_ctx;
};

} // namespace mist
