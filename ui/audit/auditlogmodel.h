#pragma once

#include "inventory/auditentry.h"

#include <QAbstractTableModel>
#include <QVector>

namespace mist {

// The rows of the audit log view, newest first, as answered by StoreService::queryAudit.
class AuditLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, ActorColumn, ActionColumn, TargetColumn, OutcomeColumn, MessageColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the rows. `sameQuery` says the filter did not change: then only the entries
    // newer than the first row are inserted at the top (selection and scroll stay put).
    void setEntries(const QVector<AuditEntry> &entries, bool sameQuery);
    const AuditEntry &entry(int row) const { return m_entries.at(row); }

private:
    QVector<AuditEntry> m_entries;
};

} // namespace mist
