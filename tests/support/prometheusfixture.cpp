#include "prometheusfixture.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpSocket>

#include <cmath>
#include <optional>

namespace mist::test {

namespace {

using Status = QHttpServerResponse::StatusCode;

QHttpServerResponse error(Status status, const char *type, const QString &text)
{
    return QHttpServerResponse(QJsonObject{{QStringLiteral("status"), QStringLiteral("error")},
                                           {QStringLiteral("errorType"), QString::fromLatin1(type)},
                                           {QStringLiteral("error"), text}},
                               status);
}

// Unix seconds (possibly fractional) or RFC 3339.
std::optional<double> parseTime(const QString &text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (ok && std::isfinite(v))
        return v;
    const QDateTime dt = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (dt.isValid())
        return dt.toMSecsSinceEpoch() / 1000.0;
    return std::nullopt;
}

// Seconds (possibly fractional) or a Prometheus duration: 15s, 1m, 2m30s, 500ms.
std::optional<double> parseDuration(const QString &text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (ok && std::isfinite(v))
        return v;
    static const QRegularExpression part(QStringLiteral("(\\d+)(ms|s|m|h|d|w|y)"));
    double total = 0;
    qsizetype consumed = 0;
    for (auto it = part.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (m.capturedStart() != consumed)
            return std::nullopt;
        consumed = m.capturedEnd();
        const QString unit = m.captured(2);
        const double factor = unit == QLatin1String("ms") ? 0.001 : unit == QLatin1String("s") ? 1 : unit == QLatin1String("m") ? 60
                              : unit == QLatin1String("h") ? 3600 : unit == QLatin1String("d") ? 86400
                              : unit == QLatin1String("w") ? 604800 : 31536000;
        total += m.captured(1).toDouble() * factor;
    }
    if (consumed == 0 || consumed != text.size())
        return std::nullopt;
    return total;
}

QString labelKeyFor(const QString &promql)
{
    if (promql.contains(QLatin1String("by (device)")))
        return QStringLiteral("device");
    if (promql.contains(QLatin1String("by (mountpoint)")))
        return QStringLiteral("mountpoint");
    if (promql.contains(QLatin1String("label_replace")))
        return QStringLiteral("cpu");
    return {};
}

} // namespace

PrometheusFixture::PrometheusFixture(QObject *parent)
    : QObject(parent)
{
    for (const char *prefix : {"", "/select/0/prometheus"}) {
        m_http.route(QString::fromLatin1(prefix) + QStringLiteral("/api/v1/query_range"),
                     [this](const QHttpServerRequest &request) { return answer(request); });
    }
    // Not the API at all (a proxy's error page): HTML with 502.
    m_http.route(QStringLiteral("/proxy/api/v1/query_range"), [] {
        return QHttpServerResponse(QByteArrayLiteral("text/html"), QByteArrayLiteral("<html><body>Bad gateway</body></html>"),
                                   Status::BadGateway);
    });
    // Accepted, read, never answered.
    connect(&m_slow, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_slow.nextPendingConnection()) {
            s->setParent(this);
            connect(s, &QTcpSocket::readyRead, s, [s] { s->readAll(); });
        }
    });
}

bool PrometheusFixture::listen()
{
    m_port = m_http.listen(QHostAddress::LocalHost, 0);
    return m_port != 0 && m_slow.listen(QHostAddress::LocalHost, 0);
}

bool PrometheusFixture::listenTls(const QSslCertificate &certificate, const QSslKey &key)
{
    m_http.sslSetup(certificate, key);
    m_tls = true;
    return listen();
}

QStringList PrometheusFixture::labelsFor(const QString &promql)
{
    const QString key = labelKeyFor(promql);
    if (key == QLatin1String("device"))
        return promql.contains(QLatin1String("node_disk")) ? QStringList{QStringLiteral("sda"), QStringLiteral("nvme0n1")}
                                                           : QStringList{QStringLiteral("eth0"), QStringLiteral("eth1")};
    if (key == QLatin1String("mountpoint"))
        return {QStringLiteral("/"), QStringLiteral("/home")};
    if (key == QLatin1String("cpu"))
        return {QStringLiteral("cpu0"), QStringLiteral("cpu1")};
    return {QString()};
}

QHttpServerResponse PrometheusFixture::answer(const QHttpServerRequest &request)
{
    // Decoded as Go's url.ParseQuery does (Prometheus): '+' is a space, then %XX.
    QHash<QString, QString> params;
    for (const QByteArray &pair : request.url().query(QUrl::FullyEncoded).toLatin1().split('&')) {
        const qsizetype eq = pair.indexOf('=');
        const auto decode = [](QByteArray part) { return QUrl::fromPercentEncoding(part.replace('+', ' ')); };
        params.insert(decode(pair.left(eq)), eq < 0 ? QString() : decode(pair.mid(eq + 1)));
    }
    Request r;
    r.path = request.url().path();
    r.query = params.value(QStringLiteral("query"));
    r.start = params.value(QStringLiteral("start"));
    r.end = params.value(QStringLiteral("end"));
    r.step = params.value(QStringLiteral("step"));
    r.authorization = request.value(QByteArrayLiteral("Authorization"));
    requests.append(r);

    if (!requiredAuthorization.isEmpty() && r.authorization != requiredAuthorization)
        return QHttpServerResponse(QByteArrayLiteral("text/plain"), QByteArrayLiteral("Unauthorized\n"), Status::Unauthorized);
    if (r.query.isEmpty())
        return error(Status::BadRequest, "bad_data", QStringLiteral("invalid parameter \"query\": unknown position: parse error: no expression found in input"));
    const std::optional<double> start = parseTime(r.start), end = parseTime(r.end);
    const std::optional<double> step = parseDuration(r.step);
    if (!start)
        return error(Status::BadRequest, "bad_data", QStringLiteral("invalid parameter \"start\": cannot parse \"%1\" to a valid timestamp").arg(r.start));
    if (!end)
        return error(Status::BadRequest, "bad_data", QStringLiteral("invalid parameter \"end\": cannot parse \"%1\" to a valid timestamp").arg(r.end));
    if (*end < *start)
        return error(Status::BadRequest, "bad_data", QStringLiteral("invalid parameter \"end\": end timestamp must not be before start time"));
    if (!step || *step <= 0)
        return error(Status::BadRequest, "bad_data", QStringLiteral("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"));
    if ((*end - *start) / *step > 11000)
        return error(Status::BadRequest, "bad_data", QStringLiteral("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"));
    if (r.query.contains(QLatin1String("parse_error")))
        return error(Status::BadRequest, "bad_data", QStringLiteral("invalid parameter \"query\": 1:1: parse error: unexpected identifier \"parse_error\""));
    if (r.query.contains(QLatin1String("exec_error")))
        return error(Status::UnprocessableEntity, "execution", QStringLiteral("many-to-many matching not allowed: matching labels must be unique on one side"));
    if (r.query.contains(QLatin1String("not_ready")))
        return error(Status::ServiceUnavailable, "unavailable", QStringLiteral("TSDB not ready"));

    QJsonArray result;
    if (matcher.isEmpty() || r.query.contains(matcher)) {
        const QString key = labelKeyFor(r.query);
        const QStringList labels = labelsFor(r.query);
        for (int i = 0; i < labels.size(); ++i) {
            QJsonObject metric;
            if (!key.isEmpty())
                metric.insert(key, labels.at(i));
            QJsonArray values;
            int n = 0;
            // Evaluation times start, start + step, ... up to end, as Prometheus does.
            for (double t = *start; t <= *end + 1e-9; t += *step, ++n) {
                QString v = QString::number(valueAt(qint64(std::llround(t)), i), 'g', 17);
                if (r.query.contains(QLatin1String("odd_values")) && n % 4 != 0)
                    v = n % 4 == 1 ? QStringLiteral("NaN") : n % 4 == 2 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
                values.append(QJsonArray{t, v});
            }
            result.append(QJsonObject{{QStringLiteral("metric"), metric}, {QStringLiteral("values"), values}});
        }
    }
    QJsonObject body{{QStringLiteral("status"), QStringLiteral("success")},
                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("resultType"), QStringLiteral("matrix")},
                                                          {QStringLiteral("result"), result}}}};
    if (r.query.contains(QLatin1String("warn_me")))
        body.insert(QStringLiteral("warnings"), QJsonArray{QStringLiteral("PromQL warning: encountered a mix of histograms and floats")});
    return QHttpServerResponse(body);
}

} // namespace mist::test
