#include "kubeactions.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>

namespace mist::KubeActions {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeActions", text);
}

QString enc(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// A workload that owns pods: "deployments", "statefulsets", "replicasets", "daemonsets".
struct Workload
{
    QString resource;
    QString kind;
    QString name;
    QString path(const QString &ns) const
    {
        return QStringLiteral("/apis/apps/v1/namespaces/%1/%2/%3").arg(enc(ns), resource, enc(name));
    }
    QString describe() const { return QStringLiteral("%1 %2").arg(kind, name); }
};

QString resourceOfKind(const QString &kind)
{
    if (kind == QLatin1String("Deployment")) return QStringLiteral("deployments");
    if (kind == QLatin1String("StatefulSet")) return QStringLiteral("statefulsets");
    if (kind == QLatin1String("ReplicaSet")) return QStringLiteral("replicasets");
    if (kind == QLatin1String("DaemonSet")) return QStringLiteral("daemonsets");
    return {};
}

QJsonObject controllerOf(const QJsonObject &metadata)
{
    for (const QJsonValue &v : metadata.value(QStringLiteral("ownerReferences")).toArray())
        if (v.toObject().value(QStringLiteral("controller")).toBool())
            return v.toObject();
    return {};
}

Result<Workload> owningWorkload(KubeApiClient &client, const Machine &pod)
{
    const QString ns = pod.extra.value(QStringLiteral("namespace")).toString();
    const QJsonObject owner = pod.extra.value(QStringLiteral("owner")).toObject();
    Workload w{resourceOfKind(owner.value(QStringLiteral("kind")).toString()), owner.value(QStringLiteral("kind")).toString(),
               owner.value(QStringLiteral("name")).toString()};
    if (w.resource.isEmpty())
        return Error{tr("The pod %1 is not managed by a Deployment or StatefulSet.").arg(pod.name), w.kind};
    if (w.kind == QLatin1String("ReplicaSet")) {
        auto rs = client.get(w.path(ns), KubeOperation{tr("get"), tr("ReplicaSet %1 in %2").arg(w.name, ns)});
        if (!rs)
            return rs.error();
        const QJsonObject parent = controllerOf(rs->value(QStringLiteral("metadata")).toObject());
        if (parent.value(QStringLiteral("kind")).toString() == QLatin1String("Deployment"))
            w = Workload{QStringLiteral("deployments"), QStringLiteral("Deployment"), parent.value(QStringLiteral("name")).toString()};
    }
    return w;
}

Status done(const Result<QJsonObject> &r)
{
    return r ? Status() : Status(r.error());
}

Status scale(KubeApiClient &client, const Machine &pod, const ActionRequest &request)
{
    bool ok = false;
    const int replicas = request.arguments.value(QStringLiteral("replicas")).toString().toInt(&ok);
    if (!ok || replicas < 0)
        return Error{tr("The number of replicas must be a whole number of 0 or more."),
                     request.arguments.value(QStringLiteral("replicas")).toString()};
    auto w = owningWorkload(client, pod);
    if (!w)
        return w.error();
    if (w->kind == QLatin1String("DaemonSet"))
        return Error{tr("The DaemonSet %1 runs one pod per node and cannot be scaled.").arg(w->name), {}};
    const QString ns = pod.extra.value(QStringLiteral("namespace")).toString();
    const QJsonObject patch{{QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), replicas}}}};
    qCInfo(lcProviderKube) << "scale" << w->describe() << "in" << ns << "to" << replicas;
    return done(client.patch(w->path(ns) + QStringLiteral("/scale"), patch, KubeApiClient::PatchType::Merge,
                             KubeOperation{tr("scale"), tr("%1 in %2").arg(w->describe(), ns)}));
}

Status rolloutRestart(KubeApiClient &client, const Machine &pod)
{
    auto w = owningWorkload(client, pod);
    if (!w)
        return w.error();
    if (w->kind == QLatin1String("ReplicaSet"))
        return Error{tr("The pod %1 belongs to the ReplicaSet %2 without a Deployment: there is no rollout to restart.")
                         .arg(pod.name, w->name),
                     {}};
    const QString ns = pod.extra.value(QStringLiteral("namespace")).toString();
    // What `kubectl rollout restart` does: a changed template annotation starts a new rollout.
    const QJsonObject patch{
        {QStringLiteral("spec"),
         QJsonObject{{QStringLiteral("template"),
                      QJsonObject{{QStringLiteral("metadata"),
                                   QJsonObject{{QStringLiteral("annotations"),
                                                QJsonObject{{QStringLiteral("kubectl.kubernetes.io/restartedAt"),
                                                             QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}}}}}}}}}};
    return done(client.patch(w->path(ns), patch, KubeApiClient::PatchType::StrategicMerge,
                             KubeOperation{tr("restart"), tr("%1 in %2").arg(w->describe(), ns)}));
}

} // namespace

QStringList allowed(const Machine &machine)
{
    if (machine.kind == MachineKind::Node)
        return {machine.extra.value(QStringLiteral("unschedulable")).toBool() ? Action::Uncordon : Action::Cordon};
    if (machine.kind != MachineKind::Pod)
        return {};
    QStringList out{Action::Destroy};
    const QString ownerKind = machine.extra.value(QStringLiteral("owner")).toObject().value(QStringLiteral("kind")).toString();
    if (ownerKind == QLatin1String("ReplicaSet") || ownerKind == QLatin1String("StatefulSet")
        || ownerKind == QLatin1String("Deployment"))
        out << Action::Scale << Action::RolloutRestart;
    else if (ownerKind == QLatin1String("DaemonSet"))
        out << Action::RolloutRestart;
    return out;
}

Status run(KubeApiClient &client, const Machine &machine, const ActionRequest &request)
{
    if (!allowed(machine).contains(request.action))
        return Error{tr("%1 is not possible for %2.").arg(Action::title(request.action), machine.name), request.action};
    const QString ns = machine.extra.value(QStringLiteral("namespace")).toString();
    if (machine.kind == MachineKind::Node) {
        const bool cordon = request.action == Action::Cordon;
        const QString name = machine.extra.value(QStringLiteral("node")).toString().isEmpty()
                                 ? machine.name
                                 : machine.extra.value(QStringLiteral("node")).toString();
        const QJsonObject patch{{QStringLiteral("spec"), QJsonObject{{QStringLiteral("unschedulable"), cordon}}}};
        return done(client.patch(QStringLiteral("/api/v1/nodes/") + enc(name), patch, KubeApiClient::PatchType::StrategicMerge,
                                 KubeOperation{cordon ? tr("cordon") : tr("uncordon"), tr("node %1").arg(name)}));
    }
    const QString pod = machine.extra.value(QStringLiteral("pod")).toString();
    if (request.action == Action::Destroy)
        return done(client.remove(QStringLiteral("/api/v1/namespaces/%1/pods/%2").arg(enc(ns), enc(pod)),
                                  KubeOperation{tr("delete"), tr("pod %1 in %2").arg(pod, ns)}));
    if (request.action == Action::Scale)
        return scale(client, machine, request);
    return rolloutRestart(client, machine);
}

} // namespace mist::KubeActions
