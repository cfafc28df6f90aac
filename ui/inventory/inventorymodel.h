#pragma once

#include "inventory/cloud.h"
#include "inventory/inventorydelta.h"
#include "inventory/machine.h"
#include "search/searchindex.h"

#include <QAbstractItemModel>
#include <QBrush>
#include <QHash>
#include <QMultiHash>
#include <QSet>
#include <QVector>

#include <memory>

namespace mist {

// The inventory tree: clouds > machines > child machines (VMs of a hypervisor, containers of a
// host). Fed once by resetFrom() and then only incrementally by applyDelta(), so views keep
// their selection, expansion and scroll position across polls. Every row is also kept in a
// SearchIndex (key = node pointer) that InventoryFilterProxy asks for visibility.
class InventoryModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn, StateColumn, CloudColumn, IpsColumn, SizeColumn, CostColumn, TagsColumn,
        NamespaceColumn,   // Kubernetes pods and containers (location "ns/<namespace>")
        ColumnCount
    };
    enum Role {
        NodeTypeRole = Qt::UserRole + 1,   // QString "cloud" or "machine"
        CloudIdRole,                       // qint64
        MachineIdRole,                     // qint64, 0 on cloud rows
        StaleRole,                         // bool: cloud's last poll failed, or machine missing
        SortRole,                          // per column: QString, or double for the cost
    };

    explicit InventoryModel(QObject *parent = nullptr);
    ~InventoryModel() override;

    void resetFrom(const InventorySnapshot &snapshot);
    void applyDelta(const InventoryDelta &delta);

    QModelIndex indexForMachine(qint64 id) const;
    QModelIndex indexForCloud(qint64 id) const;
    const Machine *machine(qint64 id) const;
    const Cloud *cloud(qint64 id) const;
    const Machine *machineAt(const QModelIndex &index) const;
    const Cloud *cloudAt(const QModelIndex &index) const;   // the cloud row's, or the machine's cloud
    int machineCount() const { return int(m_machines.size()); }
    // Copies of everything shown (dialogs that offer clouds and machines to choose from).
    QVector<Cloud> allClouds() const;
    QVector<Machine> allMachines() const;
    SearchIndex &searchIndex() { return m_index; }
    const SearchIndex &searchIndex() const { return m_index; }

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex & = {}) const override { return ColumnCount; }
    bool hasChildren(const QModelIndex &parent = {}) const override { return rowCount(parent) > 0; }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override
    {
        return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
    }

signals:
    void searchIndexChanged();

private:
    friend class InventoryFilterProxy;
    // SortRole without a QVariant, for the proxy's lessThan (called n log n times per sort):
    // true with `number` set for the cost column, else `text` points at the node's string.
    bool sortKey(const QModelIndex &index, const QString *&text, double &number) const;
    // The search index key of a row, without building a QModelIndex (filterAcceptsRow).
    quintptr searchKey(int row, const QModelIndex &parent) const;

    struct Node;
    struct CloudNode;
    struct MachineNode;

    static Node *nodeOf(const QModelIndex &index) { return static_cast<Node *>(index.internalPointer()); }
    int rowOf(const Node *node) const;
    QModelIndex indexOf(const Node *node, int column = 0) const;

    // Where a machine belongs: its parent machine (same cloud, no cycle) or its cloud.
    Node *placementFor(const MachineNode *node) const;
    bool isAncestorOf(const Node *ancestor, const Node *node) const;
    void updateWaiting(MachineNode *node, bool gone = false);

    void clear();
    void appendCloud(const Cloud &cloud);
    MachineNode *createMachineNode(const Machine &m, CloudNode *cloud);
    void destroySubtree(Node *node, bool unindex = true);
    void indexNode(Node *node);
    void reindexSubtree(Node *node);

    void placeNew(QVector<MachineNode *> pending);
    void insertBatch(const QVector<MachineNode *> &nodes);
    void adoptOrphansOf(MachineNode *parent);
    void moveNode(MachineNode *node, Node *target);
    void removeMachines(const QVector<qint64> &ids);
    void removeClouds(const QVector<qint64> &ids);
    void removeRuns(Node *parent, QVector<int> rows);
    QVector<int> gatherAtEnd(Node *parent, const QVector<int> &rows);
    // Removals in more separate runs than this under one big parent may be gathered first.
    static constexpr qsizetype kMinGatheredRuns = 16;
    void updateClouds(const QVector<Cloud> &clouds);
    void addMachines(const QVector<Machine> &machines);
    void changeMachines(const QVector<Machine> &machines);
    void markSubtreeChanged(Node *node, const QList<int> &roles);

    void format(const MachineNode *node) const;
    const QString &cellText(const Node *node, int column, bool sort) const;

    std::unique_ptr<Node> m_root;
    QHash<qint64, CloudNode *> m_clouds;
    QHash<qint64, MachineNode *> m_machines;
    QMultiHash<qint64, MachineNode *> m_orphans;   // wanted parent id -> machines waiting for it
    SearchIndex m_index;
    QSet<CloudNode *> m_countsChanged;            // clouds whose "(N machines)" label changed
    QBrush m_staleBrush;
    bool m_indexTouched = false;
    bool m_resetting = false;                      // inside resetFrom(): no row signals
};

} // namespace mist
