#pragma once

#include "util/result.h"

#include <QPointer>
#include <QSortFilterProxyModel>
#include <QStringView>

namespace mist {

class InventoryModel;

// Search and sort for the inventory tree. The filter asks the model's SearchIndex, which
// already keeps the ancestors of matches visible, so Qt's recursive filtering (~33 ms per
// change at 100k rows) stays off. Sorting is natural and case-insensitive ("web-2" < "web-10").
class InventoryFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit InventoryFilterProxy(QObject *parent = nullptr);

    // Expects an InventoryModel; any other model is shown unfiltered.
    void setSourceModel(QAbstractItemModel *model) override;

    // A query that does not parse is returned as the error and the previous filter stays.
    Status setSearchText(const QString &text);
    QString searchText() const { return m_text; }
    // Rows matching the query themselves (not kept for a matching descendant); with no query,
    // every machine.
    int matchCount() const;

    // A query that shows or hides more rows than this re-filters with one layout change
    // (layoutAboutToBeChanged/layoutChanged, persistent indexes kept) instead of row runs.
    void setRelayoutThreshold(int rows) { m_relayoutThreshold = rows; }
    int relayoutThreshold() const { return m_relayoutThreshold; }

    // <0, 0, >0 like QString::compare: case-insensitive, digit runs compared as numbers.
    static int naturalCompare(QStringView a, QStringView b);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void onSearchIndexChanged();

    QPointer<InventoryModel> m_model;
    QMetaObject::Connection m_indexConnection;
    QString m_text;
    QString m_meaning;       // describe() of the query applied to the model's index
    bool m_active = false;   // a non-empty query is set
    int m_relayoutThreshold = 20000;   // inventory_bench, 100k rows: ~30 ms of row runs vs ~7 ms
};

} // namespace mist
