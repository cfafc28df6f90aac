#include "inventory/inventorystore.h"

#include <QtTest>

using namespace mist;
using namespace std::chrono_literals;

// InventoryStore::applyWatch: a provider's watch batches between full polls, on a real
// SQLite file.
namespace {

Machine node(const QString &id, const QString &state = MachineState::Running, const QString &parent = {},
             MachineKind kind = MachineKind::Pod)
{
    Machine m;
    m.externalId = id;
    m.parentExternalId = parent;
    m.kind = parent.isEmpty() ? MachineKind::Node : kind;
    m.name = id.section(QLatin1Char('/'), -1);
    m.state = state;
    m.privateIps = {QStringLiteral("10.0.0.1")};
    m.location = QStringLiteral("ns/default");
    m.providerTags.insert(QStringLiteral("app"), QStringLiteral("web"));
    return m;
}

PollResult listing(QVector<Machine> machines)
{
    PollResult r;
    r.success = true;
    r.complete = true;
    r.machines = std::move(machines);
    r.watchCursor = QStringLiteral("rv-1");
    return r;
}

WatchBatch upserts(QVector<Machine> machines, QStringList removed = {})
{
    WatchBatch b;
    b.upserts = std::move(machines);
    b.removedExternalIds = std::move(removed);
    return b;
}

QStringList describe(const InventoryDelta &d)
{
    QStringList out;
    for (const Machine &m : d.machinesAdded)
        out << QStringLiteral("added %1 id=%2 parent=%3 state=%4").arg(m.externalId).arg(m.id).arg(m.parentId).arg(m.state);
    for (const Machine &m : d.machinesChanged)
        out << QStringLiteral("changed %1 id=%2 parent=%3 state=%4 missing=%5").arg(m.externalId).arg(m.id).arg(m.parentId)
                   .arg(m.state).arg(int(m.missingSince.isValid()));
    for (qint64 id : d.machinesRemoved)
        out << QStringLiteral("removed %1").arg(id);
    out.sort();
    return out;
}

} // namespace

class TestWatchStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;
    QDateTime m_t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);

    std::unique_ptr<InventoryStore> openStore(QString *path = nullptr)
    {
        auto store = std::make_unique<InventoryStore>();
        const QString file = m_dir.filePath(QStringLiteral("w%1.db").arg(++m_files));
        if (path)
            *path = file;
        if (Status st = store->open(file); !st)
            qFatal("%s", qPrintable(st.error().toString()));
        return store;
    }

    static Cloud addCloud(InventoryStore &store, const QString &name = QStringLiteral("k8s"))
    {
        Cloud c;
        c.name = name;
        c.provider = QStringLiteral("kubernetes");
        auto r = store.addCloud(c, QStringLiteral("test"));
        if (!r)
            qFatal("%s", qPrintable(r.error().toString()));
        return r.value();
    }

    static Machine byExternal(InventoryStore &store, qint64 cloudId, const QString &externalId)
    {
        for (const Machine &m : store.machines(cloudId).value())
            if (m.externalId == externalId)
                return m;
        return {};
    }

    static QStringList auditActions(InventoryStore &store, const QString &text)
    {
        AuditQuery q;
        q.text = text;
        QStringList out;
        for (const AuditEntry &e : store.audit(q).value())
            if (e.actor == QLatin1String("poller"))
                out << e.action + QLatin1Char(' ') + e.target;
        out.sort();
        return out;
    }

private slots:
    void upsertsAddAndChangeWithAudit()
    {
        auto store = openStore();
        const Cloud c = addCloud(*store);
        QVERIFY(store->applyPoll(c.id, listing({node("node/a"), node("pod/1", MachineState::Running, "node/a")}), m_t0).ok());
        const qint64 nodeId = byExternal(*store, c.id, "node/a").id;
        const qint64 podId = byExternal(*store, c.id, "pod/1").id;

        const QDateTime t1 = m_t0.addSecs(10);
        auto d = store->applyWatch(c.id, upserts({node("pod/1", MachineState::Stopped, "node/a"),
                                                   node("pod/2", MachineState::Pending, "node/a")}), t1);
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(d.value().machinesAdded.size(), 1);
        const Machine added = d.value().machinesAdded.first();
        QCOMPARE(added.externalId, QStringLiteral("pod/2"));
        QCOMPARE(added.parentId, nodeId);
        QVERIFY(added.id > 0);
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QCOMPARE(d.value().machinesChanged.first().id, podId);
        QCOMPARE(d.value().machinesChanged.first().state, MachineState::Stopped);
        QCOMPARE(d.value().machinesChanged.first().parentId, nodeId);
        QVERIFY(d.value().machinesRemoved.isEmpty());
        // The running watch keeps the listing current.
        QCOMPARE(d.value().cloudsChanged.size(), 1);
        QCOMPARE(d.value().cloudsChanged.first().lastSuccessAt, t1);
        QCOMPARE(store->cloud(c.id).value().lastSuccessAt, t1);

        QCOMPARE(byExternal(*store, c.id, "pod/1").state, MachineState::Stopped);
        QCOMPARE(byExternal(*store, c.id, "pod/2").parentId, nodeId);
        QCOMPARE(byExternal(*store, c.id, "pod/2").providerTags.value(QStringLiteral("app")), QStringLiteral("web"));
        QCOMPARE(auditActions(*store, QStringLiteral("machine.state_changed")), QStringList{QStringLiteral("machine.state_changed 1")});
        QCOMPARE(auditActions(*store, QStringLiteral("machine.appeared")),
                 (QStringList{QStringLiteral("machine.appeared 1"), QStringLiteral("machine.appeared 2"),
                              QStringLiteral("machine.appeared a")}));
        AuditQuery q;
        q.machineId = podId;
        q.text = QStringLiteral("state_changed");
        const auto entries = store->audit(q).value();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().details.value(QStringLiteral("from")).toString(), MachineState::Running);
        QCOMPARE(entries.first().details.value(QStringLiteral("to")).toString(), MachineState::Stopped);

        // The same record again changes nothing (and audits nothing).
        auto same = store->applyWatch(c.id, upserts({node("pod/1", MachineState::Stopped, "node/a")}), t1.addSecs(1));
        QVERIFY(same.ok());
        QVERIFY(same.value().machinesAdded.isEmpty() && same.value().machinesChanged.isEmpty());
        QCOMPARE(auditActions(*store, QStringLiteral("machine.state_changed")).size(), 1);
    }

    void parentsResolveWithinTheBatchAndLater()
    {
        auto store = openStore();
        const Cloud c = addCloud(*store);
        QVERIFY(store->applyPoll(c.id, listing({node("node/a")}), m_t0).ok());
        // Child before its parent in the same batch; an orphan whose parent is unknown.
        auto d = store->applyWatch(c.id, upserts({node("pod/c/x", MachineState::Running, "pod/c", MachineKind::Container),
                                                   node("pod/c", MachineState::Running, "node/a"),
                                                   node("pod/o", MachineState::Pending, "node/b")}), m_t0.addSecs(1));
        QVERIFY(d.ok());
        QCOMPARE(d.value().machinesAdded.size(), 3);
        const Machine pod = byExternal(*store, c.id, "pod/c");
        QCOMPARE(pod.parentId, byExternal(*store, c.id, "node/a").id);
        QCOMPARE(byExternal(*store, c.id, "pod/c/x").parentId, pod.id);
        QCOMPARE(byExternal(*store, c.id, "pod/o").parentId, 0);   // under the cloud for now
        for (const Machine &m : d.value().machinesAdded)
            QCOMPARE(m.parentId, byExternal(*store, c.id, m.externalId).parentId);

        // Its node arrives in a later batch: the waiting pod moves under it, and the delta says so.
        auto later = store->applyWatch(c.id, upserts({node("node/b")}), m_t0.addSecs(2));
        QVERIFY(later.ok());
        const qint64 nodeB = byExternal(*store, c.id, "node/b").id;
        QCOMPARE(byExternal(*store, c.id, "pod/o").parentId, nodeB);
        QCOMPARE(later.value().machinesChanged.size(), 1);
        QCOMPARE(later.value().machinesChanged.first().externalId, QStringLiteral("pod/o"));
        QCOMPARE(later.value().machinesChanged.first().parentId, nodeB);
    }

    void removalDeletesAtOnceWithDescendants()
    {
        auto store = openStore();
        const Cloud c = addCloud(*store);
        QVERIFY(store->applyPoll(c.id, listing({node("node/a"), node("pod/1", MachineState::Running, "node/a"),
                                                 node("pod/1/c1", MachineState::Running, "pod/1", MachineKind::Container),
                                                 node("pod/1/c2", MachineState::Running, "pod/1", MachineKind::Container),
                                                 node("pod/2", MachineState::Running, "node/a")}), m_t0).ok());
        const Machine pod1 = byExternal(*store, c.id, "pod/1");
        const Machine c1 = byExternal(*store, c.id, "pod/1/c1");
        const Machine c2 = byExternal(*store, c.id, "pod/1/c2");
        // pod/1 is deleted; its container c2 is reported alive in the same batch (kept, now
        // under the cloud); unknown ids are ignored.
        auto d = store->applyWatch(c.id, upserts({node("pod/1/c2", MachineState::Running, "pod/1", MachineKind::Container)},
                                                 {QStringLiteral("pod/1"), QStringLiteral("pod/never")}), m_t0.addSecs(5));
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QStringList expected{QStringLiteral("changed pod/1/c2 id=%1 parent=0 state=running missing=0").arg(c2.id),
                             QStringLiteral("removed %1").arg(c1.id), QStringLiteral("removed %1").arg(pod1.id)};
        expected.sort();
        QCOMPARE(describe(d.value()), expected);
        // Gone for good, not missing: no row, no grace period.
        QVERIFY(!store->machine(pod1.id).ok());
        QVERIFY(!store->machine(c1.id).ok());
        QCOMPARE(store->machine(c2.id).value().parentId, 0);
        QVERIFY(!store->machine(c2.id).value().missingSince.isValid());
        QCOMPARE(store->machines(c.id).value().size(), 3);
        QCOMPARE(auditActions(*store, QStringLiteral("machine.disappeared")),
                 (QStringList{QStringLiteral("machine.disappeared 1"), QStringLiteral("machine.disappeared c1")}));
        AuditQuery q;
        q.machineId = c1.id;
        QVERIFY(store->audit(q).value().first().message.contains(QStringLiteral("1")));
        // No tag rows of the deleted machines are left behind.
        auto tags = store->database().scalar(QStringLiteral("SELECT count(*) FROM tags WHERE resource_id IN (%1, %2)")
                                                 .arg(pod1.id).arg(c1.id));
        QCOMPARE(tags.value(), 0);
    }

    void removalWinsInsideOneBatch()
    {
        auto store = openStore();
        const Cloud c = addCloud(*store);
        QVERIFY(store->applyPoll(c.id, listing({node("node/a"), node("pod/1", MachineState::Running, "node/a")}), m_t0).ok());
        auto d = store->applyWatch(c.id, upserts({node("pod/1", MachineState::Stopped, "node/a"), node("pod/new", MachineState::Running, "node/a")},
                                                 {QStringLiteral("pod/1"), QStringLiteral("pod/new")}), m_t0.addSecs(1));
        QVERIFY(d.ok());
        QVERIFY(d.value().machinesAdded.isEmpty());
        QCOMPARE(d.value().machinesRemoved.size(), 1);
        QCOMPARE(store->machines(c.id).value().size(), 1);
    }

    void missingMachineReportedByWatchReturns()
    {
        auto store = openStore();
        const Cloud c = addCloud(*store);
        QVERIFY(store->applyPoll(c.id, listing({node("node/a"), node("pod/1", MachineState::Running, "node/a")}), m_t0).ok());
        QVERIFY(store->applyPoll(c.id, listing({node("node/a")}), m_t0.addSecs(60)).ok());
        QVERIFY(byExternal(*store, c.id, "pod/1").missingSince.isValid());
        auto d = store->applyWatch(c.id, upserts({node("pod/1", MachineState::Running, "node/a")}), m_t0.addSecs(70));
        QVERIFY(d.ok());
        QCOMPARE(d.value().machinesChanged.size(), 1);
        QVERIFY(!d.value().machinesChanged.first().missingSince.isValid());
        QVERIFY(!byExternal(*store, c.id, "pod/1").missingSince.isValid());
        QCOMPARE(auditActions(*store, QStringLiteral("machine.returned")), QStringList{QStringLiteral("machine.returned 1")});
    }

    void batchForRemovedCloudIsDropped()
    {
        auto store = openStore();
        const Cloud c = addCloud(*store);
        QVERIFY(store->removeCloud(c.id, QStringLiteral("test")).ok());
        auto d = store->applyWatch(c.id, upserts({node("node/a")}), m_t0);
        QVERIFY(d.ok());
        QVERIFY(d.value().isEmpty());
        QCOMPARE(store->machines(0).value().size(), 0);
    }

    // Watch batches and polls interleaved: a store whose cache follows the batches and one
    // that re-reads the file every time must produce the same deltas and rows; a full poll
    // after the batches sees only what really changed since.
    void cacheStaysCoherentForTheNextPoll()
    {
        InventoryStore &cached = *openStore().release();
        InventoryStore &uncached = *openStore().release();
        std::unique_ptr<InventoryStore> own1(&cached), own2(&uncached);
        const Cloud c = addCloud(cached);
        QCOMPARE(addCloud(uncached).id, c.id);
        InventoryDelta result;
        auto both = [&](auto apply) {
            result = {};
            auto a = apply(cached);
            // A write the store is not told about makes the second store re-read the cloud.
            QVERIFY(uncached.database().exec(QStringLiteral("UPDATE clouds SET name = name")).ok());
            auto b = apply(uncached);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(describe(a.value()), describe(b.value()));
            const auto rows = cached.machines(c.id).value();
            QCOMPARE(rows.size(), uncached.machines(c.id).value().size());
            for (const Machine &m : rows) {
                const Machine other = uncached.machine(m.id).value();
                QCOMPARE(m.externalId, other.externalId);
                QCOMPARE(m.parentId, other.parentId);
                QCOMPARE(m.state, other.state);
                QCOMPARE(m.missingSince, other.missingSince);
                QCOMPARE(m.providerTags, other.providerTags);
            }
            QCOMPARE(cached.cachedMachineCount(), qsizetype(rows.size()));
            result = a.value();
        };
#define BOTH(x) do { both(x); if (QTest::currentTestFailed()) return; } while (false)
        auto poll = [this](PollResult r, int s) { return [r, s, this](InventoryStore &st) { return st.applyPoll(1, r, m_t0.addSecs(s)); }; };
        auto watch = [this](WatchBatch b, int s) { return [b, s, this](InventoryStore &st) { return st.applyWatch(1, b, m_t0.addSecs(s)); }; };
        QCOMPARE(c.id, 1);

        BOTH(poll(listing({node("node/a"), node("pod/1", MachineState::Running, "node/a"),
                           node("pod/1/c", MachineState::Running, "pod/1", MachineKind::Container),
                           node("pod/2", MachineState::Running, "node/a")}), 0));
        BOTH(watch(upserts({node("pod/2", MachineState::Stopped, "node/a"), node("pod/3", MachineState::Pending, "node/b")},
                           {QStringLiteral("pod/1")}), 10));
        BOTH(watch(upserts({node("node/b"), node("pod/3", MachineState::Running, "node/b")}), 20));
        // The next full listing says exactly what the watch said: nothing to change.
        BOTH(poll(listing({node("node/a"), node("pod/2", MachineState::Stopped, "node/a"),
                           node("node/b"), node("pod/3", MachineState::Running, "node/b")}), 30));
        const InventoryDelta same = result;
        QVERIFY(same.machinesAdded.isEmpty() && same.machinesChanged.isEmpty() && same.machinesRemoved.isEmpty());
        QCOMPARE(auditActions(cached, QStringLiteral("machine.disappeared")).size(), 2);   // pod/1 and its container, by the watch
        // A listing without pod/2 marks it missing (a poll's rule), a watch brings it back.
        BOTH(poll(listing({node("node/a"), node("node/b"), node("pod/3", MachineState::Running, "node/b")}), 40));
        const InventoryDelta gone = result;
        QCOMPARE(gone.machinesChanged.size(), 1);
        QVERIFY(gone.machinesChanged.first().missingSince.isValid());
        BOTH(watch(upserts({node("pod/2", MachineState::Running, "node/a")}, {QStringLiteral("node/b")}), 50));
        QCOMPARE(cached.machines(c.id).value().size(), 2);   // node/a, pod/2 (node/b took pod/3 along)
        BOTH(poll(listing({node("node/a"), node("pod/2", MachineState::Running, "node/a")}), 60));
        const InventoryDelta last = result;
        QVERIFY(last.machinesAdded.isEmpty() && last.machinesChanged.isEmpty() && last.machinesRemoved.isEmpty());
#undef BOTH
    }
};

QTEST_GUILESS_MAIN(TestWatchStore)
#include "tst_watchstore.moc"
