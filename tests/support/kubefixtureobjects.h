#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace mist::test {

// Kubernetes objects shaped as the API reference documents (core/v1 Node and Pod,
// apps/v1 workloads, meta/v1 Status), for the fixture API server.
namespace KubeObjects {

struct PodSpec
{
    QString ns = QStringLiteral("default");
    QString name;
    QString node;                 // empty: unscheduled (Pending)
    QStringList containers{QStringLiteral("app")};
    QString ownerKind;            // "ReplicaSet", "StatefulSet"… empty: none
    QString ownerName;
    QString phase = QStringLiteral("Running");
    QString ip;
};

QJsonObject node(const QString &name, int index, bool ready = true);
QJsonObject pod(const PodSpec &spec, const QString &uid);
QJsonObject workload(const QString &kind, const QString &ns, const QString &name, int replicas,
                     const QString &ownerKind = {}, const QString &ownerName = {});
QJsonObject status(int code, const QString &reason, const QString &message);

// RFC 7386 JSON merge patch (null removes a key). Strategic merge of maps is the same.
QJsonObject mergePatch(const QJsonObject &target, const QJsonObject &patch);

} // namespace KubeObjects

} // namespace mist::test
