#pragma once

#include "keys/keymaterial.h"
#include "keys/keyrepository.h"
#include "keys/sshkey.h"
#include "util/result.h"

#include <QString>
#include <QVector>

namespace mist {

class InventoryStore;
class SecretStore;

// The key store's operations as the CLI and the GUI use them: key material, keychain and
// database together. Synchronous and blocking (keychain, RSA generation): run it on the
// store thread (StoreService::call) or a worker, never on the GUI thread.
//
// Writes go keychain first, then database: a key row never exists without its private
// half, and when the database refuses, the secret is deleted again. Without a keychain
// nothing is written at all.
class KeyService
{
public:
    // `actor` goes into the audit log: "user" (GUI) or "cli".
    KeyService(InventoryStore &store, SecretStore &secrets, const QString &actor);

    KeyRepository &repository() { return m_repo; }

    Result<QVector<SshKey>> list() { return m_repo.list(); }
    Result<SshKey> find(const QString &nameOrId) { return m_repo.find(nameOrId); }

    // Generates a new key pair (ed25519 or RSA 4096), stores it encrypted with `passphrase`
    // when one is given.
    Result<SshKey> generate(const QString &name, KeyType type, const QString &passphrase = {});
    // Imports an OpenSSH or PEM private key. The text is stored as given; the passphrase is
    // kept in the keychain too (so connecting needs no prompt) when the key has one.
    Result<SshKey> importKey(const QString &name, const QByteArray &privateKeyText, const QString &passphrase = {},
                             KeyProblem *problem = nullptr);
    // Stores key material made elsewhere (the GUI generates on a worker, then stores on the
    // store thread). `privateText` is what goes to the keychain; `action` "key.generated"
    // or "key.imported".
    Result<SshKey> store(const QString &name, const KeyMaterial &material, const QByteArray &privateText,
                         const QString &passphrase, const QString &action);

    // Deletes the private half from the keychain, then the row (associations lose the key).
    Result<SshKey> remove(const QString &nameOrId);
    Result<SshKey> rename(const QString &nameOrId, const QString &newName);
    Result<SshKey> setDefault(const QString &nameOrId);
    Result<QString> publicKey(const QString &nameOrId);   // the OpenSSH line

    // The private half, read from the keychain.
    Result<KeySecret> loadPrivate(const QString &uuid);
    // Without a database: for SSH workers that already hold the key's row.
    static Result<KeySecret> loadPrivate(SecretStore &secrets, const SshKey &key);

private:
    SecretStore &m_secrets;
    KeyRepository m_repo;
};

} // namespace mist
