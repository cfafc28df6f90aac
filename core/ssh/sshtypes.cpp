#include "sshtypes.h"

#include <QCoreApplication>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("Ssh", text);
}

QString bracketed(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
}
} // namespace

QString SshEndpoint::hostPort() const
{
    return QStringLiteral("%1:%2").arg(bracketed(host)).arg(port);
}

QString SshEndpoint::userHost() const
{
    QString s = user.isEmpty() ? bracketed(host) : user + QLatin1Char('@') + bracketed(host);
    if (port != 22)
        s += QLatin1Char(':') + QString::number(port);
    return s;
}

QString sshErrorKindName(SshErrorKind kind)
{
    switch (kind) {
    case SshErrorKind::Refused: return QStringLiteral("refused");
    case SshErrorKind::Timeout: return QStringLiteral("timeout");
    case SshErrorKind::Dns: return QStringLiteral("dns");
    case SshErrorKind::AuthFailed: return QStringLiteral("auth_failed");
    case SshErrorKind::HostKeyUnknown: return QStringLiteral("host_key_unknown");
    case SshErrorKind::HostKeyChanged: return QStringLiteral("host_key_changed");
    case SshErrorKind::Disconnected: return QStringLiteral("disconnected");
    case SshErrorKind::ChannelFailed: return QStringLiteral("channel_failed");
    case SshErrorKind::Other: break;
    }
    return QStringLiteral("other");
}

Result<SshEndpoint> parseEndpoint(const QString &text, const QString &defaultUser)
{
    QString rest = text.trimmed();
    if (rest.startsWith(QLatin1String("ssh://")))
        rest = rest.mid(6);
    SshEndpoint e;
    e.user = defaultUser;
    const qsizetype at = rest.lastIndexOf(QLatin1Char('@'));
    if (at >= 0) {
        e.user = rest.left(at);
        rest = rest.mid(at + 1);
    }
    QString portText;
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close < 0)
            return Error{tr("\"%1\" is not a valid host: a '[' without ']'").arg(text), {}};
        e.host = rest.mid(1, close - 1);
        const QString after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(QLatin1Char(':')))
                return Error{tr("\"%1\" is not a valid host").arg(text), {}};
            portText = after.mid(1);
        }
    } else if (rest.count(QLatin1Char(':')) == 1) {
        const qsizetype colon = rest.indexOf(QLatin1Char(':'));
        e.host = rest.left(colon);
        portText = rest.mid(colon + 1);
    } else {
        e.host = rest;   // a bare IPv6 address has several colons and no port
    }
    if (e.host.isEmpty() || e.host.contains(QLatin1Char(' ')))
        return Error{tr("\"%1\" is not a valid host").arg(text), {}};
    if (!portText.isEmpty()) {
        bool ok = false;
        const int port = portText.toInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return Error{tr("\"%1\" has an invalid port").arg(text), {}};
        e.port = port;
    }
    return e;
}

Result<QVector<SshEndpoint>> parseProxyJump(const QString &value, const QString &defaultUser)
{
    QVector<SshEndpoint> out;
    const QString trimmed = value.trimmed();
    if (trimmed.isEmpty() || trimmed.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return out;
    const QStringList parts = trimmed.split(QLatin1Char(','));
    for (const QString &part : parts) {
        Result<SshEndpoint> e = parseEndpoint(part, defaultUser);
        if (!e)
            return Error{tr("The ProxyJump setting \"%1\" is not valid").arg(value), e.error().message};
        out << e.value();
    }
    return out;
}

} // namespace mist
