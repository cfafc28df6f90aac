#pragma once

#include "inventory/machine.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace mist {

// Kubernetes objects → Mist machine records, exactly as docs/contracts say (node/<name>,
// pod/<uid>, pod/<uid>/<container>; namespace in location "ns/<namespace>").
namespace KubeMachines {

Machine fromNode(const QJsonObject &node);
Machine fromPod(const QJsonObject &pod);
// The pod's containers (spec.containers, with their statuses).
QVector<Machine> containersOf(const QJsonObject &pod);
QStringList containerNames(const QJsonObject &pod);

QString nodeId(const QString &name);
QString podId(const QString &uid);
QString containerId(const QString &podUid, const QString &container);

// "250m" → 0.25 cores, "512Mi" → bytes: quantity strings as the API writes them.
double parseQuantity(const QString &quantity);

} // namespace KubeMachines

} // namespace mist
