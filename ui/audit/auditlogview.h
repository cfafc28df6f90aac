#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace mist {

class AuditLogModel;
class StoreService;

// The audit log: every action and every detected change, newest first, with a text filter.
// Reads only through StoreService::queryAudit (the store thread), refreshed when the store
// says something was appended. Coalesces bursts (a poll of hundreds of machines) into one query.
class AuditLogView : public QWidget
{
    Q_OBJECT
public:
    explicit AuditLogView(StoreService *store, QWidget *parent = nullptr);

    // Queries only once the inventory is open (before that the store has nothing to say).
    void setStoreReady(bool ready);
    QLineEdit *filterEdit() const { return m_filter; }
    QTableView *table() const { return m_table; }
    AuditLogModel *model() const { return m_model; }

public slots:
    void refresh();

private:
    void scheduleRefresh(int delayMs);
    void query();

    StoreService *m_store;
    AuditLogModel *m_model;
    QLineEdit *m_filter;
    QTableView *m_table;
    QLabel *m_countLabel;
    QTimer *m_timer;
    QString m_shownQuery;       // the filter the rows were queried with
    quint64 m_generation = 0;   // answers to older queries are dropped
    bool m_ready = false;
    bool m_inFlight = false;
    bool m_again = false;       // something changed while a query ran
};

} // namespace mist
