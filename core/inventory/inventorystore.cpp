#include "inventorystore.h"

#include "inventory/schema.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QTimeZone>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("InventoryStore", text);
}

qint64 toMs(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

void bindTime(sql::Statement &s, int index, const QDateTime &t)
{
    if (t.isValid())
        s.bind(index, t.toMSecsSinceEpoch());
    else
        s.bindNull(index);
}

QDateTime readTime(const sql::Statement &s, int column)
{
    if (s.isNull(column))
        return {};
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    return QDateTime::fromMSecsSinceEpoch(s.int64(column), QTimeZone::UTC);
#else
    return QDateTime::fromMSecsSinceEpoch(s.int64(column), Qt::UTC);
#endif
}

QString toJson(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QString toJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QStringList listFromJson(const QString &text)
{
    QStringList out;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &v : array)
        out << v.toString();
    return out;
}

QJsonObject objectFromJson(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

void bindVariant(sql::Statement &s, int index, const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::LongLong:
    case QMetaType::Int:
        s.bind(index, v.toLongLong());
        break;
    default:
        s.bind(index, v.toString());
    }
}

const QString kMachineColumns = QStringLiteral(
    "id, cloud_id, external_id, parent_id, parent_external_id, kind, name, state, public_ips, "
    "private_ips, size, image, location, os, cores, memory_mb, created_at, last_seen, "
    "missing_since, extra, cost_per_month, cost_currency");

Machine readMachine(const sql::Statement &s)
{
    Machine m;
    m.id = s.int64(0);
    m.cloudId = s.int64(1);
    m.externalId = s.text(2);
    m.parentId = s.int64(3);
    m.parentExternalId = s.text(4);
    m.kind = machineKindFromName(s.text(5)).value_or(MachineKind::Machine);
    m.name = s.text(6);
    m.state = s.text(7);
    m.publicIps = listFromJson(s.text(8));
    m.privateIps = listFromJson(s.text(9));
    m.size = s.text(10);
    m.image = s.text(11);
    m.location = s.text(12);
    m.os = s.text(13);
    m.cores = int(s.int64(14));
    m.memoryMb = s.int64(15);
    m.created = readTime(s, 16);
    m.lastSeen = readTime(s, 17);
    m.missingSince = readTime(s, 18);
    m.extra = objectFromJson(s.text(19));
    m.costPerMonth = s.real(20);
    m.costCurrency = s.text(21);
    return m;
}

const QString kCloudColumns = QStringLiteral(
    "id, uuid, name, provider, enabled, poll_interval_s, config, secret_fields, created_at, "
    "health, last_poll_at, last_success_at, last_error");

AuditEntry auditFor(const QString &actor, const QString &action, const Cloud &cloud, const QString &message = {})
{
    AuditEntry e;
    e.actor = actor;
    e.action = action;
    e.cloudId = cloud.id;
    e.target = cloud.name;
    e.message = message;
    return e;
}

AuditEntry auditFor(const QString &action, const Machine &m, const QString &message)
{
    AuditEntry e;
    e.actor = QStringLiteral("poller");
    e.action = action;
    e.cloudId = m.cloudId;
    e.machineId = m.id;
    e.target = m.name;
    e.message = message;
    return e;
}

} // namespace

Status InventoryStore::open(const QString &path)
{
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return Error{tr("The data folder does not exist"), info.absolutePath()};
    if (!info.exists() && !QFileInfo(info.absolutePath()).isWritable())
        return Error{tr("The data folder is not writable, so the inventory cannot be created there"),
                     info.absolutePath()};
    if (info.exists() && !info.isWritable())
        return Error{tr("The inventory file is read-only; Mist Desktop needs to write to it"), path};

    if (Status s = m_db.open(path); !s)
        return s;

    auto bad = [this, &path](const QString &detail) {
        m_db.close();
        return Error{tr("The inventory database is damaged or is not a Mist Desktop database. "
                        "It was left untouched; restore a backup or move it away to start afresh"),
                     path + QStringLiteral(": ") + detail};
    };
    // integrity_check also fails fast on a file that is not SQLite at all (SQLITE_NOTADB).
    auto check = m_db.prepare(QStringLiteral("PRAGMA integrity_check"));
    if (!check)
        return bad(check.error().detail);
    QStringList problems;
    while (check.value().step()) {
        const QString line = check.value().text(0);
        if (line != QLatin1String("ok"))
            problems << line;
    }
    if (check.value().failed())
        return bad(check.value().error().detail);
    if (!problems.isEmpty())
        return bad(problems.mid(0, 5).join(QStringLiteral("; ")));

    for (const char *pragma : {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON",
                               "PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY"}) {
        if (Status s = m_db.exec(QString::fromLatin1(pragma)); !s) {
            m_db.close();
            return Error{tr("Could not configure the inventory database"), s.error().detail};
        }
    }
    if (Status s = schema::migrate(m_db); !s) {
        m_db.close();
        return s;
    }
    qCInfo(lcStore) << "opened inventory" << path;
    return {};
}

// ---- clouds -------------------------------------------------------------------------------

Result<Cloud> InventoryStore::readCloud(sql::Statement &s)
{
    Cloud c;
    c.id = s.int64(0);
    c.uuid = s.text(1);
    c.name = s.text(2);
    c.provider = s.text(3);
    c.enabled = s.int64(4) != 0;
    c.pollIntervalSec = int(s.int64(5));
    c.config = objectFromJson(s.text(6));
    c.secretFields = listFromJson(s.text(7));
    c.createdAt = readTime(s, 8);
    c.health = cloudHealthFromName(s.text(9));
    c.lastPollAt = readTime(s, 10);
    c.lastSuccessAt = readTime(s, 11);
    c.lastError = s.text(12);
    return c;
}

Result<QVector<Cloud>> InventoryStore::clouds()
{
    auto s = m_db.prepare(QStringLiteral("SELECT %1 FROM clouds ORDER BY name").arg(kCloudColumns));
    if (!s)
        return s.error();
    QVector<Cloud> out;
    while (s.value().step())
        out << readCloud(s.value()).value();
    if (s.value().failed())
        return s.value().error();
    return out;
}

Result<Cloud> InventoryStore::cloud(qint64 id)
{
    auto s = m_db.prepare(QStringLiteral("SELECT %1 FROM clouds WHERE id = ?").arg(kCloudColumns));
    if (!s)
        return s.error();
    s.value().bind(1, id);
    if (!s.value().step())
        return Error{tr("No such cloud"), QString::number(id)};
    return readCloud(s.value());
}

Result<Cloud> InventoryStore::cloudByName(const QString &nameOrId)
{
    auto s = m_db.prepare(QStringLiteral("SELECT %1 FROM clouds WHERE name = ?1 COLLATE NOCASE "
                                         "OR CAST(id AS TEXT) = ?1").arg(kCloudColumns));
    if (!s)
        return s.error();
    s.value().bind(1, nameOrId);
    if (!s.value().step())
        return Error{tr("No cloud is called \"%1\"").arg(nameOrId), {}};
    return readCloud(s.value());
}

Result<Cloud> InventoryStore::addCloud(Cloud cloud, const QString &actor)
{
    cloud.name = cloud.name.trimmed();
    if (cloud.name.isEmpty())
        return Error{tr("A cloud needs a name"), {}};
    if (cloudByName(cloud.name).ok())
        return Error{tr("A cloud called \"%1\" already exists").arg(cloud.name), {}};
    if (cloud.uuid.isEmpty())
        cloud.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    cloud.createdAt = QDateTime::currentDateTimeUtc();
    cloud.health = CloudHealth::NeverPolled;

    sql::Transaction tx(m_db);
    if (Status st = tx.begin(); !st)
        return st.error();
    auto s = m_db.prepare(QStringLiteral(
        "INSERT INTO clouds (uuid, name, provider, enabled, poll_interval_s, config, secret_fields, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return s.error();
    s.value().bind(1, cloud.uuid).bind(2, cloud.name).bind(3, cloud.provider).bind(4, cloud.enabled)
        .bind(5, qMax(5, cloud.pollIntervalSec)).bind(6, toJson(cloud.config))
        .bind(7, toJson(cloud.secretFields)).bind(8, toMs(cloud.createdAt));
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not add the cloud"), st.error().detail};
    cloud.id = m_db.lastInsertId();
    if (Status st = insertAudit(auditFor(actor, QStringLiteral("cloud.added"), cloud,
                                                   tr("Added a %1 cloud").arg(cloud.provider))); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return cloud;
}

Result<Cloud> InventoryStore::updateCloud(const Cloud &cloud, const QString &actor)
{
    auto old = this->cloud(cloud.id);
    if (!old)
        return old.error();
    const QString name = cloud.name.trimmed();
    if (name.isEmpty())
        return Error{tr("A cloud needs a name"), {}};
    if (auto other = cloudByName(name); other.ok() && other.value().id != cloud.id)
        return Error{tr("A cloud called \"%1\" already exists").arg(name), {}};

    sql::Transaction tx(m_db);
    if (Status st = tx.begin(); !st)
        return st.error();
    auto s = m_db.prepare(QStringLiteral("UPDATE clouds SET name = ?, enabled = ?, poll_interval_s = ?, "
                                         "config = ?, secret_fields = ? WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, name).bind(2, cloud.enabled).bind(3, qMax(5, cloud.pollIntervalSec))
        .bind(4, toJson(cloud.config)).bind(5, toJson(cloud.secretFields)).bind(6, cloud.id);
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not update the cloud"), st.error().detail};
    AuditEntry e = auditFor(actor, QStringLiteral("cloud.updated"), old.value(), tr("Settings changed"));
    QJsonObject details;
    if (old.value().name != name)
        details.insert(QStringLiteral("renamed_to"), name);
    if (old.value().enabled != cloud.enabled)
        details.insert(QStringLiteral("enabled"), cloud.enabled);
    if (old.value().pollIntervalSec != cloud.pollIntervalSec)
        details.insert(QStringLiteral("poll_interval_s"), cloud.pollIntervalSec);
    e.details = details;
    if (Status st = insertAudit(e); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return this->cloud(cloud.id);
}

Status InventoryStore::removeCloud(qint64 id, const QString &actor)
{
    auto old = cloud(id);
    if (!old)
        return old.error();
    sql::Transaction tx(m_db);
    if (Status st = tx.begin(); !st)
        return st;
    auto s = m_db.prepare(QStringLiteral("DELETE FROM clouds WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, id);
    if (Status st = s.value().exec(); !st)
        return Error{tr("Could not remove the cloud"), st.error().detail};
    if (Status st = insertAudit(auditFor(actor, QStringLiteral("cloud.removed"), old.value(),
                                                   tr("Removed with its machines"))); !st)
        return st;
    return tx.commit();
}

Result<Cloud> InventoryStore::setCloudPolling(qint64 id)
{
    auto s = m_db.prepare(QStringLiteral("UPDATE clouds SET health = 'polling' WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, id);
    if (Status st = s.value().exec(); !st)
        return st.error();
    return cloud(id);
}

Status InventoryStore::writeCloudStatus(const Cloud &c)
{
    auto s = m_db.prepare(QStringLiteral("UPDATE clouds SET health = ?, last_poll_at = ?, last_success_at = ?, "
                                         "last_error = ? WHERE id = ?"));
    if (!s)
        return s.error();
    s.value().bind(1, cloudHealthName(c.health));
    bindTime(s.value(), 2, c.lastPollAt);
    bindTime(s.value(), 3, c.lastSuccessAt);
    s.value().bind(4, c.lastError.isEmpty() ? QString() : c.lastError).bind(5, c.id);
    return s.value().exec();
}

// ---- machines -----------------------------------------------------------------------------

Result<QVector<Machine>> InventoryStore::queryMachines(const QString &where, const QVariantList &args)
{
    auto s = m_db.prepare(QStringLiteral("SELECT %1 FROM machines %2 ORDER BY id").arg(kMachineColumns, where));
    if (!s)
        return s.error();
    for (int i = 0; i < args.size(); ++i)
        bindVariant(s.value(), i + 1, args.at(i));
    QVector<Machine> out;
    while (s.value().step())
        out << readMachine(s.value());
    if (s.value().failed())
        return s.value().error();
    if (Status st = loadTags(out, where, args); !st)
        return st.error();
    return out;
}

Status InventoryStore::loadTags(QVector<Machine> &machines, const QString &where, const QVariantList &args)
{
    if (machines.isEmpty())
        return {};
    QHash<qint64, Machine *> byId;
    byId.reserve(machines.size());
    for (Machine &m : machines)
        byId.insert(m.id, &m);
    // One query for the same machines (the tags' primary key starts with the resource), not
    // one per machine, and not the whole table when only one cloud is asked for.
    auto s = m_db.prepare(QStringLiteral("SELECT resource_id, source, key, value FROM tags WHERE resource_type = 'machine' "
                                         "AND resource_id IN (SELECT id FROM machines %1)").arg(where));
    if (!s)
        return s.error();
    for (int i = 0; i < args.size(); ++i)
        bindVariant(s.value(), i + 1, args.at(i));
    while (s.value().step()) {
        Machine *m = byId.value(s.value().int64(0));
        if (!m)
            continue;
        TagMap &tags = s.value().text(1) == QLatin1String("user") ? m->userTags : m->providerTags;
        tags.insert(s.value().text(2), s.value().text(3));
    }
    return s.value().failed() ? Status(s.value().error()) : Status();
}

Result<QVector<Machine>> InventoryStore::machines(qint64 cloudId)
{
    if (cloudId == 0)
        return queryMachines({}, {});
    return queryMachines(QStringLiteral("WHERE cloud_id = ?"), {cloudId});
}

Result<Machine> InventoryStore::machine(qint64 id)
{
    auto found = queryMachines(QStringLiteral("WHERE id = ?"), {id});
    if (!found)
        return found.error();
    if (found.value().isEmpty())
        return Error{tr("No such machine"), QString::number(id)};
    return found.value().constFirst();
}

Result<Machine> InventoryStore::findMachine(const QString &nameOrId)
{
    bool numeric = false;
    const qint64 id = nameOrId.toLongLong(&numeric);
    if (numeric) {
        if (auto m = machine(id); m.ok())
            return m;
    }
    auto found = queryMachines(QStringLiteral("WHERE external_id = ?1 OR name = ?1 COLLATE NOCASE"), {nameOrId});
    if (!found)
        return found.error();
    if (found.value().isEmpty())
        return Error{tr("No machine is called \"%1\"").arg(nameOrId), {}};
    if (found.value().size() > 1) {
        QStringList ids;
        for (const Machine &m : found.value())
            ids << QString::number(m.id);
        return Error{tr("Several machines are called \"%1\"; use one of the ids %2").arg(nameOrId, ids.join(QStringLiteral(", "))), {}};
    }
    return found.value().constFirst();
}

Result<InventorySnapshot> InventoryStore::snapshot()
{
    InventorySnapshot snap;
    auto c = clouds();
    if (!c)
        return c.error();
    auto m = machines();
    if (!m)
        return m.error();
    snap.clouds = std::move(c.value());
    snap.machines = std::move(m.value());
    return snap;
}

Status InventoryStore::writeMachine(Machine &m, bool insert)
{
    const QString sql = insert
        ? QStringLiteral("INSERT INTO machines (cloud_id, external_id, parent_external_id, kind, name, state, "
                         "public_ips, private_ips, size, image, location, os, cores, memory_mb, created_at, "
                         "last_seen, missing_since, extra, cost_per_month, cost_currency) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)")
        : QStringLiteral("UPDATE machines SET cloud_id = ?1, external_id = ?2, parent_external_id = ?3, kind = ?4, "
                         "name = ?5, state = ?6, public_ips = ?7, private_ips = ?8, size = ?9, image = ?10, "
                         "location = ?11, os = ?12, cores = ?13, memory_mb = ?14, created_at = ?15, last_seen = ?16, "
                         "missing_since = ?17, extra = ?18, cost_per_month = ?19, cost_currency = ?20 WHERE id = ?21");
    auto s = m_db.cached(sql);
    if (!s)
        return s.error();
    sql::Statement &st = s.value();
    st.bind(1, m.cloudId).bind(2, m.externalId).bind(3, m.parentExternalId).bind(4, machineKindName(m.kind))
        .bind(5, m.name).bind(6, m.state.isEmpty() ? MachineState::Unknown : m.state)
        .bind(7, toJson(m.publicIps)).bind(8, toJson(m.privateIps)).bind(9, m.size).bind(10, m.image)
        .bind(11, m.location).bind(12, m.os).bind(13, m.cores).bind(14, m.memoryMb);
    bindTime(st, 15, m.created);
    bindTime(st, 16, m.lastSeen);
    bindTime(st, 17, m.missingSince);
    st.bind(18, toJson(m.extra)).bind(19, m.costPerMonth).bind(20, m.costCurrency);
    if (!insert)
        st.bind(21, m.id);
    if (Status r = st.exec(); !r)
        return r;
    if (insert)
        m.id = m_db.lastInsertId();
    return {};
}

Status InventoryStore::writeProviderTags(const Machine &m)
{
    auto del = m_db.cached(QStringLiteral("DELETE FROM tags WHERE resource_type = 'machine' AND resource_id = ? AND source = 'provider'"));
    if (!del)
        return del.error();
    del.value().bind(1, m.id);
    if (Status st = del.value().exec(); !st)
        return st;
    if (m.providerTags.isEmpty())
        return {};
    auto ins = m_db.cached(QStringLiteral("INSERT OR REPLACE INTO tags (resource_type, resource_id, source, key, value) "
                                           "VALUES ('machine', ?, 'provider', ?, ?)"));
    if (!ins)
        return ins.error();
    for (auto it = m.providerTags.cbegin(); it != m.providerTags.cend(); ++it) {
        if (it.key().isEmpty())
            continue;
        ins.value().bind(1, m.id).bind(2, it.key()).bind(3, it.value());
        if (Status st = ins.value().exec(); !st)
            return st;
    }
    return {};
}

Status InventoryStore::resolveParents(qint64 cloudId, const QVector<Machine *> &touched, QSet<qint64> &reparented)
{
    const bool anyParent = std::any_of(touched.cbegin(), touched.cend(),
                                       [](const Machine *m) { return !m->parentExternalId.isEmpty() || m->parentId; });
    if (!anyParent)
        return {};
    QHash<QString, qint64> idByExternal;
    auto q = m_db.prepare(QStringLiteral("SELECT external_id, id FROM machines WHERE cloud_id = ?"));
    if (!q)
        return q.error();
    q.value().bind(1, cloudId);
    while (q.value().step())
        idByExternal.insert(q.value().text(0), q.value().int64(1));
    auto upd = m_db.cached(QStringLiteral("UPDATE machines SET parent_id = ? WHERE id = ?"));
    if (!upd)
        return upd.error();
    for (Machine *m : touched) {
        qint64 parent = m->parentExternalId.isEmpty() ? 0 : idByExternal.value(m->parentExternalId, 0);
        if (parent == m->id)
            parent = 0;   // a provider naming a machine its own parent must not make a cycle
        if (parent == m->parentId)
            continue;
        m->parentId = parent;
        reparented.insert(m->id);
        if (parent)
            upd.value().bind(1, parent);
        else
            upd.value().bindNull(1);
        upd.value().bind(2, m->id);
        if (Status st = upd.value().exec(); !st)
            return st;
    }
    return {};
}

Status InventoryStore::touchLastSeen(qint64 cloudId, bool complete, const QVector<Machine> &unchanged, const QDateTime &now)
{
    if (complete) {
        // After a complete poll every machine not missing was reported: one statement.
        auto s = m_db.cached(QStringLiteral("UPDATE machines SET last_seen = ? WHERE cloud_id = ? AND missing_since IS NULL"));
        if (!s)
            return s.error();
        s.value().bind(1, toMs(now)).bind(2, cloudId);
        return s.value().exec();
    }
    auto s = m_db.cached(QStringLiteral("UPDATE machines SET last_seen = ? WHERE id = ?"));
    if (!s)
        return s.error();
    for (const Machine &m : unchanged) {
        s.value().bind(1, toMs(now)).bind(2, m.id);
        if (Status st = s.value().exec(); !st)
            return st;
    }
    return {};
}

Result<InventoryDelta> InventoryStore::applyPoll(qint64 cloudId, const PollResult &result, const QDateTime &now)
{
    auto cloudResult = cloud(cloudId);
    if (!cloudResult) {
        // A poll that finished after its cloud was removed has nothing left to update.
        if (auto exists = m_db.scalar(QStringLiteral("SELECT count(*) FROM clouds WHERE id = %1").arg(cloudId));
            exists.ok() && exists.value() == 0)
            return InventoryDelta{};
        return cloudResult.error();
    }
    Cloud c = cloudResult.value();
    auto stored = machines(cloudId);
    if (!stored)
        return stored.error();
    InventoryDiff diff = InventoryDiff::compute(stored.value(), result, now, m_grace);

    sql::Transaction tx(m_db);
    if (Status st = tx.begin(); !st)
        return st.error();
    InventoryDelta delta;
    QVector<Machine *> needParents;

    for (Machine &m : diff.added) {
        m.cloudId = cloudId;
        if (Status st = writeMachine(m, true); !st)
            return st.error();
        if (Status st = writeProviderTags(m); !st)
            return st.error();
        needParents << &m;
        if (Status st = insertAudit(auditFor(QStringLiteral("machine.appeared"), m,
                                             tr("Appeared in state %1").arg(m.state))); !st)
            return st.error();
    }
    for (InventoryDiff::Update &u : diff.updated) {
        if (Status st = writeMachine(u.machine, false); !st)
            return st.error();
        if (u.fields.contains(QStringLiteral("tags")))
            if (Status st = writeProviderTags(u.machine); !st)
                return st.error();
        needParents << &u.machine;
        if (u.returned) {
            if (Status st = insertAudit(auditFor(QStringLiteral("machine.returned"), u.machine,
                                                 tr("Reported again after being missing"))); !st)
                return st.error();
        }
        if (u.fields.contains(QStringLiteral("state"))) {
            AuditEntry e = auditFor(QStringLiteral("machine.state_changed"), u.machine,
                                    tr("State changed from %1 to %2").arg(u.previousState, u.machine.state));
            e.details = QJsonObject{{QStringLiteral("from"), u.previousState}, {QStringLiteral("to"), u.machine.state}};
            if (Status st = insertAudit(e); !st)
                return st.error();
        }
    }
    for (Machine &m : diff.disappeared) {
        auto s = m_db.cached(QStringLiteral("UPDATE machines SET missing_since = ? WHERE id = ?"));
        if (!s)
            return s.error();
        s.value().bind(1, toMs(now)).bind(2, m.id);
        if (Status st = s.value().exec(); !st)
            return st.error();
        if (Status st = insertAudit(auditFor(QStringLiteral("machine.disappeared"), m,
                                             tr("No longer reported by the cloud"))); !st)
            return st.error();
        delta.machinesChanged << m;
    }
    for (const Machine &m : diff.removed) {
        auto s = m_db.cached(QStringLiteral("DELETE FROM machines WHERE id = ?"));
        if (!s)
            return s.error();
        s.value().bind(1, m.id);
        if (Status st = s.value().exec(); !st)
            return st.error();
        if (Status st = insertAudit(auditFor(QStringLiteral("machine.removed"), m,
                                             tr("Removed after being missing since %1")
                                                 .arg(m.missingSince.toString(Qt::ISODate)))); !st)
            return st.error();
        delta.machinesRemoved << m.id;
    }
    if (Status st = touchLastSeen(cloudId, result.complete, diff.unchanged, now); !st)
        return st.error();
    // Children of a removed machine now sit directly under the cloud (the foreign key set
    // their parent_id to NULL); the delta must say so.
    QSet<qint64> reparented;
    if (!diff.removed.isEmpty()) {
        const QSet<qint64> removedIds(delta.machinesRemoved.cbegin(), delta.machinesRemoved.cend());
        auto orphan = [&](Machine &m) {
            if (m.parentId && removedIds.contains(m.parentId)) {
                m.parentId = 0;
                reparented.insert(m.id);
            }
        };
        for (Machine &m : diff.unchanged)
            orphan(m);
        for (InventoryDiff::Update &u : diff.updated)
            orphan(u.machine);
    }
    // Parents are resolved after all inserts: a parent may arrive in the same poll as its
    // children, or after them. Unchanged machines only need it while their parent is unknown.
    for (Machine &m : diff.unchanged)
        if (!m.parentExternalId.isEmpty() && m.parentId == 0)
            needParents << &m;
    if (Status st = resolveParents(cloudId, needParents, reparented); !st)
        return st.error();

    c.lastPollAt = now;
    if (result.success) {
        c.health = CloudHealth::Ok;
        c.lastSuccessAt = now;
        c.lastError = result.complete ? QString() : result.error.toString();
        if (!diff.warnings.isEmpty())
            qCWarning(lcStore) << c.name << diff.warnings;
    } else {
        c.health = CloudHealth::Error;
        c.lastError = result.error.toString();
        AuditEntry e = auditFor(QStringLiteral("poller"), QStringLiteral("cloud.poll_failed"), c);
        e.success = false;
        e.message = c.lastError;
        // Only the first failure in a row is worth an audit line, not one per retry.
        // ("polling" may sit in between, so compare the error, which a success clears.)
        if (cloudResult.value().lastError != c.lastError)
            if (Status st = insertAudit(e); !st)
                return st.error();
    }
    if (Status st = writeCloudStatus(c); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();

    for (const Machine &m : std::as_const(diff.added))
        delta.machinesAdded << m;
    for (const InventoryDiff::Update &u : std::as_const(diff.updated))
        delta.machinesChanged << u.machine;
    for (const Machine &m : std::as_const(diff.unchanged))
        if (reparented.contains(m.id))
            delta.machinesChanged << m;
    delta.cloudsChanged << c;
    return delta;
}

Result<InventoryDelta> InventoryStore::tagMachines(const QVector<qint64> &ids, const TagMap &set,
                                                   const QStringList &removeKeys, const QString &actor)
{
    for (auto it = set.cbegin(); it != set.cend(); ++it)
        if (it.key().trimmed().isEmpty())
            return Error{tr("A tag needs a key"), {}};
    sql::Transaction tx(m_db);
    if (Status st = tx.begin(); !st)
        return st.error();
    auto ins = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO tags (resource_type, resource_id, source, key, value) "
                                           "VALUES ('machine', ?, 'user', ?, ?)"));
    auto del = m_db.prepare(QStringLiteral("DELETE FROM tags WHERE resource_type = 'machine' AND resource_id = ? "
                                           "AND source = 'user' AND key = ?"));
    if (!ins || !del)
        return (!ins ? ins.error() : del.error());
    InventoryDelta delta;
    for (qint64 id : ids) {
        auto m = machine(id);
        if (!m)
            return m.error();
        for (auto it = set.cbegin(); it != set.cend(); ++it) {
            ins.value().bind(1, id).bind(2, it.key().trimmed()).bind(3, it.value());
            if (Status st = ins.value().exec(); !st)
                return st.error();
        }
        for (const QString &key : removeKeys) {
            del.value().bind(1, id).bind(2, key);
            if (Status st = del.value().exec(); !st)
                return st.error();
        }
        AuditEntry e;
        e.actor = actor;
        e.action = QStringLiteral("machine.tagged");
        e.cloudId = m.value().cloudId;
        e.machineId = id;
        e.target = m.value().name;
        QJsonObject setJson;
        for (auto it = set.cbegin(); it != set.cend(); ++it)
            setJson.insert(it.key(), it.value());
        e.details = QJsonObject{{QStringLiteral("set"), setJson},
                                {QStringLiteral("removed"), QJsonArray::fromStringList(removeKeys)}};
        QStringList parts;
        for (auto it = set.cbegin(); it != set.cend(); ++it)
            parts << (it.value().isEmpty() ? it.key() : it.key() + QLatin1Char('=') + it.value());
        if (!parts.isEmpty())
            e.message = tr("Set %1").arg(parts.join(QStringLiteral(", ")));
        if (!removeKeys.isEmpty())
            e.message += (e.message.isEmpty() ? QString() : QStringLiteral("; "))
                         + tr("removed %1").arg(removeKeys.join(QStringLiteral(", ")));
        if (Status st = insertAudit(e); !st)
            return st.error();
    }
    if (Status st = tx.commit(); !st)
        return st.error();
    for (qint64 id : ids)
        if (auto m = machine(id); m.ok())
            delta.machinesChanged << m.value();
    return delta;
}

// ---- audit --------------------------------------------------------------------------------

Status InventoryStore::insertAudit(const AuditEntry &e)
{
    auto s = m_db.cached(QStringLiteral("INSERT INTO audit_log (ts, actor, action, cloud_id, machine_id, target, "
                                         "success, message, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return s.error();
    const QDateTime ts = e.timestamp.isValid() ? e.timestamp : QDateTime::currentDateTimeUtc();
    s.value().bind(1, toMs(ts)).bind(2, e.actor).bind(3, e.action);
    if (e.cloudId) s.value().bind(4, e.cloudId); else s.value().bindNull(4);
    if (e.machineId) s.value().bind(5, e.machineId); else s.value().bindNull(5);
    s.value().bind(6, e.target).bind(7, e.success).bind(8, e.message).bind(9, toJson(e.details));
    return s.value().exec();
}

Status InventoryStore::appendAudit(const AuditEntry &entry)
{
    return insertAudit(entry);
}

Result<QVector<AuditEntry>> InventoryStore::audit(const AuditQuery &q)
{
    QString where = QStringLiteral("WHERE 1");
    QVariantList args;
    if (!q.text.isEmpty()) {
        where += QStringLiteral(" AND (instr(lower(action), lower(?1)) OR instr(lower(target), lower(?1)) "
                                "OR instr(lower(message), lower(?1)) OR instr(lower(actor), lower(?1)))");
        args << q.text;
    }
    auto addFilter = [&](const QString &column, const QVariant &value) {
        args << value;
        where += QStringLiteral(" AND %1 ?%2").arg(column).arg(args.size());
    };
    if (q.cloudId) addFilter(QStringLiteral("cloud_id ="), q.cloudId);
    if (q.machineId) addFilter(QStringLiteral("machine_id ="), q.machineId);
    if (q.since.isValid()) addFilter(QStringLiteral("ts >="), toMs(q.since));
    auto s = m_db.prepare(QStringLiteral("SELECT id, ts, actor, action, cloud_id, machine_id, target, success, message, details "
                                         "FROM audit_log %1 ORDER BY id DESC LIMIT %2").arg(where).arg(qMax(1, q.limit)));
    if (!s)
        return s.error();
    for (int i = 0; i < args.size(); ++i)
        bindVariant(s.value(), i + 1, args.at(i));
    QVector<AuditEntry> out;
    while (s.value().step()) {
        const sql::Statement &r = s.value();
        AuditEntry e;
        e.id = r.int64(0);
        e.timestamp = readTime(r, 1);
        e.actor = r.text(2);
        e.action = r.text(3);
        e.cloudId = r.int64(4);
        e.machineId = r.int64(5);
        e.target = r.text(6);
        e.success = r.int64(7) != 0;
        e.message = r.text(8);
        e.details = objectFromJson(r.text(9));
        out << e;
    }
    if (s.value().failed())
        return s.value().error();
    return out;
}

} // namespace mist
