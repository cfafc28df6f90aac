#include "auditcommands.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("AuditCommands", text);
}
} // namespace

AuditCommands::AuditCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString AuditCommands::summary()
{
    return tr("  audit [--limit N] [--search TEXT] [--cloud NAME] [--machine MACHINE] [--since WHEN]\n"
              "                                      Show the audit log, newest first\n");
}

QDateTime AuditCommands::parseSince(const QString &text, const QDateTime &now)
{
    const QString t = text.trimmed();
    static const QRegularExpression age(QStringLiteral("^(\\d+)\\s*([smhdw])$"), QRegularExpression::CaseInsensitiveOption);
    if (const QRegularExpressionMatch m = age.match(t); m.hasMatch()) {
        bool ok = false;
        const qint64 n = m.captured(1).toLongLong(&ok);
        const QChar unit = m.captured(2).toLower().at(0);
        const qint64 perUnit = unit == QLatin1Char('s') ? 1
                               : unit == QLatin1Char('m') ? 60
                               : unit == QLatin1Char('h') ? 3600
                               : unit == QLatin1Char('d') ? 86400
                                                          : 7 * 86400;
        if (!ok || n > 100LL * 365 * 86400 / perUnit)
            return {};
        return now.addSecs(-n * perUnit);
    }
    // Without an offset, a time is the user's local time, as everything else they type.
    QDateTime when = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!when.isValid())
        when = QDateTime::fromString(t, Qt::ISODate);
    if (when.isValid())
        return when;
    const QDate day = QDate::fromString(t, Qt::ISODate);
    if (day.isValid())
        return day.startOfDay();
    return {};
}

int AuditCommands::run(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("audit"), tr("[options]"),
                                     tr("Show the audit log, newest first: what the app, the poller and the command\n"
                                        "line did and what changed in the clouds."));
    p.addOption({QStringLiteral("--limit")}, QStringLiteral("N"), tr("At most N entries (default 50)."));
    p.addOption({QStringLiteral("--search")}, QStringLiteral("TEXT"), tr("Only entries whose action, target, message or actor contains TEXT."));
    p.addOption({QStringLiteral("--cloud")}, QStringLiteral("NAME"), tr("Only entries about this cloud."));
    p.addOption({QStringLiteral("--machine")}, QStringLiteral("MACHINE"), tr("Only entries about this machine."));
    p.addOption({QStringLiteral("--since")}, QStringLiteral("WHEN"),
                tr("Only entries since WHEN: an ISO 8601 date or time (local unless it has\n"
                   "an offset) or an age such as 30m, 1h, 2d, 1w."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().constFirst()));

    AuditQuery q;
    q.limit = 50;
    if (p.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        q.limit = p.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || q.limit < 1)
            return m_ctx.usageError(p, tr("bad --limit \"%1\": give a whole number of at least 1").arg(p.value(QStringLiteral("limit"))));
    }
    q.text = p.value(QStringLiteral("search"));
    if (p.isSet(QStringLiteral("since"))) {
        q.since = parseSince(p.value(QStringLiteral("since")), QDateTime::currentDateTimeUtc());
        if (!q.since.isValid())
            return m_ctx.usageError(p, tr("bad --since \"%1\": give an ISO 8601 date or time, or an age like 1h or 2d")
                                           .arg(p.value(QStringLiteral("since"))));
    }

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    if (p.isSet(QStringLiteral("cloud"))) {
        Result<Cloud> c = m_ctx.store().cloudByName(p.value(QStringLiteral("cloud")));
        if (!c)
            return m_ctx.fail(c.error());
        q.cloudId = c->id;
    }
    if (p.isSet(QStringLiteral("machine"))) {
        const QString machine = p.value(QStringLiteral("machine"));
        Result<Machine> m = m_ctx.store().findMachine(machine);
        bool numeric = false;
        const qint64 id = machine.toLongLong(&numeric);
        if (m.ok())
            q.machineId = m->id;
        else if (numeric && id > 0)   // a removed machine's history is still there by id
            q.machineId = id;
        else
            return m_ctx.fail(m.error());
    }
    Result<QVector<AuditEntry>> entries = m_ctx.store().audit(q);
    if (!entries)
        return m_ctx.fail(entries.error());
    auto clouds = m_ctx.cloudsById();
    if (!clouds)
        return m_ctx.fail(clouds.error());

    const bool full = m_ctx.format() != OutputFormat::Table;
    Records r;
    r.addColumn(QStringLiteral("id"), tr("Id"));
    r.addColumn(QStringLiteral("time"), tr("Time"), Records::Kind::Time);
    r.addColumn(QStringLiteral("actor"), tr("Actor"));
    r.addColumn(QStringLiteral("action"), tr("Action"));
    r.addColumn(QStringLiteral("cloud"), tr("Cloud"));
    r.addColumn(QStringLiteral("target"), tr("Target"));
    r.addColumn(QStringLiteral("result"), tr("Result"));
    r.addColumn(QStringLiteral("message"), tr("Message"));
    if (full) {
        r.addColumn(QStringLiteral("cloud_id"), tr("Cloud id"));
        r.addColumn(QStringLiteral("machine_id"), tr("Machine id"));
        r.addColumn(QStringLiteral("details"), tr("Details"));
    }
    for (const AuditEntry &e : std::as_const(entries.value())) {
        const auto cloud = clouds->constFind(e.cloudId);
        QVector<QJsonValue> row{e.id,
                                timeValue(e.timestamp),
                                e.actor,
                                e.action,
                                cloud != clouds->constEnd() ? QJsonValue(cloud->name) : QJsonValue(QJsonValue::Null),
                                e.target,
                                e.success ? QStringLiteral("ok") : QStringLiteral("failed"),
                                e.message};
        if (full)
            row << (e.cloudId ? QJsonValue(e.cloudId) : QJsonValue(QJsonValue::Null))
                << (e.machineId ? QJsonValue(e.machineId) : QJsonValue(QJsonValue::Null)) << e.details;
        r.addRow(row);
    }
    m_ctx.writer().write(r);
    return ExitCode::Ok;
}

} // namespace mist
