#pragma once

#include "inventory/machine.h"
#include "util/result.h"

#include <QString>
#include <QVector>

#include <optional>

namespace mist {

// One series Mist imports from Prometheus: our series name (cpu.percent, or a custom one),
// the PromQL that computes it, and which Prometheus label tells its series apart.
//  * `promql` may use $match (the source's instance matcher rendered for the machine) and
//    $rate (a rate window that fits the step: max(60s, 4 × step)).
//  * `labelFrom` empty: the query is one total series (MetricPoint::label ""); otherwise the
//    value of that Prometheus label becomes MetricPoint::label ("device" -> "eth0").
struct PrometheusQuery
{
    QString series;
    QString promql;
    QString labelFrom;
    QString unit;

    bool sameSlot(const PrometheusQuery &o) const { return series == o.series && labelFrom == o.labelFrom; }
    // "SERIES=PROMQL" or "SERIES[LABEL]=PROMQL" (the CLI's --query, the dialog's lines).
    static std::optional<PrometheusQuery> parse(const QString &text);
    QString toText() const;
};

// A Prometheus or VictoriaMetrics server that feeds the metrics of one machine or of every
// monitored machine of one cloud. No secrets: the password or token is in the keychain
// under owner "prometheus/<id>", field "password" (basic) or "token" (bearer).
struct PrometheusSource
{
    enum class Auth { None, Basic, Bearer };
    enum class Scope { Machine, Cloud };

    static const QString kDefaultMatcher;   // instance=~"{host}(:[0-9]+)?"
    static constexpr int kDefaultTimeoutSeconds = 30;

    QString id;     // uuid, stable
    QString name;   // unique, user-chosen
    // Base URL up to (not including) /api/v1, e.g. http://prom:9090 or, for the
    // VictoriaMetrics cluster, http://vmselect:8481/select/0/prometheus.
    QString url;
    Auth auth = Auth::None;
    QString user;   // basic auth
    Scope scope = Scope::Machine;
    qint64 scopeId = 0;   // machine id or cloud id
    // PromQL label matchers selecting the machine's series; {host}, {name} and {ip} are
    // replaced by the machine's values (regex-escaped when the template uses =~ or !~).
    QString matcher = kDefaultMatcher;
    int stepSeconds = 0;   // 0: the machine's monitoring interval
    int timeoutSeconds = kDefaultTimeoutSeconds;
    bool insecureTls = false;   // accept any server certificate (self-signed test servers)
    QString caFile;             // extra CA certificates (PEM) for the server's certificate
    // Overrides of the defaults (same series + labelFrom; an empty promql removes a default)
    // and additions (custom series names).
    QVector<PrometheusQuery> queries;

    QString secretOwner() const { return QStringLiteral("prometheus/") + id; }
    QString secretField() const;   // "password", "token" or "" (no auth)
    static QString authName(Auth auth);   // "none", "basic", "bearer"
    static std::optional<Auth> authFromName(const QString &name);

    // The machine itself, or a machine of the cloud that is not a container or pod.
    bool appliesTo(const Machine &machine) const;
    // The matcher with the machine's values in: `instance=~"web1(:[0-9]+)?"`.
    QString matcherFor(const Machine &machine) const;
    // The defaults with this source's overrides and additions applied, in a stable order.
    QVector<PrometheusQuery> effectiveQueries() const;
    // node_exporter queries for the series Mist's own collectors produce.
    static QVector<PrometheusQuery> defaultQueries();
    // promql with $match and $rate replaced.
    static QString render(const QString &promql, const QString &matcher, int stepSeconds);
    // {host} (SSH host, else the first public IP, else the first private IP, else the name),
    // {ip} (public, else private, else empty) and {name}.
    static QString placeholder(const Machine &machine, const QString &key);

    // A clear sentence for what is wrong with a source a user entered; ok when usable.
    Status validate() const;
};

// <data dir>/prometheus.json: the configured sources, shared by the app and the CLI.
class PrometheusSources
{
public:
    static QString filePath(const QString &dataDir);   // <dataDir>/prometheus.json
    // A missing file is an empty list; an unreadable or malformed one is an Error naming it.
    static Result<PrometheusSources> load(const QString &path);
    Status save(const QString &path) const;   // atomic (QSaveFile)

    const QVector<PrometheusSource> &sources() const { return m_sources; }
    // By id or name.
    const PrometheusSource *find(const QString &idOrName) const;
    // The source feeding this machine: one scoped to the machine wins over the cloud's.
    const PrometheusSource *forMachine(const Machine &machine) const;

    // Adds (a new id when empty) or replaces the source with the same id. An Error when
    // another source has the name or the source is not valid.
    Result<PrometheusSource> upsert(PrometheusSource source);
    bool remove(const QString &id);   // false: no such source

private:
    QVector<PrometheusSource> m_sources;
};

} // namespace mist
