#include "prometheussources.h"

#include "util/jsonfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <QUuid>

#include <algorithm>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PrometheusSources", text);
}

jsonfile::Texts fileTexts()
{
    return {tr("Could not read the Prometheus sources %1"), tr("The Prometheus sources file %1 is not valid JSON"),
            tr("Could not write the Prometheus sources %1")};
}

const QString kMatch = QStringLiteral("$match");
const QString kRate = QStringLiteral("$rate");
// Pseudo file systems node_exporter reports that `df` users never look at.
const QString kRealFs = QStringLiteral("fstype!~\"tmpfs|devtmpfs|overlay|squashfs|ramfs|nsfs|autofs|fuse.lxcfs\"");

// RE2 QuoteMeta: every ASCII punctuation character escaped, so "10.0.0.1" matches only itself.
QString regexEscaped(const QString &value)
{
    QString out;
    for (const QChar c : value) {
        if (c.unicode() < 128 && !c.isLetterOrNumber() && c != QLatin1Char('_'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

// Inside a PromQL double-quoted string.
QString stringEscaped(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return out;
}

PrometheusQuery q(const char *series, const QString &promql, const char *labelFrom, const char *unit)
{
    return PrometheusQuery{QString::fromLatin1(series), promql, QString::fromLatin1(labelFrom), QString::fromUtf8(unit)};
}

QJsonObject toJson(const PrometheusSource &s)
{
    QJsonArray queries;
    for (const PrometheusQuery &pq : s.queries)
        queries.append(QJsonObject{{QStringLiteral("series"), pq.series},
                                   {QStringLiteral("query"), pq.promql},
                                   {QStringLiteral("label_from"), pq.labelFrom},
                                   {QStringLiteral("unit"), pq.unit}});
    QJsonObject o{{QStringLiteral("id"), s.id},
                  {QStringLiteral("name"), s.name},
                  {QStringLiteral("url"), s.url},
                  {QStringLiteral("auth"), PrometheusSource::authName(s.auth)},
                  {QStringLiteral("matcher"), s.matcher},
                  {QStringLiteral("step_s"), s.stepSeconds},
                  {QStringLiteral("timeout_s"), s.timeoutSeconds},
                  {QStringLiteral("queries"), queries}};
    if (!s.user.isEmpty())
        o.insert(QStringLiteral("user"), s.user);
    o.insert(s.scope == PrometheusSource::Scope::Machine ? QStringLiteral("machine_id") : QStringLiteral("cloud_id"), s.scopeId);
    if (s.insecureTls)
        o.insert(QStringLiteral("insecure_tls"), true);
    if (!s.caFile.isEmpty())
        o.insert(QStringLiteral("ca_file"), s.caFile);
    return o;
}

PrometheusSource fromJson(const QJsonObject &o)
{
    PrometheusSource s;
    s.id = o.value(QStringLiteral("id")).toString();
    s.name = o.value(QStringLiteral("name")).toString();
    s.url = o.value(QStringLiteral("url")).toString();
    s.auth = PrometheusSource::authFromName(o.value(QStringLiteral("auth")).toString()).value_or(PrometheusSource::Auth::None);
    s.user = o.value(QStringLiteral("user")).toString();
    if (o.contains(QStringLiteral("cloud_id"))) {
        s.scope = PrometheusSource::Scope::Cloud;
        s.scopeId = o.value(QStringLiteral("cloud_id")).toInteger();
    } else {
        s.scopeId = o.value(QStringLiteral("machine_id")).toInteger();
    }
    s.matcher = o.value(QStringLiteral("matcher")).toString(PrometheusSource::kDefaultMatcher);
    s.stepSeconds = std::clamp(o.value(QStringLiteral("step_s")).toInt(), 0, 86400);   // at most a day
    s.timeoutSeconds = std::clamp(o.value(QStringLiteral("timeout_s")).toInt(PrometheusSource::kDefaultTimeoutSeconds), 1, 600);
    s.insecureTls = o.value(QStringLiteral("insecure_tls")).toBool();
    s.caFile = o.value(QStringLiteral("ca_file")).toString();
    for (const QJsonValue &v : o.value(QStringLiteral("queries")).toArray()) {
        const QJsonObject qo = v.toObject();
        PrometheusQuery pq{qo.value(QStringLiteral("series")).toString(), qo.value(QStringLiteral("query")).toString(),
                           qo.value(QStringLiteral("label_from")).toString(), qo.value(QStringLiteral("unit")).toString()};
        if (!pq.series.isEmpty())
            s.queries.append(pq);
    }
    return s;
}

} // namespace

std::optional<PrometheusQuery> PrometheusQuery::parse(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^\\s*([A-Za-z_][A-Za-z0-9_.]*)(?:\\[([A-Za-z_][A-Za-z0-9_]*)\\])?\\s*=(.*)$"),
                                       QRegularExpression::DotMatchesEverythingOption);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    return PrometheusQuery{m.captured(1), m.captured(3).trimmed(), m.captured(2), {}};
}

QString PrometheusQuery::toText() const
{
    return series + (labelFrom.isEmpty() ? QString() : QLatin1Char('[') + labelFrom + QLatin1Char(']')) + QLatin1Char('=') + promql;
}

const QString PrometheusSource::kDefaultMatcher = QStringLiteral("instance=~\"{host}(:[0-9]+)?\"");

QString PrometheusSource::secretField() const
{
    switch (auth) {
    case Auth::Basic: return QStringLiteral("password");
    case Auth::Bearer: return QStringLiteral("token");
    case Auth::None: break;
    }
    return {};
}

QString PrometheusSource::authName(Auth a)
{
    switch (a) {
    case Auth::Basic: return QStringLiteral("basic");
    case Auth::Bearer: return QStringLiteral("bearer");
    case Auth::None: break;
    }
    return QStringLiteral("none");
}

std::optional<PrometheusSource::Auth> PrometheusSource::authFromName(const QString &name)
{
    if (name.isEmpty() || name == QLatin1String("none"))
        return Auth::None;
    if (name == QLatin1String("basic"))
        return Auth::Basic;
    if (name == QLatin1String("bearer"))
        return Auth::Bearer;
    return std::nullopt;
}

bool PrometheusSource::appliesTo(const Machine &m) const
{
    if (scope == Scope::Machine)
        return m.id == scopeId;
    // node_exporter describes hosts; a cloud's containers and pods keep their own collectors
    // (Docker stats, metrics.k8s.io) unless a source names them one by one.
    return m.cloudId == scopeId && m.kind != MachineKind::Container && m.kind != MachineKind::Pod;
}

QString PrometheusSource::placeholder(const Machine &m, const QString &key)
{
    const QString ip = !m.publicIps.isEmpty() ? m.publicIps.constFirst() : m.privateIps.value(0);
    if (key == QLatin1String("name"))
        return m.name;
    if (key == QLatin1String("ip"))
        return ip;
    if (key == QLatin1String("host")) {
        const QString sshHost = m.extra.value(QStringLiteral("ssh")).toObject().value(QStringLiteral("host")).toString();
        return !sshHost.isEmpty() ? sshHost : !ip.isEmpty() ? ip : m.name;
    }
    return {};
}

QString PrometheusSource::matcherFor(const Machine &m) const
{
    const bool regex = matcher.contains(QLatin1String("=~")) || matcher.contains(QLatin1String("!~"));
    QString out = matcher;
    for (const QString &key : {QStringLiteral("host"), QStringLiteral("name"), QStringLiteral("ip")}) {
        const QString value = placeholder(m, key);
        out.replace(QLatin1Char('{') + key + QLatin1Char('}'), stringEscaped(regex ? regexEscaped(value) : value));
    }
    return out;
}

QString PrometheusSource::render(const QString &promql, const QString &matcherText, int stepSeconds)
{
    QString out = promql;
    out.replace(kMatch, matcherText);
    out.replace(kRate, QStringLiteral("%1s").arg(std::max(60, 4 * stepSeconds)));
    return out;
}

QVector<PrometheusQuery> PrometheusSource::defaultQueries()
{
    const QString fs = QStringLiteral("{$match,%1}").arg(kRealFs);
    // df's Use%: used / (used + available to users), used = size - free.
    const QString used = QStringLiteral("(node_filesystem_size_bytes%1 - node_filesystem_free_bytes%1)").arg(fs);
    return {
        q("cpu.percent", QStringLiteral("100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\",$match}[$rate])))"), "", "%"),
        q("cpu.percent",
          QStringLiteral("label_replace(100 * (1 - avg by (cpu) (rate(node_cpu_seconds_total{mode=\"idle\",$match}[$rate]))), "
                         "\"cpu\", \"cpu$1\", \"cpu\", \"(.*)\")"),
          "cpu", "%"),
        q("load.1", QStringLiteral("max(node_load1{$match})"), "", ""),
        q("load.5", QStringLiteral("max(node_load5{$match})"), "", ""),
        q("load.15", QStringLiteral("max(node_load15{$match})"), "", ""),
        q("mem.total_bytes", QStringLiteral("max(node_memory_MemTotal_bytes{$match})"), "", "bytes"),
        q("mem.available_bytes", QStringLiteral("max(node_memory_MemAvailable_bytes{$match})"), "", "bytes"),
        q("mem.used_bytes", QStringLiteral("max(node_memory_MemTotal_bytes{$match} - node_memory_MemAvailable_bytes{$match})"), "", "bytes"),
        q("mem.used_percent",
          QStringLiteral("max(100 * (1 - node_memory_MemAvailable_bytes{$match} / node_memory_MemTotal_bytes{$match}))"), "", "%"),
        q("swap.total_bytes", QStringLiteral("max(node_memory_SwapTotal_bytes{$match})"), "", "bytes"),
        q("swap.used_bytes", QStringLiteral("max(node_memory_SwapTotal_bytes{$match} - node_memory_SwapFree_bytes{$match})"), "", "bytes"),
        q("disk.used_percent",
          QStringLiteral("max by (mountpoint) (100 * %1 / (%1 + node_filesystem_avail_bytes%2))").arg(used, fs), "mountpoint", "%"),
        q("diskio.read_bytes_per_s", QStringLiteral("sum by (device) (rate(node_disk_read_bytes_total{$match}[$rate]))"), "device", "bytes/s"),
        q("diskio.write_bytes_per_s", QStringLiteral("sum by (device) (rate(node_disk_written_bytes_total{$match}[$rate]))"), "device",
          "bytes/s"),
        q("net.rx_bytes_per_s",
          QStringLiteral("sum by (device) (rate(node_network_receive_bytes_total{$match,device!=\"lo\"}[$rate]))"), "device", "bytes/s"),
        q("net.tx_bytes_per_s",
          QStringLiteral("sum by (device) (rate(node_network_transmit_bytes_total{$match,device!=\"lo\"}[$rate]))"), "device", "bytes/s"),
        q("uptime.seconds", QStringLiteral("max(time() - node_boot_time_seconds{$match})"), "", "s"),
    };
}

QVector<PrometheusQuery> PrometheusSource::effectiveQueries() const
{
    QVector<PrometheusQuery> out = defaultQueries();
    for (const PrometheusQuery &custom : queries) {
        auto it = std::find_if(out.begin(), out.end(), [&](const PrometheusQuery &d) { return d.sameSlot(custom); });
        if (it != out.end())
            *it = custom;
        else
            out.append(custom);
    }
    out.erase(std::remove_if(out.begin(), out.end(), [](const PrometheusQuery &pq) { return pq.promql.trimmed().isEmpty(); }),
              out.end());
    return out;
}

Status PrometheusSource::validate() const
{
    if (name.trimmed().isEmpty())
        return Error{tr("The Prometheus source needs a name."), {}};
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) || u.host().isEmpty())
        return Error{tr("\"%1\" is not an http:// or https:// URL of a Prometheus server.").arg(url), u.errorString()};
    if (!u.userInfo().isEmpty())   // it would be stored in prometheus.json
        return Error{tr("Give the user and password of the Prometheus source as its authentication (kept in the keychain), "
                        "not in the URL."),
                     {}};
    if (u.hasQuery() || u.hasFragment())
        return Error{tr("The Prometheus URL must not have a query or fragment: give the base URL, e.g. http://prometheus:9090."), url};
    if (scopeId <= 0)
        return Error{tr("Choose the machine or cloud the Prometheus source is for."), {}};
    if (auth == Auth::Basic && user.isEmpty())
        return Error{tr("Basic authentication needs a user name."), {}};
    if (matcher.trimmed().isEmpty())
        return Error{tr("The instance matcher is empty: every series of the server would be read as this machine's."), {}};
    // The same bounds as reading the file, so what is saved is what runs.
    if (stepSeconds < 0 || stepSeconds > 86400)
        return Error{tr("The step must be between 1 second and 1 day (0: the machine's monitoring interval)."), {}};
    if (timeoutSeconds < 1 || timeoutSeconds > 600)
        return Error{tr("The timeout must be between 1 and 600 seconds."), {}};
    for (const PrometheusQuery &pq : queries) {
        static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.]*$"));
        if (!nameRe.match(pq.series).hasMatch())
            return Error{tr("\"%1\" is not a usable series name (letters, digits, '_' and '.').").arg(pq.series), {}};
    }
    return {};
}

QString PrometheusSources::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("prometheus.json"));
}

Result<PrometheusSources> PrometheusSources::load(const QString &path)
{
    PrometheusSources out;
    auto root = jsonfile::read(path, fileTexts());
    if (!root)
        return root.error();
    if (!root->has_value())
        return out;
    for (const QJsonValue &v : root->value().value(QStringLiteral("sources")).toArray()) {
        PrometheusSource s = fromJson(v.toObject());
        if (!s.id.isEmpty() && !s.name.isEmpty() && !out.find(s.id))   // hand-edited mistakes are dropped
            out.m_sources.append(s);
    }
    return out;
}

Status PrometheusSources::save(const QString &path) const
{
    QJsonArray sources;
    for (const PrometheusSource &s : m_sources)
        sources.append(toJson(s));
    if (Status st = jsonfile::write(path, QJsonObject{{QStringLiteral("sources"), sources}}, fileTexts()); !st)
        return st;
    return {};
}

const PrometheusSource *PrometheusSources::find(const QString &idOrName) const
{
    for (const PrometheusSource &s : m_sources) {
        if (s.id == idOrName)
            return &s;
    }
    for (const PrometheusSource &s : m_sources) {
        if (s.name == idOrName)
            return &s;
    }
    return nullptr;
}

const PrometheusSource *PrometheusSources::forMachine(const Machine &m) const
{
    const PrometheusSource *cloudWide = nullptr;
    for (const PrometheusSource &s : m_sources) {
        if (!s.appliesTo(m))
            continue;
        if (s.scope == PrometheusSource::Scope::Machine)
            return &s;
        if (!cloudWide)
            cloudWide = &s;
    }
    return cloudWide;
}

Result<PrometheusSource> PrometheusSources::upsert(PrometheusSource source)
{
    source.name = source.name.trimmed();
    while (source.url.endsWith(QLatin1Char('/')))
        source.url.chop(1);
    if (Status s = source.validate(); !s)
        return s.error();
    if (source.id.isEmpty())
        source.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (const PrometheusSource &other : std::as_const(m_sources)) {
        if (other.id != source.id && other.name == source.name)
            return Error{tr("A Prometheus source named \"%1\" exists already.").arg(source.name), {}};
    }
    auto it = std::find_if(m_sources.begin(), m_sources.end(), [&](const PrometheusSource &s) { return s.id == source.id; });
    if (it != m_sources.end())
        *it = source;
    else
        m_sources.append(source);
    return source;
}

bool PrometheusSources::remove(const QString &id)
{
    const auto before = m_sources.size();
    m_sources.erase(std::remove_if(m_sources.begin(), m_sources.end(), [&](const PrometheusSource &s) { return s.id == id; }),
                    m_sources.end());
    return m_sources.size() != before;
}

} // namespace mist
