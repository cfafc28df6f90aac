#include "kubefixtureobjects.h"

#include <QJsonArray>

namespace mist::test::KubeObjects {

namespace {
const QString kCreated = QStringLiteral("2026-01-02T03:04:05Z");
}

QJsonObject node(const QString &name, int index, bool ready)
{
    return QJsonObject{
        {QStringLiteral("metadata"),
         QJsonObject{{QStringLiteral("name"), name},
                     {QStringLiteral("uid"), QStringLiteral("node-uid-%1").arg(index)},
                     {QStringLiteral("creationTimestamp"), kCreated},
                     {QStringLiteral("labels"), QJsonObject{{QStringLiteral("kubernetes.io/hostname"), name},
                                                            {QStringLiteral("node-role.kubernetes.io/worker"), QString()},
                                                            {QStringLiteral("topology.kubernetes.io/zone"), QStringLiteral("zone-a")},
                                                            {QStringLiteral("node.kubernetes.io/instance-type"), QStringLiteral("m5.large")}}}}},
        {QStringLiteral("spec"), QJsonObject{{QStringLiteral("podCIDR"), QStringLiteral("10.244.%1.0/24").arg(index % 250)}}},
        {QStringLiteral("status"),
         QJsonObject{{QStringLiteral("capacity"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("4")},
                                                             {QStringLiteral("memory"), QStringLiteral("16Gi")},
                                                             {QStringLiteral("pods"), QStringLiteral("110")}}},
                     {QStringLiteral("allocatable"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("3800m")},
                                                                {QStringLiteral("memory"), QStringLiteral("15Gi")}}},
                     {QStringLiteral("conditions"),
                      QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("Ready")},
                                             {QStringLiteral("status"), ready ? QStringLiteral("True") : QStringLiteral("False")}}}},
                     {QStringLiteral("addresses"),
                      QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("InternalIP")},
                                             {QStringLiteral("address"), QStringLiteral("192.168.%1.%2").arg(index / 250).arg(index % 250 + 1)}},
                                 QJsonObject{{QStringLiteral("type"), QStringLiteral("Hostname")}, {QStringLiteral("address"), name}}}},
                     {QStringLiteral("nodeInfo"), QJsonObject{{QStringLiteral("osImage"), QStringLiteral("Debian GNU/Linux 12 (bookworm)")},
                                                             {QStringLiteral("kubeletVersion"), QStringLiteral("v1.33.0")},
                                                             {QStringLiteral("containerRuntimeVersion"), QStringLiteral("containerd://1.7.0")}}}}}};
}

QJsonObject pod(const PodSpec &spec, const QString &uid)
{
    QJsonArray containers, statuses;
    for (const QString &c : spec.containers) {
        containers.append(QJsonObject{
            {QStringLiteral("name"), c},
            {QStringLiteral("image"), QStringLiteral("registry.example/%1:1.0").arg(c)},
            {QStringLiteral("resources"),
             QJsonObject{{QStringLiteral("requests"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("100m")},
                                                                 {QStringLiteral("memory"), QStringLiteral("128Mi")}}},
                         {QStringLiteral("limits"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("500m")},
                                                               {QStringLiteral("memory"), QStringLiteral("256Mi")}}}}}});
        if (spec.phase == QLatin1String("Running"))
            statuses.append(QJsonObject{{QStringLiteral("name"), c},
                                        {QStringLiteral("ready"), true},
                                        {QStringLiteral("restartCount"), 0},
                                        {QStringLiteral("image"), QStringLiteral("registry.example/%1:1.0").arg(c)},
                                        {QStringLiteral("state"), QJsonObject{{QStringLiteral("running"),
                                                                               QJsonObject{{QStringLiteral("startedAt"), kCreated}}}}}});
    }
    QJsonObject meta{{QStringLiteral("name"), spec.name},
                     {QStringLiteral("namespace"), spec.ns},
                     {QStringLiteral("uid"), uid},
                     {QStringLiteral("creationTimestamp"), kCreated},
                     {QStringLiteral("labels"), QJsonObject{{QStringLiteral("app"), spec.ownerName.isEmpty() ? spec.name : spec.ownerName}}}};
    if (!spec.ownerKind.isEmpty())
        meta.insert(QStringLiteral("ownerReferences"),
                    QJsonArray{QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("apps/v1")},
                                           {QStringLiteral("kind"), spec.ownerKind},
                                           {QStringLiteral("name"), spec.ownerName},
                                           {QStringLiteral("uid"), QStringLiteral("owner-") + spec.ownerName},
                                           {QStringLiteral("controller"), true}}});
    QJsonObject podSpec{{QStringLiteral("containers"), containers}};
    if (!spec.node.isEmpty())
        podSpec.insert(QStringLiteral("nodeName"), spec.node);
    QJsonObject status{{QStringLiteral("phase"), spec.phase}, {QStringLiteral("qosClass"), QStringLiteral("Burstable")}};
    if (!spec.ip.isEmpty()) {
        status.insert(QStringLiteral("podIP"), spec.ip);
        status.insert(QStringLiteral("podIPs"), QJsonArray{QJsonObject{{QStringLiteral("ip"), spec.ip}}});
    }
    if (!statuses.isEmpty())
        status.insert(QStringLiteral("containerStatuses"), statuses);
    return QJsonObject{{QStringLiteral("metadata"), meta}, {QStringLiteral("spec"), podSpec}, {QStringLiteral("status"), status}};
}

QJsonObject workload(const QString &kind, const QString &ns, const QString &name, int replicas, const QString &ownerKind,
                     const QString &ownerName)
{
    QJsonObject meta{{QStringLiteral("name"), name}, {QStringLiteral("namespace"), ns},
                     {QStringLiteral("uid"), QStringLiteral("owner-") + name}};
    if (!ownerKind.isEmpty())
        meta.insert(QStringLiteral("ownerReferences"),
                    QJsonArray{QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("apps/v1")},
                                           {QStringLiteral("kind"), ownerKind},
                                           {QStringLiteral("name"), ownerName},
                                           {QStringLiteral("controller"), true}}});
    return QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("apps/v1")},
                       {QStringLiteral("kind"), kind},
                       {QStringLiteral("metadata"), meta},
                       {QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), replicas},
                                                            {QStringLiteral("template"), QJsonObject{{QStringLiteral("metadata"), QJsonObject{}}}}}}};
}

QJsonObject status(int code, const QString &reason, const QString &message)
{
    return QJsonObject{{QStringLiteral("kind"), QStringLiteral("Status")},
                       {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                       {QStringLiteral("metadata"), QJsonObject{}},
                       {QStringLiteral("status"), QStringLiteral("Failure")},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("code"), code}};
}

QJsonObject mergePatch(const QJsonObject &target, const QJsonObject &patch)
{
    QJsonObject out = target;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isNull())
            out.remove(it.key());
        else if (it.value().isObject())
            out.insert(it.key(), mergePatch(out.value(it.key()).toObject(), it.value().toObject()));
        else
            out.insert(it.key(), it.value());
    }
    return out;
}

} // namespace mist::test::KubeObjects
