#include "auditlogmodel.h"

#include <QApplication>
#include <QBrush>
#include <QColor>
#include <QIcon>
#include <QJsonDocument>
#include <QStyle>

namespace mist {

int AuditLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int AuditLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const AuditEntry &e = m_entries.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn: return e.timestamp.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case ActorColumn: return e.actor;
        case ActionColumn: return e.action;
        case TargetColumn: return e.target;
        case OutcomeColumn: return e.success ? tr("OK") : tr("Failed");
        case MessageColumn: return e.message;
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == TimeColumn)
            return e.timestamp.toLocalTime().toString(Qt::ISODateWithMs);
        if (index.column() == MessageColumn || index.column() == ActionColumn) {
            QString tip = e.message;
            if (!e.details.isEmpty())
                tip += QStringLiteral("\n\n") + QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Indented));
            return tip.trimmed();
        }
        return {};
    }
    if (role == Qt::ForegroundRole && !e.success)
        return QBrush(QColor(0xc0, 0x39, 0x2b));
    if (role == Qt::DecorationRole && index.column() == OutcomeColumn)
        return qApp->style()->standardIcon(e.success ? QStyle::SP_DialogApplyButton : QStyle::SP_MessageBoxCritical);
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn: return tr("Time");
    case ActorColumn: return tr("Actor");
    case ActionColumn: return tr("Action");
    case TargetColumn: return tr("Target");
    case OutcomeColumn: return tr("Outcome");
    case MessageColumn: return tr("Message");
    default: return {};
    }
}

void AuditLogModel::setEntries(const QVector<AuditEntry> &entries, bool sameQuery)
{
    // Audit entries never change once written, so newer ids at the top are all that differs.
    if (sameQuery && !m_entries.isEmpty() && !entries.isEmpty()) {
        const qint64 newestKnown = m_entries.first().id;
        int fresh = 0;
        while (fresh < entries.size() && entries.at(fresh).id > newestKnown)
            ++fresh;
        const bool tailMatches = fresh == entries.size() || entries.at(fresh).id == newestKnown;
        if (tailMatches) {
            if (fresh > 0) {
                beginInsertRows({}, 0, fresh - 1);
                m_entries = entries.mid(0, fresh) + m_entries;
                endInsertRows();
            }
            const int limit = static_cast<int>(entries.size());
            if (m_entries.size() > limit) {
                beginRemoveRows({}, limit, static_cast<int>(m_entries.size()) - 1);
                m_entries.resize(limit);
                endRemoveRows();
            }
            return;
        }
    }
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

} // namespace mist
