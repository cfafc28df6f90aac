#pragma once

#include "inventory/machine.h"
#include "monitoring/collectors/counterrates.h"
#include "monitoring/collectors/providercollectors.h"
#include "monitoring/metriccollector.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QVector>

#include <optional>

namespace mist {

// One answer of GET /containers/{id}/stats (Engine API ContainerStatsResponse), parsed.
// Missing parts stay unset; what was odd is in `warnings`.
struct DockerStatsSample
{
    struct Cpu
    {
        quint64 total = 0;        // cpu_usage.total_usage, ns
        quint64 system = 0;       // system_cpu_usage, ns of all host CPUs
        int onlineCpus = 0;       // online_cpus, else the length of percpu_usage
    };
    struct Interface
    {
        QString name;
        quint64 rxBytes = 0;
        quint64 txBytes = 0;
    };
    struct Device
    {
        QString name;             // "major:minor"
        quint64 readBytes = 0;
        quint64 writeBytes = 0;
    };

    qint64 readNs = 0;            // "read": the engine's clock, ns since the epoch (0: unset)
    bool running = true;          // false: the all-zero answer the engine gives for a stopped container
    std::optional<Cpu> cpu;
    std::optional<Cpu> preCpu;    // precpu_stats (empty with one-shot)
    std::optional<double> memUsage;
    std::optional<double> memInactive;   // stats.inactive_file (cgroup v2) or stats.cache (v1)
    std::optional<double> memLimit;
    QVector<Interface> networks;
    QVector<Device> devices;
    QVector<Error> warnings;

    static Result<DockerStatsSample> parse(const QByteArray &json);
};

// Metrics of one Docker/Podman container from the Engine's stats endpoint (one-shot when the
// API has it, v1.41+), through the provider's DockerClient (unix, tcp+TLS or ssh://):
//   cpu.percent (% of the host's CPUs, 0-100 like /proc's total), cpu.used_cores,
//   mem.used_bytes (usage - inactive_file/cache), mem.total_bytes (the limit),
//   mem.available_bytes, mem.used_percent, net.rx/tx_bytes_per_s (interface),
//   diskio.read/write_bytes_per_s (device "major:minor").
// Rates come from two successive answers (the engine's "read" clock as the interval);
// counters that went down (restart) skip one round. Blocking; one round at a time.
class DockerStatsCollector : public MetricCollector
{
    Q_DECLARE_TR_FUNCTIONS(DockerStatsCollector)

public:
    DockerStatsCollector(QString connectionKey, ProviderCollectors::CredentialsFunction credentials, const Machine &container);

    Result<QVector<MetricSampleSet>> collectRound() override;
    Result<MetricSampleSet> collect();

    // Pure: the metrics of `current` given the previous answer (null: first round).
    static MetricSampleSet compute(const DockerStatsSample *previous, const DockerStatsSample &current,
                                   CounterRates &rates, std::optional<double> fallbackSeconds = {});

private:
    QString m_key;
    ProviderCollectors::CredentialsFunction m_credentials;
    QString m_containerId;
    QString m_name;
    std::optional<DockerStatsSample> m_previous;
    QElapsedTimer m_sincePrevious;
    CounterRates m_rates;
};

} // namespace mist
