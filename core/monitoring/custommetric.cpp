#include "monitoring/custommetric.h"

#include "ssh/sshsession.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>

#include <cmath>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CustomMetric", text);
}

std::optional<double> number(const QByteArray &token)
{
    bool ok = false;
    const double v = token.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

Error notANumber(const CustomMetric &m, int lineNo, const QByteArray &line)
{
    return Error{tr("The custom metric \"%1\" printed something that is not a number.").arg(m.name),
                 QStringLiteral("line %1: %2").arg(lineNo).arg(QString::fromUtf8(line.left(100)))};
}

} // namespace

Result<QVector<MetricPoint>> CustomMetricParser::parse(const QByteArray &text, const CustomMetric &m)
{
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9_.:/-]{1,100}$"));
    const QByteArray trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return Error{tr("The custom metric \"%1\" printed nothing.").arg(m.name), {}};
    QVector<MetricPoint> out;
    if (!trimmed.contains('\n') && !trimmed.simplified().contains(' ')) {
        auto v = number(trimmed);
        if (!v)
            return notANumber(m, 1, trimmed);
        out.append(MetricPoint{m.name, {}, m.unit, *v});
        return out;
    }
    int lineNo = 0;
    for (const QByteArray &raw : trimmed.split('\n')) {
        ++lineNo;
        const QByteArray line = raw.simplified();
        if (line.isEmpty())
            continue;
        const QList<QByteArray> t = line.split(' ');
        if (t.size() != 2)
            return notANumber(m, lineNo, line);
        const QString sub = QString::fromUtf8(t[0]);
        if (!validName.match(sub).hasMatch())
            return Error{tr("The custom metric \"%1\" printed an invalid name.").arg(m.name),
                         QStringLiteral("line %1: %2").arg(lineNo).arg(sub.left(100))};
        auto v = number(t[1]);
        if (!v)
            return notANumber(m, lineNo, line);
        out.append(MetricPoint{m.name + QLatin1Char('.') + sub, {}, m.unit, *v});
    }
    return out;
}

Result<QVector<MetricPoint>> CustomMetricParser::run(SshSession &session, const CustomMetric &m, std::chrono::milliseconds timeout)
{
    auto r = session.exec(m.command, {}, timeout);
    if (!r)
        return r.error();
    if (r->exitStatus != 0)
        return Error{tr("The custom metric \"%1\" failed (exit status %2).").arg(m.name).arg(r->exitStatus),
                     QString::fromUtf8(r->err.trimmed().left(300))};
    return parse(r->out, m);
}

Result<QVector<MetricPoint>> CustomMetricParser::runLocal(const CustomMetric &m, std::chrono::milliseconds timeout)
{
    QProcess process;
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), m.command});
    if (!process.waitForStarted(5000))
        return Error{tr("The custom metric \"%1\" could not start.").arg(m.name), process.errorString()};
    process.closeWriteChannel();
    if (!process.waitForFinished(int(timeout.count()))) {
        process.kill();
        process.waitForFinished(1000);
        return Error{tr("The custom metric \"%1\" did not finish within %2 s.").arg(m.name).arg(timeout.count() / 1000), {}};
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return Error{tr("The custom metric \"%1\" failed (exit status %2).").arg(m.name).arg(process.exitCode()),
                     QString::fromUtf8(process.readAllStandardError().trimmed().left(300))};
    return parse(process.readAllStandardOutput(), m);
}

} // namespace mist
