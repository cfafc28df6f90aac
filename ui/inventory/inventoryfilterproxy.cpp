#include "inventoryfilterproxy.h"

#include "inventorymodel.h"
#include "search/searchquery.h"

#include <utility>

namespace mist {

InventoryFilterProxy::InventoryFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(InventoryModel::SortRole);
}

void InventoryFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    disconnect(m_indexConnection);
    m_model = qobject_cast<InventoryModel *>(model);
    m_meaning.clear();
    if (m_model && m_active) {
        // The query lives in the model's index: carry ours over to the new model.
        if (auto query = SearchQuery::parse(m_text); query.ok()) {
            m_model->searchIndex().setQuery(query.value());
            m_meaning = query.value().describe();
        }
    }
    QSortFilterProxyModel::setSourceModel(model);
    if (m_model)
        m_indexConnection = connect(m_model, &InventoryModel::searchIndexChanged, this,
                                    &InventoryFilterProxy::onSearchIndexChanged);
}

Status InventoryFilterProxy::setSearchText(const QString &text)
{
    if (text == m_text)
        return {};
    auto query = SearchQuery::parse(text);
    if (!query)
        return query.error();
    const bool wasActive = m_active;
    m_text = text;
    m_active = !query.value().isEmpty();
    // "web " while typing "web state:..." means the same as "web": no need to re-filter.
    const QString meaning = query.value().describe();
    if (!m_model || std::exchange(m_meaning, meaning) == meaning)
        return {};
    m_model->searchIndex().setQuery(query.value());
    // Both empty (e.g. only spaces typed): nothing to re-filter.
    if (!wasActive && !m_active)
        return {};
    // Qt's re-filter removes and inserts the rows run by run, each run a signal that every
    // view and persistent index handles: thousands of runs cost more than one layout change,
    // after which the proxy maps (and sorts) a parent's rows again only when asked for them.
    if (m_model->searchIndex().lastQueryVisibilityChanges() > m_relayoutThreshold)
        invalidate();
    else
        invalidateRowsFilter();
    return {};
}

int InventoryFilterProxy::matchCount() const
{
    if (!m_model)
        return 0;
    return m_active ? m_model->searchIndex().matchCount() : m_model->machineCount();
}

void InventoryFilterProxy::onSearchIndexChanged()
{
    // Without a query every row is visible and the row signals already said everything; with
    // one, a change deep down can show or hide ancestors that got no signal of their own.
    if (m_active)
        invalidateRowsFilter();
}

bool InventoryFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_model || !m_active)
        return true;
    return m_model->searchIndex().isVisible(m_model->searchKey(sourceRow, sourceParent));
}

bool InventoryFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_model && sortRole() == InventoryModel::SortRole) {
        const QString *l = nullptr, *r = nullptr;
        double ln = 0, rn = 0;
        const bool numeric = m_model->sortKey(left, l, ln);
        if (m_model->sortKey(right, r, rn) && numeric)
            return ln < rn;
        if (l && r)
            return naturalCompare(*l, *r) < 0;
    }
    const QAbstractItemModel *model = sourceModel();
    const QVariant l = model->data(left, sortRole());
    const QVariant r = model->data(right, sortRole());
    if (l.typeId() == QMetaType::Double && r.typeId() == QMetaType::Double)
        return l.toDouble() < r.toDouble();
    if (l.typeId() == QMetaType::QString && r.typeId() == QMetaType::QString)
        return naturalCompare(*static_cast<const QString *>(l.constData()),
                              *static_cast<const QString *>(r.constData())) < 0;
    return QSortFilterProxyModel::lessThan(left, right);
}

namespace {

inline bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}

inline char32_t folded(char16_t c)
{
    if (c < 0x80)
        return (c >= u'A' && c <= u'Z') ? c + 32 : c;
    return QChar::toCaseFolded(char32_t(c));
}

} // namespace

int InventoryFilterProxy::naturalCompare(QStringView a, QStringView b)
{
    const qsizetype na = a.size(), nb = b.size();
    qsizetype i = 0, j = 0;
    while (i < na && j < nb) {
        const char16_t ca = a[i].unicode(), cb = b[j].unicode();
        if (isDigit(ca) && isDigit(cb)) {
            // Compare the numbers by value: skip leading zeros, then longer is bigger, then digits.
            qsizetype si = i, sj = j;
            while (si < na && a[si] == u'0')
                ++si;
            while (sj < nb && b[sj] == u'0')
                ++sj;
            qsizetype ei = si, ej = sj;
            while (ei < na && isDigit(a[ei].unicode()))
                ++ei;
            while (ej < nb && isDigit(b[ej].unicode()))
                ++ej;
            if (ei - si != ej - sj)
                return ei - si < ej - sj ? -1 : 1;
            for (qsizetype k = 0; k < ei - si; ++k)
                if (a[si + k] != b[sj + k])
                    return a[si + k].unicode() < b[sj + k].unicode() ? -1 : 1;
            i = ei;
            j = ej;
            continue;
        }
        const char32_t fa = folded(ca), fb = folded(cb);
        if (fa != fb)
            return fa < fb ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < na || j < nb)
        return i < na ? 1 : -1;
    // Equal ignoring case and zero padding: fall back to a plain comparison for a stable order.
    return a.compare(b);
}

} // namespace mist
