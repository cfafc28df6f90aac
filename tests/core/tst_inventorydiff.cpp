#include "inventory/inventorydiff.h"

#include <QtTest>

using namespace mist;
using namespace std::chrono_literals;

namespace {

Machine machine(const QString &id, const QString &state = MachineState::Running, qint64 dbId = 0)
{
    Machine m;
    m.id = dbId;
    m.cloudId = dbId ? 1 : 0;
    m.externalId = id;
    m.name = QStringLiteral("vm-") + id;
    m.state = state;
    return m;
}

PollResult complete(QVector<Machine> machines)
{
    PollResult r;
    r.success = true;
    r.complete = true;
    r.machines = std::move(machines);
    return r;
}

const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);

} // namespace

class TestInventoryDiff : public QObject
{
    Q_OBJECT
private slots:
    void newMachinesAreAdded()
    {
        const auto d = InventoryDiff::compute({}, complete({machine("a"), machine("b")}), kNow, 1h);
        QCOMPARE(d.added.size(), 2);
        QCOMPARE(d.added.at(0).lastSeen, kNow);
        QVERIFY(d.updated.isEmpty() && d.disappeared.isEmpty() && d.removed.isEmpty());
    }

    void stateChangeIsAnUpdateWithPreviousState()
    {
        Machine stored = machine("a", MachineState::Running, 7);
        stored.userTags.insert(QStringLiteral("env"), QStringLiteral("prod"));
        const auto d = InventoryDiff::compute({stored}, complete({machine("a", MachineState::Stopped)}), kNow, 1h);
        QCOMPARE(d.updated.size(), 1);
        const auto &u = d.updated.first();
        QCOMPARE(u.machine.id, 7);
        QCOMPARE(u.previousState, MachineState::Running);
        QCOMPARE(u.machine.state, MachineState::Stopped);
        QCOMPARE(u.fields, QStringList{QStringLiteral("state")});
        // User tags belong to the store, not the provider: they survive the update.
        QCOMPARE(u.machine.userTags.value(QStringLiteral("env")), QStringLiteral("prod"));
    }

    void unchangedMachineOnlyRefreshesLastSeen()
    {
        const auto d = InventoryDiff::compute({machine("a", MachineState::Running, 1)}, complete({machine("a")}), kNow, 1h);
        QVERIFY(d.isEmpty());
        QCOMPARE(d.unchanged.size(), 1);
        QCOMPARE(d.unchanged.first().lastSeen, kNow);
    }

    void failedPollKeepsEverything()
    {
        QVector<Machine> stored{machine("a", MachineState::Running, 1), machine("b", MachineState::Running, 2)};
        stored[1].missingSince = kNow.addDays(-10);   // long past the grace period
        const auto d = InventoryDiff::compute(stored, PollResult::failure(Error{QStringLiteral("boom"), {}}), kNow, 1h);
        QVERIFY(d.isEmpty());
        QVERIFY(d.unchanged.isEmpty());
    }

    void partialPollNeverMarksMissing()
    {
        QVector<Machine> stored{machine("a", MachineState::Running, 1), machine("b", MachineState::Running, 2)};
        stored[1].missingSince = kNow.addDays(-10);
        PollResult partial = complete({machine("a", MachineState::Stopped)});
        partial.complete = false;
        const auto d = InventoryDiff::compute(stored, partial, kNow, 1h);
        QCOMPARE(d.updated.size(), 1);   // what was seen is still applied
        QVERIFY(d.disappeared.isEmpty());
        QVERIFY(d.removed.isEmpty());
    }

    void goneMachineGetsMissingSinceThenRemovalAfterGrace()
    {
        Machine stored = machine("a", MachineState::Running, 1);
        auto d = InventoryDiff::compute({stored}, complete({}), kNow, 1h);
        QCOMPARE(d.disappeared.size(), 1);
        QCOMPARE(d.disappeared.first().missingSince, kNow);
        QVERIFY(d.removed.isEmpty());

        stored.missingSince = kNow;
        d = InventoryDiff::compute({stored}, complete({}), kNow.addSecs(59 * 60), 1h);
        QVERIFY(d.isEmpty());   // still within the grace period: nothing to write

        d = InventoryDiff::compute({stored}, complete({}), kNow.addSecs(60 * 60), 1h);
        QCOMPARE(d.removed.size(), 1);
        QCOMPARE(d.removed.first().id, 1);
    }

    void missingMachineThatReturnsIsRestored()
    {
        Machine stored = machine("a", MachineState::Running, 1);
        stored.missingSince = kNow.addSecs(-100);
        const auto d = InventoryDiff::compute({stored}, complete({machine("a")}), kNow, 1h);
        QCOMPARE(d.updated.size(), 1);
        QVERIFY(d.updated.first().returned);
        QVERIFY(!d.updated.first().machine.missingSince.isValid());
    }

    void badProviderEntriesAreSkippedWithWarnings()
    {
        Machine noId = machine("");
        const auto d = InventoryDiff::compute({}, complete({machine("a"), machine("a"), noId}), kNow, 1h);
        QCOMPARE(d.added.size(), 1);
        QCOMPARE(d.warnings.size(), 2);
    }

    void changedFieldsNamesEachDifference_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("ips") << "public_ips";
        QTest::newRow("size") << "size";
        QTest::newRow("tags") << "tags";
        QTest::newRow("parent") << "parent";
    }
    void changedFieldsNamesEachDifference()
    {
        QFETCH(QString, field);
        Machine a = machine("a");
        Machine b = a;
        if (field == "public_ips") b.publicIps << QStringLiteral("1.2.3.4");
        if (field == "size") b.size = QStringLiteral("large");
        if (field == "tags") b.providerTags.insert(QStringLiteral("k"), QStringLiteral("v"));
        if (field == "parent") b.parentExternalId = QStringLiteral("host");
        QCOMPARE(a.changedFields(b), QStringList{field});
        QVERIFY(!a.sameReportedState(b));
    }
};

QTEST_GUILESS_MAIN(TestInventoryDiff)
#include "tst_inventorydiff.moc"
