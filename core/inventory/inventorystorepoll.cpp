// InventoryStore: applying one poll result (diff against the cached cloud, one transaction).

#include "inventorystore.h"

#include "inventory/storecodec.h"
#include "inventory/storeinternal.h"
#include "util/logging.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <vector>

namespace mist {

using namespace storecodec;

using storeinternal::normalize;

Result<StoredMachines *> InventoryStore::storedMachines(qint64 cloudId)
{
    if (StoredMachines *cached = m_cache.find(cloudId))
        return cached;
    auto loaded = machines(cloudId);
    if (!loaded)
        return loaded.error();
    return &m_cache.insert(cloudId, std::move(loaded.value()));
}

Result<InventoryDelta> InventoryStore::applyPoll(qint64 cloudId, const PollResult &result, const QDateTime &now)
{
    // A failed poll changes no machine: no need to read them.
    return writeToCloud(cloudId, result.success, [&](const Cloud &c, StoredMachines &stored) {
        return writePoll(cloudId, c, result, now, stored);
    });
}

QVector<Result<InventoryDelta>> InventoryStore::applyPolls(const QVector<std::pair<qint64, PollResult>> &results,
                                                           const QDateTime &now)
{
    QVector<CloudWrite> writes;
    writes.reserve(results.size());
    for (const auto &[cloudId, result] : results) {
        writes.append({cloudId, result.success, [&, cloudId = cloudId](const Cloud &c, StoredMachines &stored) {
                           return writePoll(cloudId, c, result, now, stored);
                       }});
    }
    return writeToClouds(writes);
}

Result<InventoryDelta> InventoryStore::writeToCloud(qint64 cloudId, bool withMachines, const CloudWrite::Function &write)
{
    return writeToClouds({CloudWrite{cloudId, withMachines, write}}).constFirst();
}

QVector<Result<InventoryDelta>> InventoryStore::writeToClouds(const QVector<CloudWrite> &writes)
{
    QVector<Result<InventoryDelta>> out;
    out.reserve(writes.size());
    auto failAll = [&](const Error &e) {
        out.clear();
        out.fill(e, writes.size());
        return out;
    };
    sql::Transaction tx(m_db);
    if (Status st = tx.begin(); !st)
        return failAll(st.error());
    // Checked inside the write transaction: from here nobody else can commit until we are
    // done, so the cache is compared with the very state we write on.
    auto version = m_db.dataVersion();
    if (!version)
        return failAll(version.error());
    m_cache.validate(version.value(), m_db.totalChanges());

    for (const CloudWrite &w : writes) {
        out << writeOneCloud(w);
        if (out.constLast().ok())
            continue;
        if (writes.size() == 1) {
            m_cache.drop(w.cloudId);   // it was updated along with the writes now rolled back
            return out;                // ~Transaction rolls back
        }
        {
            // Rare (a full disk, a broken file): undo the round and give every cloud its own
            // transaction, so one cloud's failure does not cost the others their results.
            // Cheaper than a savepoint per cloud, which the common case would pay for.
            (void)tx.rollback();
            for (const CloudWrite &dropped : writes)
                m_cache.drop(dropped.cloudId);
            out.clear();
            for (const CloudWrite &single : writes)
                out << writeToClouds({single}).constFirst();
            return out;
        }
    }
    if (Status committed = tx.commit(); !committed) {
        for (const CloudWrite &w : writes)
            m_cache.drop(w.cloudId);
        return failAll(committed.error());
    }
    m_cache.markInStep(version.value(), m_db.totalChanges());
    return out;
}

Result<InventoryDelta> InventoryStore::writeOneCloud(const CloudWrite &w)
{
    m_auditQueue.clear();
    auto cloudResult = cloud(w.cloudId);
    if (!cloudResult) {
        // A result that arrived after its cloud was removed has nothing left to update.
        if (auto exists = m_db.scalar(QStringLiteral("SELECT count(*) FROM clouds WHERE id = %1").arg(w.cloudId));
            exists.ok() && exists.value() == 0)
            return InventoryDelta{};
        return cloudResult.error();
    }
    StoredMachines none;
    auto stored = w.withMachines ? storedMachines(w.cloudId) : Result<StoredMachines *>(&none);
    if (!stored)
        return stored.error();
    return w.write(cloudResult.value(), *stored.value());
}

// The writes of one poll; `stored` (the cache) is brought up to date in place.
Result<InventoryDelta> InventoryStore::writePoll(qint64 cloudId, Cloud c, const PollResult &result,
                                                 const QDateTime &now, StoredMachines &stored)
{
    InventoryDiff diff = InventoryDiff::compute(stored, result, now, m_grace, false);
    for (Machine &m : diff.added)
        m.cloudId = cloudId;
    const QDateTime previousSuccess = c.lastSuccessAt;
    QSet<qint64> removedIds, reparented;
    for (const Machine &m : std::as_const(diff.removed))
        removedIds.insert(m.id);
    if (Status st = writeMachineChanges(diff, now, previousSuccess, PollTexts(), stored, removedIds); !st)
        return st.error();
    if (Status st = settleLastSeen(cloudId, result.complete, stored, diff, previousSuccess); !st)
        return st.error();

    // The cached cloud follows the file.
    QVector<Machine> &cached = stored.machines;
    cached.detach();   // pointers into it are taken below
    for (qsizetype i : std::as_const(diff.unchangedStored))
        cached[i].lastSeen = now;
    for (const InventoryDiff::Update &u : std::as_const(diff.updated))
        cached[u.stored] = u.machine;
    for (qsizetype i : std::as_const(diff.disappearedStored))
        cached[i].missingSince = now;
    storeinternal::detachChildrenOf(cached, removedIds, reparented);
    // Unchanged machines need their parent resolved only while it is unknown.
    QVector<Machine *> needParents = storeinternal::addedAndUpdated(diff, cached);
    for (qsizetype i : std::as_const(diff.unchangedStored))
        if (!cached.at(i).parentExternalId.isEmpty() && cached.at(i).parentId == 0)
            needParents << &cached[i];
    if (Status st = resolveParents(stored, diff.added, removedIds, needParents, reparented); !st)
        return st.error();

    InventoryDelta delta;
    delta.machinesAdded = diff.added;
    std::vector<bool> inDelta(size_t(cached.size()), false);
    for (const InventoryDiff::Update &u : std::as_const(diff.updated)) {
        delta.machinesChanged << cached.at(u.stored);
        inDelta[size_t(u.stored)] = true;
    }
    for (qsizetype i : std::as_const(diff.disappearedStored)) {
        delta.machinesChanged << cached.at(i);
        inDelta[size_t(i)] = true;
    }
    if (!reparented.isEmpty())
        for (qsizetype i = 0; i < cached.size(); ++i)
            if (!inDelta[size_t(i)] && reparented.contains(cached.at(i).id) && !removedIds.contains(cached.at(i).id))
                delta.machinesChanged << cached.at(i);
    for (const Machine &m : std::as_const(diff.removed))
        delta.machinesRemoved << m.id;

    stored.remove(diff.removedStored);
    for (const Machine &m : std::as_const(diff.added))
        stored.append(m);

    c.lastPollAt = now;
    const QString previousError = c.lastError;
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
        if (previousError != c.lastError)
            queueAudit(e);
    }
    if (Status st = writeCloudStatus(c); !st)
        return st.error();
    if (Status st = flushAudit(); !st)
        return st.error();
    delta.cloudsChanged << c;
    return delta;
}

// New machines: rows with their parent where it is known already (stored, or added just
// before), provider tags many rows per statement, audit lines.
Status InventoryStore::insertNewMachines(QVector<Machine> &added, const QDateTime &now, const PollTexts &texts,
                                         const StoredMachines &stored, const QSet<qint64> &removedIds)
{
    QHash<QString, qint64> addedIds;
    addedIds.reserve(added.size());
    struct TagRow
    {
        qint64 id;
        QString key, value;
    };
    QVector<TagRow> tags;
    for (Machine &m : added) {
        normalize(m);
        m.parentId = 0;
        if (!m.parentExternalId.isEmpty()) {
            if (const auto it = addedIds.constFind(m.parentExternalId); it != addedIds.cend())
                m.parentId = *it;
            else if (const Machine *parent = stored.find(m.parentExternalId); parent && !removedIds.contains(parent->id))
                m.parentId = parent->id;
        }
        if (Status st = writeMachineRow(m, true); !st)
            return st;
        addedIds.insert(m.externalId, m.id);
        for (auto it = m.providerTags.cbegin(); it != m.providerTags.cend(); ++it)
            tags.append({m.id, it.key(), it.value()});
        AuditEntry e = auditFor(QStringLiteral("machine.appeared"), m, texts.appeared.arg(m.state));
        e.timestamp = now;
        queueAudit(std::move(e));
    }
    if (Status st = writeStatuses(added); !st)
        return st;
    return insertRows(QStringLiteral("INSERT OR REPLACE INTO tags (resource_type, resource_id, source, key, value) VALUES "),
                      QStringLiteral("('machine', ?, 'provider', ?, ?)"), 3, tags.size(),
                      [&tags](sql::Statement &s, int base, qsizetype i) {
                          s.bind(base + 1, tags.at(i).id).bind(base + 2, tags.at(i).key).bind(base + 3, tags.at(i).value);
                      });
}

// Rows and audit lines of the added, updated, disappeared and removed machines.
Status InventoryStore::writeMachineChanges(InventoryDiff &diff, const QDateTime &now, const QDateTime &previousSuccess,
                                           const PollTexts &texts, const StoredMachines &stored,
                                           const QSet<qint64> &removedIds)
{
    auto audit = [this, &now](const QString &action, const Machine &m, const QString &message, QString detailsJson = {}) {
        AuditEntry e = auditFor(action, m, message);
        e.timestamp = now;
        queueAudit(std::move(e), std::move(detailsJson));
        return Status();
    };
    if (Status st = insertNewMachines(diff.added, now, texts, stored, removedIds); !st)
        return st;
    // Most changes of a poll: only the state moved, so only the state is written, for all
    // machines that went to the same state at once.
    QHash<QString, QVector<qint64>> stateOnly;
    // Thousands of state changes are a handful of transitions: each one's texts are made once.
    struct Transition
    {
        QString from, to, message, details;
    };
    QVector<Transition> transitions;
    auto transition = [&](const QString &from, const QString &to) -> const Transition & {
        for (const Transition &t : std::as_const(transitions))
            if (t.from == from && t.to == to)
                return t;
        transitions.append({from, to, texts.stateChanged.arg(from, to),
                            toJsonObject({{QLatin1String("from"), from}, {QLatin1String("to"), to}})});
        return transitions.constLast();
    };
    for (InventoryDiff::Update &u : diff.updated) {
        normalize(u.machine);
        if (u.fields == QStringList{QStringLiteral("state")} && !u.returned)
            stateOnly[u.machine.state] << u.machine.id;
        else if (Status st = updateMachine(u.machine); !st)
            return st;
        if (u.fields.contains(QStringLiteral("tags")))
            if (Status st = writeProviderTags(u.machine); !st)
                return st;
        if (u.returned)
            if (Status st = audit(QStringLiteral("machine.returned"), u.machine, texts.returned); !st)
                return st;
        if (u.fields.contains(QStringLiteral("state"))) {
            const Transition &t = transition(u.previousState, u.machine.state);
            if (Status st = audit(QStringLiteral("machine.state_changed"), u.machine, t.message, t.details); !st)
                return st;
        }
    }
    for (auto it = stateOnly.cbegin(); it != stateOnly.cend(); ++it) {
        const QString &state = it.key();
        if (Status st = forIdChunks(QStringLiteral("UPDATE machine_status SET state = ?1, last_seen = NULL WHERE machine_id IN (%1)"), 1,
                                    it.value(), [&state](sql::Statement &s) { s.bind(1, state); });
            !st)
            return st;
    }
    if (!diff.disappeared.isEmpty()) {
        // Last seen in the previous successful poll, unless already written down (see settleLastSeen).
        auto s = m_db.cached(QStringLiteral("UPDATE machine_status SET missing_since = ?, last_seen = COALESCE(last_seen, ?) "
                                            "WHERE machine_id = ?"));
        if (!s)
            return s.error();
        for (const Machine &m : std::as_const(diff.disappeared)) {
            s.value().bind(1, toMs(now));
            bindTime(s.value(), 2, previousSuccess);
            s.value().bind(3, m.id);
            if (Status st = s.value().exec(); !st)
                return st;
            if (Status st = audit(QStringLiteral("machine.disappeared"), m, texts.disappeared); !st)
                return st;
        }
    }
    QDateTime lastMissingSince;
    QString lastMissingText;
    return deleteMachines(diff.removed, stored, now, QStringLiteral("machine.removed"), [&](const Machine &m) {
        // Machines that went missing together share the time: format it once.
        if (m.missingSince != lastMissingSince) {
            lastMissingSince = m.missingSince;
            lastMissingText = m.missingSince.toString(Qt::ISODate);
        }
        return texts.removed.arg(lastMissingText);
    });
}

Status InventoryStore::deleteMachines(const QVector<Machine> &machines, const StoredMachines &stored,
                                      const QDateTime &now, const QString &action,
                                      const std::function<QString(const Machine &)> &message)
{
    if (machines.isEmpty())
        return {};
    QVector<qint64> ids;
    ids.reserve(machines.size());
    for (const Machine &m : machines) {
        ids << m.id;
        AuditEntry e = auditFor(action, m, message(m));
        e.timestamp = now;
        queueAudit(std::move(e));
    }
    if (Status st = deleteTagsOf(ids); !st)
        return st;
    // The cache (in step with the file) knows which of them have children.
    if (Status st = detachChildren(storeinternal::parentsAmong(stored.machines, ids)); !st)
        return st;
    return forIdChunks(QStringLiteral("DELETE FROM machines WHERE id IN (%1)"), 0, ids);
}

// The tags of machines about to be deleted, many per statement: the delete trigger would do
// it too, but one tag row at a time, which costs more than the machine row itself.
Status InventoryStore::deleteTagsOf(const QVector<qint64> &ids)
{
    return forIdChunks(QStringLiteral("DELETE FROM tags WHERE resource_type = 'machine' AND resource_id IN (%1)"), 0, ids);
}

// Children of machines about to be deleted stay, at the top of their cloud (the reference
// to the parent is checked, and has no action of its own: see schema step 3).
Status InventoryStore::detachChildren(const QVector<qint64> &parentIds)
{
    return forIdChunks(QStringLiteral("UPDATE machines SET parent_id = NULL WHERE parent_id IN (%1)"), 0, parentIds);
}

Status InventoryStore::writeMachineRow(Machine &m, bool insert)
{
    // An update leaves cloud_id and external_id (what identifies the row) alone, so SQLite
    // does not rewrite the unique index entry.
    const QString sql = insert
        ? QStringLiteral("INSERT INTO machines (parent_external_id, kind, name, "
                         "public_ips, private_ips, size, image, location, os, cores, memory_mb, created_at, "
                         "extra, cost_per_month, cost_currency, cloud_id, external_id, parent_id) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)")
        : QStringLiteral("UPDATE machines SET parent_external_id = ?1, kind = ?2, "
                         "name = ?3, public_ips = ?4, private_ips = ?5, size = ?6, image = ?7, "
                         "location = ?8, os = ?9, cores = ?10, memory_mb = ?11, created_at = ?12, "
                         "extra = ?13, cost_per_month = ?14, cost_currency = ?15 WHERE id = ?16");
    auto s = m_db.cached(sql);
    if (!s)
        return s.error();
    sql::Statement &st = s.value();
    st.bind(1, m.parentExternalId).bind(2, machineKindName(m.kind)).bind(3, m.name)
        .bind(4, toJson(m.publicIps)).bind(5, toJson(m.privateIps)).bind(6, m.size).bind(7, m.image)
        .bind(8, m.location).bind(9, m.os).bind(10, m.cores).bind(11, m.memoryMb);
    bindTime(st, 12, m.created);
    st.bind(13, toJson(m.extra)).bind(14, m.costPerMonth).bind(15, m.costCurrency);
    if (insert) {
        st.bind(16, m.cloudId).bind(17, m.externalId);
        if (m.parentId)
            st.bind(18, m.parentId);
        else
            st.bindNull(18);
    } else
        st.bind(16, m.id);
    if (Status r = st.exec(); !r)
        return r;
    if (insert)
        m.id = m_db.lastInsertId();
    return {};
}

Status InventoryStore::updateMachine(Machine &m)
{
    if (Status st = writeMachineRow(m, false); !st)
        return st;
    return writeStatuses({m});
}

// State, last seen (NULL: reported by this poll, so last seen when the cloud last succeeded)
// and missing since of machines just written, many per statement. REPLACE: an inserted
// machine may reuse the id of a deleted one.
Status InventoryStore::writeStatuses(const QVector<Machine> &machines)
{
    return insertRows(QStringLiteral("INSERT OR REPLACE INTO machine_status (machine_id, state, last_seen, missing_since) VALUES "),
                      QStringLiteral("(?, ?, NULL, ?)"), 3, machines.size(),
                      [&machines](sql::Statement &s, int base, qsizetype i) {
                          const Machine &m = machines.at(i);
                          s.bind(base + 1, m.id).bind(base + 2, m.state.isEmpty() ? MachineState::Unknown : m.state);
                          bindTime(s, base + 3, m.missingSince);
                      });
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

// Sets parent_id from parent_external_id for `touched`: among the cloud's machines as they
// are after this poll (stored ones minus the removed, plus the added).
Status InventoryStore::resolveParents(const StoredMachines &stored, const QVector<Machine> &added,
                                      const QSet<qint64> &removedIds, const QVector<Machine *> &touched,
                                      QSet<qint64> &reparented)
{
    const bool anyParent = std::any_of(touched.cbegin(), touched.cend(),
                                       [](const Machine *m) { return !m->parentExternalId.isEmpty() || m->parentId; });
    if (!anyParent)
        return {};
    QHash<QString, qint64> addedIds;
    addedIds.reserve(added.size());
    for (const Machine &m : added)
        addedIds.insert(m.externalId, m.id);
    auto idOf = [&](const QString &externalId) -> qint64 {
        if (externalId.isEmpty())
            return 0;
        if (const auto it = addedIds.constFind(externalId); it != addedIds.cend())
            return *it;
        const Machine *parent = stored.find(externalId);
        return parent && !removedIds.contains(parent->id) ? parent->id : 0;
    };
    auto upd = m_db.cached(QStringLiteral("UPDATE machines SET parent_id = ? WHERE id = ?"));
    if (!upd)
        return upd.error();
    for (Machine *m : touched) {
        qint64 parent = idOf(m->parentExternalId);
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

// last_seen NULL means "seen in the cloud's last successful poll" (clouds.last_success_at,
// see kMachineColumns): a poll then need not rewrite every row of the cloud (the whole table
// into the WAL) just to move a timestamp. A machine not reported keeps the time it had.
Status InventoryStore::settleLastSeen(qint64 cloudId, bool complete, StoredMachines &stored,
                                      const InventoryDiff &diff, const QDateTime &previousSuccess)
{
    if (complete) {
        // Every machine not missing was reported (the disappeared ones got their time already).
        if (stored.lastSeenSettled)
            return {};   // and all of them are NULL already
        auto s = m_db.cached(QStringLiteral("UPDATE machine_status SET last_seen = NULL "
                                            "WHERE machine_id IN (SELECT id FROM machines WHERE cloud_id = ?) "
                                            "AND missing_since IS NULL AND last_seen IS NOT NULL"));
        if (!s)
            return s.error();
        s.value().bind(1, cloudId);
        Status st = s.value().exec();
        stored.lastSeenSettled = st.ok();
        return st;
    }
    stored.lastSeenSettled = false;
    std::vector<bool> reported(size_t(stored.machines.size()), false);
    for (qsizetype i : diff.unchangedStored)
        reported[size_t(i)] = true;
    for (const InventoryDiff::Update &u : diff.updated)
        reported[size_t(u.stored)] = true;
    auto keep = m_db.cached(QStringLiteral("UPDATE machine_status SET last_seen = ? WHERE machine_id = ? AND last_seen IS NULL"));
    auto seen = m_db.cached(QStringLiteral("UPDATE machine_status SET last_seen = NULL WHERE machine_id = ? AND last_seen IS NOT NULL"));
    if (!keep || !seen)
        return !keep ? keep.error() : seen.error();
    for (qsizetype i = 0; i < stored.machines.size(); ++i) {
        sql::Statement &st = reported[size_t(i)] ? seen.value() : keep.value();
        if (!reported[size_t(i)])
            bindTime(st, 1, previousSuccess);
        st.bind(reported[size_t(i)] ? 1 : 2, stored.machines.at(i).id);
        if (Status r = st.exec(); !r)
            return r;
    }
    return {};
}

} // namespace mist
