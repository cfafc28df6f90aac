#include "storecodec.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include <algorithm>
#include <numeric>

namespace mist::storecodec {

namespace {

// Characters QJsonDocument writes as they are (no escape): printable ASCII but '"' and '\'.
bool isPlain(const QString &s)
{
    for (QChar ch : s) {
        const char16_t c = ch.unicode();
        if (c < 0x20 || c > 0x7e || c == u'"' || c == u'\\')
            return false;
    }
    return true;
}

} // namespace

QString tr(const char *text)
{
    return QCoreApplication::translate("InventoryStore", text);
}

qint64 toMs(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

void bindTime(sql::Statement &s, int index, const QDateTime &t)
{
    if (t.isValid())
        s.bind(index, t.toMSecsSinceEpoch());
    else
        s.bindNull(index);
}

QDateTime readTime(const sql::Statement &s, int column)
{
    if (s.isNull(column))
        return {};
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    return QDateTime::fromMSecsSinceEpoch(s.int64(column), QTimeZone::UTC);
#else
    return QDateTime::fromMSecsSinceEpoch(s.int64(column), Qt::UTC);
#endif
}

QString toJson(const QStringList &list)
{
    if (list.isEmpty())
        return QStringLiteral("[]");
    if (std::all_of(list.cbegin(), list.cend(), isPlain)) {
        QString out;
        out.reserve(2 + list.size() * 3 + std::accumulate(list.cbegin(), list.cend(), qsizetype(0),
                                                           [](qsizetype n, const QString &s) { return n + s.size(); }));
        out += QLatin1Char('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                out += QLatin1Char(',');
            out += QLatin1Char('"') + list.at(i) + QLatin1Char('"');
        }
        out += QLatin1Char(']');
        return out;
    }
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QString toJson(const QJsonObject &object)
{
    if (object.isEmpty())
        return QStringLiteral("{}");
    // Audit details are mostly a few plain strings ({"from":…,"to":…}); keys come sorted.
    if (object.size() <= 4) {
        QString out = QStringLiteral("{");
        bool plain = true;
        for (auto it = object.constBegin(); plain && it != object.constEnd(); ++it) {
            plain = it.value().isString() && isPlain(it.key()) && isPlain(it.value().toString());
            if (plain)
                out += (out.size() > 1 ? QStringLiteral(",\"") : QStringLiteral("\"")) + it.key()
                       + QStringLiteral("\":\"") + it.value().toString() + QLatin1Char('"');
        }
        if (plain)
            return out + QLatin1Char('}');
    }
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString toJsonObject(std::initializer_list<std::pair<QLatin1String, QString>> members)
{
    const bool plain = std::all_of(members.begin(), members.end(), [](const auto &m) { return isPlain(m.second); });
    if (!plain) {
        QJsonObject object;
        for (const auto &[key, value] : members)
            object.insert(key, value);
        return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    }
    qsizetype size = 2;
    for (const auto &[key, value] : members)
        size += key.size() + value.size() + 6;
    QString out;
    out.reserve(size);   // one allocation
    out.append(QLatin1Char('{'));
    for (const auto &[key, value] : members) {
        if (out.size() > 1)
            out.append(QLatin1Char(','));
        out.append(QLatin1Char('"')).append(key).append(QLatin1String("\":\"")).append(value).append(QLatin1Char('"'));
    }
    out.append(QLatin1Char('}'));
    return out;
}

QStringList listFromJson(const QString &text)
{
    if (text.isEmpty() || text == QLatin1String("[]"))
        return {};
    // What toJson() writes for plain strings: split without a JSON parser. Without a
    // backslash no string can contain a quote, so "," only occurs between elements.
    if (text.size() >= 4 && text.startsWith(QLatin1String("[\"")) && text.endsWith(QLatin1String("\"]"))
        && !text.contains(QLatin1Char('\\')))
        return text.mid(2, text.size() - 4).split(QStringLiteral("\",\""));
    QStringList out;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &v : array)
        out << v.toString();
    return out;
}

QJsonObject objectFromJson(const QString &text)
{
    if (text.isEmpty() || text == QLatin1String("{}"))
        return {};
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

const QString kMachineColumns = QStringLiteral(
    "machines.id, cloud_id, external_id, parent_id, parent_external_id, kind, name, "
    "COALESCE(status.state, 'unknown'), public_ips, private_ips, size, image, location, os, cores, memory_mb, "
    "created_at, "
    // NULL: seen in the cloud's last successful poll (InventoryStore::settleLastSeen).
    "COALESCE(status.last_seen, (SELECT last_success_at FROM clouds WHERE clouds.id = machines.cloud_id)), "
    "status.missing_since, extra, cost_per_month, cost_currency");

// Every machine has its status row (written with it); LEFT JOIN so that a machine never
// disappears from the inventory should one be missing.
const QString kMachineSource = QStringLiteral("machines LEFT JOIN machine_status status ON status.machine_id = machines.id");

Machine readMachine(const sql::Statement &s)
{
    Machine m;
    m.id = s.int64(0);
    m.cloudId = s.int64(1);
    m.externalId = s.text(2);
    m.parentId = s.int64(3);
    m.parentExternalId = s.text(4);
    m.kind = machineKindFromName(s.text(5)).value_or(MachineKind::Machine);
    m.name = s.text(6);
    m.state = s.text(7);
    m.publicIps = listFromJson(s.text(8));
    m.privateIps = listFromJson(s.text(9));
    m.size = s.text(10);
    m.image = s.text(11);
    m.location = s.text(12);
    m.os = s.text(13);
    m.cores = int(s.int64(14));
    m.memoryMb = s.int64(15);
    m.created = readTime(s, 16);
    m.lastSeen = readTime(s, 17);
    m.missingSince = readTime(s, 18);
    m.extra = objectFromJson(s.text(19));
    m.costPerMonth = s.real(20);
    m.costCurrency = s.text(21);
    return m;
}

AuditEntry auditFor(const QString &actor, const QString &action, const Cloud &cloud, const QString &message)
{
    AuditEntry e;
    e.actor = actor;
    e.action = action;
    e.cloudId = cloud.id;
    e.target = cloud.name;
    e.message = message;
    return e;
}

AuditEntry auditFor(const QString &action, const Machine &m, const QString &message)
{
    AuditEntry e;
    e.actor = QStringLiteral("poller");
    e.action = action;
    e.cloudId = m.cloudId;
    e.machineId = m.id;
    e.target = m.name;
    e.message = message;
    return e;
}

} // namespace mist::storecodec
