#pragma once

#include "cli/clicontext.h"
#include "monitoring/metricsample.h"
#include "monitoring/monitoredmachines.h"

#include <optional>

namespace mist {

class MetricStore;

// `mist monitoring enable|disable|list|collect` (the rules in monitoring.json the app
// collects by) and `mist metrics` (what metrics.db holds).
class MonitoringCommands
{
public:
    explicit MonitoringCommands(CliContext &ctx);

    int run(QStringList args);       // mist monitoring ...
    int metrics(const QStringList &args);

    static QString summary();
    // "30m" -> 1,800,000 ms; s, m, h, d and w; nullopt for anything else.
    static std::optional<qint64> parseDuration(const QString &text);

private:
    int groupHelp();
    int enableOrDisable(const QStringList &args, bool enable);
    int list(const QStringList &args);
    int collect(const QStringList &args);
    int custom(QStringList args);   // mist monitoring custom add|list|remove
    int listSeries(const Machine &m, MetricStore &store);

    QString dataDir() const;
    Result<MonitoredMachines> loadRules();
    void printSamples(const MetricSampleSet &set);
    int print(const Records &records);   // writes, flushes, ExitCode::Ok

    CliContext &m_ctx;
};

} // namespace mist
