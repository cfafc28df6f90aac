#include "monitoring/collectors/dockerstatscollector.h"

#include "monitoring/collectors/threadconnections.h"
#include "providers/docker/dockerclient.h"
#include "util/logging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace mist {

namespace {

// RFC 3339 with nanoseconds ("2025-01-16T13:55:22.165243637Z") -> ns since the epoch; 0 when
// unset or the zero time ("0001-01-01T00:00:00Z") the engine sends for a stopped container.
qint64 parseReadTime(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d)(?:\\.(\\d{1,9}))?(Z|[+-]\\d\\d:\\d\\d)$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return 0;
    const QDateTime base = QDateTime::fromString(m.captured(1) + m.captured(3), Qt::ISODate);
    if (!base.isValid() || base.date().year() < 1971)
        return 0;
    const qint64 fraction = m.captured(2).leftJustified(9, QLatin1Char('0')).toLongLong();
    return base.toSecsSinceEpoch() * 1000000000LL + fraction;
}

std::optional<double> number(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble() || v.toDouble() < 0)
        return std::nullopt;
    return v.toDouble();
}

std::optional<DockerStatsSample::Cpu> parseCpu(const QJsonObject &stats)
{
    const QJsonObject usage = stats.value(QLatin1String("cpu_usage")).toObject();
    const auto total = number(usage, "total_usage");
    if (!total)
        return std::nullopt;
    DockerStatsSample::Cpu cpu;
    cpu.total = quint64(*total);
    cpu.system = quint64(number(stats, "system_cpu_usage").value_or(0));
    // Older engines leave online_cpus out: the length of percpu_usage then (the spec says so).
    cpu.onlineCpus = int(number(stats, "online_cpus").value_or(0));
    if (cpu.onlineCpus <= 0)
        cpu.onlineCpus = int(usage.value(QLatin1String("percpu_usage")).toArray().size());
    return cpu;
}

} // namespace

Result<DockerStatsSample> DockerStatsSample::parse(const QByteArray &json)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (!doc.isObject())
        return Error{DockerStatsCollector::tr("The Docker engine sent container statistics that are not JSON."),
                     perr.error != QJsonParseError::NoError ? perr.errorString() : QString::fromUtf8(json.left(200))};
    const QJsonObject o = doc.object();
    DockerStatsSample s;
    s.readNs = parseReadTime(o.value(QLatin1String("read")).toString());
    s.cpu = parseCpu(o.value(QLatin1String("cpu_stats")).toObject());
    s.preCpu = parseCpu(o.value(QLatin1String("precpu_stats")).toObject());

    const QJsonObject mem = o.value(QLatin1String("memory_stats")).toObject();
    s.memUsage = number(mem, "usage");
    s.memLimit = number(mem, "limit");
    const QJsonObject memStats = mem.value(QLatin1String("stats")).toObject();
    // cgroup v2 has inactive_file, v1 has cache (the spec's formulas for "used").
    s.memInactive = memStats.contains(QLatin1String("inactive_file")) ? number(memStats, "inactive_file")
                                                                        : number(memStats, "cache");

    s.running = !(s.readNs == 0 && (!s.cpu || s.cpu->total == 0) && !s.memUsage);
    if (!s.running)
        return s;
    if (!s.cpu)
        s.warnings << Error{DockerStatsCollector::tr("The container statistics have no CPU figures."), {}};
    if (!s.memUsage)
        s.warnings << Error{DockerStatsCollector::tr("The container statistics have no memory figures."), {}};

    const QJsonObject networks = o.value(QLatin1String("networks")).toObject();
    for (auto it = networks.begin(); it != networks.end(); ++it) {
        const QJsonObject n = it.value().toObject();
        const auto rx = number(n, "rx_bytes"), tx = number(n, "tx_bytes");
        if (!rx || !tx) {
            s.warnings << Error{DockerStatsCollector::tr("The network statistics of %1 are incomplete.").arg(it.key()), {}};
            continue;
        }
        s.networks << Interface{it.key(), quint64(*rx), quint64(*tx)};
    }

    // cgroup v1 says "Read"/"Write" (plus Sync, Async, Total...), v2 "read"/"write".
    const QJsonArray io = o.value(QLatin1String("blkio_stats")).toObject().value(QLatin1String("io_service_bytes_recursive")).toArray();
    for (const QJsonValue &v : io) {
        const QJsonObject e = v.toObject();
        const QString op = e.value(QLatin1String("op")).toString().toLower();
        const auto value = number(e, "value");
        if ((op != QLatin1String("read") && op != QLatin1String("write")) || !value)
            continue;
        const QString name = QStringLiteral("%1:%2").arg(qint64(e.value(QLatin1String("major")).toDouble()))
                                 .arg(qint64(e.value(QLatin1String("minor")).toDouble()));
        auto it = std::find_if(s.devices.begin(), s.devices.end(), [&](const Device &d) { return d.name == name; });
        if (it == s.devices.end())
            it = s.devices.insert(s.devices.end(), Device{name, 0, 0});
        (op == QLatin1String("read") ? it->readBytes : it->writeBytes) += quint64(*value);
    }
    return s;
}

DockerStatsCollector::DockerStatsCollector(QString connectionKey, ProviderCollectors::CredentialsFunction credentials,
                                           const Machine &container)
    : m_key(std::move(connectionKey)), m_credentials(std::move(credentials)), m_name(container.name)
{
    m_containerId = container.extra.value(QLatin1String("id")).toString();
    if (m_containerId.isEmpty())
        m_containerId = container.externalId;
}

MetricSampleSet DockerStatsCollector::compute(const DockerStatsSample *previous, const DockerStatsSample &current,
                                              CounterRates &rates, std::optional<double> fallbackSeconds)
{
    MetricSampleSet s;
    s.warnings = current.warnings;
    std::optional<double> seconds;
    if (previous && previous->readNs > 0 && current.readNs > 0)
        seconds = double(current.readNs - previous->readNs) / 1e9;
    else if (previous)
        seconds = fallbackSeconds;
    rates.startRound(seconds);

    // CPU: our previous answer, else the engine's precpu_stats (absent with one-shot).
    const DockerStatsSample::Cpu *before = previous && previous->cpu ? &*previous->cpu
                                         : current.preCpu && current.preCpu->system > 0 ? &*current.preCpu
                                                                                         : nullptr;
    if (before && current.cpu && current.cpu->total >= before->total && current.cpu->system > before->system) {
        // system_cpu_usage counts every host CPU, so this share is already "of the whole host".
        const double share = double(current.cpu->total - before->total) / double(current.cpu->system - before->system);
        addMetric(s, QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), std::clamp(share * 100.0, 0.0, 100.0));
        const int cpus = current.cpu->onlineCpus > 0 ? current.cpu->onlineCpus : before->onlineCpus;
        if (cpus > 0)
            addMetric(s, QStringLiteral("cpu.used_cores"), {}, QStringLiteral("cores"), std::min(share, 1.0) * cpus);
    }

    if (current.memUsage) {
        const QString bytes = QStringLiteral("bytes");
        const double used = *current.memUsage - std::min(current.memInactive.value_or(0), *current.memUsage);
        addMetric(s, QStringLiteral("mem.used_bytes"), {}, bytes, used);
        if (current.memLimit && *current.memLimit > 0) {
            addMetric(s, QStringLiteral("mem.total_bytes"), {}, bytes, *current.memLimit);
            addMetric(s, QStringLiteral("mem.available_bytes"), {}, bytes, std::max(0.0, *current.memLimit - used));
            addMetric(s, QStringLiteral("mem.used_percent"), {}, QStringLiteral("%"), 100.0 * used / *current.memLimit);
        }
    }

    const QString rate = QStringLiteral("bytes/s");
    for (const DockerStatsSample::Interface &n : current.networks) {
        rates.addRate(s, QStringLiteral("net.rx_bytes_per_s"), n.name, rate, double(n.rxBytes));
        rates.addRate(s, QStringLiteral("net.tx_bytes_per_s"), n.name, rate, double(n.txBytes));
    }
    for (const DockerStatsSample::Device &d : current.devices) {
        rates.addRate(s, QStringLiteral("diskio.read_bytes_per_s"), d.name, rate, double(d.readBytes));
        rates.addRate(s, QStringLiteral("diskio.write_bytes_per_s"), d.name, rate, double(d.writeBytes));
    }
    return s;
}

Result<MetricSampleSet> DockerStatsCollector::collect()
{
    std::shared_ptr<DockerClient> client = ThreadConnections<DockerClient>::find(m_key);
    if (!client) {
        auto credentials = m_credentials();
        if (!credentials)
            return credentials.error();
        auto connected = DockerClient::connect(credentials.value());
        if (!connected)
            return connected.error();
        client = std::shared_ptr<DockerClient>(std::move(connected).value());
        ThreadConnections<DockerClient>::put(m_key, client);
    }

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("stream"), QStringLiteral("false"));
    // one-shot answers at once instead of waiting a second for precpu_stats; we keep our own.
    if (DockerClient::compareVersions(client->apiVersion(), QStringLiteral("1.41")) >= 0)
        query.addQueryItem(QStringLiteral("one-shot"), QStringLiteral("true"));
    const QString path = QStringLiteral("/containers/%1/stats").arg(QString::fromLatin1(QUrl::toPercentEncoding(m_containerId)));
    auto reply = client->call("GET", path, query, nullptr, 15000);   // a hung engine must not hold the worker long
    if (!reply) {
        ThreadConnections<DockerClient>::drop(m_key);   // broken transport: connect again next round
        return reply.error();
    }
    if (!reply->isSuccess())
        return DockerClient::errorFor(reply.value(), tr("Could not read the statistics of %1.").arg(m_name));

    auto sample = DockerStatsSample::parse(reply->body);
    if (!sample)
        return sample.error();
    if (!sample->running) {
        m_previous.reset();
        return Error{tr("The container %1 is not running.").arg(m_name), {}};
    }
    const std::optional<double> elapsed = m_sincePrevious.isValid()
        ? std::optional<double>(double(m_sincePrevious.elapsed()) / 1000.0) : std::nullopt;
    MetricSampleSet s = compute(m_previous ? &*m_previous : nullptr, sample.value(), m_rates, elapsed);
    s.timestampMs = QDateTime::currentMSecsSinceEpoch();
    m_previous = std::move(sample).value();
    m_sincePrevious.start();
    return s;
}

Result<QVector<MetricSampleSet>> DockerStatsCollector::collectRound()
{
    auto s = collect();
    if (!s)
        return s.error();
    return QVector<MetricSampleSet>{std::move(s).value()};
}

} // namespace mist
