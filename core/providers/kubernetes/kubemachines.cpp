#include "kubemachines.h"

#include "providers/kubernetes/kubequantity.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace mist::KubeMachines {

namespace {

QJsonObject obj(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toObject();
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

TagMap labelsOf(const QJsonObject &metadata)
{
    TagMap tags;
    const QJsonObject labels = obj(metadata, "labels");
    for (auto it = labels.begin(); it != labels.end(); ++it)
        tags.insert(it.key(), it.value().toString());
    return tags;
}

QDateTime timeOf(const QString &s)
{
    return s.isEmpty() ? QDateTime() : QDateTime::fromString(s, Qt::ISODate);
}

// A container's state: running, pending (waiting, creating), error (crash loop, pull
// failure, non-zero exit), stopped (exited 0).
QString containerState(const QJsonObject &status, QString *reason)
{
    const QJsonObject state = obj(status, "state");
    if (state.contains(QLatin1String("running")))
        return MachineState::Running;
    if (state.contains(QLatin1String("terminated"))) {
        const QJsonObject t = obj(state, "terminated");
        *reason = str(t, "reason");
        return t.value(QLatin1String("exitCode")).toInt() == 0 ? MachineState::Stopped : MachineState::Error;
    }
    if (state.contains(QLatin1String("waiting"))) {
        *reason = str(obj(state, "waiting"), "reason");
        static const QStringList bad{QStringLiteral("CrashLoopBackOff"), QStringLiteral("ErrImagePull"),
                                     QStringLiteral("ImagePullBackOff"), QStringLiteral("CreateContainerConfigError"),
                                     QStringLiteral("InvalidImageName"), QStringLiteral("CreateContainerError")};
        return bad.contains(*reason) ? MachineState::Error : MachineState::Pending;
    }
    return MachineState::Pending;
}

QHash<QString, QJsonObject> statusesByName(const QJsonObject &pod)
{
    QHash<QString, QJsonObject> out;
    for (const QJsonValue &v : obj(pod, "status").value(QLatin1String("containerStatuses")).toArray())
        out.insert(str(v.toObject(), "name"), v.toObject());
    return out;
}

QStringList podIps(const QJsonObject &status)
{
    QStringList ips;
    for (const QJsonValue &v : status.value(QLatin1String("podIPs")).toArray())
        ips << str(v.toObject(), "ip");
    if (ips.isEmpty() && !str(status, "podIP").isEmpty())
        ips << str(status, "podIP");
    return ips;
}

} // namespace

QString nodeId(const QString &name) { return QStringLiteral("node/") + name; }
QString podId(const QString &uid) { return QStringLiteral("pod/") + uid; }
QString containerId(const QString &podUid, const QString &container)
{
    return QStringLiteral("pod/%1/%2").arg(podUid, container);
}

double parseQuantity(const QString &quantity)
{
    return parseKubeQuantity(quantity.trimmed()).value_or(0);
}

Machine fromNode(const QJsonObject &node)
{
    const QJsonObject meta = obj(node, "metadata");
    const QJsonObject spec = obj(node, "spec");
    const QJsonObject status = obj(node, "status");
    Machine m;
    m.kind = MachineKind::Node;
    m.name = str(meta, "name");
    m.externalId = nodeId(m.name);
    m.providerTags = labelsOf(meta);
    m.created = timeOf(str(meta, "creationTimestamp"));
    m.state = MachineState::Unknown;
    QJsonArray conditions;
    for (const QJsonValue &v : status.value(QLatin1String("conditions")).toArray()) {
        const QJsonObject c = v.toObject();
        if (str(c, "type") == QLatin1String("Ready")) {
            const QString s = str(c, "status");
            m.state = s == QLatin1String("True") ? MachineState::Running
                    : s == QLatin1String("False") ? MachineState::Error
                                                  : MachineState::Unreachable;
        }
        if (str(c, "status") == QLatin1String("True") || str(c, "type") == QLatin1String("Ready"))
            conditions.append(str(c, "type"));
    }
    for (const QJsonValue &v : status.value(QLatin1String("addresses")).toArray()) {
        const QJsonObject a = v.toObject();
        if (str(a, "type") == QLatin1String("InternalIP"))
            m.privateIps << str(a, "address");
        else if (str(a, "type") == QLatin1String("ExternalIP"))
            m.publicIps << str(a, "address");
    }
    const QJsonObject info = obj(status, "nodeInfo");
    m.os = str(info, "osImage");
    m.image = str(info, "osImage");
    m.size = m.providerTags.value(QStringLiteral("node.kubernetes.io/instance-type"));
    m.location = m.providerTags.value(QStringLiteral("topology.kubernetes.io/zone"));
    const QJsonObject capacity = obj(status, "capacity");
    m.cores = int(parseQuantity(str(capacity, "cpu")));
    m.memoryMb = qint64(parseQuantity(str(capacity, "memory")) / 1048576.0);
    QStringList roles;
    for (auto it = m.providerTags.cbegin(); it != m.providerTags.cend(); ++it)
        if (it.key().startsWith(QLatin1String("node-role.kubernetes.io/")))
            roles << it.key().mid(24);
    const bool unschedulable = spec.value(QLatin1String("unschedulable")).toBool();
    m.extra = QJsonObject{{QStringLiteral("node"), m.name},
                          {QStringLiteral("unschedulable"), unschedulable},
                          {QStringLiteral("roles"), QJsonArray::fromStringList(roles)},
                          {QStringLiteral("conditions"), conditions},
                          {QStringLiteral("kubeletVersion"), str(info, "kubeletVersion")},
                          {QStringLiteral("containerRuntime"), str(info, "containerRuntimeVersion")},
                          {QStringLiteral("capacity"), capacity},
                          {QStringLiteral("allocatable"), obj(status, "allocatable")}};
    return m;
}

QStringList containerNames(const QJsonObject &pod)
{
    QStringList names;
    for (const QJsonValue &v : obj(pod, "spec").value(QLatin1String("containers")).toArray())
        names << str(v.toObject(), "name");
    return names;
}

Machine fromPod(const QJsonObject &pod)
{
    const QJsonObject meta = obj(pod, "metadata");
    const QJsonObject spec = obj(pod, "spec");
    const QJsonObject status = obj(pod, "status");
    const QString ns = str(meta, "namespace");
    const QString node = str(spec, "nodeName");
    Machine m;
    m.kind = MachineKind::Pod;
    m.name = str(meta, "name");
    m.externalId = podId(str(meta, "uid"));
    if (!node.isEmpty())
        m.parentExternalId = nodeId(node);
    m.location = QStringLiteral("ns/") + ns;
    m.providerTags = labelsOf(meta);
    m.created = timeOf(str(meta, "creationTimestamp"));
    m.privateIps = podIps(status);

    const QString phase = str(status, "phase");
    int restarts = 0;
    bool anyError = false;
    for (const QJsonObject &cs : statusesByName(pod)) {
        restarts += cs.value(QLatin1String("restartCount")).toInt();
        QString reason;
        anyError = anyError || containerState(cs, &reason) == MachineState::Error;
    }
    if (meta.contains(QLatin1String("deletionTimestamp")))
        m.state = MachineState::Pending;   // terminating
    else if (phase == QLatin1String("Running"))
        m.state = anyError ? MachineState::Error : MachineState::Running;
    else if (phase == QLatin1String("Pending"))
        m.state = anyError ? MachineState::Error : MachineState::Pending;
    else if (phase == QLatin1String("Succeeded"))
        m.state = MachineState::Stopped;
    else if (phase == QLatin1String("Failed"))
        m.state = MachineState::Error;
    else
        m.state = MachineState::Unknown;

    const QJsonArray containers = spec.value(QLatin1String("containers")).toArray();
    if (!containers.isEmpty())
        m.image = str(containers.first().toObject(), "image");
    QJsonObject owner;
    for (const QJsonValue &v : meta.value(QLatin1String("ownerReferences")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("controller")).toBool() || owner.isEmpty())
            owner = QJsonObject{{QStringLiteral("kind"), str(o, "kind")}, {QStringLiteral("name"), str(o, "name")}};
    }
    m.extra = QJsonObject{{QStringLiteral("namespace"), ns},
                          {QStringLiteral("pod"), m.name},
                          {QStringLiteral("node"), node},
                          {QStringLiteral("containers"), QJsonArray::fromStringList(containerNames(pod))},
                          {QStringLiteral("restarts"), restarts},
                          {QStringLiteral("owner"), owner},
                          {QStringLiteral("phase"), phase},
                          {QStringLiteral("hostIP"), str(status, "hostIP")},
                          {QStringLiteral("qosClass"), str(status, "qosClass")}};
    if (!str(status, "reason").isEmpty())
        m.extra.insert(QStringLiteral("reason"), str(status, "reason"));
    return m;
}

QVector<Machine> containersOf(const QJsonObject &pod)
{
    const QJsonObject meta = obj(pod, "metadata");
    const QString uid = str(meta, "uid");
    const QString ns = str(meta, "namespace");
    const QString podName = str(meta, "name");
    const QStringList ips = podIps(obj(pod, "status"));
    const auto statuses = statusesByName(pod);
    QVector<Machine> out;
    for (const QJsonValue &v : obj(pod, "spec").value(QLatin1String("containers")).toArray()) {
        const QJsonObject c = v.toObject();
        const QString name = str(c, "name");
        const QJsonObject cs = statuses.value(name);
        Machine m;
        m.kind = MachineKind::Container;
        m.name = name;
        m.externalId = containerId(uid, name);
        m.parentExternalId = podId(uid);
        m.image = str(c, "image");
        m.location = QStringLiteral("ns/") + ns;
        m.privateIps = ips;
        QString reason;
        m.state = cs.isEmpty() ? MachineState::Pending : containerState(cs, &reason);
        const QJsonObject resources = obj(c, "resources");
        m.extra = QJsonObject{{QStringLiteral("namespace"), ns},
                              {QStringLiteral("pod"), podName},
                              {QStringLiteral("container"), name},
                              {QStringLiteral("restarts"), cs.value(QLatin1String("restartCount")).toInt()},
                              {QStringLiteral("ready"), cs.value(QLatin1String("ready")).toBool()},
                              {QStringLiteral("image"), m.image},
                              {QStringLiteral("requests"), obj(resources, "requests")},
                              {QStringLiteral("limits"), obj(resources, "limits")}};
        if (!reason.isEmpty())
            m.extra.insert(QStringLiteral("reason"), reason);
        out << m;
    }
    return out;
}

} // namespace mist::KubeMachines
