#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace mist {

struct AuditEntry
{
    qint64 id = 0;
    QDateTime timestamp;
    QString actor;        // "user", "cli", "poller"
    QString action;       // "machine.appeared", "machine.state_changed", "machine.start", "cloud.added"...
    qint64 cloudId = 0;
    qint64 machineId = 0;
    QString target;       // human name at the time (the machine or cloud may be gone later)
    bool success = true;
    QString message;
    QJsonObject details;  // never holds secrets
};

struct AuditQuery
{
    QString text;          // substring over action, target, message, actor
    qint64 cloudId = 0;
    qint64 machineId = 0;
    QDateTime since;
    int limit = 1000;
};

} // namespace mist

Q_DECLARE_METATYPE(mist::AuditEntry)
