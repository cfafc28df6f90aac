#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace mist {

enum class CloudHealth { NeverPolled, Polling, Ok, Error };
QString cloudHealthName(CloudHealth health);
CloudHealth cloudHealthFromName(const QString &name);

struct Cloud
{
    qint64 id = 0;
    QString uuid;                 // stable, also the keychain namespace of this cloud's secrets
    QString name;                 // unique, user-chosen ("kvm1")
    QString provider;             // provider id ("libvirt", "local")
    bool enabled = true;
    int pollIntervalSec = 60;
    QJsonObject config;           // non-secret form values only
    QStringList secretFields;     // names of fields whose values live in the keychain
    QDateTime createdAt;
    CloudHealth health = CloudHealth::NeverPolled;
    QDateTime lastPollAt;         // last attempt finished
    QDateTime lastSuccessAt;      // last complete, successful poll
    QString lastError;            // empty when the last poll succeeded

    // The inventory shown is older than the last attempt: the last poll failed.
    bool isStale() const { return health == CloudHealth::Error; }
};

} // namespace mist

Q_DECLARE_METATYPE(mist::Cloud)
