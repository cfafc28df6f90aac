#pragma once

#include "inventory/auditentry.h"
#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "inventory/sqlite.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

// Conversions between inventory values and SQLite columns, shared by the store's files.
// Internal to core/inventory.
namespace mist::storecodec {

QString tr(const char *text);   // in the "InventoryStore" context

qint64 toMs(const QDateTime &t);
void bindTime(sql::Statement &s, int index, const QDateTime &t);
QDateTime readTime(const sql::Statement &s, int column);

// Compact JSON exactly as QJsonDocument writes it; plain lists and empty objects (nearly
// every row of a poll) are written without building a QJsonDocument.
QString toJson(const QStringList &list);
QString toJson(const QJsonObject &object);
// {"k1":"v1",...} of string pairs (keys in the order given), without building a QJsonObject.
QString toJsonObject(std::initializer_list<std::pair<QLatin1String, QString>> members);
QStringList listFromJson(const QString &text);
QJsonObject objectFromJson(const QString &text);

// The machine columns in the order readMachine() expects, selected FROM kMachineSource.
extern const QString kMachineColumns;
extern const QString kMachineSource;
Machine readMachine(const sql::Statement &s);

AuditEntry auditFor(const QString &actor, const QString &action, const Cloud &cloud, const QString &message = {});
AuditEntry auditFor(const QString &action, const Machine &m, const QString &message);   // by the poller

} // namespace mist::storecodec
