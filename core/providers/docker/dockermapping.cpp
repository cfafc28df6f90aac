#include "dockermapping.h"

#include <QJsonArray>

namespace mist::DockerMapping {

namespace {
QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}
} // namespace

QString state(const QString &engineState)
{
    const QString s = engineState.toLower();
    if (s == QLatin1String("running"))
        return MachineState::Running;
    if (s == QLatin1String("paused"))
        return MachineState::Paused;
    if (s == QLatin1String("exited") || s == QLatin1String("created") || s == QLatin1String("stopped")
        || s == QLatin1String("configured"))   // Podman says "configured" for created
        return MachineState::Stopped;
    if (s == QLatin1String("restarting") || s == QLatin1String("removing") || s == QLatin1String("stopping"))
        return MachineState::Pending;
    if (s == QLatin1String("dead"))
        return MachineState::Error;
    return MachineState::Unknown;
}

QString portText(const QJsonObject &port)
{
    const QString priv = QStringLiteral("%1/%2").arg(port.value(QLatin1String("PrivatePort")).toInt()).arg(str(port, "Type"));
    const int pub = port.value(QLatin1String("PublicPort")).toInt();
    if (pub <= 0)
        return priv;
    QString ip = str(port, "IP");
    if (ip.contains(QLatin1Char(':')))
        ip = QLatin1Char('[') + ip + QLatin1Char(']');
    return QStringLiteral("%1:%2->%3").arg(ip.isEmpty() ? QStringLiteral("0.0.0.0") : ip).arg(pub).arg(priv);
}

Machine hostMachine(const QJsonObject &info, const QJsonObject &version, const QString &endpoint, bool podman)
{
    Machine m;
    m.externalId = HostExternalId;
    m.kind = MachineKind::ContainerHost;
    m.name = str(info, "Name");
    if (m.name.isEmpty())
        m.name = endpoint;
    m.state = MachineState::Running;
    m.os = str(info, "OperatingSystem");
    m.cores = info.value(QLatin1String("NCPU")).toInt();
    m.memoryMb = qint64(info.value(QLatin1String("MemTotal")).toDouble() / (1024.0 * 1024.0));
    m.size = str(info, "Architecture");
    m.extra = QJsonObject{
        {QStringLiteral("engine"), podman ? QStringLiteral("Podman") : QStringLiteral("Docker")},
        {QStringLiteral("version"), str(version, "Version").isEmpty() ? str(info, "ServerVersion") : str(version, "Version")},
        {QStringLiteral("api_version"), str(version, "ApiVersion")},
        {QStringLiteral("kernel"), str(info, "KernelVersion")},
        {QStringLiteral("endpoint"), endpoint},
        {QStringLiteral("containers"), info.value(QLatin1String("Containers")).toInt()},
        {QStringLiteral("images"), info.value(QLatin1String("Images")).toInt()},
        {QStringLiteral("storage_driver"), str(info, "Driver")},
    };
    return m;
}

Machine containerMachine(const QJsonObject &c)
{
    Machine m;
    const QString id = str(c, "Id");
    m.externalId = id;
    m.parentExternalId = HostExternalId;
    m.kind = MachineKind::Container;
    QString name = c.value(QLatin1String("Names")).toArray().at(0).toString();
    if (name.startsWith(QLatin1Char('/')))
        name.remove(0, 1);
    m.name = name.isEmpty() ? id.left(12) : name;
    m.image = str(c, "Image");
    m.state = state(str(c, "State"));
    const qint64 created = c.value(QLatin1String("Created")).toVariant().toLongLong();
    if (created > 0)
        m.created = QDateTime::fromSecsSinceEpoch(created, Qt::UTC);
    const QJsonObject networks = c.value(QLatin1String("NetworkSettings")).toObject().value(QLatin1String("Networks")).toObject();
    QJsonArray networkNames;
    for (auto it = networks.begin(); it != networks.end(); ++it) {
        networkNames.append(it.key());
        const QJsonObject n = it.value().toObject();
        for (const char *key : {"IPAddress", "GlobalIPv6Address"}) {
            const QString ip = str(n, key);
            if (!ip.isEmpty() && !m.privateIps.contains(ip))
                m.privateIps << ip;
        }
    }
    QJsonArray ports;
    for (const QJsonValue &p : c.value(QLatin1String("Ports")).toArray())
        ports.append(portText(p.toObject()));
    const QJsonObject labels = c.value(QLatin1String("Labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        m.providerTags.insert(it.key(), it.value().toString());
    m.extra = QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("ports"), ports},
        {QStringLiteral("command"), str(c, "Command")},
        {QStringLiteral("status"), str(c, "Status")},
        {QStringLiteral("image_id"), str(c, "ImageID")},
        {QStringLiteral("networks"), networkNames},
    };
    return m;
}

} // namespace mist::DockerMapping
