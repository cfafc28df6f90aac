#include "schema.h"

#include <QCoreApplication>
#include <QStringList>

namespace mist::schema {

namespace {

// Append-only: a released step is never edited, a change is a new step.
const QStringList &steps()
{
    static const QStringList s = {
        // 1: the foundation inventory.
        QStringLiteral(R"SQL(
CREATE TABLE clouds (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    poll_interval_s INTEGER NOT NULL DEFAULT 60 CHECK (poll_interval_s >= 5),
    config TEXT NOT NULL DEFAULT '{}',
    secret_fields TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    health TEXT NOT NULL DEFAULT 'never',
    last_poll_at INTEGER,
    last_success_at INTEGER,
    last_error TEXT
);
CREATE TABLE machines (
    id INTEGER PRIMARY KEY,
    cloud_id INTEGER NOT NULL REFERENCES clouds(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    parent_id INTEGER REFERENCES machines(id) ON DELETE SET NULL,
    parent_external_id TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    public_ips TEXT NOT NULL DEFAULT '[]',
    private_ips TEXT NOT NULL DEFAULT '[]',
    size TEXT,
    image TEXT,
    location TEXT,
    os TEXT,
    cores INTEGER NOT NULL DEFAULT 0,
    memory_mb INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER,
    last_seen INTEGER,
    missing_since INTEGER,
    extra TEXT NOT NULL DEFAULT '{}',
    cost_per_month REAL NOT NULL DEFAULT 0,
    cost_currency TEXT,
    UNIQUE (cloud_id, external_id)
);
CREATE INDEX machines_parent ON machines(parent_id);
CREATE TABLE tags (
    resource_type TEXT NOT NULL CHECK (resource_type IN ('cloud', 'machine')),
    resource_id INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('user', 'provider')),
    key TEXT NOT NULL CHECK (length(key) > 0),
    value TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (resource_type, resource_id, source, key)
) WITHOUT ROWID;
CREATE INDEX tags_key ON tags(key, value);
CREATE TRIGGER machines_drop_tags AFTER DELETE ON machines BEGIN
    DELETE FROM tags WHERE resource_type = 'machine' AND resource_id = OLD.id;
END;
CREATE TRIGGER clouds_drop_tags AFTER DELETE ON clouds BEGIN
    DELETE FROM tags WHERE resource_type = 'cloud' AND resource_id = OLD.id;
END;
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    cloud_id INTEGER,
    machine_id INTEGER,
    target TEXT,
    success INTEGER NOT NULL DEFAULT 1,
    message TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_ts ON audit_log(ts);
CREATE INDEX audit_machine ON audit_log(machine_id);
)SQL"),
        // 2: SSH keys (private halves live in the keychain under "key/<uuid>"), which key,
        // user and port to use per machine, and the host keys the user accepted.
        QStringLiteral(R"SQL(
CREATE TABLE ssh_keys (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    type TEXT NOT NULL,
    bits INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT NOT NULL,
    public_key TEXT NOT NULL,
    has_passphrase INTEGER NOT NULL DEFAULT 0,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ssh_keys_one_default ON ssh_keys(is_default) WHERE is_default = 1;
CREATE TABLE key_associations (
    machine_id INTEGER PRIMARY KEY REFERENCES machines(id) ON DELETE CASCADE,
    key_id INTEGER REFERENCES ssh_keys(id) ON DELETE SET NULL,
    ssh_user TEXT,
    ssh_port INTEGER CHECK (ssh_port IS NULL OR ssh_port BETWEEN 1 AND 65535),
    proxy_jump TEXT,
    updated_at INTEGER NOT NULL
);
CREATE TABLE known_hosts (
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    key_type TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (host, port, key_type)
) WITHOUT ROWID;
)SQL"),
        // 3: faster polls (issue 2's 10k-change benchmark).
        //  * What a poll changes most (state, last seen, missing since) moves to the narrow
        //    machine_status: a state change rewrites a 20-byte row, and 7,000 changes dirty a
        //    few hundred pages instead of nearly every page of machines (all written to the WAL).
        //  * parent_id loses ON DELETE SET NULL: the store detaches children itself, and the
        //    action ran a sub-program per deleted machine. The reference is still checked.
        //  * One trigger removes a machine's status and tags.
        //  * No query looks tags up by key (search runs on the loaded inventory): tags_key
        //    cost a third of every tag write, at random places in the file.
        //  * The audit log is read newest first by id; only `mist audit --since` filters on
        //    the time, and it stops at its --limit. audit_ts cost 4 % of a poll.
        // Runs with foreign keys off (the table is rebuilt), checked before the commit.
        QStringLiteral(R"SQL(
DROP INDEX tags_key;
DROP INDEX audit_ts;
CREATE TABLE machine_status (
    machine_id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    last_seen INTEGER,
    missing_since INTEGER
);
INSERT INTO machine_status (machine_id, state, last_seen, missing_since)
    SELECT id, state, last_seen, missing_since FROM machines;
CREATE TABLE machines_v3 (
    id INTEGER PRIMARY KEY,
    cloud_id INTEGER NOT NULL REFERENCES clouds(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    parent_id INTEGER REFERENCES machines(id),
    parent_external_id TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    public_ips TEXT NOT NULL DEFAULT '[]',
    private_ips TEXT NOT NULL DEFAULT '[]',
    size TEXT,
    image TEXT,
    location TEXT,
    os TEXT,
    cores INTEGER NOT NULL DEFAULT 0,
    memory_mb INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER,
    extra TEXT NOT NULL DEFAULT '{}',
    cost_per_month REAL NOT NULL DEFAULT 0,
    cost_currency TEXT,
    UNIQUE (cloud_id, external_id)
);
INSERT INTO machines_v3 (id, cloud_id, external_id, parent_id, parent_external_id, kind, name, public_ips,
                         private_ips, size, image, location, os, cores, memory_mb, created_at, extra,
                         cost_per_month, cost_currency)
    SELECT id, cloud_id, external_id, parent_id, parent_external_id, kind, name, public_ips,
           private_ips, size, image, location, os, cores, memory_mb, created_at, extra,
           cost_per_month, cost_currency FROM machines;
UPDATE machines_v3 SET parent_id = NULL
    WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM machines_v3);
DROP TABLE machines;
ALTER TABLE machines_v3 RENAME TO machines;
CREATE INDEX machines_parent ON machines(parent_id);
CREATE TRIGGER machines_drop AFTER DELETE ON machines BEGIN
    DELETE FROM machine_status WHERE machine_id = OLD.id;
    DELETE FROM tags WHERE resource_type = 'machine' AND resource_id = OLD.id;
END;
)SQL"),
    };
    return s;
}

} // namespace

int latestVersion()
{
    return int(steps().size());
}

namespace {

Status applySteps(sql::Database &db, int current, int target)
{
    for (int v = current; v < target; ++v) {
        sql::Transaction tx(db);
        if (Status s = tx.begin(); !s)
            return s;
        const QString failed = QCoreApplication::translate("Database", "Upgrading the inventory to schema %1 failed").arg(v + 1);
        if (Status s = db.exec(steps().at(v)); !s)
            return Error{failed, s.error().detail};
        auto violations = db.scalar(QStringLiteral("SELECT count(*) FROM pragma_foreign_key_check"));
        if (!violations)
            return Error{failed, violations.error().detail};
        if (violations.value() > 0)
            return Error{failed, QCoreApplication::translate("Database", "%n broken reference(s) between rows", nullptr,
                                                             int(violations.value()))};
        if (Status s = db.exec(QStringLiteral("PRAGMA user_version = %1").arg(v + 1)); !s)
            return s;
        if (Status s = tx.commit(); !s)
            return s;
    }
    return {};
}

} // namespace

Status migrate(sql::Database &db, int targetVersion)
{
    auto version = db.scalar(QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    const int current = int(version.value());
    if (current > latestVersion())
        return Error{QCoreApplication::translate("Database",
                         "The inventory was written by a newer Mist Desktop (schema %1, this build knows %2). "
                         "Update Mist Desktop to open it.").arg(current).arg(latestVersion()),
                     db.path()};
    if (current >= targetVersion)
        return {};
    // A step may rebuild a table (create, copy, drop, rename), which foreign key actions would
    // cascade into. The switch only works outside a transaction; the result is checked below.
    auto foreignKeys = db.scalar(QStringLiteral("PRAGMA foreign_keys"));
    if (!foreignKeys)
        return foreignKeys.error();
    if (Status s = db.exec(QStringLiteral("PRAGMA foreign_keys = OFF")); !s)
        return s;
    Status result = applySteps(db, current, targetVersion);
    if (foreignKeys.value())
        if (Status s = db.exec(QStringLiteral("PRAGMA foreign_keys = ON")); !s && result.ok())
            result = s;
    return result;
}

} // namespace mist::schema
