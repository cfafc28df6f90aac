#include "keyservice.h"

#include "inventory/inventorystore.h"
#include "secrets/secretstore.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QUuid>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("KeyService", text);
}
} // namespace

KeyService::KeyService(InventoryStore &store, SecretStore &secrets, const QString &actor)
    : m_secrets(secrets)
    , m_repo(store, actor)
{
}

Result<SshKey> KeyService::generate(const QString &name, KeyType type, const QString &passphrase)
{
    // Checked first: an RSA key takes a moment to make, and a taken name would waste it.
    if (Status s = m_repo.checkNewName(name); !s)
        return s.error();
    Result<KeyMaterial> material = KeyMaterial::generate(type);
    if (!material)
        return material.error();
    Result<QByteArray> text = material->exportPrivate(passphrase);
    if (!text)
        return text.error();
    return store(name, material.value(), text.value(), passphrase, QStringLiteral("key.generated"));
}

Result<SshKey> KeyService::importKey(const QString &name, const QByteArray &privateKeyText, const QString &passphrase,
                                     KeyProblem *problem)
{
    if (problem)
        *problem = KeyProblem::None;
    if (Status s = m_repo.checkNewName(name); !s)
        return s.error();
    Result<KeyMaterial> material = KeyMaterial::import(privateKeyText, passphrase, problem);
    if (!material)
        return material.error();
    const bool encrypted = KeyMaterial::needsPassphrase(privateKeyText);
    return store(name, material.value(), privateKeyText, encrypted ? passphrase : QString(), QStringLiteral("key.imported"));
}

Result<SshKey> KeyService::store(const QString &name, const KeyMaterial &material, const QByteArray &privateText,
                                 const QString &passphrase, const QString &action)
{
    if (material.isNull() || privateText.isEmpty())
        return Error{tr("There is no key to store"), {}};
    if (Status s = m_repo.checkNewName(name); !s)
        return s.error();
    if (auto existing = m_repo.list(); existing.ok()) {
        for (const SshKey &k : existing.value())
            if (k.fingerprint == material.fingerprint())
                return Error{tr("This key is already in the key store as \"%1\"").arg(k.name), material.fingerprint()};
    }

    SshKey key;
    key.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    key.name = name.trimmed();
    key.type = material.type();
    key.bits = material.bits();
    key.fingerprint = material.fingerprint();
    key.publicKey = material.publicKeyLine(key.name);
    key.hasPassphrase = !passphrase.isEmpty();

    // Keychain first: a key row must never exist without its private half.
    const QString owner = key.keychainOwner();
    Status written = m_secrets.write(owner, KeychainField::PrivateKey, QString::fromUtf8(privateText));
    if (written && key.hasPassphrase)
        written = m_secrets.write(owner, KeychainField::Passphrase, passphrase);
    if (!written) {
        if (Status cleanup = m_secrets.removeAll(owner, {KeychainField::PrivateKey, KeychainField::Passphrase}); !cleanup)
            qCDebug(lcKeys) << "could not clean up a half-written key:" << cleanup.error().toString();
        return Error{tr("Could not store the private key of \"%1\" in the OS keychain, so the key was not added").arg(key.name),
                     written.error().toString()};
    }
    Result<SshKey> added = m_repo.add(key, action);
    if (!added) {
        if (Status cleanup = m_secrets.removeAll(owner, {KeychainField::PrivateKey, KeychainField::Passphrase}); !cleanup)
            qCWarning(lcKeys) << "could not delete the secret of a key that was not stored:" << cleanup.error().toString();
        return added.error();
    }
    qCInfo(lcKeys) << action << added->name << added->type << added->fingerprint;
    return added;
}

Result<SshKey> KeyService::remove(const QString &nameOrId)
{
    Result<SshKey> key = m_repo.find(nameOrId);
    if (!key)
        return key.error();
    // The secret goes first: a key the user deleted must not linger in the keychain. If the
    // keychain refuses, nothing changes and the user can try again.
    if (Status s = m_secrets.removeAll(key->keychainOwner(), {KeychainField::PrivateKey, KeychainField::Passphrase}); !s)
        return Error{tr("Could not delete the private key of \"%1\" from the OS keychain, so the key was kept").arg(key->name),
                     s.error().toString()};
    if (Status s = m_repo.remove(key->id); !s)
        return s.error();
    qCInfo(lcKeys) << "deleted key" << key->name;
    return key;
}

Result<SshKey> KeyService::rename(const QString &nameOrId, const QString &newName)
{
    Result<SshKey> key = m_repo.find(nameOrId);
    if (!key)
        return key.error();
    return m_repo.rename(key->id, newName);
}

Result<SshKey> KeyService::setDefault(const QString &nameOrId)
{
    Result<SshKey> key = m_repo.find(nameOrId);
    if (!key)
        return key.error();
    return m_repo.setDefault(key->id);
}

Result<QString> KeyService::publicKey(const QString &nameOrId)
{
    Result<SshKey> key = m_repo.find(nameOrId);
    if (!key)
        return key.error();
    return key->publicKey;
}

Result<KeySecret> KeyService::loadPrivate(const QString &uuid)
{
    Result<SshKey> key = m_repo.byUuid(uuid);
    if (!key)
        return key.error();
    return loadPrivate(m_secrets, key.value());
}

Result<KeySecret> KeyService::loadPrivate(SecretStore &secrets, const SshKey &key)
{
    Result<QString> text = secrets.read(key.keychainOwner(), KeychainField::PrivateKey);
    if (!text)
        return Error{tr("The private key of \"%1\" could not be read from the OS keychain").arg(key.name),
                     text.error().toString()};
    KeySecret secret;
    secret.privateKey = text.value().toUtf8();
    if (key.hasPassphrase) {
        Result<QString> pass = secrets.read(key.keychainOwner(), KeychainField::Passphrase);
        if (!pass)
            return Error{tr("The passphrase of the key \"%1\" could not be read from the OS keychain").arg(key.name),
                         pass.error().toString()};
        secret.passphrase = pass.value();
    }
    return secret;
}

} // namespace mist
