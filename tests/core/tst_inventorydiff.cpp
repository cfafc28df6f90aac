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
        for (const char *field : {"parent", "kind", "name", "state", "public_ips", "private_ips", "size", "image",
                                  "location", "os", "cores", "memory_mb", "created", "extra", "cost", "cost_currency",
                                  "tags", "tag_value", "non_ascii_name"})
            QTest::newRow(field) << QString::fromLatin1(field);
    }
    void changedFieldsNamesEachDifference()
    {
        QFETCH(QString, field);
        Machine a = machine("a");
        a.publicIps = {QStringLiteral("192.0.2.1")};
        a.size = QStringLiteral("small");
        a.providerTags.insert(QStringLiteral("env"), QStringLiteral("dev"));
        a.costPerMonth = 5;
        a.costCurrency = QStringLiteral("USD");
        Machine b = a;
        // Equal but not shared: the fast comparison must look at the characters.
        b.name = QString(a.name.constData(), a.name.size());
        b.publicIps = {QString::fromLatin1("192.0.2.1")};
        QVERIFY(a.sameReportedState(b));
        QString expected = field;
        if (field == "parent") b.parentExternalId = QStringLiteral("host");
        if (field == "kind") b.kind = MachineKind::Container;
        if (field == "name") b.name = QStringLiteral("vm-b");
        if (field == "state") b.state = MachineState::Stopped;
        if (field == "public_ips") b.publicIps << QStringLiteral("1.2.3.4");
        if (field == "private_ips") b.privateIps << QStringLiteral("10.0.0.1");
        if (field == "size") b.size = QStringLiteral("large");
        if (field == "image") b.image = QStringLiteral("debian-12");
        if (field == "location") b.location = QStringLiteral("fra1");
        if (field == "os") b.os = QStringLiteral("linux");
        if (field == "cores") b.cores = 4;
        if (field == "memory_mb") b.memoryMb = 2048;
        if (field == "created") b.created = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
        if (field == "extra") b.extra.insert(QStringLiteral("zone"), QStringLiteral("a"));
        if (field == "cost") b.costPerMonth = 6;
        if (field == "cost_currency") { b.costCurrency = QStringLiteral("EUR"); expected = QStringLiteral("cost"); }
        if (field == "tags") b.providerTags.insert(QStringLiteral("k"), QStringLiteral("v"));
        if (field == "tag_value") { b.providerTags[QStringLiteral("env")] = QStringLiteral("prod"); expected = QStringLiteral("tags"); }
        if (field == "non_ascii_name") { a.name = QStringLiteral("vm-ä"); b.name = QStringLiteral("vm-ö"); expected = QStringLiteral("name"); }
        QCOMPARE(a.changedFields(b), QStringList{expected});
        QVERIFY(!a.sameReportedState(b));
        QVERIFY(!b.sameReportedState(a));
    }
};

QTEST_GUILESS_MAIN(TestInventoryDiff)
#include "tst_inventorydiff.moc"
