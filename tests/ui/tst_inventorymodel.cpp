#include "inventory/inventoryfilterproxy.h"
#include "inventory/inventorymodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QIcon>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

#include <memory>

using namespace mist;

namespace {

Cloud makeCloud(qint64 id, const QString &name, CloudHealth health = CloudHealth::Ok)
{
    Cloud c;
    c.id = id;
    c.name = name;
    c.provider = QStringLiteral("libvirt");
    c.health = health;
    c.lastPollAt = QDateTime::currentDateTimeUtc();
    return c;
}

Machine makeMachine(qint64 id, qint64 cloudId, const QString &name, qint64 parentId = 0,
                    const QString &state = MachineState::Running)
{
    Machine m;
    m.id = id;
    m.cloudId = cloudId;
    m.parentId = parentId;
    m.externalId = QStringLiteral("ext-%1").arg(id);
    m.name = name;
    m.state = state;
    m.kind = parentId ? MachineKind::Vm : MachineKind::Machine;
    return m;
}

// kvm1[hv1[vm1 vm2] web] aws[ec2]
InventorySnapshot baseSnapshot()
{
    InventorySnapshot s;
    s.clouds = {makeCloud(1, QStringLiteral("kvm1")), makeCloud(2, QStringLiteral("aws"))};
    Machine hv = makeMachine(10, 1, QStringLiteral("hv1"));
    hv.kind = MachineKind::Hypervisor;
    s.machines = {hv, makeMachine(11, 1, QStringLiteral("vm1"), 10), makeMachine(12, 1, QStringLiteral("vm2"), 10),
                  makeMachine(13, 1, QStringLiteral("web")), makeMachine(20, 2, QStringLiteral("ec2"))};
    return s;
}

// "aws[ec2] kvm1[hv1[vm1 vm2] web]": names via SortRole (plain names), children sorted so the
// string does not depend on insertion order.
QString tree(const QAbstractItemModel *model, const QModelIndex &parent = {})
{
    QStringList parts;
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        QString part = index.data(InventoryModel::SortRole).toString();
        if (model->rowCount(index) > 0)
            part += QLatin1Char('[') + tree(model, index) + QLatin1Char(']');
        parts << part;
    }
    std::sort(parts.begin(), parts.end());
    return parts.join(QLatin1Char(' '));
}

QStringList childNames(const QAbstractItemModel *model, const QModelIndex &parent)
{
    QStringList names;
    for (int row = 0; row < model->rowCount(parent); ++row)
        names << model->index(row, 0, parent).data(InventoryModel::SortRole).toString();
    return names;
}

} // namespace

class TestInventoryModel : public QObject
{
    Q_OBJECT

    std::unique_ptr<InventoryModel> m_model;
    std::unique_ptr<InventoryFilterProxy> m_proxy;
    std::unique_ptr<QAbstractItemModelTester> m_modelTester;
    std::unique_ptr<QAbstractItemModelTester> m_proxyTester;

    QModelIndex proxyIndexFor(qint64 machineId) const
    {
        return m_proxy->mapFromSource(m_model->indexForMachine(machineId));
    }

private slots:
    void init()
    {
        m_model = std::make_unique<InventoryModel>();
        m_proxy = std::make_unique<InventoryFilterProxy>();
        m_proxy->setSourceModel(m_model.get());
        using Mode = QAbstractItemModelTester::FailureReportingMode;
        m_modelTester = std::make_unique<QAbstractItemModelTester>(m_model.get(), Mode::QtTest);
        m_proxyTester = std::make_unique<QAbstractItemModelTester>(m_proxy.get(), Mode::QtTest);
    }

    void cleanup()
    {
        m_proxyTester.reset();
        m_modelTester.reset();
        m_proxy.reset();
        m_model.reset();
    }

    void resetBuildsTree()
    {
        InventorySnapshot s = baseSnapshot();
        // A child listed before its parent, and one whose parent is unknown.
        s.machines.prepend(makeMachine(31, 1, QStringLiteral("ct1"), 30));
        Machine host = makeMachine(30, 1, QStringLiteral("host"));
        host.kind = MachineKind::ContainerHost;
        host.publicIps = {QStringLiteral("203.0.113.7")};
        host.privateIps = {QStringLiteral("10.0.0.7"), QStringLiteral("10.0.0.8")};
        host.size = QStringLiteral("m1.large");
        host.costPerMonth = 12.346;
        host.costCurrency = QStringLiteral("USD");
        host.providerTags = {{QStringLiteral("env"), QStringLiteral("prod")}, {QStringLiteral("role"), QString()}};
        host.userTags = {{QStringLiteral("env"), QStringLiteral("staging")}};
        s.machines << host << makeMachine(14, 1, QStringLiteral("lost"), 999);

        QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
        m_model->resetFrom(s);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[host[ct1] hv1[vm1 vm2] lost web]"));
        QCOMPARE(tree(m_proxy.get()), tree(m_model.get()));
        QCOMPARE(m_model->machineCount(), 8);

        const QModelIndex vm1 = m_model->indexForMachine(11);
        QCOMPARE(vm1.parent(), m_model->indexForMachine(10));
        QCOMPARE(vm1.parent().parent(), m_model->indexForCloud(1));
        QCOMPARE(m_model->machineAt(vm1)->name, QStringLiteral("vm1"));
        QCOMPARE(m_model->cloudAt(vm1)->name, QStringLiteral("kvm1"));
        QCOMPARE(m_model->cloudAt(m_model->indexForCloud(2))->name, QStringLiteral("aws"));
        QVERIFY(!m_model->machineAt(m_model->indexForCloud(2)));
        QVERIFY(!m_model->machine(999));
        QCOMPARE(m_model->cloud(2)->name, QStringLiteral("aws"));

        const QModelIndex kvm1 = m_model->indexForCloud(1);
        QCOMPARE(kvm1.data().toString(), QStringLiteral("kvm1 (7 machines)"));
        QCOMPARE(kvm1.data(InventoryModel::NodeTypeRole).toString(), QStringLiteral("cloud"));
        QCOMPARE(kvm1.data(InventoryModel::MachineIdRole).toLongLong(), 0);
        QVERIFY(!kvm1.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(kvm1.data(Qt::ToolTipRole).toString().contains(QStringLiteral("OK")));

        const QModelIndex h = m_model->indexForMachine(30);
        auto cell = [&h](int column) { return h.siblingAtColumn(column).data().toString(); };
        QCOMPARE(cell(InventoryModel::NameColumn), QStringLiteral("host"));
        QCOMPARE(cell(InventoryModel::StateColumn), QStringLiteral("Running"));
        QCOMPARE(cell(InventoryModel::CloudColumn), QStringLiteral("kvm1"));
        QCOMPARE(cell(InventoryModel::IpsColumn), QStringLiteral("203.0.113.7, 10.0.0.7, 10.0.0.8"));
        QCOMPARE(cell(InventoryModel::SizeColumn), QStringLiteral("m1.large"));
        QCOMPARE(cell(InventoryModel::CostColumn), QStringLiteral("12.35 USD/mo"));
        QCOMPARE(cell(InventoryModel::TagsColumn), QStringLiteral("env=staging, role"));
        QCOMPARE(cell(InventoryModel::NamespaceColumn), QString());   // not a Kubernetes object
        QCOMPARE(h.siblingAtColumn(InventoryModel::CostColumn).data(InventoryModel::SortRole).toDouble(), 12.346);
        QCOMPARE(h.data(InventoryModel::NodeTypeRole).toString(), QStringLiteral("machine"));
        QCOMPARE(h.data(InventoryModel::MachineIdRole).toLongLong(), 30);
        QCOMPARE(h.data(InventoryModel::CloudIdRole).toLongLong(), 1);
        QCOMPARE(h.data(InventoryModel::StaleRole).toBool(), false);
        QVERIFY(!h.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(m_model->indexForMachine(13).siblingAtColumn(InventoryModel::CostColumn).data().toString().isEmpty());
        // Search index: every cloud and machine row is in it.
        QCOMPARE(m_model->searchIndex().size(), 10);
    }

    void pollSequence()
    {
        m_model->resetFrom(baseSnapshot());
        QSignalSpy aboutToReset(m_model.get(), &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy layoutAboutToChange(m_model.get(), &QAbstractItemModel::layoutAboutToBeChanged);
        QSignalSpy layoutChanged(m_model.get(), &QAbstractItemModel::layoutChanged);
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy moved(m_model.get(), &QAbstractItemModel::rowsMoved);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy indexChanged(m_model.get(), &InventoryModel::searchIndexChanged);

        // 1. Three machines at the top of kvm1 and two VMs on hv1: one insertion per parent.
        InventoryDelta d1;
        d1.machinesAdded = {makeMachine(40, 1, QStringLiteral("db1")), makeMachine(41, 1, QStringLiteral("db2")),
                            makeMachine(43, 1, QStringLiteral("vm3"), 10), makeMachine(42, 1, QStringLiteral("db3")),
                            makeMachine(44, 1, QStringLiteral("vm4"), 10)};
        m_model->applyDelta(d1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(0).at(0).value<QModelIndex>(), m_model->indexForCloud(1));
        QCOMPARE(inserted.at(0).at(2).toInt() - inserted.at(0).at(1).toInt(), 2);
        QCOMPARE(inserted.at(1).at(0).value<QModelIndex>(), m_model->indexForMachine(10));
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[db1 db2 db3 hv1[vm1 vm2 vm3 vm4] web]"));
        QCOMPARE(m_model->indexForCloud(1).data().toString(), QStringLiteral("kvm1 (9 machines)"));
        QCOMPARE(indexChanged.count(), 1);

        // 2. State changes: per parent, one dataChanged for the state column and one per run of
        // rows for the name column (its icon), which is kept apart as the usual sort column.
        InventoryDelta d2;
        Machine vm1 = *m_model->machine(11), vm2 = *m_model->machine(12), db1 = *m_model->machine(40);
        vm1.state = vm2.state = db1.state = MachineState::Stopped;
        d2.machinesChanged = {vm1, db1, vm2};
        changed.clear();
        m_model->applyDelta(d2);
        QCOMPARE(changed.count(), 4);
        const auto changedAt = [&](int signal, int argument) { return changed.at(signal).at(argument).value<QModelIndex>(); };
        QCOMPARE(changedAt(0, 0).parent(), m_model->indexForMachine(10));
        QCOMPARE(changedAt(0, 0), m_model->indexForMachine(11).siblingAtColumn(InventoryModel::StateColumn));
        QCOMPARE(changedAt(0, 1), m_model->indexForMachine(12).siblingAtColumn(InventoryModel::StateColumn));
        QCOMPARE(changedAt(1, 0), m_model->indexForMachine(11));
        QCOMPARE(changedAt(1, 1), m_model->indexForMachine(12));
        QCOMPARE(changedAt(2, 0), m_model->indexForMachine(40).siblingAtColumn(InventoryModel::StateColumn));
        QCOMPARE(changedAt(3, 0), m_model->indexForMachine(40));
        QCOMPARE(changedAt(3, 1), m_model->indexForMachine(40));
        QCOMPARE(m_model->indexForMachine(12).siblingAtColumn(InventoryModel::StateColumn).data().toString(),
                 QStringLiteral("Stopped"));

        // 3. web moves onto hv1.
        InventoryDelta d3;
        Machine web = *m_model->machine(13);
        web.parentId = 10;
        d3.machinesChanged = {web};
        m_model->applyDelta(d3);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[db1 db2 db3 hv1[vm1 vm2 vm3 vm4 web]]"));

        // 4. The three db rows are contiguous: one removal; vm2 and vm4 are not: two.
        InventoryDelta d4;
        d4.machinesRemoved = {41, 12, 40, 44, 42};
        inserted.clear();
        m_model->applyDelta(d4);
        QCOMPARE(removed.count(), 3);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[hv1[vm1 vm3 web]]"));
        QVERIFY(!m_model->machine(41));
        QVERIFY(!m_model->indexForMachine(42).isValid());
        QCOMPARE(m_model->machineCount(), 5);

        // 5. A new cloud with a machine.
        InventoryDelta d5;
        d5.cloudsChanged = {makeCloud(3, QStringLiteral("gce"))};
        d5.machinesAdded = {makeMachine(50, 3, QStringLiteral("g1"))};
        m_model->applyDelta(d5);
        QCOMPARE(inserted.count(), 2);
        QVERIFY(!inserted.at(0).at(0).value<QModelIndex>().isValid());
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] gce[g1] kvm1[hv1[vm1 vm3 web]]"));

        // 6. aws goes, with its machines.
        InventoryDelta d6;
        d6.cloudsRemoved = {2};
        removed.clear();
        m_model->applyDelta(d6);
        QCOMPARE(removed.count(), 1);
        QVERIFY(!removed.at(0).at(0).value<QModelIndex>().isValid());
        QCOMPARE(tree(m_model.get()), QStringLiteral("gce[g1] kvm1[hv1[vm1 vm3 web]]"));
        QVERIFY(!m_model->cloud(2));
        QVERIFY(!m_model->machine(20));
        QCOMPARE(m_model->searchIndex().size(), 7);

        QCOMPARE(aboutToReset.count(), 0);
        QCOMPARE(layoutAboutToChange.count(), 0);
        QCOMPARE(layoutChanged.count(), 0);
        QCOMPARE(tree(m_proxy.get()), tree(m_model.get()));
    }

    void bookkeepingChangesAreQuiet()
    {
        m_model->resetFrom(baseSnapshot());
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy indexChanged(m_model.get(), &InventoryModel::searchIndexChanged);
        InventoryDelta seen;   // a poll saw vm1 again, nothing else about it changed
        Machine vm1 = *m_model->machine(11);
        vm1.lastSeen = QDateTime::currentDateTimeUtc();
        seen.machinesChanged = {vm1};
        m_model->applyDelta(seen);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(indexChanged.count(), 0);
        QCOMPARE(m_model->machine(11)->lastSeen, vm1.lastSeen);

        InventoryDelta image;  // not shown in a column, but a details pane must hear of it
        vm1.image = QStringLiteral("debian-13");
        image.machinesChanged = {vm1};
        m_model->applyDelta(image);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), m_model->indexForMachine(11));
    }

    void onlySearchableChangesReindex()
    {
        m_model->resetFrom(baseSnapshot());
        QSignalSpy indexChanged(m_model.get(), &InventoryModel::searchIndexChanged);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        Machine vm1 = *m_model->machine(11);
        vm1.costPerMonth = 9.5;
        vm1.costCurrency = QStringLiteral("EUR");
        InventoryDelta cost;
        cost.machinesChanged = {vm1};
        m_model->applyDelta(cost);
        QCOMPARE(changed.count(), 1);   // the cost column shows it
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>(),
                 m_model->indexForMachine(11).siblingAtColumn(InventoryModel::CostColumn));
        QCOMPARE(indexChanged.count(), 0);

        vm1.os = QStringLiteral("FreeBSD");   // searchable, shown in no column
        InventoryDelta os;
        os.machinesChanged = {vm1};
        m_model->applyDelta(os);
        QCOMPARE(indexChanged.count(), 1);
        QCOMPARE(m_model->searchIndex().fields(quintptr(m_model->indexForMachine(11).internalPointer())).os,
                 QStringLiteral("freebsd"));

        Machine web = *m_model->machine(13);   // under its cloud
        web.parentId = 999;   // unknown parent: stays under the cloud, still reindexed with its new name
        web.name = QStringLiteral("web-renamed");
        InventoryDelta renamed;
        renamed.machinesChanged = {web};
        m_model->applyDelta(renamed);
        QCOMPARE(m_model->indexForMachine(13).parent(), m_model->indexForCloud(1));
        QVERIFY(m_proxy->setSearchText(QStringLiteral("renamed")).ok());
        QCOMPARE(m_proxy->matchCount(), 1);
    }

    void viewStateSurvivesDeltas()
    {
        m_model->resetFrom(baseSnapshot());
        m_proxy->sort(InventoryModel::NameColumn);
        QTreeView view;
        view.setModel(m_proxy.get());
        view.resize(800, 600);
        view.show();
        view.expand(m_proxy->mapFromSource(m_model->indexForCloud(1)));
        view.expand(proxyIndexFor(10));
        view.selectionModel()->select(proxyIndexFor(11), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        view.setCurrentIndex(proxyIndexFor(11));
        const QPersistentModelIndex sourceVm1(m_model->indexForMachine(11));
        const QPersistentModelIndex proxyVm1(proxyIndexFor(11));
        QCoreApplication::processEvents();

        auto check = [&](const char *step) {
            QVERIFY2(sourceVm1.isValid() && sourceVm1.data(InventoryModel::MachineIdRole).toLongLong() == 11, step);
            QVERIFY2(proxyVm1.isValid() && proxyVm1.data(InventoryModel::MachineIdRole).toLongLong() == 11, step);
            const QModelIndexList selected = view.selectionModel()->selectedRows();
            QVERIFY2(selected.size() == 1, step);
            QVERIFY2(selected.first().data(InventoryModel::MachineIdRole).toLongLong() == 11, step);
            QVERIFY2(view.currentIndex().data(InventoryModel::MachineIdRole).toLongLong() == 11, step);
            QVERIFY2(view.isExpanded(m_proxy->mapFromSource(m_model->indexForCloud(1))), step);
            QVERIFY2(view.isExpanded(proxyIndexFor(10)), step);
        };
        QSignalSpy aboutToReset(m_model.get(), &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy proxyAboutToReset(m_proxy.get(), &QAbstractItemModel::modelAboutToBeReset);

        InventoryDelta add;   // siblings sorting before vm1, and a new host at the top
        add.machinesAdded = {makeMachine(60, 1, QStringLiteral("aaa"), 10), makeMachine(61, 1, QStringLiteral("a-host"))};
        m_model->applyDelta(add);
        check("after adding");

        InventoryDelta change;
        Machine vm1 = *m_model->machine(11);
        vm1.state = MachineState::Paused;
        vm1.name = QStringLiteral("zvm1");   // now sorts last
        change.machinesChanged = {vm1};
        m_model->applyDelta(change);
        check("after changing");

        InventoryDelta remove;
        remove.machinesRemoved = {60, 12, 13};
        m_model->applyDelta(remove);
        check("after removing");

        InventoryDelta move;   // an unrelated machine moves onto hv1
        Machine host = *m_model->machine(61);
        host.parentId = 10;
        move.machinesChanged = {host};
        m_model->applyDelta(move);
        check("after moving");

        InventoryDelta clouds;
        clouds.cloudsChanged = {makeCloud(3, QStringLiteral("gce"))};
        clouds.cloudsRemoved = {2};
        m_model->applyDelta(clouds);
        check("after cloud changes");
        QCOMPARE(aboutToReset.count(), 0);
        QCOMPARE(proxyAboutToReset.count(), 0);
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("gce kvm1[hv1[a-host zvm1]]"));
    }

    void childBeforeParent()
    {
        m_model->resetFrom(baseSnapshot());
        QSignalSpy moved(m_model.get(), &QAbstractItemModel::rowsMoved);
        InventoryDelta first;
        first.machinesAdded = {makeMachine(71, 1, QStringLiteral("ct1"), 70), makeMachine(72, 1, QStringLiteral("ct2"), 70)};
        m_model->applyDelta(first);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[ct1 ct2 hv1[vm1 vm2] web]"));

        InventoryDelta second;
        second.machinesAdded = {makeMachine(70, 1, QStringLiteral("host"))};
        m_model->applyDelta(second);
        QCOMPARE(moved.count(), 2);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[host[ct1 ct2] hv1[vm1 vm2] web]"));
    }

    void childWithParentInOneDelta()
    {
        m_model->resetFrom(baseSnapshot());
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy moved(m_model.get(), &QAbstractItemModel::rowsMoved);
        InventoryDelta d;
        // Children listed first, two levels deep.
        d.machinesAdded = {makeMachine(83, 1, QStringLiteral("pod"), 82), makeMachine(82, 1, QStringLiteral("node"), 81),
                           makeMachine(81, 1, QStringLiteral("k8s"))};
        m_model->applyDelta(d);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[hv1[vm1 vm2] k8s[node[pod]] web]"));
        QCOMPARE(moved.count(), 0);
        QCOMPARE(inserted.count(), 3);
        QCOMPARE(inserted.at(0).at(0).value<QModelIndex>(), m_model->indexForCloud(1));
        QCOMPARE(inserted.at(1).at(0).value<QModelIndex>(), m_model->indexForMachine(81));
        QCOMPARE(inserted.at(2).at(0).value<QModelIndex>(), m_model->indexForMachine(82));
    }

    void removedParentKeepsChildren()
    {
        m_model->resetFrom(baseSnapshot());
        InventoryDelta gone;
        gone.machinesRemoved = {10};
        m_model->applyDelta(gone);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[vm1 vm2 web]"));
        QCOMPARE(m_model->machineCount(), 4);

        InventoryDelta back;
        back.machinesAdded = {makeMachine(10, 1, QStringLiteral("hv1"))};
        m_model->applyDelta(back);
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[hv1[vm1 vm2] web]"));

        // Removing a parent and its child together needs only the parent's row signal.
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        InventoryDelta both;
        both.machinesRemoved = {11, 10};
        m_model->applyDelta(both);
        QCOMPARE(removed.count(), 1);   // vm2 moved out first, then hv1 (with vm1) removed
        QCOMPARE(tree(m_model.get()), QStringLiteral("aws[ec2] kvm1[vm2 web]"));
        QVERIFY(!m_model->machine(11));
    }

    void cyclesStayVisible()
    {
        m_model->resetFrom(baseSnapshot());
        InventoryDelta d;
        d.machinesAdded = {makeMachine(90, 1, QStringLiteral("a"), 91), makeMachine(91, 1, QStringLiteral("b"), 90),
                           makeMachine(92, 1, QStringLiteral("c"), 90)};
        m_model->applyDelta(d);
        for (qint64 id : {90, 91, 92}) {
            QModelIndex index = m_model->indexForMachine(id);
            QVERIFY(index.isValid());
            while (index.parent().isValid())
                index = index.parent();
            QCOMPARE(index, m_model->indexForCloud(1));
        }
        QCOMPARE(m_model->indexForMachine(92).parent(), m_model->indexForMachine(90));

        // A change that would make a machine its own grandparent is refused the same way.
        InventoryDelta loop;
        Machine hv = *m_model->machine(10);
        hv.parentId = 11;
        loop.machinesChanged = {hv};
        m_model->applyDelta(loop);
        QCOMPARE(m_model->indexForMachine(11).parent(), m_model->indexForMachine(10));
        QCOMPARE(m_model->indexForMachine(10).parent(), m_model->indexForCloud(1));
    }

    void scatteredRemovals()
    {
        InventorySnapshot s;
        s.clouds = {makeCloud(1, QStringLiteral("big"))};
        for (int i = 0; i < 40; ++i)
            s.machines << makeMachine(100 + i, 1, QStringLiteral("m%1").arg(i, 2, 10, QLatin1Char('0')));
        m_model->resetFrom(s);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        InventoryDelta d;
        QStringList expected;
        for (int i = 0; i < 40; ++i) {
            if (i % 3 == 0 || (i >= 20 && i < 30))
                d.machinesRemoved << 100 + i;
            else
                expected << QStringLiteral("m%1").arg(i, 2, 10, QLatin1Char('0'));
        }
        m_model->applyDelta(d);
        // Runs: 0 3 6 9 12 15 18 [20..30] 33 36 39
        QCOMPARE(removed.count(), 11);
        QCOMPARE(childNames(m_model.get(), m_model->indexForCloud(1)), expected);
        for (int row = 0; row < expected.size(); ++row) {
            const QModelIndex index = m_model->index(row, 0, m_model->indexForCloud(1));
            QCOMPARE(m_model->indexForMachine(index.data(InventoryModel::MachineIdRole).toLongLong()), index);
        }
    }

    void staleRows()
    {
        m_model->resetFrom(baseSnapshot());
        const QModelIndex vm1 = m_model->indexForMachine(11);
        QVERIFY(!vm1.data(InventoryModel::StaleRole).toBool());
        QVERIFY(!vm1.data(Qt::ForegroundRole).isValid());

        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        InventoryDelta failed;
        Cloud kvm1 = *m_model->cloud(1);
        kvm1.health = CloudHealth::Error;
        kvm1.lastError = QStringLiteral("connection refused");
        failed.cloudsChanged = {kvm1};
        m_model->applyDelta(failed);
        QCOMPARE(changed.count(), 3);   // the cloud row, its machines, hv1's machines
        QVERIFY(vm1.data(InventoryModel::StaleRole).toBool());
        QVERIFY(vm1.data(Qt::ForegroundRole).isValid());
        QVERIFY(vm1.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Last poll failed at")));
        QVERIFY(vm1.data(Qt::ToolTipRole).toString().endsWith(QStringLiteral(": connection refused")));
        QVERIFY(m_model->indexForCloud(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("connection refused")));
        QVERIFY(!m_model->indexForMachine(20).data(InventoryModel::StaleRole).toBool());

        InventoryDelta missing;
        Machine ec2 = *m_model->machine(20);
        ec2.missingSince = QDateTime::currentDateTimeUtc();
        missing.machinesChanged = {ec2};
        m_model->applyDelta(missing);
        const QModelIndex e = m_model->indexForMachine(20);
        QVERIFY(e.data(InventoryModel::StaleRole).toBool());
        QVERIFY(e.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Missing since")));
        QVERIFY(e.siblingAtColumn(InventoryModel::TagsColumn).data(Qt::ForegroundRole).isValid());

        kvm1.health = CloudHealth::Ok;
        kvm1.lastError.clear();
        InventoryDelta recovered;
        recovered.cloudsChanged = {kvm1};
        m_model->applyDelta(recovered);
        QVERIFY(!vm1.data(InventoryModel::StaleRole).toBool());
        QVERIFY(!vm1.data(Qt::ToolTipRole).isValid());
    }

    void filterKeepsAncestors()
    {
        m_model->resetFrom(baseSnapshot());
        // (Not "vm1": every machine of kvm1 has "kvm1" in its cloud field.)
        QVERIFY(m_proxy->setSearchText(QStringLiteral("vm2")).ok());
        QCOMPARE(m_proxy->searchText(), QStringLiteral("vm2"));
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("kvm1[hv1[vm2]]"));
        QCOMPARE(m_proxy->matchCount(), 1);

        QVERIFY(m_proxy->setSearchText(QStringLiteral("state:running AND cloud:aws")).ok());
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("aws[ec2]"));

        QVERIFY(m_proxy->setSearchText(QString()).ok());
        QCOMPARE(tree(m_proxy.get()), tree(m_model.get()));
        QCOMPARE(m_proxy->matchCount(), 5);
    }

    // A query that shows or hides many rows re-filters with one layout change: same rows as the
    // row-by-row path, the view keeps its expansion, selection and current row (QAbstractItemModelTester
    // watches m_proxy throughout).
    void sweepingFilterUsesOneLayoutChange_data()
    {
        QTest::addColumn<int>("threshold");
        QTest::newRow("row signals") << 1'000'000;
        QTest::newRow("layout change") << 0;
    }

    void sweepingFilterUsesOneLayoutChange()
    {
        QFETCH(int, threshold);
        m_model->resetFrom(baseSnapshot());
        m_proxy->setRelayoutThreshold(threshold);
        QCOMPARE(m_proxy->relayoutThreshold(), threshold);
        m_proxy->sort(InventoryModel::NameColumn);
        QTreeView view;
        view.setModel(m_proxy.get());
        view.show();
        view.expand(m_proxy->mapFromSource(m_model->indexForCloud(1)));
        view.expand(proxyIndexFor(10));
        view.selectionModel()->select(proxyIndexFor(12), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        view.setCurrentIndex(proxyIndexFor(12));
        QCoreApplication::processEvents();

        QSignalSpy layoutChanged(m_proxy.get(), &QAbstractItemModel::layoutChanged);
        QSignalSpy removed(m_proxy.get(), &QAbstractItemModel::rowsRemoved);
        QVERIFY(m_proxy->setSearchText(QStringLiteral("vm2")).ok());   // hides aws, ec2, vm1, web
        QCOMPARE(m_model->searchIndex().lastQueryVisibilityChanges(), 4);
        QCOMPARE(layoutChanged.count(), threshold == 0 ? 1 : 0);
        QCOMPARE(removed.count() > 0, threshold != 0);
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("kvm1[hv1[vm2]]"));
        QCoreApplication::processEvents();
        QVERIFY(view.isExpanded(m_proxy->mapFromSource(m_model->indexForCloud(1))));
        QVERIFY(view.isExpanded(proxyIndexFor(10)));
        QCOMPARE(view.currentIndex(), proxyIndexFor(12));
        QVERIFY(view.selectionModel()->isRowSelected(proxyIndexFor(12).row(), proxyIndexFor(12).parent()));

        QVERIFY(m_proxy->setSearchText(QString()).ok());
        QCOMPARE(tree(m_proxy.get()), tree(m_model.get()));
        QCOMPARE(childNames(m_proxy.get(), proxyIndexFor(10)), QStringList({QStringLiteral("vm1"), QStringLiteral("vm2")}));
        QCoreApplication::processEvents();
        QVERIFY(view.isExpanded(proxyIndexFor(10)));
        QCOMPARE(view.currentIndex(), proxyIndexFor(12));
    }

    void filterFollowsDeltas()
    {
        m_model->resetFrom(baseSnapshot());
        QVERIFY(m_proxy->setSearchText(QStringLiteral("state:stopped")).ok());
        QCOMPARE(tree(m_proxy.get()), QString());

        InventoryDelta stop;   // a VM deep down stops: its host and cloud appear with it
        Machine vm2 = *m_model->machine(12);
        vm2.state = MachineState::Stopped;
        stop.machinesChanged = {vm2};
        m_model->applyDelta(stop);
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("kvm1[hv1[vm2]]"));

        InventoryDelta add;    // a new stopped container under a new host, in another cloud
        add.machinesAdded = {makeMachine(95, 2, QStringLiteral("ct"), 94, MachineState::Stopped),
                             makeMachine(94, 2, QStringLiteral("dock"))};
        m_model->applyDelta(add);
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("aws[dock[ct]] kvm1[hv1[vm2]]"));
        QCOMPARE(m_proxy->matchCount(), 2);

        InventoryDelta remove;
        remove.machinesRemoved = {12};
        m_model->applyDelta(remove);
        QCOMPARE(tree(m_proxy.get()), QStringLiteral("aws[dock[ct]]"));
    }

    void badQueryKeepsFilter()
    {
        m_model->resetFrom(baseSnapshot());
        QVERIFY(m_proxy->setSearchText(QStringLiteral("web")).ok());
        const QString filtered = tree(m_proxy.get());
        QCOMPARE(filtered, QStringLiteral("kvm1[web]"));
        const Status bad = m_proxy->setSearchText(QStringLiteral("state:running AND ("));
        QVERIFY(!bad.ok());
        QVERIFY(!bad.error().message.isEmpty());
        QCOMPARE(m_proxy->searchText(), QStringLiteral("web"));
        QCOMPARE(tree(m_proxy.get()), filtered);
        QCOMPARE(m_proxy->matchCount(), 1);
    }

    void sameMeaningDoesNotRefilter()
    {
        struct CountingProxy : InventoryFilterProxy
        {
            mutable int asked = 0;
            bool filterAcceptsRow(int row, const QModelIndex &parent) const override
            {
                ++asked;
                return InventoryFilterProxy::filterAcceptsRow(row, parent);
            }
        };
        m_model->resetFrom(baseSnapshot());
        CountingProxy proxy;
        proxy.setSourceModel(m_model.get());
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(proxy.setSearchText(QStringLiteral("web")).ok());
        QCOMPARE(tree(&proxy), QStringLiteral("kvm1[web]"));
        proxy.asked = 0;
        QVERIFY(proxy.setSearchText(QStringLiteral("web ")).ok());   // a space typed
        QCOMPARE(proxy.searchText(), QStringLiteral("web "));
        QCOMPARE(proxy.asked, 0);
        QVERIFY(proxy.setSearchText(QStringLiteral("web zzz")).ok());
        QVERIFY(proxy.asked > 0);
        QCOMPARE(tree(&proxy), QString());
    }

    void naturalCompare_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<int>("sign");
        QTest::newRow("numbers by value") << "web-2" << "web-10" << -1;
        QTest::newRow("case-insensitive") << "Web-3" << "web-10" << -1;
        QTest::newRow("leading zeros") << "vm007" << "vm8" << -1;
        QTest::newRow("prefix shorter") << "web" << "web-1" << -1;
        QTest::newRow("letters") << "beta" << "Alpha" << 1;
        QTest::newRow("ip addresses") << "10.0.0.10" << "10.0.0.9" << 1;
        QTest::newRow("equal") << "same" << "same" << 0;
    }

    void naturalCompare()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(int, sign);
        const int r = InventoryFilterProxy::naturalCompare(a, b);
        QCOMPARE((r > 0) - (r < 0), sign);
        const int back = InventoryFilterProxy::naturalCompare(b, a);
        QCOMPARE((back > 0) - (back < 0), -sign);
    }

    void sorting()
    {
        InventorySnapshot s;
        s.clouds = {makeCloud(1, QStringLiteral("c"))};
        const QStringList names = {QStringLiteral("web-10"), QStringLiteral("web-2"), QStringLiteral("Web-1")};
        const double costs[] = {100.0, 0.0, 9.5};
        for (int i = 0; i < names.size(); ++i) {
            Machine m = makeMachine(i + 1, 1, names.at(i));
            m.costPerMonth = costs[i];
            m.costCurrency = costs[i] > 0 ? QStringLiteral("EUR") : QString();
            s.machines << m;
        }
        m_model->resetFrom(s);
        const QModelIndex cloud = m_proxy->index(0, 0);
        m_proxy->sort(InventoryModel::NameColumn);
        QCOMPARE(childNames(m_proxy.get(), cloud), (QStringList{"Web-1", "web-2", "web-10"}));
        m_proxy->sort(InventoryModel::CostColumn);   // unknown first, then by value
        QCOMPARE(childNames(m_proxy.get(), cloud), (QStringList{"web-2", "Web-1", "web-10"}));
        m_proxy->sort(InventoryModel::CostColumn, Qt::DescendingOrder);
        QCOMPARE(childNames(m_proxy.get(), cloud), (QStringList{"web-10", "Web-1", "web-2"}));
    }
};

QTEST_MAIN(TestInventoryModel)
#include "tst_inventorymodel.moc"
