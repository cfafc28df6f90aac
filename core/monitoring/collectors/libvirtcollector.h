#pragma once

#ifdef MIST_WITH_LIBVIRT

#include "inventory/machine.h"
#include "monitoring/collectors/counterrates.h"
#include "monitoring/collectors/providercollectors.h"
#include "monitoring/metriccollector.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>

#include <memory>
#include <optional>

struct _virConnect;

namespace mist {

// What one round read of a libvirt domain: virDomainGetInfo plus the typed parameters of
// virDomainListGetStats (state, cpu-total, balloon, vcpu, interface, block), by name.
struct LibvirtDomainSnapshot
{
    int state = 0;                   // virDomainState
    int vcpus = 0;
    std::optional<double> cpuTimeNs; // cpu.time, else virDomainGetInfo's cpuTime
    QHash<QString, double> numbers;  // "balloon.current", "net.0.rx.bytes", ...
    QHash<QString, QString> strings; // "net.0.name", "block.0.name"
};

// Metrics of a KVM/libvirt VM from libvirt's domain stats, or of the hypervisor from the node
// stats, over one connection per (URI, user) shared by every collector of the process (kept
// open between rounds, opened again when it died):
//   VM: cpu.percent (cpu.time over the interval, of all its vCPUs), mem.total_bytes
//   (balloon.available, else balloon.current), mem.available_bytes (balloon.usable, else
//   balloon.unused), mem.used_bytes, mem.used_percent (need the guest's balloon driver),
//   mem.rss_bytes (QEMU's resident memory on the host), net.rx/tx_bytes_per_s (interface),
//   diskio.read/write_bytes_per_s (disk target, "vda").
//   Hypervisor: cpu.percent from virNodeGetCPUStats, mem.* from virNodeGetMemoryStats (or the
//   node's free memory).
// A VM that is not running fails with a clear message. Blocking; one round at a time.
class LibvirtCollector : public MetricCollector
{
    Q_DECLARE_TR_FUNCTIONS(LibvirtCollector)

public:
    LibvirtCollector(ProviderCollectors::CredentialsFunction credentials, const Machine &machine);
    ~LibvirtCollector() override;

    Result<QVector<MetricSampleSet>> collectRound() override;

    // Pure: the metrics of `current` after `previous` (null: first round), `seconds` apart.
    static MetricSampleSet compute(const LibvirtDomainSnapshot *previous, const LibvirtDomainSnapshot &current,
                                   CounterRates &rates, std::optional<double> seconds);

private:
    Result<std::shared_ptr<_virConnect>> connection();
    Result<MetricSampleSet> collectDomain(_virConnect *connection);
    Result<MetricSampleSet> collectNode(_virConnect *connection);

    ProviderCollectors::CredentialsFunction m_credentials;
    Machine m_machine;
    std::shared_ptr<_virConnect> m_connection;
    std::optional<LibvirtDomainSnapshot> m_previous;
    std::optional<QHash<QString, double>> m_previousNodeCpu;
    QElapsedTimer m_sincePrevious;
    CounterRates m_rates;
};

} // namespace mist

#endif // MIST_WITH_LIBVIRT
