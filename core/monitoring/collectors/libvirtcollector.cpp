#include "monitoring/collectors/libvirtcollector.h"

#ifdef MIST_WITH_LIBVIRT

#include "providers/libvirt/libvirtmapping.h"
#include "providers/libvirt/libvirtprovider.h"
#include "util/logging.h"

#include <QDateTime>
#include <QMutex>
#include <QMutexLocker>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <vector>

namespace mist {

namespace {

QString lastLibvirtError()
{
    const virError *e = virGetLastError();
    const QString text = e && e->message ? QString::fromUtf8(e->message) : QString();
    virResetLastError();
    return text;
}

// One connection per (URI, user) for every collector: libvirtd limits its clients, and a
// host with 50 monitored VMs needs one connection, not 50.
QMutex g_mutex;
std::map<QString, std::weak_ptr<virConnect>> g_connections;

void readTypedParams(virTypedParameterPtr params, int count, LibvirtDomainSnapshot &out)
{
    for (int i = 0; i < count; ++i) {
        const virTypedParameter &p = params[i];
        const QString name = QString::fromUtf8(p.field);
        switch (p.type) {
        case VIR_TYPED_PARAM_INT: out.numbers.insert(name, p.value.i); break;
        case VIR_TYPED_PARAM_UINT: out.numbers.insert(name, p.value.ui); break;
        case VIR_TYPED_PARAM_LLONG: out.numbers.insert(name, double(p.value.l)); break;
        case VIR_TYPED_PARAM_ULLONG: out.numbers.insert(name, double(p.value.ul)); break;
        case VIR_TYPED_PARAM_DOUBLE: out.numbers.insert(name, p.value.d); break;
        case VIR_TYPED_PARAM_BOOLEAN: out.numbers.insert(name, p.value.b ? 1 : 0); break;
        case VIR_TYPED_PARAM_STRING: out.strings.insert(name, QString::fromUtf8(p.value.s)); break;
        default: break;
        }
    }
}

// Per-device counters of a stats group: "net.<i>.name" + "net.<i>.rx.bytes"...
void addDeviceRates(MetricSampleSet &s, CounterRates &rates, const LibvirtDomainSnapshot &d, const char *group,
                    const char *readField, const char *writeField, const QString &readName, const QString &writeName)
{
    const int count = int(d.numbers.value(QStringLiteral("%1.count").arg(QLatin1String(group)), 0));
    const QString unit = QStringLiteral("bytes/s");
    for (int i = 0; i < std::min(count, 4096); ++i) {
        const QString prefix = QStringLiteral("%1.%2.").arg(QLatin1String(group)).arg(i);
        const QString name = d.strings.value(prefix + QStringLiteral("name"));
        const auto r = d.numbers.constFind(prefix + QLatin1String(readField));
        const auto w = d.numbers.constFind(prefix + QLatin1String(writeField));
        if (name.isEmpty() || r == d.numbers.constEnd() || w == d.numbers.constEnd())
            continue;
        rates.addRate(s, readName, name, unit, r.value());
        rates.addRate(s, writeName, name, unit, w.value());
    }
}

} // namespace

LibvirtCollector::LibvirtCollector(ProviderCollectors::CredentialsFunction credentials, const Machine &machine)
    : m_credentials(std::move(credentials)), m_machine(machine)
{
}

LibvirtCollector::~LibvirtCollector() = default;

Result<std::shared_ptr<virConnect>> LibvirtCollector::connection()
{
    if (m_connection && virConnectIsAlive(m_connection.get()) == 1)
        return m_connection;
    m_connection.reset();
    m_previous.reset();
    m_previousNodeCpu.reset();
    auto credentials = m_credentials();
    if (!credentials)
        return credentials.error();
    auto uri = libvirt::resolveUri(credentials->value(QStringLiteral("uri")));
    if (!uri)
        return uri.error();
    const QString key = *uri + QLatin1Char('\n') + credentials->value(QStringLiteral("username"));
    {
        QMutexLocker lock(&g_mutex);
        if (auto shared = g_connections[key].lock(); shared && virConnectIsAlive(shared.get()) == 1)
            return m_connection = shared;
    }
    // Opened without the lock: an ssh or TLS handshake can take seconds.
    auto opened = LibvirtProvider::openStandalone(*uri, credentials.value());
    if (!opened)
        return opened.error();
    std::shared_ptr<virConnect> shared(opened.value(), [](virConnectPtr c) { virConnectClose(c); });
    QMutexLocker lock(&g_mutex);
    g_connections[key] = shared;
    return m_connection = shared;
}

MetricSampleSet LibvirtCollector::compute(const LibvirtDomainSnapshot *previous, const LibvirtDomainSnapshot &current,
                                          CounterRates &rates, std::optional<double> seconds)
{
    MetricSampleSet s;
    rates.startRound(previous ? seconds : std::nullopt);
    // cpu.time is ns of all vCPUs together: per second of wall time that is up to vcpus × 1e9.
    if (current.cpuTimeNs && current.vcpus > 0) {
        if (const auto r = rates.rate(QStringLiteral("cpu.time"), *current.cpuTimeNs))
            addMetric(s, QStringLiteral("cpu.percent"), {}, QStringLiteral("%"),
                      std::clamp(100.0 * *r / (1e9 * current.vcpus), 0.0, 100.0));
    }

    const auto kib = [&](const char *field) -> std::optional<double> {
        const auto it = current.numbers.constFind(QLatin1String(field));
        return it == current.numbers.constEnd() ? std::nullopt : std::optional<double>(it.value() * 1024.0);
    };
    const QString bytes = QStringLiteral("bytes");
    // "available" is the guest's own total, "usable" what it could still use (like MemAvailable);
    // both need the guest's balloon driver. Without them only the assigned memory is known.
    const auto total = kib("balloon.available") ? kib("balloon.available") : kib("balloon.current");
    const auto available = kib("balloon.usable") ? kib("balloon.usable") : kib("balloon.unused");
    if (total && *total > 0) {
        addMetric(s, QStringLiteral("mem.total_bytes"), {}, bytes, *total);
        if (available && *available <= *total) {
            addMetric(s, QStringLiteral("mem.available_bytes"), {}, bytes, *available);
            addMetric(s, QStringLiteral("mem.used_bytes"), {}, bytes, *total - *available);
            addMetric(s, QStringLiteral("mem.used_percent"), {}, QStringLiteral("%"), 100.0 * (*total - *available) / *total);
        }
    }
    if (const auto rss = kib("balloon.rss"))
        addMetric(s, QStringLiteral("mem.rss_bytes"), {}, bytes, *rss);

    addDeviceRates(s, rates, current, "net", "rx.bytes", "tx.bytes", QStringLiteral("net.rx_bytes_per_s"),
                   QStringLiteral("net.tx_bytes_per_s"));
    addDeviceRates(s, rates, current, "block", "rd.bytes", "wr.bytes", QStringLiteral("diskio.read_bytes_per_s"),
                   QStringLiteral("diskio.write_bytes_per_s"));
    return s;
}

Result<MetricSampleSet> LibvirtCollector::collectDomain(virConnect *connection)
{
    virDomainPtr domain = virDomainLookupByUUIDString(connection, m_machine.externalId.toLatin1().constData());
    if (!domain) {
        const QString detail = lastLibvirtError();
        return Error{tr("The virtual machine %1 no longer exists on the hypervisor.").arg(m_machine.name), detail};
    }
    std::unique_ptr<virDomain, int (*)(virDomainPtr)> guard(domain, virDomainFree);

    LibvirtDomainSnapshot snap;
    virDomainInfo info = {};
    if (virDomainGetInfo(domain, &info) < 0)
        return Error{tr("Could not read the state of %1.").arg(m_machine.name), lastLibvirtError()};
    snap.state = info.state;
    if (info.state != VIR_DOMAIN_RUNNING && info.state != VIR_DOMAIN_PAUSED && info.state != VIR_DOMAIN_BLOCKED) {
        m_previous.reset();
        return Error{tr("The virtual machine %1 is not running (%2).").arg(m_machine.name, libvirt::machineState(info.state)), {}};
    }
    snap.vcpus = info.nrVirtCpu;
    snap.cpuTimeNs = double(info.cpuTime);
    snap.numbers.insert(QStringLiteral("balloon.current"), double(info.memory));   // KiB, overridden by the stats

    MetricSampleSet s;
    virDomainPtr domains[] = {domain, nullptr};
    virDomainStatsRecordPtr *records = nullptr;
    const unsigned int groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON
        | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
    const int n = virDomainListGetStats(domains, groups, &records, 0);
    if (n < 0) {
        s.warnings << Error{tr("libvirt gave no detailed statistics for %1: only CPU and assigned memory.").arg(m_machine.name),
                            lastLibvirtError()};
    } else {
        for (int i = 0; i < n; ++i)
            readTypedParams(records[i]->params, records[i]->nparams, snap);
        virDomainStatsRecordListFree(records);
    }
    if (const auto it = snap.numbers.constFind(QStringLiteral("cpu.time")); it != snap.numbers.constEnd())
        snap.cpuTimeNs = it.value();
    if (const int current = int(snap.numbers.value(QStringLiteral("vcpu.current"), 0)); current > 0)
        snap.vcpus = current;

    const std::optional<double> seconds = m_sincePrevious.isValid()
        ? std::optional<double>(double(m_sincePrevious.nsecsElapsed()) / 1e9) : std::nullopt;
    MetricSampleSet computed = compute(m_previous ? &*m_previous : nullptr, snap, m_rates, seconds);
    computed.warnings = s.warnings;
    m_previous = std::move(snap);
    m_sincePrevious.start();
    return computed;
}

Result<MetricSampleSet> LibvirtCollector::collectNode(virConnect *connection)
{
    MetricSampleSet s;
    // CPU: kernel/user/idle/iowait ns summed over every CPU.
    int count = 0;
    QHash<QString, double> cpu;
    if (virNodeGetCPUStats(connection, VIR_NODE_CPU_STATS_ALL_CPUS, nullptr, &count, 0) == 0 && count > 0) {
        std::vector<virNodeCPUStats> params(static_cast<size_t>(count));
        if (virNodeGetCPUStats(connection, VIR_NODE_CPU_STATS_ALL_CPUS, params.data(), &count, 0) == 0) {
            for (int i = 0; i < count; ++i)
                cpu.insert(QString::fromUtf8(params[size_t(i)].field), double(params[size_t(i)].value));
        }
    }
    if (cpu.isEmpty()) {
        s.warnings << Error{tr("The hypervisor gave no CPU statistics."), lastLibvirtError()};
    } else if (m_previousNodeCpu) {
        double total = 0, idle = 0;
        bool reset = false;
        for (auto it = cpu.cbegin(); it != cpu.cend(); ++it) {
            if (it.key() == QLatin1String("utilization") || it.key() == QLatin1String("intr"))
                continue;
            const double delta = it.value() - m_previousNodeCpu->value(it.key(), it.value());
            reset = reset || delta < 0;
            total += delta;
            if (it.key() == QLatin1String("idle") || it.key() == QLatin1String("iowait"))
                idle += delta;
        }
        if (!reset && total > 0)
            addMetric(s, QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), std::clamp(100.0 * (total - idle) / total, 0.0, 100.0));
    }
    m_previousNodeCpu = cpu.isEmpty() ? std::nullopt : std::optional<QHash<QString, double>>(cpu);

    // Memory (KiB): total, free, buffers, cached.
    QHash<QString, double> mem;
    count = 0;
    if (virNodeGetMemoryStats(connection, VIR_NODE_MEMORY_STATS_ALL_CELLS, nullptr, &count, 0) == 0 && count > 0) {
        std::vector<virNodeMemoryStats> params(static_cast<size_t>(count));
        if (virNodeGetMemoryStats(connection, VIR_NODE_MEMORY_STATS_ALL_CELLS, params.data(), &count, 0) == 0) {
            for (int i = 0; i < count; ++i)
                mem.insert(QString::fromUtf8(params[size_t(i)].field), double(params[size_t(i)].value) * 1024.0);
        }
    }
    virResetLastError();
    double total = mem.value(QStringLiteral("total"));
    double available = mem.value(QStringLiteral("free")) + mem.value(QStringLiteral("buffers")) + mem.value(QStringLiteral("cached"));
    if (total <= 0) {
        // Drivers without memory stats: the node's size and free memory.
        virNodeInfo node = {};
        const unsigned long long free = virNodeGetFreeMemory(connection);
        if (virNodeGetInfo(connection, &node) == 0 && free > 0) {
            total = double(node.memory) * 1024.0;
            available = double(free);
        }
        virResetLastError();
    }
    if (total > 0 && available <= total) {
        const QString bytes = QStringLiteral("bytes");
        addMetric(s, QStringLiteral("mem.total_bytes"), {}, bytes, total);
        addMetric(s, QStringLiteral("mem.available_bytes"), {}, bytes, available);
        addMetric(s, QStringLiteral("mem.used_bytes"), {}, bytes, total - available);
        addMetric(s, QStringLiteral("mem.used_percent"), {}, QStringLiteral("%"), 100.0 * (total - available) / total);
    } else {
        s.warnings << Error{tr("The hypervisor gave no memory statistics."), {}};
    }
    if (cpu.isEmpty() && s.points.isEmpty())
        return Error{tr("The hypervisor %1 gives no statistics through libvirt.").arg(m_machine.name), s.warnings.value(0).detail};
    return s;
}

Result<QVector<MetricSampleSet>> LibvirtCollector::collectRound()
{
    auto connection = this->connection();
    if (!connection)
        return connection.error();
    Result<MetricSampleSet> s = m_machine.kind == MachineKind::Hypervisor ? collectNode(connection->get())
                                                                          : collectDomain(connection->get());
    if (!s) {
        if (virConnectIsAlive(connection->get()) != 1) {
            qCInfo(lcMonitoring) << "libvirt connection died, reconnecting next round:" << s.error().toString();
            m_connection.reset();
        }
        return s.error();
    }
    MetricSampleSet out = std::move(s).value();
    out.timestampMs = QDateTime::currentMSecsSinceEpoch();
    return QVector<MetricSampleSet>{out};
}

} // namespace mist

#endif // MIST_WITH_LIBVIRT
