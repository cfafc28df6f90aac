#include "sshconfigimport.h"

#include "ssh/sshtypes.h"

#include <QFileInfo>

namespace mist::SshConfigImport {

QString resolveJumps(const SshConfig &config, const QString &proxyJump, const QString &localUser)
{
    if (proxyJump.isEmpty() || proxyJump.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return {};
    QStringList hops;
    const QStringList parts = proxyJump.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &raw : parts) {
        const QString hop = raw.trimmed();
        // A bare alias ("bastion") takes HostName/User/Port from its own Host block.
        if (!hop.contains(QLatin1Char('@')) && !hop.contains(QLatin1Char(':'))) {
            const SshHostConfig h = config.resolve(hop);
            const QString user = h.user.isEmpty() ? localUser : h.user;
            SshEndpoint e{h.hostName.isEmpty() ? hop : h.hostName, h.port, user};
            hops << (e.port == 22 ? QStringLiteral("%1@%2").arg(e.user, e.host) : QStringLiteral("%1@%2").arg(e.user, e.hostPort()));
        } else {
            hops << hop;
        }
    }
    return hops.join(QLatin1Char(','));
}

QJsonObject hostEntry(const SshConfig &config, const SshHostConfig &host, const QString &localUser)
{
    QJsonObject o{{QStringLiteral("name"), host.alias},
                  {QStringLiteral("host"), host.hostName.isEmpty() ? host.alias : host.hostName},
                  {QStringLiteral("port"), host.port},
                  {QStringLiteral("user"), host.user.isEmpty() ? localUser : host.user}};
    for (const QString &file : host.identityFiles) {
        if (QFileInfo::exists(file)) {
            o[QStringLiteral("identity_file")] = file;
            break;
        }
    }
    const QString jumps = resolveJumps(config, host.proxyJump, localUser);
    if (!jumps.isEmpty())
        o[QStringLiteral("proxy_jump")] = jumps;
    return o;
}

QJsonArray hostEntries(const SshConfig &config, const QVector<SshHostConfig> &hosts, const QString &localUser)
{
    QJsonArray out;
    for (const SshHostConfig &h : hosts)
        out.append(hostEntry(config, h, localUser));
    return out;
}

} // namespace mist::SshConfigImport
