#pragma once

#include "keys/sshkey.h"
#include "util/result.h"

#include <QString>
#include <QVector>

#include <optional>

namespace mist {

class InventoryStore;

namespace sql {
class Statement;
}

// The ssh_keys and key_associations tables (schema step 2). Synchronous, on the store's
// connection: in the GUI it runs on the store thread (StoreService::call), in the CLI on
// the main thread. Every change is audited through the store's audit log ("key.*"
// actions); no secret ever reaches these tables or the audit log.
class KeyRepository
{
public:
    KeyRepository(InventoryStore &store, QString actor);

    Result<QVector<SshKey>> list();                      // by name
    Result<SshKey> byId(qint64 id);
    Result<SshKey> byUuid(const QString &uuid);
    Result<SshKey> byName(const QString &name);          // case-insensitive
    // A name (case-insensitive), a numeric id, or a uuid: what the CLI accepts.
    Result<SshKey> find(const QString &nameOrId);
    Result<std::optional<SshKey>> defaultKey();

    // Checks the name before anything is written elsewhere (the keychain): empty, numeric or taken.
    Status checkNewName(const QString &name, qint64 exceptId = 0);

    // Inserts the key (id and created are set here). The first key becomes the default.
    // `action` is the audit action: "key.generated" or "key.imported".
    Result<SshKey> add(SshKey key, const QString &action);
    Result<SshKey> rename(qint64 id, const QString &newName);
    Status remove(qint64 id);   // associations keep their row with no key
    Result<SshKey> setDefault(qint64 id);
    Status clearDefault();

    // Key associations: which key, user, port and jump hosts a machine uses.
    Result<std::optional<KeyAssociation>> association(qint64 machineId);
    // Inserts or replaces the machine's row. keyId 0 = no key; empty user/proxyJump and
    // port 0 = not set. Audited as "key.associated".
    Result<KeyAssociation> setAssociation(const KeyAssociation &association);
    Result<KeyAssociation> setAssociation(qint64 machineId, qint64 keyId, const QString &user, int port,
                                          const QString &proxyJump);
    Status clearAssociation(qint64 machineId);

private:
    Result<SshKey> one(const QString &where, const QString &value, const QString &notFound);
    static SshKey read(const sql::Statement &row);
    Status audit(const QString &action, const SshKey &key, const QString &message, qint64 machineId = 0,
                 const QString &target = {});

    InventoryStore &m_store;
    QString m_actor;
};

} // namespace mist
