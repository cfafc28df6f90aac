#include "machinerecords.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MachineRecords", text);
}

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonValue numberOrNull(qint64 n)
{
    return n == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(n);
}

} // namespace

TagMap MachineRecords::allTags(const Machine &m)
{
    TagMap tags = m.providerTags;
    for (auto it = m.userTags.cbegin(); it != m.userTags.cend(); ++it)
        tags.insert(it.key(), it.value());
    return tags;
}

QJsonObject MachineRecords::tagsJson(const TagMap &tags)
{
    QJsonObject o;
    for (auto it = tags.cbegin(); it != tags.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QString MachineRecords::stateText(const Machine &m, const Cloud &cloud)
{
    if (m.missingSince.isValid())
        return tr("%1 (missing)").arg(m.state);
    if (cloud.isStale())
        return tr("%1 (stale)").arg(m.state);
    return m.state;
}

void MachineRecords::addColumns(Records &r, OutputFormat format, bool all)
{
    r.addColumn(QStringLiteral("id"), tr("Id"));
    r.addColumn(QStringLiteral("name"), tr("Name"));
    r.addColumn(QStringLiteral("state"), tr("State"));
    if (format != OutputFormat::Table) {
        r.addColumn(QStringLiteral("missing"), tr("Missing"));
        r.addColumn(QStringLiteral("stale"), tr("Stale"));
    }
    r.addColumn(QStringLiteral("kind"), tr("Kind"));
    r.addColumn(QStringLiteral("cloud"), tr("Cloud"));
    r.addColumn(QStringLiteral("ips"), tr("IPs"));
    r.addColumn(QStringLiteral("size"), tr("Size"));
    r.addColumn(QStringLiteral("tags"), tr("Tags"));
    if (!all)
        return;
    r.addColumn(QStringLiteral("cloud_id"), tr("Cloud id"));
    r.addColumn(QStringLiteral("external_id"), tr("External id"));
    r.addColumn(QStringLiteral("parent_id"), tr("Parent id"));
    r.addColumn(QStringLiteral("public_ips"), tr("Public IPs"));
    r.addColumn(QStringLiteral("private_ips"), tr("Private IPs"));
    r.addColumn(QStringLiteral("image"), tr("Image"));
    r.addColumn(QStringLiteral("location"), tr("Location"));
    r.addColumn(QStringLiteral("os"), tr("OS"));
    r.addColumn(QStringLiteral("cores"), tr("Cores"));
    r.addColumn(QStringLiteral("memory_mb"), tr("Memory MB"));
    r.addColumn(QStringLiteral("cost_per_month"), tr("Cost per month"));
    r.addColumn(QStringLiteral("cost_currency"), tr("Currency"));
    r.addColumn(QStringLiteral("created"), tr("Created"), Records::Kind::Time);
    r.addColumn(QStringLiteral("last_seen"), tr("Last seen"), Records::Kind::Time);
    r.addColumn(QStringLiteral("missing_since"), tr("Missing since"), Records::Kind::Time);
    r.addColumn(QStringLiteral("provider_tags"), tr("Provider tags"));
    r.addColumn(QStringLiteral("user_tags"), tr("User tags"));
}

QVector<QJsonValue> MachineRecords::row(const Machine &m, const Cloud &cloud, OutputFormat format, bool all)
{
    QVector<QJsonValue> v;
    v << m.id << m.name;
    if (format == OutputFormat::Table)
        v << stateText(m, cloud);
    else
        v << m.state << m.missingSince.isValid() << cloud.isStale();
    v << machineKindName(m.kind) << cloud.name << QJsonArray::fromStringList(m.publicIps + m.privateIps)
      << textOrNull(m.size) << tagsJson(allTags(m));
    if (!all)
        return v;
    const bool costKnown = !m.costCurrency.isEmpty();
    v << m.cloudId << m.externalId << numberOrNull(m.parentId) << QJsonArray::fromStringList(m.publicIps)
      << QJsonArray::fromStringList(m.privateIps) << textOrNull(m.image) << textOrNull(m.location)
      << textOrNull(m.os) << numberOrNull(m.cores) << numberOrNull(m.memoryMb)
      << (costKnown ? QJsonValue(m.costPerMonth) : QJsonValue(QJsonValue::Null)) << textOrNull(m.costCurrency)
      << timeValue(m.created) << timeValue(m.lastSeen) << timeValue(m.missingSince) << tagsJson(m.providerTags)
      << tagsJson(m.userTags);
    return v;
}

Records MachineRecords::list(const QVector<Machine> &machines, const QHash<qint64, Cloud> &clouds,
                             OutputFormat format, bool allColumns)
{
    Records r;
    addColumns(r, format, allColumns);
    for (const Machine &m : machines)
        r.addRow(row(m, clouds.value(m.cloudId), format, allColumns));
    return r;
}

Records MachineRecords::details(const Machine &m, const Cloud &cloud, const QString &parentName,
                                const QStringList &actions, OutputFormat format)
{
    Records r;
    addColumns(r, format, true);
    QVector<QJsonValue> values = row(m, cloud, format, true);
    r.addColumn(QStringLiteral("provider"), tr("Provider"));
    values << cloud.provider;
    r.addColumn(QStringLiteral("parent"), tr("Parent"));
    values << textOrNull(parentName);
    r.addColumn(QStringLiteral("actions"), tr("Actions now"));
    values << QJsonArray::fromStringList(actions);
    if (format == OutputFormat::Table) {
        // One line per provider detail reads better than one long "key=value, ..." line.
        for (auto it = m.extra.begin(); it != m.extra.end(); ++it) {
            r.addColumn(QStringLiteral("extra.") + it.key(), it.key());
            values << it.value();
        }
    } else {
        r.addColumn(QStringLiteral("extra"), tr("Details"));
        values << m.extra;
    }
    r.addRow(values);
    return r;
}

} // namespace mist
