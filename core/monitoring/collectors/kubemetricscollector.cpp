#include "monitoring/collectors/kubemetricscollector.h"

#include "monitoring/collectors/counterrates.h"
#include "providers/kubernetes/kubequantity.h"
#include "monitoring/collectors/threadconnections.h"
#include "providers/kubernetes/kubeapiclient.h"
#include "util/logging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUrl>

namespace mist {

namespace {

constexpr qint64 kAllowanceMaxAgeMs = 5 * 60 * 1000;
const QString MetricsGroup = QStringLiteral("metrics.k8s.io");

QString segment(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

std::optional<double> quantity(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isDouble())
        return v.toDouble();
    return v.isString() ? parseKubeQuantity(v.toString()) : std::nullopt;
}

Result<KubeMetricsCollector::Usage> usageOf(const QJsonObject &usage, const QString &what)
{
    const auto cpu = quantity(usage, "cpu");
    const auto memory = quantity(usage, "memory");
    if (!cpu || !memory || *cpu < 0 || *memory < 0)
        return Error{KubeMetricsCollector::tr("metrics.k8s.io sent unreadable figures for %1.").arg(what),
                     QStringLiteral("cpu=%1 memory=%2").arg(usage.value(QLatin1String("cpu")).toVariant().toString(),
                                                             usage.value(QLatin1String("memory")).toVariant().toString())};
    return KubeMetricsCollector::Usage{*cpu, *memory, {}};
}

} // namespace

KubeMetricsCollector::KubeMetricsCollector(QString connectionKey, ProviderCollectors::CredentialsFunction credentials,
                                           const Machine &machine)
    : m_key(std::move(connectionKey)), m_credentials(std::move(credentials)), m_machine(machine)
{
    const QJsonObject &x = machine.extra;
    m_namespace = x.value(QLatin1String("namespace")).toString();
    m_pod = x.value(QLatin1String("pod")).toString();
    m_container = machine.kind == MachineKind::Container ? x.value(QLatin1String("container")).toString() : QString();
    m_node = x.value(QLatin1String("node")).toString();
    if (machine.kind == MachineKind::Node && m_node.isEmpty())
        m_node = machine.externalId.startsWith(QLatin1String("node/")) ? machine.externalId.mid(5) : machine.name;
    if (machine.kind == MachineKind::Container && m_container.isEmpty())
        m_container = machine.name;
}

KubeMetricsCollector::~KubeMetricsCollector() = default;

Result<KubeMetricsCollector::Usage> KubeMetricsCollector::podUsage(const QJsonObject &podMetrics, const QString &container)
{
    const QString pod = podMetrics.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString();
    const QJsonValue list = podMetrics.value(QLatin1String("containers"));
    if (!list.isArray())
        return Error{tr("metrics.k8s.io sent no container figures for the pod %1.").arg(pod), {}};
    Usage total;
    bool found = false;
    for (const QJsonValue &v : list.toArray()) {
        const QJsonObject c = v.toObject();
        const QString name = c.value(QLatin1String("name")).toString();
        if (!container.isEmpty() && name != container)
            continue;
        auto u = usageOf(c.value(QLatin1String("usage")).toObject(), name);
        if (!u)
            return u.error();
        total.cores += u->cores;
        total.memoryBytes += u->memoryBytes;
        found = true;
    }
    if (!found && !container.isEmpty())
        return Error{tr("metrics.k8s.io has no figures for the container %1 of the pod %2 yet.").arg(container, pod), {}};
    total.timestamp = podMetrics.value(QLatin1String("timestamp")).toString();
    return total;
}

Result<KubeMetricsCollector::Usage> KubeMetricsCollector::nodeUsage(const QJsonObject &nodeMetrics)
{
    const QString node = nodeMetrics.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString();
    auto u = usageOf(nodeMetrics.value(QLatin1String("usage")).toObject(), node);
    if (!u)
        return u.error();
    Usage out = u.value();
    out.timestamp = nodeMetrics.value(QLatin1String("timestamp")).toString();
    return out;
}

MetricSampleSet KubeMetricsCollector::compute(const Usage &usage, std::optional<double> cpuAllowanceCores,
                                              std::optional<double> memoryLimitBytes)
{
    MetricSampleSet s;
    addMetric(s, QStringLiteral("cpu.used_cores"), {}, QStringLiteral("cores"), usage.cores);
    if (cpuAllowanceCores && *cpuAllowanceCores > 0)
        addMetric(s, QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), 100.0 * usage.cores / *cpuAllowanceCores);
    const QString bytes = QStringLiteral("bytes");
    addMetric(s, QStringLiteral("mem.used_bytes"), {}, bytes, usage.memoryBytes);
    if (memoryLimitBytes && *memoryLimitBytes > 0) {
        addMetric(s, QStringLiteral("mem.total_bytes"), {}, bytes, *memoryLimitBytes);
        addMetric(s, QStringLiteral("mem.available_bytes"), {}, bytes, std::max(0.0, *memoryLimitBytes - usage.memoryBytes));
        addMetric(s, QStringLiteral("mem.used_percent"), {}, QStringLiteral("%"), 100.0 * usage.memoryBytes / *memoryLimitBytes);
    }
    return s;
}

Result<std::shared_ptr<KubeApiClient>> KubeMetricsCollector::client()
{
    if (auto api = ThreadConnections<KubeApiClient>::find(m_key))
        return api;
    auto credentials = m_credentials();
    if (!credentials)
        return credentials.error();
    auto connection = KubeConnection::fromCredentials(credentials.value());   // may run an exec plugin
    if (!connection)
        return connection.error();
    auto api = std::make_shared<KubeApiClient>(std::move(connection).value());
    // A collection round should not sit in retries: the next round comes soon enough.
    KubeApiClient::RetryPolicy retry;
    retry.maxRetries = 1;
    retry.maxRetryAfterSec = 5;
    api->setRetryPolicy(retry);
    ThreadConnections<KubeApiClient>::put(m_key, api);
    return api;
}

Error KubeMetricsCollector::notAvailable(KubeApiClient &api, const Error &original)
{
    // A 404 is either "no figures for this pod yet" or "no metrics-server at all": the
    // group list tells them apart.
    if (!original.detail.startsWith(QLatin1String("HTTP 404")))
        return original;
    auto groups = api.get(QStringLiteral("/apis"), KubeOperation{tr("list"), tr("API groups")});
    if (!groups)
        return original;
    for (const QJsonValue &g : groups->value(QLatin1String("groups")).toArray()) {
        if (g.toObject().value(QLatin1String("name")).toString() == MetricsGroup)
            return Error{tr("metrics.k8s.io has no figures for %1 yet (new, not running, or not scraped yet).").arg(m_machine.name),
                         original.detail};
    }
    m_unavailable = true;
    return Error{tr("metrics.k8s.io is not available on this cluster (install metrics-server)."), original.detail};
}

Result<KubeMetricsCollector::Usage> KubeMetricsCollector::readUsage(KubeApiClient &api)
{
    if (m_machine.kind == MachineKind::Node) {
        const QString path = QStringLiteral("/apis/metrics.k8s.io/v1beta1/nodes/") + segment(m_node);
        auto o = api.get(path, KubeOperation{tr("get"), tr("the metrics of node %1").arg(m_node)});
        if (!o)
            return notAvailable(api, o.error());
        return nodeUsage(o.value());
    }
    if (m_namespace.isEmpty() || m_pod.isEmpty())
        return Error{tr("%1 has no namespace or pod name in the inventory; refresh the cloud.").arg(m_machine.name), {}};
    const QString path = QStringLiteral("/apis/metrics.k8s.io/v1beta1/namespaces/%1/pods/%2").arg(segment(m_namespace), segment(m_pod));
    auto o = api.get(path, KubeOperation{tr("get"), tr("the metrics of pod %1/%2").arg(m_namespace, m_pod)});
    if (!o)
        return notAvailable(api, o.error());
    return podUsage(o.value(), m_container);
}

KubeMetricsCollector::Allowance KubeMetricsCollector::nodeCapacity(KubeApiClient &api, const QString &node)
{
    Allowance a;
    if (node.isEmpty())
        return a;
    auto o = api.get(QStringLiteral("/api/v1/nodes/") + segment(node), KubeOperation{tr("get"), tr("node %1").arg(node)});
    if (!o) {
        qCInfo(lcMonitoring) << "no capacity for node" << node << o.error().toString();
        return a;
    }
    const QJsonObject capacity = o->value(QLatin1String("status")).toObject().value(QLatin1String("capacity")).toObject();
    a.cores = quantity(capacity, "cpu");
    a.memoryBytes = quantity(capacity, "memory");
    return a;
}

KubeMetricsCollector::Allowance KubeMetricsCollector::allowance(KubeApiClient &api)
{
    Allowance a;
    if (m_machine.kind == MachineKind::Node) {
        const QJsonObject capacity = m_machine.extra.value(QLatin1String("capacity")).toObject();
        a.cores = quantity(capacity, "cpu");
        a.memoryBytes = quantity(capacity, "memory");
        if (!a.cores && m_machine.cores > 0)
            a.cores = m_machine.cores;
        if (!a.memoryBytes && m_machine.memoryMb > 0)
            a.memoryBytes = double(m_machine.memoryMb) * 1048576.0;
        if (!a.cores || !a.memoryBytes) {
            const Allowance read = nodeCapacity(api, m_node);
            a.cores = a.cores ? a.cores : read.cores;
            a.memoryBytes = a.memoryBytes ? a.memoryBytes : read.memoryBytes;
        }
        return a;
    }

    QString node = m_node;
    if (m_machine.kind == MachineKind::Container) {
        const QJsonObject limits = m_machine.extra.value(QLatin1String("limits")).toObject();
        const QJsonObject requests = m_machine.extra.value(QLatin1String("requests")).toObject();
        a.cores = quantity(limits, "cpu");
        if (!a.cores)
            a.cores = quantity(requests, "cpu");
        a.memoryBytes = quantity(limits, "memory");
    }
    if (m_machine.kind == MachineKind::Pod || !a.cores || !a.memoryBytes) {
        // The pod's spec: its containers' resources (summed: a pod's allowance) and its node.
        const QString path = QStringLiteral("/api/v1/namespaces/%1/pods/%2").arg(segment(m_namespace), segment(m_pod));
        auto pod = api.get(path, KubeOperation{tr("get"), tr("pod %1/%2").arg(m_namespace, m_pod)});
        if (pod) {
            const QJsonObject spec = pod->value(QLatin1String("spec")).toObject();
            if (node.isEmpty())
                node = spec.value(QLatin1String("nodeName")).toString();
            if (m_machine.kind == MachineKind::Pod) {
                std::optional<double> cpuLimit = 0.0, cpuRequest = 0.0, memLimit = 0.0;
                for (const QJsonValue &v : spec.value(QLatin1String("containers")).toArray()) {
                    const QJsonObject r = v.toObject().value(QLatin1String("resources")).toObject();
                    const QJsonObject limits = r.value(QLatin1String("limits")).toObject();
                    const QJsonObject requests = r.value(QLatin1String("requests")).toObject();
                    // One container without a limit makes the pod's sum meaningless.
                    auto sum = [](std::optional<double> &acc, std::optional<double> v) { acc = acc && v ? std::optional<double>(*acc + *v) : std::nullopt; };
                    sum(cpuLimit, quantity(limits, "cpu"));
                    sum(cpuRequest, quantity(requests, "cpu"));
                    sum(memLimit, quantity(limits, "memory"));
                }
                a.cores = cpuLimit && *cpuLimit > 0 ? cpuLimit : cpuRequest && *cpuRequest > 0 ? cpuRequest : std::nullopt;
                a.memoryBytes = memLimit && *memLimit > 0 ? memLimit : std::nullopt;
            }
        } else {
            qCInfo(lcMonitoring) << "no pod spec for" << m_namespace << m_pod << pod.error().toString();
        }
    }
    if (!a.cores || !a.memoryBytes) {
        const Allowance capacity = nodeCapacity(api, node);
        a.cores = a.cores ? a.cores : capacity.cores;
        a.memoryBytes = a.memoryBytes ? a.memoryBytes : capacity.memoryBytes;
    }
    return a;
}

Result<QVector<MetricSampleSet>> KubeMetricsCollector::collectRound()
{
    m_unavailable = false;
    auto api = client();
    if (!api)
        return api.error();
    auto usage = readUsage(*api.value());
    if (!usage) {
        if (!usage.error().detail.startsWith(QLatin1String("HTTP 404")))
            ThreadConnections<KubeApiClient>::drop(m_key);   // credentials or connection: start afresh next round
        return usage.error();
    }
    if (!usage->timestamp.isEmpty() && usage->timestamp == m_lastTimestamp)
        return QVector<MetricSampleSet>{};   // metrics-server has not measured again yet
    m_lastTimestamp = usage->timestamp;

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!m_allowance || now - m_allowanceAtMs > kAllowanceMaxAgeMs) {
        m_allowance = allowance(*api.value());
        m_allowanceAtMs = now;
    }
    MetricSampleSet s = compute(usage.value(), m_allowance->cores, m_allowance->memoryBytes);
    s.timestampMs = now;
    if (!m_allowance->cores)
        s.warnings << Error{tr("No CPU limit, request or node capacity is known for %1: CPU % is left out.").arg(m_machine.name), {}};
    return QVector<MetricSampleSet>{s};
}

} // namespace mist
