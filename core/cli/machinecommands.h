#pragma once

#include "cli/clicontext.h"

#include <QStringList>

namespace mist {

// `mist machines` (list with filters), `mist machine` (details) and `mist tag`.
class MachineCommands
{
public:
    explicit MachineCommands(CliContext &ctx);

    int list(const QStringList &args);
    int show(const QStringList &args);
    int tag(const QStringList &args);

    static QString summary();   // the lines for `mist --help`

private:
    // A new cloud (This computer after the first start) lists nothing until polled: poll
    // those once, as the desktop app does at start. False when any was polled.
    bool pollNeverPolled(const QVector<qint64> &onlyClouds);

    CliContext &m_ctx;
};

} // namespace mist
