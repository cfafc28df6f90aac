#include "provider.h"

#include <QCoreApplication>
#include <QJsonValue>

namespace mist {

QString Credentials::value(const QString &field) const
{
    if (auto it = secrets.constFind(field); it != secrets.constEnd())
        return *it;
    const QJsonValue v = config.value(field);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toDouble());
    return v.toString();
}

Status Provider::validate(const Credentials &credentials) const
{
    for (const FormField &f : info().fields) {
        if (f.required && credentials.value(f.id).trimmed().isEmpty())
            return Error{QCoreApplication::translate("Provider", "%1 is required.").arg(f.label), {}};
        if (f.type == FormField::Type::Integer && !credentials.value(f.id).isEmpty()) {
            bool ok = false;
            credentials.value(f.id).toLongLong(&ok);
            if (!ok)
                return Error{QCoreApplication::translate("Provider", "%1 must be a whole number.").arg(f.label),
                             credentials.value(f.id)};
        }
        if (f.type == FormField::Type::Choice && !credentials.value(f.id).isEmpty()
            && !f.choices.contains(credentials.value(f.id)))
            return Error{QCoreApplication::translate("Provider", "%1 must be one of: %2.")
                             .arg(f.label, f.choices.join(QStringLiteral(", "))),
                         credentials.value(f.id)};
    }
    return {};
}

namespace Action {
QString title(const QString &action)
{
    if (action == Start) return QCoreApplication::translate("Action", "Start");
    if (action == Stop) return QCoreApplication::translate("Action", "Stop");
    if (action == PowerOff) return QCoreApplication::translate("Action", "Force off");
    if (action == Reboot) return QCoreApplication::translate("Action", "Reboot");
    if (action == Suspend) return QCoreApplication::translate("Action", "Suspend");
    if (action == Resume) return QCoreApplication::translate("Action", "Resume");
    if (action == Rename) return QCoreApplication::translate("Action", "Rename…");
    if (action == Destroy) return QCoreApplication::translate("Action", "Destroy");
    if (action == Remove) return QCoreApplication::translate("Action", "Remove from Mist");
    if (action == Restart) return QCoreApplication::translate("Action", "Restart");
    if (action == Pause) return QCoreApplication::translate("Action", "Pause");
    if (action == Unpause) return QCoreApplication::translate("Action", "Unpause");
    if (action == Cordon) return QCoreApplication::translate("Action", "Cordon");
    if (action == Uncordon) return QCoreApplication::translate("Action", "Uncordon");
    if (action == Scale) return QCoreApplication::translate("Action", "Scale…");
    if (action == RolloutRestart) return QCoreApplication::translate("Action", "Restart rollout");
    return action;
}

bool isDestructive(const QString &action)
{
    return action == Destroy || action == PowerOff || action == Remove;
}
} // namespace Action

WatchOutcome Provider::watch(const Credentials &, const QString &, WatchSink &)
{
    return {};
}

} // namespace mist
