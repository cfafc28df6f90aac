#pragma once

#include "cli/clicontext.h"
#include "monitoring/prometheus/prometheussources.h"

namespace mist {

// `mist monitoring prometheus add|remove|list|test`: the Prometheus / VictoriaMetrics servers
// in prometheus.json that feed machines' metrics instead of SSH.
class PrometheusCommands
{
public:
    explicit PrometheusCommands(CliContext &ctx);

    int run(QStringList args);
    static QString summary();

private:
    int help();
    int add(const QStringList &args);
    int remove(const QStringList &args);
    int list(const QStringList &args);
    int test(const QStringList &args);

    QString dataDir() const;
    QString filePath() const;
    Result<PrometheusSources> load();
    QString scopeText(const PrometheusSource &s);

    CliContext &m_ctx;
};

} // namespace mist
