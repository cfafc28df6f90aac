#include "inventory/inventoryfilterproxy.h"
#include "inventory/inventorymodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

using namespace mist;

// InventoryModel removing many scattered rows of one big parent: they are gathered at the end
// in one layout change and removed as one run. Checked through the model tester, a sorted
// proxy and a view, and persistent indexes on both sides.
class TestModelBulkRemoval : public QObject
{
    Q_OBJECT

    static InventorySnapshot snapshot(int machines)
    {
        InventorySnapshot s;
        Cloud c;
        c.id = 1;
        c.name = QStringLiteral("big");
        c.provider = QStringLiteral("kubernetes");
        c.health = CloudHealth::Ok;
        s.clouds << c;
        for (int i = 0; i < machines; ++i) {
            Machine m;
            m.id = 1000 + i;
            m.cloudId = 1;
            m.externalId = QStringLiteral("pod/%1").arg(i);
            m.name = QStringLiteral("m%1").arg(i, 3, 10, QLatin1Char('0'));
            m.state = MachineState::Running;
            m.kind = MachineKind::Pod;
            s.machines << m;
        }
        // One child under m002, to see that a kept row keeps its subtree.
        Machine child;
        child.id = 5000;
        child.cloudId = 1;
        child.parentId = 1002;
        child.externalId = QStringLiteral("pod/2/c");
        child.name = QStringLiteral("c");
        child.kind = MachineKind::Container;
        s.machines << child;
        return s;
    }

private slots:
    void scatteredRemovalsBecomeOneRun()
    {
        InventoryModel model;
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetFrom(snapshot(200));
        InventoryFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(InventoryModel::NameColumn, Qt::DescendingOrder);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTreeView view;
        view.setModel(&proxy);
        view.expandAll();

        const QModelIndex cloud = model.indexForCloud(1);
        QCOMPARE(model.rowCount(cloud), 200);
        const QPersistentModelIndex kept(model.indexForMachine(1002));
        const QPersistentModelIndex keptLast(model.index(model.indexForMachine(1198).row(), InventoryModel::StateColumn, cloud));
        const QPersistentModelIndex doomed(model.indexForMachine(1001));
        const QPersistentModelIndex proxyKept(proxy.mapFromSource(model.indexForMachine(1196)));
        view.setCurrentIndex(proxyKept);

        QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
        InventoryDelta d;
        for (int i = 1; i < 200; i += 2)
            d.machinesRemoved << 1000 + i;   // 100 separate runs
        model.applyDelta(d);

        QCOMPARE(layouts.size(), 1);
        QCOMPARE(removals.size(), 1);
        QCOMPARE(model.rowCount(cloud), 100);
        QCOMPARE(proxy.rowCount(proxy.mapFromSource(cloud)), 100);
        QVERIFY(!doomed.isValid());
        QVERIFY(kept.isValid());
        QCOMPARE(model.machineAt(kept)->id, 1002);
        QCOMPARE(model.rowCount(kept), 1);   // its child came along
        QCOMPARE(model.machineAt(keptLast)->id, 1198);
        QCOMPARE(keptLast.column(), int(InventoryModel::StateColumn));
        QVERIFY(proxyKept.isValid());
        QCOMPARE(model.machineAt(proxy.mapToSource(proxyKept))->id, 1196);
        QCOMPARE(model.machineAt(proxy.mapToSource(view.currentIndex()))->id, 1196);
        for (int row = 0; row < model.rowCount(cloud); ++row) {
            const Machine *m = model.machineAt(model.index(row, 0, cloud));
            QVERIFY(m);
            QCOMPARE(m->id % 2, 0);
            QCOMPARE(model.indexForMachine(m->id).row(), row);
        }
        QVERIFY(!model.indexForMachine(1001).isValid());
        QCOMPARE(model.machineCount(), 101);
        // The proxy is still sorted (descending by name).
        const QModelIndex proxyCloud = proxy.mapFromSource(cloud);
        for (int row = 1; row < proxy.rowCount(proxyCloud); ++row)
            QVERIFY(proxy.index(row - 1, 0, proxyCloud).data().toString() > proxy.index(row, 0, proxyCloud).data().toString());
    }

    void fewRunsAreRemovedAsTheyAre()
    {
        InventoryModel model;
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetFrom(snapshot(200));
        QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
        InventoryDelta d;
        d.machinesRemoved = {1010, 1020, 1021, 1050};
        model.applyDelta(d);
        QCOMPARE(layouts.size(), 0);
        QCOMPARE(removals.size(), 3);
        QCOMPARE(model.rowCount(model.indexForCloud(1)), 196);
    }
};

QTEST_MAIN(TestModelBulkRemoval)
#include "tst_modelbulkremoval.moc"
