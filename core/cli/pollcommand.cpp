#include "pollcommand.h"

#include "polling/polljob.h"
#include "services/storehostkeys.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("PollCommand", text);
}
} // namespace

PollCommand::PollCommand(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString PollCommand::summary()
{
    return tr("  poll [CLOUD]...                     Poll clouds now (all enabled ones by default)\n");
}

PollCommand::Outcome PollCommand::pollOnce(const Cloud &cloud)
{
    Outcome o;
    o.cloud = cloud;
    qCDebug(lcCli) << "polling" << cloud.name;
    // Nobody can be asked during a poll: only host keys already trusted are accepted.
    auto hostKeys = std::make_shared<SerializedHostKeyVerifier>(std::make_shared<StoreHostKeyVerifier>(m_ctx.store()));
    const PollResult result = ProviderCall::poll(cloud, m_ctx.secrets(), hostKeys);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Result<InventoryDelta> delta = m_ctx.store().applyPoll(cloud.id, result, now);
    if (!delta) {
        o.error = delta.error();
        return o;
    }
    if (!result.success) {
        o.error = result.error;
        return o;
    }
    o.ok = true;
    o.partial = !result.complete;
    if (o.partial)
        o.error = result.error;
    o.added = int(delta->machinesAdded.size());
    o.removed = int(delta->machinesRemoved.size());
    for (const Machine &m : delta->machinesChanged)
        ++(m.missingSince.isValid() ? o.missing : o.changed);
    return o;
}

int PollCommand::run(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("poll"), tr("[CLOUD]..."),
                                     tr("Poll clouds now and store what they report. Without names, polls every\n"
                                        "enabled cloud; a disabled cloud is polled when named. Exits with 1 when a\n"
                                        "poll failed."));
    p.addPositional(QStringLiteral("CLOUD"), tr("Cloud name or id"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());

    QVector<Cloud> targets;
    if (p.positionals().isEmpty()) {
        auto clouds = m_ctx.store().clouds();
        if (!clouds)
            return m_ctx.fail(clouds.error());
        for (const Cloud &c : clouds.value())
            if (c.enabled)
                targets << c;
    } else {
        Result<QVector<Cloud>> named = m_ctx.cloudsNamed(p.positionals());
        if (!named)
            return m_ctx.fail(named.error());
        targets = named.value();
    }

    Records r;
    r.addColumn(QStringLiteral("cloud"), tr("Cloud"));
    r.addColumn(QStringLiteral("result"), tr("Result"));
    r.addColumn(QStringLiteral("added"), tr("Added"));
    r.addColumn(QStringLiteral("changed"), tr("Changed"));
    r.addColumn(QStringLiteral("missing"), tr("Missing"));
    r.addColumn(QStringLiteral("removed"), tr("Removed"));
    r.addColumn(QStringLiteral("error"), tr("Error"));
    int code = ExitCode::Ok;
    QVector<Error> failures;
    for (const Cloud &c : std::as_const(targets)) {
        const Outcome o = pollOnce(c);
        if (!o.ok) {
            code = ExitCode::Failure;
            failures << Error{tr("Could not poll \"%1\"").arg(c.name), o.error.toString()};
        }
        const QString result = !o.ok ? QStringLiteral("failed") : o.partial ? QStringLiteral("partial") : QStringLiteral("ok");
        const QJsonValue error = o.error.message.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(o.error.toString());
        r.addRow({c.name, result, o.added, o.changed, o.missing, o.removed, error});
    }
    m_ctx.writer().write(r);
    for (const Error &e : std::as_const(failures))
        m_ctx.warn(e);
    return code;
}

} // namespace mist
