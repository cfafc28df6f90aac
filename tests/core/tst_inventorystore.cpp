#include "inventory/inventorystore.h"
#include "inventory/schema.h"
#include "inventory/storecodec.h"

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>

#include <sqlite3.h>

using namespace mist;
using namespace std::chrono_literals;

namespace {

Machine vm(const QString &id, const QString &state = MachineState::Running, const QString &parent = {})
{
    Machine m;
    m.externalId = id;
    m.parentExternalId = parent;
    m.kind = parent.isEmpty() ? MachineKind::Hypervisor : MachineKind::Vm;
    m.name = QStringLiteral("vm-") + id;
    m.state = state;
    m.publicIps = {QStringLiteral("203.0.113.7")};
    m.cores = 2;
    m.memoryMb = 2048;
    m.extra.insert(QStringLiteral("autostart"), true);
    m.providerTags.insert(QStringLiteral("role"), QStringLiteral("web"));
    return m;
}

PollResult ok(QVector<Machine> machines)
{
    PollResult r;
    r.success = true;
    r.complete = true;
    r.machines = std::move(machines);
    return r;
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

PollResult partial(QVector<Machine> machines)
{
    PollResult r = ok(std::move(machines));
    r.complete = false;
    r.error = Error{QStringLiteral("Some pages failed"), {}};
    return r;
}

// Runs SQL on the file through a connection of its own, as the `mist` CLI would.
void execElsewhere(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    const QByteArray error = message ? QByteArray(message) : QByteArray();
    sqlite3_free(message);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, error.constData());
}

QStringList idsOf(const QVector<Machine> &machines)
{
    QStringList out;
    for (const Machine &m : machines)
        out << m.externalId;
    out.sort();
    return out;
}

// Everything a delta says, as comparable text (ids, parents, states, missing, tags).
QStringList describe(const InventoryDelta &d)
{
    QStringList out;
    auto machine = [](const char *what, const Machine &m) {
        return QStringLiteral("%1 %2 id=%3 parent=%4 state=%5 missing=%6 seen=%7 tags=%8/%9")
            .arg(QLatin1String(what), m.externalId).arg(m.id).arg(m.parentId).arg(m.state)
            .arg(m.missingSince.toMSecsSinceEpoch()).arg(m.lastSeen.toMSecsSinceEpoch())
            .arg(QStringList(m.providerTags.keys()).join(QLatin1Char(',')), QStringList(m.userTags.keys()).join(QLatin1Char(',')));
    };
    for (const Machine &m : d.machinesAdded)
        out << machine("added", m);
    for (const Machine &m : d.machinesChanged)
        out << machine("changed", m);
    for (qint64 id : d.machinesRemoved)
        out << QStringLiteral("removed %1").arg(id);
    out.sort();
    return out;
}

} // namespace

class TestInventoryStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString dbPath(const char *name) { return m_dir.filePath(QString::fromLatin1(name)); }

    Cloud addCloud(InventoryStore &store, const QString &name = QStringLiteral("kvm1"))
    {
        Cloud c;
        c.name = name;
        c.provider = QStringLiteral("libvirt");
        c.config.insert(QStringLiteral("uri"), QStringLiteral("test:///default"));
        auto r = store.addCloud(c, QStringLiteral("test"));
        if (!r)
            qFatal("%s", qPrintable(r.error().toString()));
        return r.value();
    }

    // A file as schema 2 left it, holding what `inserts` wrote (foreign keys not enforced).
    static bool writeSchema2File(const QString &path, const QString &inserts)
    {
        sql::Database db;
        return db.open(path).ok() && schema::migrate(db, 2).ok() && db.exec(inserts).ok();
    }

private slots:
    void freshDatabaseIsMigratedToLatest()
    {
        InventoryStore store;
        QVERIFY2(store.open(dbPath("fresh.db")).ok(), "open");
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(dbPath("fresh.db").toUtf8(), &db), SQLITE_OK);
        sqlite3_stmt *st = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        QCOMPARE(sqlite3_column_int(st, 0), schema::latestVersion());
        sqlite3_finalize(st);
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(st, 0))), QByteArray("wal"));
        sqlite3_finalize(st);
        sqlite3_close(db);

        // Re-opening an up-to-date file changes nothing and keeps the data.
        addCloud(store);
        InventoryStore again;
        QVERIFY(again.open(dbPath("fresh.db")).ok());
        QCOMPARE(again.clouds().value().size(), 1);
    }

    // A file of schema 2 (state in machines, ON DELETE SET NULL, tags_key) keeps every
    // machine, status, parent, tag and SSH key association through the upgrade.
    void schema2FileIsUpgradedKeepingEverything()
    {
        const QString path = dbPath("v2.db");
        QVERIFY(writeSchema2File(path, QStringLiteral(
                "INSERT INTO clouds (id, uuid, name, provider, created_at, last_success_at) "
                "  VALUES (1, 'u1', 'kvm1', 'libvirt', 0, 5000);"
                "INSERT INTO machines (id, cloud_id, external_id, parent_id, kind, name, state, last_seen, missing_since) VALUES "
                "  (1, 1, 'host', NULL, 'hypervisor', 'host', 'running', NULL, NULL),"
                "  (2, 1, 'a', 1, 'vm', 'vm-a', 'stopped', 4000, 4500),"
                "  (3, 1, 'b', 99, 'vm', 'vm-b', 'paused', NULL, NULL);"   // a parent that is gone
                "INSERT INTO tags VALUES ('machine', 2, 'user', 'env', 'prod'), ('machine', 2, 'provider', 'team', 'web');"
                "INSERT INTO ssh_keys (id, uuid, name, type, fingerprint, public_key, created_at) "
                "  VALUES (1, 'k1', 'key', 'ed25519', 'fp', 'pk', 0);"
                "INSERT INTO key_associations (machine_id, key_id, ssh_user, updated_at) VALUES (2, 1, 'root', 0);"
                "INSERT INTO audit_log (ts, actor, action) VALUES (1, 'test', 'x');")));
        InventoryStore store;
        QVERIFY2(store.open(path).ok(), "open");
        sql::Database &db = store.database();
        QCOMPARE(db.scalar(QStringLiteral("PRAGMA user_version")).value(), schema::latestVersion());
        QCOMPARE(db.scalar(QStringLiteral("PRAGMA foreign_keys")).value(), 1);   // back on after the rebuild
        QCOMPARE(db.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name IN "
                                          "('tags_key', 'audit_ts', 'machines_v3', 'machines_drop_tags')")).value(), 0);

        const auto machines = store.machines(1).value();
        QCOMPARE(machines.size(), 3);
        const Machine host = store.findMachine(QStringLiteral("host")).value();
        QCOMPARE(host.state, MachineState::Running);
        QCOMPARE(host.lastSeen.toMSecsSinceEpoch(), 5000);   // NULL: the cloud's last good poll
        QVERIFY(!host.missingSince.isValid());
        const Machine a = store.findMachine(QStringLiteral("vm-a")).value();
        QCOMPARE(a.state, MachineState::Stopped);
        QCOMPARE(a.lastSeen.toMSecsSinceEpoch(), 4000);
        QCOMPARE(a.missingSince.toMSecsSinceEpoch(), 4500);
        QCOMPARE(a.parentId, 1);
        QCOMPARE(a.userTags.value(QStringLiteral("env")), QStringLiteral("prod"));
        QCOMPARE(a.providerTags.value(QStringLiteral("team")), QStringLiteral("web"));
        const Machine b = store.findMachine(QStringLiteral("vm-b")).value();
        QCOMPARE(b.state, QStringLiteral("paused"));
        QCOMPARE(b.parentId, 0);   // the broken reference was cleared, not kept
        QCOMPARE(db.scalar(QStringLiteral("SELECT count(*) FROM key_associations WHERE machine_id = 2 AND ssh_user = 'root'")).value(), 1);
        QCOMPARE(store.audit({}).value().size(), 1);

        // The parent reference is still enforced: a parent cannot go while a child names it.
        QVERIFY(!db.exec(QStringLiteral("DELETE FROM machines WHERE id = 1")).ok());
        // A removed cloud takes its machines' status, tags and key associations along.
        QVERIFY(store.removeCloud(1, QStringLiteral("test")).ok());
        for (const char *table : {"machines", "machine_status", "tags", "key_associations"})
            QCOMPARE(db.scalar(QStringLiteral("SELECT count(*) FROM %1").arg(QLatin1String(table))).value(), 0);
    }

    // An upgrade that would leave a broken reference is undone: the file stays as it was.
    void upgradeWithBrokenReferenceIsRefusedAndUntouched()
    {
        const QString path = dbPath("v2-broken.db");
        QVERIFY(writeSchema2File(path, QStringLiteral(
            "INSERT INTO clouds (id, uuid, name, provider, created_at) VALUES (1, 'u1', 'kvm1', 'libvirt', 0);"
            "INSERT INTO machines (id, cloud_id, external_id, kind, name, state) VALUES (1, 1, 'a', 'vm', 'vm-a', 'running');"
            "INSERT INTO key_associations (machine_id, ssh_user, updated_at) VALUES (42, 'root', 0);")));
        InventoryStore store;
        const Status s = store.open(path);
        QVERIFY(!s);
        QVERIFY2(s.error().message.contains(QStringLiteral("schema 3")), qPrintable(s.error().toString()));
        QVERIFY2(s.error().detail.contains(QStringLiteral("broken reference")), qPrintable(s.error().toString()));
        sql::Database db;
        QVERIFY(db.open(path).ok());
        QCOMPARE(db.scalar(QStringLiteral("PRAGMA user_version")).value(), 2);
        QCOMPARE(db.scalar(QStringLiteral("SELECT count(*) FROM machines WHERE state = 'running'")).value(), 1);
    }

    void newerSchemaIsRefusedAndUntouched()
    {
        {
            InventoryStore store;
            QVERIFY(store.open(dbPath("newer.db")).ok());
        }
        sqlite3 *db = nullptr;
        sqlite3_open(dbPath("newer.db").toUtf8(), &db);
        sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        InventoryStore store;
        const Status s = store.open(dbPath("newer.db"));
        QVERIFY(!s);
        QVERIFY2(s.error().message.contains(QStringLiteral("newer")), qPrintable(s.error().message));
    }

    void garbageFileIsReportedAndLeftAlone()
    {
        const QString path = dbPath("garbage.db");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        const QByteArray before = fileBytes(path);
        InventoryStore store;
        const Status s = store.open(path);
        QVERIFY(!s);
        QVERIFY2(s.error().message.contains(QStringLiteral("damaged")), qPrintable(s.error().toString()));
        QVERIFY(!store.isOpen());
        QCOMPARE(fileBytes(path), before);
    }

    void corruptedPageFailsIntegrityCheck()
    {
        const QString path = dbPath("corrupt.db");
        {
            InventoryStore store;
            QVERIFY(store.open(path).ok());
            const Cloud c = addCloud(store);
            QVector<Machine> many;
            for (int i = 0; i < 300; ++i)
                many << vm(QString::number(i));
            QVERIFY(store.applyPoll(c.id, ok(many), QDateTime::currentDateTimeUtc()).ok());
            QVERIFY(store.applyPoll(c.id, ok(many), QDateTime::currentDateTimeUtc()).ok());
        }
        // Fold the WAL into the main file, then scribble over the middle of a b-tree page.
        sqlite3 *db = nullptr;
        sqlite3_open(path.toUtf8(), &db);
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.size() > 5 * 4096);
        f.seek(3 * 4096 + 8);
        f.write(QByteArray(600, '\xff'));
        f.close();
        const QByteArray before = fileBytes(path);
        InventoryStore store;
        const Status s = store.open(path);
        QVERIFY2(!s, "a corrupted file must not open");
        QVERIFY(s.error().message.contains(QStringLiteral("damaged")));
        QCOMPARE(fileBytes(path), before);
    }

    void readOnlyFolderGivesClearError()
    {
        InventoryStore store;
        const Status s = store.open(m_dir.filePath(QStringLiteral("no/such/folder/inv.db")));
        QVERIFY(!s);
        QVERIFY(s.error().message.contains(QStringLiteral("folder")));
    }

    void pollIsAppliedWithParentsTagsAndAudit()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("poll.db")).ok());
        const Cloud c = addCloud(store);
        // The child is listed before its parent: parents are resolved after all inserts.
        auto delta = store.applyPoll(c.id, ok({vm("child", MachineState::Running, "host"), vm("host")}),
                                     QDateTime::currentDateTimeUtc());
        QVERIFY2(delta.ok(), qPrintable(delta.error().toString()));
        QCOMPARE(delta.value().machinesAdded.size(), 2);
        const auto machines = store.machines(c.id).value();
        QCOMPARE(machines.size(), 2);
        const Machine host = store.findMachine(QStringLiteral("vm-host")).value();
        const Machine child = store.findMachine(QStringLiteral("vm-child")).value();
        QCOMPARE(child.parentId, host.id);
        QCOMPARE(host.parentId, 0);
        QCOMPARE(child.providerTags.value(QStringLiteral("role")), QStringLiteral("web"));
        QCOMPARE(child.extra.value(QStringLiteral("autostart")).toBool(), true);
        QCOMPARE(child.publicIps, QStringList{QStringLiteral("203.0.113.7")});
        const Cloud polled = store.cloud(c.id).value();
        QCOMPARE(polled.health, CloudHealth::Ok);
        QVERIFY(polled.lastSuccessAt.isValid());

        AuditQuery q;
        q.text = QStringLiteral("machine.appeared");
        QCOMPARE(store.audit(q).value().size(), 2);

        // A state change is an update and an audit entry; ids are stable.
        auto d2 = store.applyPoll(c.id, ok({vm("child", MachineState::Stopped, "host"), vm("host")}),
                                  QDateTime::currentDateTimeUtc());
        QCOMPARE(d2.value().machinesChanged.size(), 1);
        QCOMPARE(d2.value().machinesChanged.first().id, child.id);
        QCOMPARE(store.machine(child.id).value().state, MachineState::Stopped);
        q.text = QStringLiteral("state_changed");
        const auto entries = store.audit(q).value();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().machineId, child.id);
        QCOMPARE(entries.first().details.value(QStringLiteral("from")).toString(), MachineState::Running);
    }

    void unchangedPollSendsNoChanges()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("quiet.db")).ok());
        const Cloud c = addCloud(store);
        const auto machines = QVector<Machine>{vm("host"), vm("a", MachineState::Running, "host"), vm("b", MachineState::Running, "host")};
        QVERIFY(store.applyPoll(c.id, ok(machines), QDateTime::currentDateTimeUtc()).ok());
        const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(60);
        auto d = store.applyPoll(c.id, ok(machines), later);
        QVERIFY(d.ok());
        QVERIFY(d.value().machinesAdded.isEmpty());
        QVERIFY2(d.value().machinesChanged.isEmpty(), "nothing changed, so the GUI must not be told otherwise");
        QCOMPARE(store.findMachine(QStringLiteral("vm-a")).value().lastSeen, later);
    }

    void parentArrivingLaterAdoptsItsChildren()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("adopt.db")).ok());
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        QVERIFY(store.applyPoll(c.id, ok({vm("a", MachineState::Running, "host")}), t0).ok());
        QCOMPARE(store.findMachine(QStringLiteral("vm-a")).value().parentId, 0);
        auto d = store.applyPoll(c.id, ok({vm("a", MachineState::Running, "host"), vm("host")}), t0.addSecs(60));
        const qint64 hostId = store.findMachine(QStringLiteral("vm-host")).value().id;
        QCOMPARE(store.findMachine(QStringLiteral("vm-a")).value().parentId, hostId);
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QCOMPARE(d.value().machinesChanged.first().parentId, hostId);
    }

    void removedParentLeavesChildrenUnderTheCloud()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("orphan.db")).ok());
        store.setMissingGracePeriod(1min);
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        QVERIFY(store.applyPoll(c.id, ok({vm("host"), vm("a", MachineState::Running, "host")}), t0).ok());
        QVERIFY(store.applyPoll(c.id, ok({vm("a", MachineState::Running, "host")}), t0.addSecs(10)).ok());
        auto d = store.applyPoll(c.id, ok({vm("a", MachineState::Running, "host")}), t0.addSecs(120));
        QCOMPARE(d.value().machinesRemoved.size(), 1);
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QCOMPARE(d.value().machinesChanged.first().parentId, 0);
        QCOMPARE(store.findMachine(QStringLiteral("vm-a")).value().parentId, 0);
    }

    void failedPollKeepsInventoryAndMarksCloud()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("failed.db")).ok());
        const Cloud c = addCloud(store);
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), QDateTime::currentDateTimeUtc()).ok());
        const QDateTime goodAt = store.cloud(c.id).value().lastSuccessAt;

        auto d = store.applyPoll(c.id, PollResult::failure(Error{QStringLiteral("Could not connect"), QStringLiteral("refused")}),
                                 QDateTime::currentDateTimeUtc().addSecs(60));
        QVERIFY(d.ok());
        QVERIFY(d.value().machinesRemoved.isEmpty());
        QVERIFY(d.value().machinesChanged.isEmpty());
        QCOMPARE(store.machines(c.id).value().size(), 2);
        for (const Machine &m : store.machines(c.id).value())
            QVERIFY(!m.missingSince.isValid());
        const Cloud after = store.cloud(c.id).value();
        QCOMPARE(after.health, CloudHealth::Error);
        QVERIFY(after.isStale());
        QVERIFY(after.lastError.contains(QStringLiteral("refused")));
        QCOMPARE(after.lastSuccessAt, goodAt);
        AuditQuery q;
        q.text = QStringLiteral("poll_failed");
        QCOMPARE(store.audit(q).value().size(), 1);
        // The same failure again is not a new audit line, even with "polling" in between.
        QVERIFY(store.setCloudPolling(c.id).ok());
        (void)store.applyPoll(c.id, PollResult::failure(Error{QStringLiteral("Could not connect"), QStringLiteral("refused")}),
                              QDateTime::currentDateTimeUtc().addSecs(120));
        QCOMPARE(store.audit(q).value().size(), 1);
        // After a success, a new failure is news again.
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), QDateTime::currentDateTimeUtc().addSecs(180)).ok());
        (void)store.applyPoll(c.id, PollResult::failure(Error{QStringLiteral("Could not connect"), QStringLiteral("refused")}),
                              QDateTime::currentDateTimeUtc().addSecs(240));
        QCOMPARE(store.audit(q).value().size(), 2);
    }

    void goneMachineIsRemovedOnlyAfterGrace()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("grace.db")).ok());
        store.setMissingGracePeriod(10min);
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), t0).ok());
        const qint64 bId = store.findMachine(QStringLiteral("vm-b")).value().id;

        auto d = store.applyPoll(c.id, ok({vm("a")}), t0.addSecs(60));
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QVERIFY(d.value().machinesChanged.first().missingSince.isValid());
        QVERIFY(store.machine(bId).value().missingSince.isValid());

        d = store.applyPoll(c.id, ok({vm("a")}), t0.addSecs(5 * 60));
        QVERIFY(d.value().machinesRemoved.isEmpty());
        QVERIFY(store.machine(bId).ok());

        d = store.applyPoll(c.id, ok({vm("a")}), t0.addSecs(12 * 60));
        QCOMPARE(d.value().machinesRemoved, QVector<qint64>{bId});
        QVERIFY(!store.machine(bId).ok());
        AuditQuery q;
        q.text = QStringLiteral("machine.disappeared");
        QCOMPARE(store.audit(q).value().size(), 1);
        q.text = QStringLiteral("machine.removed");
        QCOMPARE(store.audit(q).value().size(), 1);
    }

    void userTagsAndCloudRemovalCascade()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("tags.db")).ok());
        const Cloud c = addCloud(store);
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), QDateTime::currentDateTimeUtc()).ok());
        const auto ms = store.machines(c.id).value();
        auto d = store.tagMachines({ms[0].id, ms[1].id}, {{QStringLiteral("env"), QStringLiteral("prod")}}, {}, QStringLiteral("test"));
        QVERIFY(d.ok());
        QCOMPARE(d.value().machinesChanged.size(), 2);
        QCOMPARE(store.machine(ms[0].id).value().userTags.value(QStringLiteral("env")), QStringLiteral("prod"));
        // A poll does not drop user tags.
        QVERIFY(store.applyPoll(c.id, ok({vm("a", MachineState::Stopped), vm("b")}), QDateTime::currentDateTimeUtc()).ok());
        QCOMPARE(store.machine(ms[0].id).value().userTags.value(QStringLiteral("env")), QStringLiteral("prod"));
        QVERIFY(store.tagMachines({ms[0].id}, {}, {QStringLiteral("env")}, QStringLiteral("test")).ok());
        QVERIFY(store.machine(ms[0].id).value().userTags.isEmpty());
        QVERIFY(!store.tagMachines({ms[0].id}, {{QStringLiteral(" "), QStringLiteral("x")}}, {}, QStringLiteral("test")).ok());

        QVERIFY(store.removeCloud(c.id, QStringLiteral("test")).ok());
        QVERIFY(store.machines().value().isEmpty());
        sqlite3 *db = nullptr;
        sqlite3_open(dbPath("tags.db").toUtf8(), &db);
        sqlite3_stmt *st = nullptr;
        sqlite3_prepare_v2(db, "SELECT count(*) FROM tags", -1, &st, nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        QCOMPARE(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }

    void cloudNamesAreUniqueAndRenamable()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("names.db")).ok());
        Cloud c = addCloud(store, QStringLiteral("kvm1"));
        Cloud dup;
        dup.name = QStringLiteral("KVM1");
        dup.provider = QStringLiteral("libvirt");
        QVERIFY(!store.addCloud(dup, QStringLiteral("test")).ok());
        c.name = QStringLiteral("kvm-main");
        QCOMPARE(store.updateCloud(c, QStringLiteral("test")).value().name, QStringLiteral("kvm-main"));
        QCOMPARE(store.cloudByName(QStringLiteral("KVM-MAIN")).value().id, c.id);
        QCOMPARE(store.cloudByName(QString::number(c.id)).value().id, c.id);
        QVERIFY(!store.cloudByName(QStringLiteral("nope")).ok());
    }

    void ambiguousMachineNameIsAnError()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("ambiguous.db")).ok());
        const Cloud a = addCloud(store, QStringLiteral("a"));
        const Cloud b = addCloud(store, QStringLiteral("b"));
        QVERIFY(store.applyPoll(a.id, ok({vm("x")}), QDateTime::currentDateTimeUtc()).ok());
        QVERIFY(store.applyPoll(b.id, ok({vm("x")}), QDateTime::currentDateTimeUtc()).ok());
        auto r = store.findMachine(QStringLiteral("vm-x"));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("Several")));
        QVERIFY(!store.findMachine(QStringLiteral("unknown")).ok());
    }

    // ---- the poll cache (machines kept between polls on the store thread) ----------------

    void cacheSeesWritesOfAnotherConnection()
    {
        InventoryStore store;
        const QString path = dbPath("cache-other.db");
        QVERIFY(store.open(path).ok());
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        const QVector<Machine> listing{vm("host"), vm("a", MachineState::Running, "host"), vm("b", MachineState::Running, "host")};
        QVERIFY(store.applyPoll(c.id, ok(listing), t0).ok());
        QVERIFY(store.applyPoll(c.id, ok(listing), t0.addSecs(60)).ok());
        QVERIFY(store.cachedMachineCount() > 0);

        // The CLI (another connection) polls the same cloud and sees "a" stopped, and
        // someone deletes "b" behind our back.
        {
            InventoryStore cli;
            QVERIFY(cli.open(path).ok());
            auto d = cli.applyPoll(c.id, ok({vm("host"), vm("a", MachineState::Stopped, "host"), vm("b", MachineState::Running, "host")}),
                                   t0.addSecs(90));
            QVERIFY(d.ok());
            QCOMPARE(d.value().machinesChanged.size(), 1);
        }
        execElsewhere(path, "DELETE FROM machines WHERE external_id = 'b'");

        // Our next poll reports "a" running and "b" present: both are news to the file.
        auto d = store.applyPoll(c.id, ok(listing), t0.addSecs(120));
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(idsOf(d.value().machinesAdded), QStringList{QStringLiteral("b")});
        QCOMPARE(idsOf(d.value().machinesChanged), QStringList{QStringLiteral("a")});
        QCOMPARE(d.value().machinesAdded.first().parentId, store.findMachine(QStringLiteral("vm-host")).value().id);
        AuditQuery q;
        q.text = QStringLiteral("state_changed");
        const auto entries = store.audit(q).value();
        QCOMPARE(entries.size(), 2);   // the CLI's running -> stopped, ours stopped -> running
        QCOMPARE(entries.first().details.value(QStringLiteral("from")).toString(), MachineState::Stopped);
        QCOMPARE(store.machines(c.id).value().size(), 3);
    }

    void cacheSeesUserTagsSetBeforeAPoll()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("cache-tags.db")).ok());
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), t0).ok());
        const qint64 a = store.findMachine(QStringLiteral("vm-a")).value().id;
        QVERIFY(store.tagMachines({a}, {{QStringLiteral("owner"), QStringLiteral("ops")}}, {}, QStringLiteral("test")).ok());
        // The changed machine the poll sends to the GUI carries the user tag, and keeps it.
        auto d = store.applyPoll(c.id, ok({vm("a", MachineState::Stopped), vm("b")}), t0.addSecs(60));
        QVERIFY(d.ok());
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QCOMPARE(d.value().machinesChanged.first().userTags.value(QStringLiteral("owner")), QStringLiteral("ops"));
        QVERIFY(store.tagMachines({a}, {}, {QStringLiteral("owner")}, QStringLiteral("test")).ok());
        d = store.applyPoll(c.id, ok({vm("a"), vm("b")}), t0.addSecs(120));
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QVERIFY(d.value().machinesChanged.first().userTags.isEmpty());
    }

    void cacheIsDroppedWithItsCloud()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("cache-readd.db")).ok());
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), t0).ok());
        QVERIFY(store.removeCloud(c.id, QStringLiteral("test")).ok());
        const Cloud again = addCloud(store);
        QCOMPARE(again.id, c.id);   // SQLite reuses the id: the old cloud's cache must not
        auto d = store.applyPoll(again.id, ok({vm("a")}), t0.addSecs(60));
        QVERIFY(d.ok());
        QCOMPARE(idsOf(d.value().machinesAdded), QStringList{QStringLiteral("a")});
        QVERIFY(d.value().machinesChanged.isEmpty());
        QVERIFY(d.value().machinesRemoved.isEmpty());
        QCOMPARE(store.machines(again.id).value().size(), 1);
    }

    void cacheNoticesWritesThroughDatabase()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("cache-db.db")).ok());
        const Cloud c1 = addCloud(store, QStringLiteral("one"));
        const Cloud c2 = addCloud(store, QStringLiteral("two"));
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        QVERIFY(store.applyPoll(c1.id, ok({vm("a"), vm("b")}), t0).ok());
        QVERIFY(store.applyPoll(c2.id, ok({vm("c")}), t0).ok());
        QCOMPARE(store.cachedMachineCount(), 3);
        // Store writes that touch no machine keep the other clouds cached.
        QVERIFY(store.setCloudPolling(c1.id).ok());
        AuditEntry e;
        e.actor = QStringLiteral("test");
        e.action = QStringLiteral("machine.start");
        QVERIFY(store.appendAudit(e).ok());
        QVERIFY(store.applyPoll(c1.id, ok({vm("a"), vm("b")}), t0.addSecs(60)).ok());
        QCOMPARE(store.cachedMachineCount(), 3);

        // A write the store was not told about (another repository on the same connection).
        QVERIFY(store.database().exec(QStringLiteral("UPDATE machine_status SET state = 'stopped' "
                                                     "WHERE machine_id = (SELECT id FROM machines WHERE external_id = 'a')")).ok());
        auto d = store.applyPoll(c1.id, ok({vm("a"), vm("b")}), t0.addSecs(120));
        QVERIFY(d.ok());
        QCOMPARE(idsOf(d.value().machinesChanged), QStringList{QStringLiteral("a")});
        QCOMPARE(store.cachedMachineCount(), 2);   // everything was dropped, this cloud re-read
        QCOMPARE(store.findMachine(QStringLiteral("vm-a")).value().state, MachineState::Running);
    }

    // The cached path must write and report exactly what re-reading the file every time does.
    void cachedPollsMatchUncachedPolls()
    {
        InventoryStore cached, uncached;
        QVERIFY(cached.open(dbPath("same-cached.db")).ok());
        QVERIFY(uncached.open(dbPath("same-uncached.db")).ok());
        cached.setMissingGracePeriod(5min);
        uncached.setMissingGracePeriod(5min);
        const Cloud c = addCloud(cached);
        QCOMPARE(addCloud(uncached).id, c.id);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        Machine retagged = vm("x1", MachineState::Running, "hv2");
        retagged.providerTags.insert(QStringLiteral("env"), QStringLiteral("prod"));
        const QVector<PollResult> rounds{
            ok({vm("x1", MachineState::Running, "hv2"), vm("hv1"), vm("v1", MachineState::Running, "hv1"), vm("v2", MachineState::Paused, "hv1")}),
            ok({vm("hv1"), vm("v1", MachineState::Stopped, "hv1"), vm("v2", MachineState::Paused, "hv1"), vm("hv2"), retagged}),
            partial({vm("v1", MachineState::Running, "hv1"), vm("new", MachineState::Pending, "hv2")}),
            ok({vm("hv2"), vm("v2", MachineState::Paused, "hv1"), vm("new", MachineState::Running, "hv2"), retagged}),
            PollResult::failure(Error{QStringLiteral("timeout"), {}}),
            ok({vm("hv2"), vm("v2", MachineState::Paused, "hv1"), vm("new", MachineState::Running, "hv2")}),
            ok({vm("hv2"), vm("v2", MachineState::Paused, "hv1"), vm("v1", MachineState::Running, "hv1"), vm("x1")}),
            ok({vm("hv2"), vm("v2", MachineState::Paused, "hv1"), vm("hv1"), vm("x1", MachineState::Running, "hv2")}),
        };
        for (int i = 0; i < rounds.size(); ++i) {
            const QDateTime at = t0.addSecs(i * 200);
            auto a = cached.applyPoll(c.id, rounds.at(i), at);
            // No cache: a write the store was not told about makes it re-read every time.
            QVERIFY(uncached.database().exec(QStringLiteral("UPDATE clouds SET name = name")).ok());
            auto b = uncached.applyPoll(c.id, rounds.at(i), at);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(describe(a.value()), describe(b.value()));
            QCOMPARE(cached.machines(c.id).value().size(), uncached.machines(c.id).value().size());
            for (const Machine &m : cached.machines(c.id).value()) {
                const Machine other = uncached.machine(m.id).value();
                QCOMPARE(m.externalId, other.externalId);
                QCOMPARE(m.parentId, other.parentId);
                QCOMPARE(m.state, other.state);
                QCOMPARE(m.lastSeen, other.lastSeen);
                QCOMPARE(m.missingSince, other.missingSince);
                QCOMPARE(m.providerTags, other.providerTags);
            }
        }
        AuditQuery q;
        QCOMPARE(cached.audit(q).value().size(), uncached.audit(q).value().size());
    }

    // last_seen is kept as NULL for "seen in the cloud's last successful poll"; what the
    // store returns must still be each machine's own time.
    void lastSeenIsExactAcrossPartialFailedAndCompletePolls()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("lastseen.db")).ok());
        store.setMissingGracePeriod(1h);
        const Cloud c = addCloud(store);
        const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), QTimeZone::utc());
        auto seen = [&](const char *name) { return store.findMachine(QString::fromLatin1(name)).value().lastSeen; };
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), t0).ok());
        QCOMPARE(seen("vm-a"), t0);
        QVERIFY(store.applyPoll(c.id, partial({vm("a")}), t0.addSecs(60)).ok());
        QCOMPARE(seen("vm-a"), t0.addSecs(60));
        QCOMPARE(seen("vm-b"), t0);   // not in the partial listing: keeps its time
        QVERIFY(store.applyPoll(c.id, PollResult::failure(Error{QStringLiteral("down"), {}}), t0.addSecs(120)).ok());
        QCOMPARE(seen("vm-a"), t0.addSecs(60));
        QVERIFY(store.applyPoll(c.id, ok({vm("a"), vm("b")}), t0.addSecs(180)).ok());
        QCOMPARE(seen("vm-b"), t0.addSecs(180));
        auto d = store.applyPoll(c.id, ok({vm("a")}), t0.addSecs(240));
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QCOMPARE(d.value().machinesChanged.first().lastSeen, t0.addSecs(180));
        QCOMPARE(seen("vm-b"), t0.addSecs(180));   // gone: the time it was last seen
        QCOMPARE(seen("vm-a"), t0.addSecs(240));
        // Another store (no cache, like the CLI) reads the same times.
        InventoryStore cli;
        QVERIFY(cli.open(dbPath("lastseen.db")).ok());
        QCOMPARE(cli.findMachine(QStringLiteral("vm-b")).value().lastSeen, t0.addSecs(180));
        QCOMPARE(cli.findMachine(QStringLiteral("vm-a")).value().lastSeen, t0.addSecs(240));
    }

    void deferredCheckpointsKeepEverything()
    {
        const QString path = dbPath("checkpoint.db");
        {
            InventoryStore store;
            store.setDeferredCheckpoints(true);
            QVERIFY(store.open(path).ok());
            const Cloud c = addCloud(store);
            QVector<Machine> listing;
            for (int i = 0; i < 300; ++i)
                listing << vm(QStringLiteral("m%1").arg(i));
            const QDateTime t0 = QDateTime::currentDateTimeUtc();
            for (int round = 0; round < 4; ++round) {
                for (Machine &m : listing)
                    m.state = round % 2 ? MachineState::Stopped : MachineState::Running;
                QVERIFY(store.applyPoll(c.id, ok(listing), t0.addSecs(round * 60)).ok());
            }
            const qint64 walBefore = QFileInfo(path + QStringLiteral("-wal")).size();
            QVERIFY(walBefore > 0);
            QVERIFY(store.checkpointIfLarge(1).ok());
            // Another connection sees everything, during and after the checkpoint.
            InventoryStore cli;
            QVERIFY(cli.open(path).ok());
            QCOMPARE(cli.machines().value().size(), 300);
            QCOMPARE(cli.findMachine(QStringLiteral("vm-m7")).value().state, MachineState::Stopped);
        }
        QFile::remove(path + QStringLiteral("-wal"));   // closed: nothing may be left only there
        InventoryStore reopened;
        QVERIFY(reopened.open(path).ok());
        QCOMPARE(reopened.machines().value().size(), 300);
    }

    void fastJsonMatchesQJsonDocument()
    {
        const QVector<QStringList> lists{{}, {QString()}, {QStringLiteral("10.0.0.1")},
                                         {QStringLiteral("a"), QStringLiteral(""), QStringLiteral("fe80::1")},
                                         {QStringLiteral("quote\"in"), QStringLiteral("back\\slash")},
                                         {QStringLiteral("tab\tnew\nline"), QStringLiteral("caf\u00e9 \u2603")},
                                         {QStringLiteral("\",\"")}};
        for (const QStringList &list : lists) {
            const QString expected = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
            QCOMPARE(storecodec::toJson(list), expected);
            QCOMPARE(storecodec::listFromJson(expected), list);
        }
        const QJsonObject object{{QStringLiteral("from"), QStringLiteral("running")}, {QStringLiteral("n"), 3}};
        QCOMPARE(storecodec::toJson(object), QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
        QCOMPARE(storecodec::objectFromJson(storecodec::toJson(object)), object);
        QCOMPARE(storecodec::toJson(QJsonObject()), QStringLiteral("{}"));
        // The poll path's pre-encoded details decode to the same object, plain or not.
        for (const QString &to : {QStringLiteral("stopped"), QStringLiteral("odd \"state\"\n\u00e9")}) {
            const QString encoded = storecodec::toJsonObject({{QLatin1String("from"), QStringLiteral("running")},
                                                              {QLatin1String("to"), to}});
            const QJsonObject expected{{QStringLiteral("from"), QStringLiteral("running")}, {QStringLiteral("to"), to}};
            QCOMPARE(QJsonDocument::fromJson(encoded.toUtf8()).object(), expected);
            QCOMPARE(storecodec::objectFromJson(encoded), expected);
        }
    }

    void roundOfPollsIsOneTransaction()
    {
        InventoryStore store;
        QVERIFY(store.open(dbPath("round.db")).ok());
        const Cloud a = addCloud(store, QStringLiteral("a"));
        const Cloud b = addCloud(store, QStringLiteral("b"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        auto results = store.applyPolls({{a.id, ok({vm("a1"), vm("a2")})}, {b.id, ok({vm("b1")})}}, now);
        QCOMPARE(results.size(), 2);
        QVERIFY(results.at(0).ok() && results.at(1).ok());
        QCOMPARE(results.at(0).value().machinesAdded.size(), 2);
        QCOMPARE(results.at(1).value().machinesAdded.size(), 1);
        QCOMPARE(store.machines(a.id).value().size(), 2);
        QCOMPARE(store.machines(b.id).value().size(), 1);

        // One cloud's write fails (a trigger refuses its new machine): that cloud gets the
        // error and keeps what it had, the other's result is applied all the same.
        QVERIFY(store.database().exec(QStringLiteral(
            "CREATE TRIGGER refuse BEFORE INSERT ON machines WHEN NEW.external_id = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")).ok());
        results = store.applyPolls({{a.id, ok({vm("a1", MachineState::Stopped), vm("a2"), vm("boom")})},
                                    {b.id, ok({vm("b1", MachineState::Stopped)})}},
                                   now.addSecs(60));
        QVERIFY(!results.at(0).ok());
        QVERIFY2(results.at(0).error().toString().contains(QLatin1String("refused by the test")),
                 qPrintable(results.at(0).error().toString()));
        QVERIFY(results.at(1).ok());
        QCOMPARE(results.at(1).value().machinesChanged.size(), 1);
        QCOMPARE(store.findMachine(QStringLiteral("vm-b1")).value().state, MachineState::Stopped);
        QCOMPARE(store.findMachine(QStringLiteral("vm-a1")).value().state, MachineState::Running);
        QCOMPARE(store.machines(a.id).value().size(), 2);

        // The cache of the failed cloud was dropped with the rollback: the next poll is exact.
        QVERIFY(store.database().exec(QStringLiteral("DROP TRIGGER refuse")).ok());
        auto again = store.applyPoll(a.id, ok({vm("a1", MachineState::Stopped), vm("a2"), vm("boom")}), now.addSecs(120));
        QVERIFY(again.ok());
        QCOMPARE(again.value().machinesAdded.size(), 1);
        QCOMPARE(again.value().machinesChanged.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestInventoryStore)
#include "tst_inventorystore.moc"
