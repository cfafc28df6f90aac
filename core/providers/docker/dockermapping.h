#pragma once

#include "inventory/machine.h"

#include <QJsonObject>
#include <QString>

namespace mist {

// Engine API answers -> Mist machine records (contracts.md, "Containers and Kubernetes").
namespace DockerMapping {

inline const QString HostExternalId = QStringLiteral("host");

// The engine host (kind ContainerHost, externalId "host") from /info and /version.
Machine hostMachine(const QJsonObject &info, const QJsonObject &version, const QString &endpoint, bool podman);
// One container of /containers/json (a ContainerSummary), child of the host.
Machine containerMachine(const QJsonObject &summary);
// Engine states (created, running, paused, restarting, removing, exited, dead) -> Mist states.
QString state(const QString &engineState);
// "0.0.0.0:8080->80/tcp" as `docker ps` prints a PortSummary.
QString portText(const QJsonObject &port);

} // namespace DockerMapping

} // namespace mist
