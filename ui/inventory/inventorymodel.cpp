#include "inventorymodel.h"

#include "inventorydisplay.h"
#include "search/machinesearchfields.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QPalette>

#include <algorithm>
#include <bit>
#include <climits>

namespace mist {

Q_LOGGING_CATEGORY(lcInventoryModel, "mist.ui.inventory")

// Nodes are allocated one by one and handed out as internalPointer: pointers hash well in
// QPersistentModelIndex/QTreeView maps, small consecutive ids do not (see ARCHITECTURE.md).
struct InventoryModel::Node
{
    enum class Type : quint8 { Root, Cloud, Machine };
    explicit Node(Type t) : type(t) {}
    virtual ~Node() = default;

    Type type;
    // Renumbering siblings after every removal would be O(n^2) for scattered removals, so
    // rows at or after the parent's dirtyFrom may be stale until rowOf() renumbers them once.
    mutable int row = 0;
    mutable int dirtyFrom = INT_MAX;
    Node *parent = nullptr;
    QVector<Node *> children;
};

struct InventoryModel::CloudNode : Node
{
    explicit CloudNode(const Cloud &c) : Node(Type::Cloud), cloud(c) {}
    Cloud cloud;
    int machineCount = 0;
    mutable QString label;   // "name (N machines)", built on first use
};

struct InventoryModel::MachineNode : Node
{
    MachineNode(const Machine &m, CloudNode *c) : Node(Type::Machine), machine(m), cloud(c) {}
    Machine machine;
    CloudNode *cloud;
    qint64 waitingFor = 0;   // parent id this machine is filed under in m_orphans (0 = none)
    // Display strings built on first use, so a 100k load formats only what is painted.
    mutable bool formatted = false;
    mutable QString ipsText, costText, tagsText, namespaceText;
};

namespace {

quintptr keyOf(const void *node)
{
    return reinterpret_cast<quintptr>(node);
}

bool onlyBookkeeping(const Machine &a, const Machine &b)
{
    return a.sameReportedState(b) && a.userTags == b.userTags && a.parentId == b.parentId
           && a.missingSince == b.missingSince && a.id == b.id && a.cloudId == b.cloudId;
}

// What machineSearchFields() reads differs (the cloud's part is reindexed by updateClouds()).
bool searchFieldsDiffer(const Machine &a, const Machine &b)
{
    return a.name != b.name || a.state != b.state || a.kind != b.kind || a.externalId != b.externalId
           || a.size != b.size || a.image != b.image || a.location != b.location || a.os != b.os
           || a.publicIps != b.publicIps || a.privateIps != b.privateIps || a.providerTags != b.providerTags
           || a.userTags != b.userTags;
}

// Bit per column whose shown text or icon differs.
unsigned changedColumns(const Machine &a, const Machine &b, const Cloud &cloud)
{
    unsigned mask = 0;
    auto set = [&mask](int column) { mask |= 1u << column; };
    if (a.name != b.name || a.state != b.state)
        set(InventoryModel::NameColumn);
    if (a.state != b.state)
        set(InventoryModel::StateColumn);
    if (a.publicIps != b.publicIps || a.privateIps != b.privateIps)
        set(InventoryModel::IpsColumn);
    if (a.size != b.size)
        set(InventoryModel::SizeColumn);
    if (a.costPerMonth != b.costPerMonth || a.costCurrency != b.costCurrency)
        set(InventoryModel::CostColumn);
    if (a.userTags != b.userTags || a.providerTags != b.providerTags)
        set(InventoryModel::TagsColumn);
    if (a.location != b.location)
        set(InventoryModel::NamespaceColumn);
    // Foreground and tooltip are on every column.
    if (InventoryDisplay::isStale(a, cloud) != InventoryDisplay::isStale(b, cloud) || a.missingSince != b.missingSince)
        mask = (1u << InventoryModel::ColumnCount) - 1;
    // Anything else (image, extra...) still tells a details pane to re-read the machine.
    if (mask == 0)
        set(InventoryModel::NameColumn);
    return mask;
}

// Keys grouped in first-seen order, so signals come out the same on every run.
template <typename Key, typename Item>
struct Groups
{
    QVector<Key> keys;
    QHash<Key, QVector<Item>> items;
    void add(Key key, const Item &item)
    {
        auto it = items.find(key);
        if (it == items.end()) {
            keys << key;
            it = items.insert(key, {});
        }
        it->append(item);
    }
};

} // namespace

InventoryModel::InventoryModel(QObject *parent)
    : QAbstractItemModel(parent), m_root(std::make_unique<Node>(Node::Type::Root))
{
    if (qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        m_staleBrush = QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
    else
        m_staleBrush = QBrush(Qt::gray);
}

InventoryModel::~InventoryModel()
{
    for (Node *cloud : std::as_const(m_root->children))
        destroySubtree(cloud, false);
}

// ---- structure ----------------------------------------------------------------------------

int InventoryModel::rowOf(const Node *node) const
{
    const Node *parent = node->parent;
    if (node->row >= parent->dirtyFrom) {
        for (int i = parent->dirtyFrom, n = int(parent->children.size()); i < n; ++i)
            parent->children.at(i)->row = i;
        parent->dirtyFrom = INT_MAX;
    }
    return node->row;
}

QModelIndex InventoryModel::indexOf(const Node *node, int column) const
{
    if (!node || node->type == Node::Type::Root || !node->parent)
        return {};
    return createIndex(rowOf(node), column, const_cast<Node *>(node));
}

QModelIndex InventoryModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0))
        return {};
    const Node *p = parent.isValid() ? nodeOf(parent) : m_root.get();
    if (row >= p->children.size())
        return {};
    return createIndex(row, column, p->children.at(row));
}

QModelIndex InventoryModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOf(nodeOf(child)->parent);
}

int InventoryModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_root->children.size());
    return parent.column() == 0 ? int(nodeOf(parent)->children.size()) : 0;
}

QModelIndex InventoryModel::indexForMachine(qint64 id) const
{
    return indexOf(m_machines.value(id));
}

QModelIndex InventoryModel::indexForCloud(qint64 id) const
{
    return indexOf(m_clouds.value(id));
}

const Machine *InventoryModel::machine(qint64 id) const
{
    const MachineNode *node = m_machines.value(id);
    return node ? &node->machine : nullptr;
}

const Cloud *InventoryModel::cloud(qint64 id) const
{
    const CloudNode *node = m_clouds.value(id);
    return node ? &node->cloud : nullptr;
}

QVector<Cloud> InventoryModel::allClouds() const
{
    QVector<Cloud> out;
    out.reserve(m_clouds.size());
    for (const CloudNode *node : m_clouds)
        out.append(node->cloud);
    return out;
}

QVector<Machine> InventoryModel::allMachines() const
{
    QVector<Machine> out;
    out.reserve(m_machines.size());
    for (const MachineNode *node : m_machines)
        out.append(node->machine);
    return out;
}

const Machine *InventoryModel::machineAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const Node *node = nodeOf(index);
    return node->type == Node::Type::Machine ? &static_cast<const MachineNode *>(node)->machine : nullptr;
}

const Cloud *InventoryModel::cloudAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const Node *node = nodeOf(index);
    if (node->type == Node::Type::Machine)
        return &static_cast<const MachineNode *>(node)->cloud->cloud;
    return node->type == Node::Type::Cloud ? &static_cast<const CloudNode *>(node)->cloud : nullptr;
}

bool InventoryModel::isAncestorOf(const Node *ancestor, const Node *node) const
{
    for (const Node *n = node; n; n = n->parent)
        if (n == ancestor)
            return true;
    return false;
}

InventoryModel::Node *InventoryModel::placementFor(const MachineNode *node) const
{
    const qint64 parentId = node->machine.parentId;
    if (parentId == 0 || parentId == node->machine.id)
        return node->cloud;
    MachineNode *parent = m_machines.value(parentId);
    // Unknown, not placed yet, another cloud's, or a cycle: file it under its cloud for now.
    if (!parent || !parent->parent || parent->cloud != node->cloud || isAncestorOf(node, parent))
        return node->cloud;
    return parent;
}

// A machine filed under its cloud while it names a parent waits in m_orphans for that parent.
void InventoryModel::updateWaiting(MachineNode *node, bool gone)
{
    const qint64 parentId = node->machine.parentId;
    const bool waiting = !gone && parentId != 0 && parentId != node->machine.id && node->parent == node->cloud;
    const qint64 wanted = waiting ? parentId : 0;
    if (node->waitingFor == wanted)
        return;
    if (node->waitingFor)
        m_orphans.remove(node->waitingFor, node);
    node->waitingFor = wanted;
    if (wanted)
        m_orphans.insert(wanted, node);
}

InventoryModel::MachineNode *InventoryModel::createMachineNode(const Machine &m, CloudNode *cloud)
{
    auto *node = new MachineNode(m, cloud);
    m_machines.insert(m.id, node);
    ++cloud->machineCount;
    cloud->label.clear();
    return node;
}

void InventoryModel::indexNode(Node *node)
{
    m_indexTouched = true;
    if (node->type == Node::Type::Cloud) {
        m_index.upsert(keyOf(node), 0, cloudSearchFields(static_cast<CloudNode *>(node)->cloud),
                       SearchIndex::Fields::Normalized);
        return;
    }
    auto *m = static_cast<MachineNode *>(node);
    m_index.upsert(keyOf(node), keyOf(node->parent), machineSearchFields(m->machine, m->cloud->cloud),
                   SearchIndex::Fields::Normalized);   // machineSearchFields() normalizes
}

void InventoryModel::destroySubtree(Node *node, bool unindex)
{
    for (Node *child : std::as_const(node->children))
        destroySubtree(child, unindex);
    if (unindex) {   // children first, as SearchIndex wants
        m_index.remove(keyOf(node));
        m_indexTouched = true;
    }
    if (node->type == Node::Type::Machine) {
        auto *m = static_cast<MachineNode *>(node);
        updateWaiting(m, true);
        m_machines.remove(m->machine.id);
        --m->cloud->machineCount;
        m->cloud->label.clear();
    } else if (node->type == Node::Type::Cloud) {
        m_clouds.remove(static_cast<CloudNode *>(node)->cloud.id);
        m_countsChanged.remove(static_cast<CloudNode *>(node));
    }
    delete node;
}

void InventoryModel::clear()
{
    m_index.clear();   // keeps the query
    const QVector<Node *> clouds = std::exchange(m_root->children, {});
    for (Node *cloud : clouds)
        destroySubtree(cloud, false);
    m_root->dirtyFrom = INT_MAX;
    m_orphans.clear();
}

// ---- reset ------------------------------------------------------------------------------

void InventoryModel::resetFrom(const InventorySnapshot &snapshot)
{
    beginResetModel();
    m_resetting = true;
    clear();
    m_index.reserve(int(snapshot.clouds.size() + snapshot.machines.size()));
    m_clouds.reserve(snapshot.clouds.size());
    for (const Cloud &c : snapshot.clouds)
        if (!m_clouds.contains(c.id))
            appendCloud(c);
    m_machines.reserve(snapshot.machines.size());
    QVector<MachineNode *> fresh;
    fresh.reserve(snapshot.machines.size());
    for (const Machine &m : snapshot.machines) {
        CloudNode *cloud = m_clouds.value(m.cloudId);
        if (!cloud || m_machines.contains(m.id)) {
            qCWarning(lcInventoryModel) << "skipping machine" << m.id << "of unknown cloud" << m.cloudId
                                        << "or listed twice";
            continue;
        }
        fresh << createMachineNode(m, cloud);
    }
    placeNew(fresh);
    m_resetting = false;
    endResetModel();
    m_indexTouched = false;
    emit searchIndexChanged();
}

// Parents go in before their children (level by level), each level's rows under one parent
// as one insertion. New machines that only point at each other (a cycle) go under their cloud.
void InventoryModel::placeNew(QVector<MachineNode *> pending)
{
    while (!pending.isEmpty()) {
        QVector<MachineNode *> ready, waiting;
        for (MachineNode *node : std::as_const(pending)) {
            const qint64 parentId = node->machine.parentId;
            const MachineNode *parent = parentId && parentId != node->machine.id ? m_machines.value(parentId) : nullptr;
            if (parent && !parent->parent && parent->cloud == node->cloud)
                waiting << node;
            else
                ready << node;
        }
        if (ready.isEmpty())
            std::swap(ready, waiting);   // only cycles left: placementFor() sends them to the cloud
        insertBatch(ready);
        pending = std::move(waiting);
    }
}

void InventoryModel::insertBatch(const QVector<MachineNode *> &nodes)
{
    Groups<Node *, MachineNode *> byParent;
    for (MachineNode *node : nodes)
        byParent.add(placementFor(node), node);
    for (Node *parent : std::as_const(byParent.keys)) {
        const QVector<MachineNode *> &children = byParent.items[parent];
        const int first = int(parent->children.size());
        if (!m_resetting)
            beginInsertRows(indexOf(parent), first, first + int(children.size()) - 1);
        parent->children.reserve(first + children.size());
        for (MachineNode *child : children) {
            child->parent = parent;
            child->row = int(parent->children.size());
            parent->children.append(child);
            updateWaiting(child);
            indexNode(child);
        }
        if (!m_resetting)
            endInsertRows();
    }
    for (MachineNode *node : nodes)
        adoptOrphansOf(node);
}

void InventoryModel::adoptOrphansOf(MachineNode *parent)
{
    if (!m_orphans.contains(parent->machine.id))
        return;
    const QList<MachineNode *> waiting = m_orphans.values(parent->machine.id);
    for (MachineNode *node : waiting)
        if (node->parent)
            moveNode(node, placementFor(node));
}

void InventoryModel::moveNode(MachineNode *node, Node *target)
{
    Node *source = node->parent;
    if (source != target) {
        const int from = rowOf(node);
        const int to = int(target->children.size());
        if (!m_resetting)
            beginMoveRows(indexOf(source), from, from, indexOf(target), to);
        source->children.remove(from);
        source->dirtyFrom = std::min(source->dirtyFrom, from);
        node->parent = target;
        node->row = to;
        target->children.append(node);
        indexNode(node);
        if (!m_resetting)
            endMoveRows();
    }
    updateWaiting(node);
}

// ---- deltas -----------------------------------------------------------------------------

void InventoryModel::applyDelta(const InventoryDelta &delta)
{
    if (delta.isEmpty())
        return;
    m_indexTouched = false;
    m_countsChanged.clear();

    // A machine that moved to another cloud (not expected from the store) is removed and added;
    // a "change" of an unknown machine and an "addition" of a known one are taken for what they are.
    QVector<qint64> removed = delta.machinesRemoved;
    QVector<Machine> added, changed;
    for (const Machine &m : delta.machinesChanged) {
        const MachineNode *node = m_machines.value(m.id);
        if (node && node->cloud->cloud.id != m.cloudId) {
            removed << m.id;
            added << m;
        } else if (node) {
            changed << m;
        } else {
            added << m;
        }
    }
    for (const Machine &m : delta.machinesAdded) {
        if (m_machines.contains(m.id))
            changed << m;
        else
            added << m;
    }

    removeMachines(removed);
    removeClouds(delta.cloudsRemoved);
    updateClouds(delta.cloudsChanged);
    addMachines(added);
    changeMachines(changed);

    for (CloudNode *cloud : std::as_const(m_countsChanged)) {
        const QModelIndex index = indexOf(cloud);
        emit dataChanged(index, index);
    }
    m_countsChanged.clear();
    if (m_indexTouched) {
        m_indexTouched = false;
        emit searchIndexChanged();
    }
}

void InventoryModel::removeMachines(const QVector<qint64> &ids)
{
    QVector<Node *> doomed;   // in the delta's order, so signals come out the same every time
    QSet<Node *> doomedSet;
    for (qint64 id : ids) {
        MachineNode *node = m_machines.value(id);
        if (node && !doomedSet.contains(node)) {
            doomed << node;
            doomedSet.insert(node);
        }
    }
    if (doomed.isEmpty())
        return;
    // Children that stay lose their parent: they go under their cloud, waiting for it.
    for (Node *node : std::as_const(doomed)) {
        const QVector<Node *> children = node->children;
        for (Node *child : children)
            if (!doomedSet.contains(child))
                moveNode(static_cast<MachineNode *>(child), static_cast<MachineNode *>(child)->cloud);
    }
    // A removed row takes its subtree along, so only the top-most removed nodes get signals.
    Groups<Node *, int> rowsByParent;
    for (Node *node : std::as_const(doomed)) {
        bool covered = false;
        for (Node *a = node->parent; a && !covered; a = a->parent)
            covered = doomedSet.contains(a);
        if (!covered)
            rowsByParent.add(node->parent, rowOf(node));
    }
    for (Node *parent : std::as_const(rowsByParent.keys))
        removeRuns(parent, rowsByParent.items.value(parent));
}

// Removes the given rows of `parent` as contiguous runs, last run first so that the rows
// still to be removed keep their numbers.
void InventoryModel::removeRuns(Node *parent, QVector<int> rows)
{
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    const QModelIndex parentIndex = indexOf(parent);
    qsizetype runs = 0;
    for (qsizetype i = 0; i < rows.size(); ++i)
        runs += i == 0 || rows.at(i) != rows.at(i - 1) - 1;
    // Each removed run costs the proxy and view about the parent's row count; gathering the
    // rows first costs one relayout (the proxy rebuilds its mappings, ~ all rows). Measured:
    // worth it for 1,500 runs under a 6,000-row cloud, not for 75 runs under 600 rows.
    if (runs > kMinGatheredRuns && runs * parent->children.size() > 4 * (m_machines.size() + m_clouds.size())
        && !m_resetting)
        rows = gatherAtEnd(parent, rows);
    for (int i = 0; i < rows.size();) {
        const int last = rows.at(i);
        int first = last;
        ++i;
        while (i < rows.size() && rows.at(i) == first - 1)
            first = rows.at(i++);
        beginRemoveRows(parentIndex, first, last);
        QVector<Node *> gone(parent->children.begin() + first, parent->children.begin() + last + 1);
        parent->children.remove(first, last - first + 1);
        parent->dirtyFrom = std::min(parent->dirtyFrom, first);
        for (Node *node : std::as_const(gone)) {
            if (node->type == Node::Type::Machine)
                m_countsChanged.insert(static_cast<MachineNode *>(node)->cloud);
            destroySubtree(node);
        }
        endRemoveRows();
    }
}

// Moves the rows to be removed to the end of `parent`'s children, in one layout change
// (persistent indexes follow their rows), and returns their new numbers. Every row removal
// costs the proxy and the tree view time proportional to the parent's row count, so a poll
// removing 1,500 scattered rows of one big cloud as 1,500 runs cost ~0.3 s; this costs one
// relayout of that parent plus one removal.
QVector<int> InventoryModel::gatherAtEnd(Node *parent, const QVector<int> &rows)
{
    const QModelIndex parentIndex = indexOf(parent);
    const QList<QPersistentModelIndex> parents{QPersistentModelIndex(parentIndex)};
    emit layoutAboutToBeChanged(parents);
    std::vector<bool> doomed(size_t(parent->children.size()), false);
    for (int row : rows)
        doomed[size_t(row)] = true;
    QVector<Node *> reordered;
    reordered.reserve(parent->children.size());
    for (int pass = 0; pass < 2; ++pass)
        for (qsizetype i = 0; i < parent->children.size(); ++i)
            if (doomed[size_t(i)] == (pass == 1))
                reordered << parent->children.at(i);
    // Old row -> new row, for the persistent indexes under this parent.
    std::vector<int> newRow(size_t(parent->children.size()));
    for (qsizetype i = 0; i < reordered.size(); ++i)
        newRow[size_t(rowOf(reordered.at(i)))] = int(i);
    QModelIndexList from, to;
    const QModelIndexList persistent = persistentIndexList();
    for (const QModelIndex &index : persistent) {
        if (index.parent() != parentIndex)
            continue;
        const int moved = newRow[size_t(index.row())];
        if (moved == index.row())
            continue;
        from << index;
        to << createIndex(moved, index.column(), index.internalPointer());
    }
    parent->children = std::move(reordered);
    for (qsizetype i = 0; i < parent->children.size(); ++i)
        parent->children.at(i)->row = int(i);
    parent->dirtyFrom = INT_MAX;
    changePersistentIndexList(from, to);
    emit layoutChanged(parents);
    QVector<int> out;
    const int first = int(parent->children.size() - rows.size());
    for (int row = int(parent->children.size()) - 1; row >= first; --row)
        out << row;
    return out;
}

void InventoryModel::removeClouds(const QVector<qint64> &ids)
{
    QVector<int> rows;
    for (qint64 id : ids)
        if (const CloudNode *node = m_clouds.value(id))
            rows << rowOf(node);
    if (!rows.isEmpty())
        removeRuns(m_root.get(), rows);
}

void InventoryModel::appendCloud(const Cloud &c)
{
    auto *node = new CloudNode(c);
    node->parent = m_root.get();
    node->row = int(m_root->children.size());
    m_root->children.append(node);
    m_clouds.insert(c.id, node);
    indexNode(node);
}

void InventoryModel::updateClouds(const QVector<Cloud> &clouds)
{
    QVector<Cloud> fresh;
    for (const Cloud &c : clouds) {
        CloudNode *node = m_clouds.value(c.id);
        if (!node) {
            if (std::none_of(fresh.cbegin(), fresh.cend(), [&c](const Cloud &f) { return f.id == c.id; }))
                fresh << c;
            continue;
        }
        const Cloud old = std::exchange(node->cloud, c);
        node->label.clear();
        const QModelIndex index = indexOf(node);
        emit dataChanged(index, indexOf(node, ColumnCount - 1));
        const bool renamed = old.name != c.name || old.provider != c.provider;
        if (renamed || old.health != c.health)
            indexNode(node);
        // Machines show the cloud's name and are greyed while its last poll failed.
        if (renamed) {
            reindexSubtree(node);
            markSubtreeChanged(node, {});
        } else if (old.isStale() != c.isStale() || (c.isStale() && old.lastError != c.lastError)) {
            markSubtreeChanged(node, {Qt::ToolTipRole, Qt::ForegroundRole, StaleRole});
        }
    }
    if (fresh.isEmpty())
        return;
    const int first = int(m_root->children.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    for (const Cloud &c : std::as_const(fresh))
        appendCloud(c);
    endInsertRows();
}

void InventoryModel::reindexSubtree(Node *node)
{
    for (Node *child : std::as_const(node->children)) {
        indexNode(child);
        reindexSubtree(child);
    }
}

void InventoryModel::markSubtreeChanged(Node *node, const QList<int> &roles)
{
    if (node->children.isEmpty())
        return;
    const QModelIndex parent = indexOf(node);
    emit dataChanged(index(0, 0, parent), index(int(node->children.size()) - 1, ColumnCount - 1, parent), roles);
    for (Node *child : std::as_const(node->children))
        markSubtreeChanged(child, roles);
}

void InventoryModel::addMachines(const QVector<Machine> &machines)
{
    QVector<MachineNode *> fresh;
    fresh.reserve(machines.size());
    for (const Machine &m : machines) {
        CloudNode *cloud = m_clouds.value(m.cloudId);
        if (!cloud) {
            qCWarning(lcInventoryModel) << "ignoring machine" << m.id << "of unknown cloud" << m.cloudId;
            continue;
        }
        if (m_machines.contains(m.id))
            continue;   // listed twice in one delta
        fresh << createMachineNode(m, cloud);
        m_countsChanged.insert(cloud);
    }
    placeNew(fresh);
}

void InventoryModel::changeMachines(const QVector<Machine> &machines)
{
    // Pass 1: new values and moves (which shift rows), pass 2: one dataChanged per parent.
    struct Change
    {
        MachineNode *node;
        unsigned columns;
    };
    QVector<Change> changes;
    changes.reserve(machines.size());
    for (const Machine &m : machines) {
        MachineNode *node = m_machines.value(m.id);
        if (!node)
            continue;
        if (onlyBookkeeping(node->machine, m)) {
            node->machine = m;   // e.g. lastSeen, sent for every machine a poll saw: nothing to show
            continue;
        }
        const unsigned columns = changedColumns(node->machine, m, node->cloud->cloud);
        const bool reparented = node->machine.parentId != m.parentId;
        const bool searchable = searchFieldsDiffer(node->machine, m);
        node->machine = m;
        node->formatted = false;
        const Node *const before = node->parent;
        if (reparented)
            moveNode(node, placementFor(node));
        if (searchable && node->parent == before)   // a move has reindexed the row already
            indexNode(node);   // a cost or missingSince change leaves the index alone
        changes.append({node, columns});
    }
    // A move may have made room for a machine that was waiting for one of these.
    for (const Change &c : std::as_const(changes))
        adoptOrphansOf(c.node);

    // Per parent: one dataChanged over the rows and columns right of the name that changed, and
    // the name column (a state change redraws its icon) only over runs of rows that changed
    // there. The name column is the usual sort column, and QSortFilterProxyModel re-checks the
    // order of every row of a range that covers the sort column (two lessThan() per row).
    Groups<Node *, Change> byParent;
    for (const Change &c : std::as_const(changes))
        byParent.add(c.node->parent, c);
    constexpr unsigned nameBit = 1u << NameColumn;
    QVector<int> nameRows;
    for (Node *parent : std::as_const(byParent.keys)) {
        int first = INT_MAX, last = -1;
        unsigned columns = 0;
        nameRows.clear();
        for (const Change &c : std::as_const(byParent.items[parent])) {
            const int row = rowOf(c.node);
            if (c.columns & nameBit)
                nameRows << row;
            if (c.columns & ~nameBit) {
                first = std::min(first, row);
                last = std::max(last, row);
                columns |= c.columns & ~nameBit;
            }
        }
        const QModelIndex p = indexOf(parent);
        if (columns)
            emit dataChanged(index(first, std::countr_zero(columns), p), index(last, std::bit_width(columns) - 1, p));
        std::sort(nameRows.begin(), nameRows.end());
        for (qsizetype i = 0; i < nameRows.size();) {
            const int from = nameRows.at(i);
            int to = from;
            while (++i < nameRows.size() && nameRows.at(i) == to + 1)
                ++to;
            emit dataChanged(index(from, NameColumn, p), index(to, NameColumn, p));
        }
    }
}

// ---- data -------------------------------------------------------------------------------

void InventoryModel::format(const MachineNode *node) const
{
    node->ipsText = InventoryDisplay::ipsText(node->machine);
    node->costText = InventoryDisplay::costText(node->machine);
    node->tagsText = InventoryDisplay::tagsText(node->machine);
    node->namespaceText = InventoryDisplay::namespaceText(node->machine);
    node->formatted = true;
}

// What a cell shows (`sort`: what it sorts by), shared with the node: data() builds no string.
const QString &InventoryModel::cellText(const Node *node, int column, bool sort) const
{
    static const QString none;
    if (node->type == Node::Type::Cloud) {
        const auto *c = static_cast<const CloudNode *>(node);
        if (column == NameColumn && !sort) {
            if (c->label.isEmpty())
                c->label = InventoryDisplay::cloudLabel(c->cloud, c->machineCount);
            return c->label;
        }
        return column == NameColumn || column == CloudColumn ? c->cloud.name
               : column == StateColumn                       ? InventoryDisplay::healthLabel(c->cloud.health)
                                                             : none;
    }
    const auto *m = static_cast<const MachineNode *>(node);
    if (!m->formatted && (column == IpsColumn || column == CostColumn || column == TagsColumn || column == NamespaceColumn))
        format(m);
    switch (column) {
    case NameColumn: return m->machine.name;
    case StateColumn: return InventoryDisplay::stateLabel(m->machine.state);
    case CloudColumn: return m->cloud->cloud.name;
    case IpsColumn: return m->ipsText;
    case SizeColumn: return m->machine.size;
    case CostColumn: return m->costText;
    case TagsColumn: return m->tagsText;
    case NamespaceColumn: return m->namespaceText;
    default: return none;
    }
}

quintptr InventoryModel::searchKey(int row, const QModelIndex &parent) const
{
    const Node *p = parent.isValid() ? nodeOf(parent) : m_root.get();
    return row >= 0 && row < p->children.size() ? keyOf(p->children.at(row)) : 0;
}

bool InventoryModel::sortKey(const QModelIndex &index, const QString *&text, double &number) const
{
    const Node *node = nodeOf(index);
    if (index.column() == CostColumn) {
        number = node->type == Node::Type::Machine ? InventoryDisplay::costKey(static_cast<const MachineNode *>(node)->machine)
                                                   : -1.0;
        return true;
    }
    text = &cellText(node, index.column(), true);
    return false;
}

QVariant InventoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *node = nodeOf(index);
    const bool isCloud = node->type == Node::Type::Cloud;
    const Cloud &c = isCloud ? static_cast<const CloudNode *>(node)->cloud
                             : static_cast<const MachineNode *>(node)->cloud->cloud;
    const Machine *m = isCloud ? nullptr : &static_cast<const MachineNode *>(node)->machine;
    switch (role) {
    case Qt::DisplayRole:
    case SortRole: {
        const QString *text = nullptr;
        double number = 0;
        if (role == SortRole && sortKey(index, text, number))
            return number;
        return cellText(node, index.column(), role == SortRole);
    }
    case Qt::DecorationRole:
        if (index.column() != NameColumn)
            return {};
        return m ? InventoryDisplay::machineIcon(m->state) : InventoryDisplay::cloudIcon(c.health);
    case Qt::ForegroundRole:
        return m && InventoryDisplay::isStale(*m, c) ? QVariant(m_staleBrush) : QVariant();
    case Qt::ToolTipRole:
        return m ? InventoryDisplay::machineToolTip(*m, c) : QVariant(InventoryDisplay::cloudToolTip(c));
    case NodeTypeRole: return isCloud ? QStringLiteral("cloud") : QStringLiteral("machine");
    case CloudIdRole: return c.id;
    case MachineIdRole: return m ? m->id : qint64(0);
    case StaleRole: return m ? InventoryDisplay::isStale(*m, c) : c.isStale();
    default: return {};
    }
}

QVariant InventoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char *const titles[ColumnCount] = {QT_TR_NOOP("Name"), QT_TR_NOOP("State"), QT_TR_NOOP("Cloud"),
                                                    QT_TR_NOOP("IP addresses"), QT_TR_NOOP("Size"),
                                                    QT_TR_NOOP("Cost"), QT_TR_NOOP("Tags"), QT_TR_NOOP("Namespace")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    return tr(titles[section]);
}

} // namespace mist
