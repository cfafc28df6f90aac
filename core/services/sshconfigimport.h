#pragma once

#include "ssh/sshconfig.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QVector>

namespace mist {

// Turns ~/.ssh/config hosts into the server list of an "Other server" cloud
// (config["hosts"]): HostName, User (else the local user, as ssh does), Port, the first
// IdentityFile that exists, and ProxyJump with hops that name other Host aliases resolved
// through the same config (a cloud must not depend on the file staying as it is).
namespace SshConfigImport {

QJsonObject hostEntry(const SshConfig &config, const SshHostConfig &host, const QString &localUser);
QJsonArray hostEntries(const SshConfig &config, const QVector<SshHostConfig> &hosts, const QString &localUser);
QString resolveJumps(const SshConfig &config, const QString &proxyJump, const QString &localUser);

} // namespace SshConfigImport

} // namespace mist
