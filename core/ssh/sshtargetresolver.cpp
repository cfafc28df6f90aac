#include "sshtargetresolver.h"

#include "inventory/inventorystore.h"
#include "keys/keyrepository.h"
#include "keys/keyservice.h"
#include "secrets/secretstore.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonObject>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SshTargetResolver", text);
}

QString expandHome(const QString &path)
{
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::home().filePath(path.mid(2));
    return path;
}

} // namespace

Result<SshSettings> SshTargetResolver::merge(const SshSettingsInput &in)
{
    const Machine &m = in.machine;
    const QJsonObject ssh = m.extra.value(QStringLiteral("ssh")).toObject();
    const std::optional<KeyAssociation> &assoc = in.association;
    SshSettings s;

    s.endpoint.host = ssh.value(QStringLiteral("host")).toString().trimmed();
    if (s.endpoint.host.isEmpty())
        s.endpoint.host = !m.publicIps.isEmpty() ? m.publicIps.first() : !m.privateIps.isEmpty() ? m.privateIps.first() : m.name;

    s.endpoint.user = assoc && !assoc->user.isEmpty() ? assoc->user : ssh.value(QStringLiteral("user")).toString().trimmed();
    if (s.endpoint.user.isEmpty())
        s.endpoint.user = QStringLiteral("root");

    int port = assoc && assoc->port > 0 ? assoc->port : ssh.value(QStringLiteral("port")).toVariant().toInt();
    if (port == 0)
        port = 22;
    if (port < 1 || port > 65535)
        return Error{tr("The SSH port of \"%1\" is not valid: %2").arg(m.name).arg(port), {}};
    s.endpoint.port = port;

    const QString jump = assoc && !assoc->proxyJump.trimmed().isEmpty() ? assoc->proxyJump
                                                                          : ssh.value(QStringLiteral("proxy_jump")).toString();
    Result<QVector<SshEndpoint>> jumps = parseProxyJump(jump, s.endpoint.user);
    if (!jumps)
        return jumps.error();
    s.jumps = jumps.value();

    if (assoc && assoc->keyId != 0 && in.associationKey) {
        s.key = in.associationKey;
        s.keyChosen = true;
    } else if (in.extraKey) {
        s.key = in.extraKey;
        s.keyChosen = true;
    } else if (in.defaultKey) {
        s.key = in.defaultKey;
    }
    const QString file = ssh.value(QStringLiteral("identity_file")).toString().trimmed();
    if (!file.isEmpty())
        s.identityFiles << expandHome(file);
    return s;
}

Result<SshSettings> SshTargetResolver::settings(InventoryStore &store, const Machine &machine)
{
    KeyRepository keys(store, QStringLiteral("user"));
    SshSettingsInput in;
    in.machine = machine;
    auto assoc = keys.association(machine.id);
    if (!assoc)
        return assoc.error();
    in.association = assoc.value();
    if (in.association && in.association->keyId != 0) {
        if (auto k = keys.byId(in.association->keyId))
            in.associationKey = k.value();
    }
    const QString extraUuid = machine.extra.value(QStringLiteral("ssh")).toObject().value(QStringLiteral("key")).toString();
    if (!extraUuid.isEmpty()) {
        if (auto k = keys.byUuid(extraUuid))
            in.extraKey = k.value();
    }
    auto def = keys.defaultKey();
    if (!def)
        return def.error();
    in.defaultKey = def.value();
    return merge(in);
}

Result<SshTarget> SshTargetResolver::target(const SshSettings &settings, SecretStore *secrets)
{
    SshTarget t;
    t.endpoint = settings.endpoint;
    t.jumps = settings.jumps;
    t.auth.identityFiles = settings.identityFiles;
    t.auth.useAgent = settings.useAgent;
    if (settings.key) {
        Result<KeySecret> secret = secrets ? KeyService::loadPrivate(*secrets, *settings.key)
                                           : Result<KeySecret>(Error{tr("No keychain to read the key from"), {}});
        if (secret) {
            t.auth.privateKey = secret->privateKey;
            t.auth.passphrase = secret->passphrase;
            t.auth.keyFingerprint = settings.key->fingerprint;
        } else if (settings.keyChosen) {
            return secret.error();
        } else {
            qCWarning(lcSsh) << "default key skipped:" << secret.error().toString();
        }
    }
    return t;
}

} // namespace mist
