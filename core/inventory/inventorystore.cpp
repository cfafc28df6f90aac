#include "inventorystore.h"

#include "inventory/schema.h"
#include "inventory/storecodec.h"
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

using namespace storecodec;

namespace {

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

const QString kCloudColumns = QStringLiteral(
    "id, uuid, name, provider, enabled, poll_interval_s, config, secret_fields, created_at, "
    "health, last_poll_at, last_success_at, last_error");

} // namespace

template <typename Write>
auto InventoryStore::keepingCache(Write &&write)
{
    const bool inStep = m_cache.inStepWith(m_db.totalChanges());
    auto result = write();
    if (inStep)
        m_cache.rearm(m_db.totalChanges());
    return result;
}

Status InventoryStore::open(const QString &path)
{
    m_cache.clear();
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

    // cache_size: up to 32 MB of pages (grown only as used). With SQLite's 2 MB default a
    // 10k-change poll of a 100k-machine inventory re-read pages from the file and spilled
    // dirty ones into the WAL before the commit: a sixth of its time, in the kernel.
    for (const char *pragma : {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON",
                               "PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY",
                               "PRAGMA cache_size = -32768"}) {
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

Status InventoryStore::checkpointIfLarge(int minFrames)
{
    if (!m_db.isOpen() || m_db.walFrames() < minFrames)
        return {};
    return m_db.checkpoint();
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
    auto s = m_db.cached(QStringLiteral("SELECT %1 FROM clouds WHERE id = ?").arg(kCloudColumns));
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
    return keepingCache([&]() -> Result<Cloud> {
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
    });
}

Result<Cloud> InventoryStore::updateCloud(const Cloud &cloud, const QString &actor)
{
    return keepingCache([&]() -> Result<Cloud> {
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
    });
}

Status InventoryStore::removeCloud(qint64 id, const QString &actor)
{
    return keepingCache([&]() -> Status {
        auto old = cloud(id);
        if (!old)
            return old.error();
        // Its machines go with it, and a cloud added later may get the same id.
        m_cache.drop(id);
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
    });
}

Result<InventoryDelta> InventoryStore::forgetMachine(qint64 machineId, const QJsonObject &newCloudConfig, const QString &actor)
{
    return keepingCache([&]() -> Result<InventoryDelta> {
        auto m = machine(machineId);
        if (!m)
            return m.error();
        m_cache.drop(m.value().cloudId);
        sql::Transaction tx(m_db);
        if (Status st = tx.begin(); !st)
            return st.error();
        auto config = m_db.prepare(QStringLiteral("UPDATE clouds SET config = ? WHERE id = ?"));
        if (!config)
            return config.error();
        config.value().bind(1, toJson(newCloudConfig)).bind(2, m.value().cloudId);
        if (Status st = config.value().exec(); !st)
            return Error{tr("Could not update the cloud"), st.error().detail};
        if (Status st = detachChildren({machineId}); !st)
            return Error{tr("Could not remove %1").arg(m.value().name), st.error().detail};
        auto del = m_db.prepare(QStringLiteral("DELETE FROM machines WHERE id = ?"));
        if (!del)
            return del.error();
        del.value().bind(1, machineId);
        if (Status st = del.value().exec(); !st)
            return Error{tr("Could not remove %1").arg(m.value().name), st.error().detail};
        AuditEntry e = auditFor(QStringLiteral("machine.removed"), m.value(), tr("Removed from Mist by the user"));
        e.actor = actor;
        if (Status st = insertAudit(e); !st)
            return st.error();
        if (Status st = tx.commit(); !st)
            return st.error();
        InventoryDelta delta;
        delta.machinesRemoved << machineId;
        if (auto c = cloud(m.value().cloudId))
            delta.cloudsChanged << c.value();
        return delta;
    });
}

Result<Cloud> InventoryStore::setCloudPolling(qint64 id)
{
    return keepingCache([&]() -> Result<Cloud> {
        auto s = m_db.cached(QStringLiteral("UPDATE clouds SET health = 'polling' WHERE id = ?"));
        if (!s)
            return s.error();
        s.value().bind(1, id);
        if (Status st = s.value().exec(); !st)
            return st.error();
        return cloud(id);
    });
}

Status InventoryStore::writeCloudStatus(const Cloud &c)
{
    auto s = m_db.cached(QStringLiteral("UPDATE clouds SET health = ?, last_poll_at = ?, last_success_at = ?, "
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
    auto s = m_db.prepare(QStringLiteral("SELECT %1 FROM %2 %3 ORDER BY machines.id").arg(kMachineColumns, kMachineSource, where));
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
    // One read transaction: clouds and machines from the same state of the file, the state
    // data_version names.
    sql::Transaction tx(m_db);
    if (Status st = tx.begin(sql::Transaction::Kind::Read); !st)
        return st.error();
    InventorySnapshot snap;
    auto c = clouds();
    if (!c)
        return c.error();
    auto version = m_db.dataVersion();
    if (!version)
        return version.error();
    auto m = machines();
    if (!m)
        return m.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    snap.clouds = std::move(c.value());
    snap.machines = std::move(m.value());
    seedCache(snap, version.value());
    return snap;
}

// The poll cache starts from the snapshot the GUI loads: the copies share their strings,
// tags and JSON (implicit sharing), so the cache costs little more than its Machine structs.
void InventoryStore::seedCache(const InventorySnapshot &snap, qint64 dataVersion)
{
    m_cache.validate(dataVersion, m_db.totalChanges());
    QHash<qint64, QVector<Machine>> byCloud;
    for (const Machine &m : snap.machines)
        if (!m_cache.find(m.cloudId))
            byCloud[m.cloudId] << m;
    for (const Cloud &c : snap.clouds)
        if (!m_cache.find(c.id))
            m_cache.insert(c.id, byCloud.take(c.id));
    m_cache.markInStep(dataVersion, m_db.totalChanges());
}

Result<InventoryDelta> InventoryStore::tagMachines(const QVector<qint64> &ids, const TagMap &set,
                                                   const QStringList &removeKeys, const QString &actor)
{
    // Drops the cache of every cloud it tags in, so the cache stays valid for the others.
    return keepingCache([&]() -> Result<InventoryDelta> {
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
            m_cache.drop(m.value().cloudId);   // its user tags change
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
    });
}

// ---- audit --------------------------------------------------------------------------------

namespace {

const QString kAuditInsert = QStringLiteral("INSERT INTO audit_log (ts, actor, action, cloud_id, machine_id, target, "
                                            "success, message, details) VALUES ");
const QString kAuditRow = QStringLiteral("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
constexpr int kAuditColumns = 9;

void bindAudit(sql::Statement &s, int base, const AuditEntry &e, const QString &detailsJson = {})
{
    const QDateTime ts = e.timestamp.isValid() ? e.timestamp : QDateTime::currentDateTimeUtc();
    s.bind(base + 1, toMs(ts)).bind(base + 2, e.actor).bind(base + 3, e.action);
    if (e.cloudId) s.bind(base + 4, e.cloudId); else s.bindNull(base + 4);
    if (e.machineId) s.bind(base + 5, e.machineId); else s.bindNull(base + 5);
    s.bind(base + 6, e.target).bind(base + 7, e.success).bind(base + 8, e.message)
        .bind(base + 9, detailsJson.isEmpty() ? toJson(e.details) : detailsJson);
}

} // namespace

Status InventoryStore::insertAudit(const AuditEntry &e)
{
    auto s = m_db.cached(kAuditInsert + kAuditRow);
    if (!s)
        return s.error();
    bindAudit(s.value(), 0, e);
    return s.value().exec();
}

// The audit lines of a poll or watch batch, many rows per INSERT: a poll writes thousands,
// and one statement per row costs more in SQLite's per-statement work than the rows themselves.
Status InventoryStore::flushAudit()
{
    const QVector<QueuedAudit> entries = std::exchange(m_auditQueue, {});
    return insertRows(kAuditInsert, kAuditRow, kAuditColumns, entries.size(),
                      [&entries](sql::Statement &s, int base, qsizetype i) {
                          bindAudit(s, base, entries.at(i).entry, entries.at(i).detailsJson);
                      });
}

Status InventoryStore::forIdChunks(const QString &sql, int leading, const QVector<qint64> &ids,
                                   const std::function<void(sql::Statement &)> &bindLeading)
{
    qsizetype next = 0;
    for (const qsizetype n : {64, 16, 4, 1}) {
        if (ids.size() - next < n)
            continue;
        auto s = m_db.cached(sql.arg(QStringLiteral("?, ").repeated(n - 1) + QLatin1Char('?')));
        if (!s)
            return s.error();
        for (; ids.size() - next >= n; next += n) {
            if (bindLeading)
                bindLeading(s.value());
            for (qsizetype i = 0; i < n; ++i)
                s.value().bind(leading + int(i) + 1, ids.at(next + i));
            if (Status st = s.value().exec(); !st)
                return st;
        }
    }
    return {};
}

Status InventoryStore::insertRows(const QString &head, const QString &row, int columns, qsizetype count,
                                  const std::function<void(sql::Statement &, int, qsizetype)> &bind)
{
    qsizetype next = 0;
    // Few statement shapes (64, 16, 4 and 1 rows), each prepared once per connection.
    for (const qsizetype rows : {64, 16, 4, 1}) {
        if (count - next < rows)
            continue;
        auto s = m_db.cached(head + (row + QStringLiteral(", ")).repeated(rows - 1) + row);
        if (!s)
            return s.error();
        for (; count - next >= rows; next += rows) {
            for (qsizetype i = 0; i < rows; ++i)
                bind(s.value(), int(i) * columns, next + i);
            if (Status st = s.value().exec(); !st)
                return st;
        }
    }
    return {};
}

Status InventoryStore::appendAudit(const AuditEntry &entry)
{
    return keepingCache([&] { return insertAudit(entry); });
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
