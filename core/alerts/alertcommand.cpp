#include "alerts/alertcommand.h"

#include "secrets/secretstore.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"
#include "ssh/sshsession.h"
#include "ssh/sshtargetresolver.h"

#include <QCoreApplication>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("mist::AlertCommand", text);
}
} // namespace

QString AlertCommand::firstLines(const QByteArray &out, const QByteArray &err, int maxLines, int maxChars)
{
    const QByteArray &text = out.trimmed().isEmpty() ? err : out;
    QStringList lines = QString::fromUtf8(text).trimmed().split(QLatin1Char('\n'));
    const bool more = lines.size() > maxLines;
    lines = lines.mid(0, maxLines);
    QString joined = lines.join(QLatin1Char('\n'));
    if (joined.size() > maxChars || more)
        joined = joined.left(maxChars) + QStringLiteral(" …");
    return joined;
}

Result<AlertCommandOutcome> AlertCommand::run(QPointer<StoreService> store, qint64 machineId, const QString &command,
                                              const QString &auditActor, std::chrono::milliseconds timeout)
{
    if (command.trimmed().isEmpty())
        return Error{tr("The rule's command is empty."), {}};
    // The machine's SSH settings come from the store thread (a blocking hop from this worker).
    auto settings = std::make_shared<Result<SshSettings>>(Error{tr("The inventory is not available"), {}});
    auto name = std::make_shared<QString>();
    if (!store || !store->runBlocking([settings, name, machineId](InventoryStore &s) {
            auto m = s.machine(machineId);
            if (m)
                *name = m.value().name;
            *settings = m ? SshTargetResolver::settings(s, m.value()) : Result<SshSettings>(m.error());
        }))
        return Error{tr("The inventory did not answer in time"), {}};
    if (!*settings)
        return settings->error();
    SecretStore secrets;
    auto target = SshTargetResolver::target(settings->value(), &secrets);
    if (!target)
        return target.error();
    StoreServiceHostKeyVerifier verifier(store.data());
    verifier.setAuditContext(auditActor, machineId, *name);
    SshSession session;
    if (SshStatus st = session.connect(target.value(), verifier); !st) {
        Error e = st.error();
        if (st.kind() == SshErrorKind::HostKeyUnknown)
            e.message += QLatin1Char(' ') + tr("Open a shell on the machine once to check and trust its host key.");
        return e;
    }
    auto exec = session.exec(command, {}, timeout);
    if (!exec)
        return exec.error();
    AlertCommandOutcome out;
    out.exitStatus = exec.value().exitStatus;
    const QString lines = firstLines(exec.value().out, exec.value().err);
    out.summary = tr("exit %1").arg(out.exitStatus) + (lines.isEmpty() ? QString() : QStringLiteral(": ") + lines);
    return out;
}

} // namespace mist
