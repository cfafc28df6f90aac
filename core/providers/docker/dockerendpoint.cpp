#include "dockerendpoint.h"

#include <QCoreApplication>
#include <QUrl>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("DockerEndpoint", text);
}
} // namespace

Result<DockerEndpoint> DockerEndpoint::parse(const QString &uriText)
{
    const QString uri = uriText.trimmed();
    DockerEndpoint e;
    if (uri.isEmpty())
        return parse(defaultUri());
    if (uri.startsWith(QLatin1Char('/'))) {
        e.path = uri;
        return e;
    }
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid())
        return Error{tr("The Docker address is not a valid URI."), uri};
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("unix")) {
        e.path = url.path();
        if (e.path.isEmpty() || !e.path.startsWith(QLatin1Char('/')))
            return Error{tr("A unix:// Docker address needs an absolute socket path, e.g. unix:///var/run/docker.sock."), uri};
        return e;
    }
    if (scheme == QLatin1String("tcp") || scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        e.kind = Kind::Tcp;
        e.host = url.host();
        e.port = url.port(scheme == QLatin1String("https") ? 2376 : 2375);
    } else if (scheme == QLatin1String("ssh")) {
        e.kind = Kind::Ssh;
        e.host = url.host();
        e.user = url.userName();
        e.port = url.port(22);
    } else {
        return Error{tr("Docker addresses start with unix://, tcp:// or ssh://."), uri};
    }
    if (e.host.isEmpty())
        return Error{tr("The Docker address has no host name."), uri};
    if (e.port < 1 || e.port > 65535)
        return Error{tr("The port of the Docker address must be between 1 and 65535."), uri};
    return e;
}

QString DockerEndpoint::toString() const
{
    switch (kind) {
    case Kind::Unix:
        return QStringLiteral("unix://") + path;
    case Kind::Tcp:
        return QStringLiteral("tcp://%1:%2").arg(host).arg(port);
    case Kind::Ssh:
        return QStringLiteral("ssh://%1%2:%3").arg(user.isEmpty() ? QString() : user + QLatin1Char('@'), host).arg(port);
    }
    return {};
}

QByteArray DockerEndpoint::hostHeader() const
{
    // The engine ignores Host on a socket; the Docker CLI sends "api.moby.localhost" there.
    if (kind == Kind::Tcp)
        return QStringLiteral("%1:%2").arg(host).arg(port).toUtf8();
    return QByteArrayLiteral("api.moby.localhost");
}

} // namespace mist
