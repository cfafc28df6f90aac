#pragma once

#include "util/result.h"

#include <QString>

namespace mist {

// Where a Docker (or Podman) engine listens, parsed from the cloud's "uri" field:
//   unix:///var/run/docker.sock     a local socket (also a bare absolute path)
//   tcp://host:2376                 TCP; TLS when client certificates are configured or the port is 2376
//   ssh://user@host[:port]          through Mist's SSH layer ("docker system dial-stdio" on the host)
struct DockerEndpoint
{
    enum class Kind { Unix, Tcp, Ssh };

    Kind kind = Kind::Unix;
    QString path;     // Unix
    QString host;     // Tcp, Ssh
    int port = 0;     // Tcp (default 2375, 2376 with TLS), Ssh (default 22)
    QString user;     // Ssh

    static Result<DockerEndpoint> parse(const QString &uri);
    static QString defaultUri() { return QStringLiteral("unix:///var/run/docker.sock"); }

    QString toString() const;   // back to a URI, for messages
    QByteArray hostHeader() const;
};

} // namespace mist
