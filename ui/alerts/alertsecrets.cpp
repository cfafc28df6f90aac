#include "alertsecrets.h"

#include "alerts/webhooksender.h"
#include "secrets/secretstore.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QtConcurrent>

namespace mist {

void applyAlertSecrets(const QString &ruleId, const AlertSecretChanges &changes, QObject *context,
                       std::function<void(Status)> done)
{
    if (changes.isEmpty()) {
        // Still asynchronous, so callers see one behaviour.
        QMetaObject::invokeMethod(context, [done] { done({}); }, Qt::QueuedConnection);
        return;
    }
    auto *watcher = new QFutureWatcher<Status>(context);
    QObject::connect(watcher, &QFutureWatcher<Status>::finished, context, [watcher, done] {
        watcher->deleteLater();
        done(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([ruleId, changes]() -> Status {
        SecretStore keychain;
        const QString owner = WebhookSender::secretOwner(ruleId);
        QHash<QString, QString> fields;
        for (auto it = changes.write.cbegin(); it != changes.write.cend(); ++it)
            fields.insert(WebhookSender::secretField(it.key()), it.value());
        if (!fields.isEmpty()) {
            if (Status s = keychain.writeAll(owner, fields); !s)
                return Error{QCoreApplication::translate("AlertSecrets", "Could not store the secret headers in the OS keychain."),
                             s.error().toString()};
        }
        QStringList gone;
        for (const QString &name : changes.remove)
            gone << WebhookSender::secretField(name);
        if (!gone.isEmpty()) {
            if (Status s = keychain.removeAll(owner, gone); !s)
                return Error{QCoreApplication::translate("AlertSecrets",
                                                         "Could not delete the secret headers from the OS keychain."),
                             s.error().toString()};
        }
        return {};
    }));
}

} // namespace mist
