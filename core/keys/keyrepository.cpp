#include "keyrepository.h"

#include "inventory/inventorystore.h"
#include "inventory/sqlite.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUuid>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KeyRepository", text);
}

const QString kColumns = QStringLiteral(
    "id, uuid, name, type, bits, fingerprint, public_key, has_passphrase, is_default, created_at");

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

bool isNumeric(const QString &text)
{
    static const QRegularExpression digits(QStringLiteral("^\\d+$"));
    return digits.match(text).hasMatch();
}

QJsonObject keyDetails(const SshKey &key)
{
    return QJsonObject{{QStringLiteral("key_uuid"), key.uuid},
                       {QStringLiteral("type"), key.type},
                       {QStringLiteral("bits"), key.bits},
                       {QStringLiteral("fingerprint"), key.fingerprint}};
}

} // namespace

KeyRepository::KeyRepository(InventoryStore &store, QString actor)
    : m_store(store)
    , m_actor(std::move(actor))
{
}

SshKey KeyRepository::read(const sql::Statement &r)
{
    SshKey k;
    k.id = r.int64(0);
    k.uuid = r.text(1);
    k.name = r.text(2);
    k.type = r.text(3);
    k.bits = int(r.int64(4));
    k.fingerprint = r.text(5);
    k.publicKey = r.text(6);
    k.hasPassphrase = r.int64(7) != 0;
    k.isDefault = r.int64(8) != 0;
    k.created = fromMs(r.int64(9));
    return k;
}

Result<QVector<SshKey>> KeyRepository::list()
{
    auto s = m_store.database().prepare(QStringLiteral("SELECT %1 FROM ssh_keys ORDER BY name COLLATE NOCASE").arg(kColumns));
    if (!s)
        return s.error();
    QVector<SshKey> out;
    while (s.value().step())
        out << read(s.value());
    if (s.value().failed())
        return s.value().error();
    return out;
}

Result<SshKey> KeyRepository::one(const QString &where, const QString &value, const QString &notFound)
{
    auto s = m_store.database().prepare(QStringLiteral("SELECT %1 FROM ssh_keys WHERE %2").arg(kColumns, where));
    if (!s)
        return s.error();
    s.value().bind(1, value);
    if (!s.value().step())
        return s.value().failed() ? Result<SshKey>(s.value().error()) : Result<SshKey>(Error{notFound, {}});
    return read(s.value());
}

Result<SshKey> KeyRepository::byId(qint64 id)
{
    return one(QStringLiteral("id = CAST(?1 AS INTEGER)"), QString::number(id), tr("No SSH key has the id %1").arg(id));
}

Result<SshKey> KeyRepository::byUuid(const QString &uuid)
{
    return one(QStringLiteral("uuid = ?1"), uuid, tr("No SSH key has the uuid %1").arg(uuid));
}

Result<SshKey> KeyRepository::byName(const QString &name)
{
    return one(QStringLiteral("name = ?1 COLLATE NOCASE"), name.trimmed(), tr("No SSH key is called \"%1\"").arg(name.trimmed()));
}

Result<SshKey> KeyRepository::find(const QString &nameOrId)
{
    if (auto k = byName(nameOrId); k.ok())
        return k;
    if (isNumeric(nameOrId.trimmed()))
        if (auto k = byId(nameOrId.trimmed().toLongLong()); k.ok())
            return k;
    if (auto k = byUuid(nameOrId.trimmed()); k.ok())
        return k;
    return Error{tr("No SSH key is called \"%1\"").arg(nameOrId.trimmed()), {}};
}

Result<std::optional<SshKey>> KeyRepository::defaultKey()
{
    auto s = m_store.database().prepare(QStringLiteral("SELECT %1 FROM ssh_keys WHERE is_default = 1").arg(kColumns));
    if (!s)
        return s.error();
    if (s.value().step())
        return std::optional<SshKey>(read(s.value()));
    if (s.value().failed())
        return s.value().error();
    return std::optional<SshKey>();
}

Status KeyRepository::checkNewName(const QString &rawName, qint64 exceptId)
{
    const QString name = rawName.trimmed();
    if (name.isEmpty())
        return Error{tr("An SSH key needs a name"), {}};
    if (isNumeric(name))
        return Error{tr("The key name \"%1\" is a number; numbers select keys by id").arg(name), {}};
    if (name.size() > 200)
        return Error{tr("The key name is too long (at most 200 characters)"), {}};
    if (auto other = byName(name); other.ok() && other.value().id != exceptId)
        return Error{tr("An SSH key called \"%1\" already exists").arg(other.value().name), {}};
    return {};
}

Status KeyRepository::audit(const QString &action, const SshKey &key, const QString &message, qint64 machineId,
                            const QString &target)
{
    AuditEntry e;
    e.timestamp = QDateTime::currentDateTimeUtc();
    e.actor = m_actor;
    e.action = action;
    e.machineId = machineId;
    e.target = target.isEmpty() ? key.name : target;
    e.message = message;
    e.details = keyDetails(key);
    e.details.insert(QStringLiteral("key"), key.name);
    return m_store.appendAudit(e);
}

Result<SshKey> KeyRepository::add(SshKey key, const QString &action)
{
    key.name = key.name.trimmed();
    if (Status s = checkNewName(key.name); !s)
        return s.error();
    if (key.uuid.isEmpty())
        key.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    key.created = QDateTime::currentDateTimeUtc();
    sql::Database &db = m_store.database();
    sql::Transaction tx(db);
    if (Status s = tx.begin(); !s)
        return s.error();
    auto hasDefault = db.scalar(QStringLiteral("SELECT count(*) FROM ssh_keys WHERE is_default = 1"));
    if (!hasDefault)
        return hasDefault.error();
    // The first key is the default: a single key is what every connection should use.
    key.isDefault = key.isDefault || hasDefault.value() == 0;
    if (key.isDefault)
        if (Status s = db.exec(QStringLiteral("UPDATE ssh_keys SET is_default = 0 WHERE is_default = 1")); !s)
            return s.error();
    auto s = db.prepare(QStringLiteral("INSERT INTO ssh_keys (uuid, name, type, bits, fingerprint, public_key, "
                                       "has_passphrase, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return s.error();
    s.value().bind(1, key.uuid).bind(2, key.name).bind(3, key.type).bind(4, key.bits).bind(5, key.fingerprint);
    s.value().bind(6, key.publicKey).bind(7, key.hasPassphrase).bind(8, key.isDefault).bind(9, key.created.toMSecsSinceEpoch());
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not store the SSH key \"%1\"").arg(key.name), st.error().detail};
    key.id = db.lastInsertId();
    const QString message = action == QLatin1String("key.generated") ? tr("Generated a %1 key").arg(key.type)
                                                                     : tr("Imported a %1 key").arg(key.type);
    if (Status st = audit(action, key, message); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return key;
}

Result<SshKey> KeyRepository::rename(qint64 id, const QString &rawName)
{
    auto old = byId(id);
    if (!old)
        return old.error();
    const QString name = rawName.trimmed();
    if (Status s = checkNewName(name, id); !s)
        return s.error();
    sql::Database &db = m_store.database();
    sql::Transaction tx(db);
    if (Status s = tx.begin(); !s)
        return s.error();
    auto s = db.prepare(QStringLiteral("UPDATE ssh_keys SET name = ? WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, name).bind(2, id);
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not rename the SSH key \"%1\"").arg(old->name), st.error().detail};
    SshKey renamed = old.value();
    renamed.name = name;
    if (Status st = audit(QStringLiteral("key.renamed"), renamed, tr("Renamed from \"%1\"").arg(old->name)); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return renamed;
}

Status KeyRepository::remove(qint64 id)
{
    auto old = byId(id);
    if (!old)
        return old.error();
    sql::Database &db = m_store.database();
    sql::Transaction tx(db);
    if (Status s = tx.begin(); !s)
        return s;
    auto s = db.prepare(QStringLiteral("DELETE FROM ssh_keys WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, id);
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not delete the SSH key \"%1\"").arg(old->name), st.error().detail};
    if (Status st = audit(QStringLiteral("key.deleted"), old.value(), tr("Deleted with its private key")); !st)
        return st;
    return tx.commit();
}

Result<SshKey> KeyRepository::setDefault(qint64 id)
{
    auto key = byId(id);
    if (!key)
        return key.error();
    sql::Database &db = m_store.database();
    sql::Transaction tx(db);
    if (Status s = tx.begin(); !s)
        return s.error();
    if (Status s = db.exec(QStringLiteral("UPDATE ssh_keys SET is_default = 0 WHERE is_default = 1")); !s)
        return s.error();
    auto s = db.prepare(QStringLiteral("UPDATE ssh_keys SET is_default = 1 WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, id);
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not make \"%1\" the default key").arg(key->name), st.error().detail};
    SshKey changed = key.value();
    changed.isDefault = true;
    if (Status st = audit(QStringLiteral("key.default_set"), changed, tr("Made the default key")); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return changed;
}

Status KeyRepository::clearDefault()
{
    return m_store.database().exec(QStringLiteral("UPDATE ssh_keys SET is_default = 0 WHERE is_default = 1"));
}

Result<std::optional<KeyAssociation>> KeyRepository::association(qint64 machineId)
{
    auto s = m_store.database().prepare(QStringLiteral(
        "SELECT machine_id, key_id, ssh_user, ssh_port, proxy_jump, updated_at FROM key_associations WHERE machine_id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, machineId);
    if (!s.value().step()) {
        if (s.value().failed())
            return s.value().error();
        return std::optional<KeyAssociation>();
    }
    const sql::Statement &r = s.value();
    KeyAssociation a;
    a.machineId = r.int64(0);
    a.keyId = r.isNull(1) ? 0 : r.int64(1);
    a.user = r.text(2);
    a.port = r.isNull(3) ? 0 : int(r.int64(3));
    a.proxyJump = r.text(4);
    a.updated = fromMs(r.int64(5));
    return std::optional<KeyAssociation>(a);
}

Result<KeyAssociation> KeyRepository::setAssociation(const KeyAssociation &in)
{
    KeyAssociation a = in;
    a.user = a.user.trimmed();
    a.proxyJump = a.proxyJump.trimmed();
    if (a.port < 0 || a.port > 65535)
        return Error{tr("The SSH port must be between 1 and 65535"), QString::number(a.port)};
    auto machine = m_store.machine(a.machineId);
    if (!machine)
        return machine.error();
    SshKey key;
    if (a.keyId) {
        auto k = byId(a.keyId);
        if (!k)
            return k.error();
        key = k.value();
    }
    a.updated = QDateTime::currentDateTimeUtc();
    sql::Database &db = m_store.database();
    sql::Transaction tx(db);
    if (Status s = tx.begin(); !s)
        return s.error();
    auto s = db.prepare(QStringLiteral(
        "INSERT INTO key_associations (machine_id, key_id, ssh_user, ssh_port, proxy_jump, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(machine_id) DO UPDATE SET key_id = ?2, ssh_user = ?3, "
        "ssh_port = ?4, proxy_jump = ?5, updated_at = ?6"));
    if (!s)
        return s.error();
    s.value().bind(1, a.machineId);
    if (a.keyId) s.value().bind(2, a.keyId); else s.value().bindNull(2);
    if (a.user.isEmpty()) s.value().bindNull(3); else s.value().bind(3, a.user);
    if (a.port) s.value().bind(4, a.port); else s.value().bindNull(4);
    if (a.proxyJump.isEmpty()) s.value().bindNull(5); else s.value().bind(5, a.proxyJump);
    s.value().bind(6, a.updated.toMSecsSinceEpoch());
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not store the SSH settings of \"%1\"").arg(machine->name), st.error().detail};

    AuditEntry e;
    e.timestamp = a.updated;
    e.actor = m_actor;
    e.action = QStringLiteral("key.associated");
    e.cloudId = machine->cloudId;
    e.machineId = a.machineId;
    e.target = machine->name;
    e.message = key.isValid() ? tr("Uses the key \"%1\"").arg(key.name) : tr("Uses no particular key");
    e.details = QJsonObject{{QStringLiteral("key"), key.isValid() ? QJsonValue(key.name) : QJsonValue()},
                            {QStringLiteral("key_fingerprint"), key.isValid() ? QJsonValue(key.fingerprint) : QJsonValue()},
                            {QStringLiteral("user"), a.user.isEmpty() ? QJsonValue() : QJsonValue(a.user)},
                            {QStringLiteral("port"), a.port ? QJsonValue(a.port) : QJsonValue()},
                            {QStringLiteral("proxy_jump"), a.proxyJump.isEmpty() ? QJsonValue() : QJsonValue(a.proxyJump)}};
    if (Status st = m_store.appendAudit(e); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return a;
}

Result<KeyAssociation> KeyRepository::setAssociation(qint64 machineId, qint64 keyId, const QString &user, int port,
                                                     const QString &proxyJump)
{
    KeyAssociation a;
    a.machineId = machineId;
    a.keyId = keyId;
    a.user = user;
    a.port = port;
    a.proxyJump = proxyJump;
    return setAssociation(a);
}

Status KeyRepository::clearAssociation(qint64 machineId)
{
    auto machine = m_store.machine(machineId);
    if (!machine)
        return machine.error();
    sql::Database &db = m_store.database();
    sql::Transaction tx(db);
    if (Status s = tx.begin(); !s)
        return s;
    auto s = db.prepare(QStringLiteral("DELETE FROM key_associations WHERE machine_id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, machineId);
    if (Status st = s.value().exec(); !st)
        return st;
    if (db.changes() > 0) {
        AuditEntry e;
        e.timestamp = QDateTime::currentDateTimeUtc();
        e.actor = m_actor;
        e.action = QStringLiteral("key.associated");
        e.cloudId = machine->cloudId;
        e.machineId = machineId;
        e.target = machine->name;
        e.message = tr("SSH settings reset to the defaults");
        if (Status st = m_store.appendAudit(e); !st)
            return st;
    }
    return tx.commit();
}

} // namespace mist
