#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "monitoring/custommetric.h"
#include "monitoring/metricsample.h"
#include "util/result.h"

#include <QPointer>
#include <QString>
#include <QVector>

#include <memory>

namespace mist {

class StoreService;

// One monitored machine's source of samples: SSH + /proc (MachineCollector), local /proc,
// libvirt domain stats, the Docker stats endpoint, metrics.k8s.io or a Prometheus server.
// Blocking: called on one collection worker at a time, never the GUI thread.
class MetricCollector
{
public:
    virtual ~MetricCollector() = default;

    // One collection round. Usually one set; a source that keeps history (Prometheus
    // query_range) may return several, oldest first, or none when nothing is new.
    virtual Result<QVector<MetricSampleSet>> collectRound() = 0;
    // The last failure needs the user (e.g. an unknown SSH host key): retried rarely and
    // the status says what to do.
    virtual bool failureNeedsUser() const { return false; }
    // The user's custom metrics for this machine (commands); collectors that cannot run
    // commands ignore them. Called from the GUI thread while a round may be running.
    virtual void setCustomMetrics(const QVector<CustomMetric> &metrics) { Q_UNUSED(metrics); }
};

// What a collector is made for. Built on the store thread when monitoring targets are resolved.
struct CollectorTarget
{
    Machine machine;
    Cloud cloud;
    bool local = false;               // "This computer" itself
    int intervalSeconds = 10;
    QString dataDir;                  // where monitoring.json / metrics.db live
    QPointer<StoreService> store;     // for SSH settings (blocking calls from the worker only)
};

// Picks the collector for a target: the first maker that wants it wins, SSH last.
class CollectorFactory
{
public:
    static std::unique_ptr<MetricCollector> make(const CollectorTarget &target);
    // The SSH (+ /proc) collector, or the local one for "This computer".
    static std::unique_ptr<MetricCollector> makeSsh(const CollectorTarget &target);
};

} // namespace mist
