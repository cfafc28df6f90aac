#pragma once

#include "inventory/machine.h"
#include "monitoring/collectors/providercollectors.h"
#include "monitoring/metriccollector.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <optional>

namespace mist {

class KubeApiClient;

// Metrics of a Kubernetes node, pod or container from metrics.k8s.io/v1beta1 (metrics-server),
// through the provider's KubeConnection/KubeApiClient:
//   cpu.percent (usage relative to the container's/pod's CPU limit, else its request, else the
//   node's capacity; may pass 100 when measured against a request), cpu.used_cores,
//   mem.used_bytes (working set), mem.total_bytes (memory limit, else node capacity),
//   mem.available_bytes, mem.used_percent.
// metrics-server refreshes every 15-60 s: a round whose figures have the same timestamp as the
// last one returns no sample. A cluster without the API group fails with a clear message and
// failureNeedsUser() (retried rarely). Blocking; one round at a time.
class KubeMetricsCollector : public MetricCollector
{
    Q_DECLARE_TR_FUNCTIONS(KubeMetricsCollector)

public:
    KubeMetricsCollector(QString connectionKey, ProviderCollectors::CredentialsFunction credentials, const Machine &machine);
    ~KubeMetricsCollector() override;

    Result<QVector<MetricSampleSet>> collectRound() override;
    bool failureNeedsUser() const override { return m_unavailable; }

    struct Usage
    {
        double cores = 0;
        double memoryBytes = 0;
        QString timestamp;   // when metrics-server measured it
    };
    // Pure: a PodMetrics object -> one container's usage (or the sum of all when `container` is empty).
    static Result<Usage> podUsage(const QJsonObject &podMetrics, const QString &container);
    // Pure: a NodeMetrics object -> usage.
    static Result<Usage> nodeUsage(const QJsonObject &nodeMetrics);
    // Pure: the sample of one usage against the allowances (absent: those series are left out).
    static MetricSampleSet compute(const Usage &usage, std::optional<double> cpuAllowanceCores,
                                   std::optional<double> memoryLimitBytes);

private:
    struct Allowance
    {
        std::optional<double> cores;
        std::optional<double> memoryBytes;
    };
    Result<std::shared_ptr<KubeApiClient>> client();
    Result<Usage> readUsage(KubeApiClient &api);
    Error notAvailable(KubeApiClient &api, const Error &original);
    Allowance allowance(KubeApiClient &api);
    Allowance nodeCapacity(KubeApiClient &api, const QString &node);

    QString m_key;
    ProviderCollectors::CredentialsFunction m_credentials;
    Machine m_machine;
    QString m_namespace, m_pod, m_container, m_node;
    QString m_lastTimestamp;
    bool m_unavailable = false;
    // Limits/capacity change rarely: read again every few minutes.
    std::optional<Allowance> m_allowance;
    qint64 m_allowanceAtMs = 0;
};

} // namespace mist
