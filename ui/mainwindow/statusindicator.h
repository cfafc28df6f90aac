#pragma once

#include <QObject>
#include <QSet>

class QLabel;
class QProgressBar;
class QStatusBar;
class QTimer;

namespace mist {

class InventoryFilterProxy;
class InventoryModel;
class PollScheduler;

// The status bar's permanent part: counts (clouds, machines, shown by the filter) and
// "polling N clouds…" while polls run. Transient messages and errors go through
// showMessage()/showError(), which keep errors up longer and in red.
class StatusIndicator : public QObject
{
    Q_OBJECT
public:
    StatusIndicator(QStatusBar *bar, InventoryModel *model, InventoryFilterProxy *proxy, PollScheduler *poller);

    QString countsText() const;
    QString pollingText() const;

public slots:
    void updateCounts();
    void showMessage(const QString &text);
    void showError(const QString &text);

private:
    void updatePolling();

    QStatusBar *m_bar;
    InventoryModel *m_model;
    InventoryFilterProxy *m_proxy;
    QLabel *m_counts;
    QLabel *m_polling;
    QProgressBar *m_pollingBar;
    QTimer *m_countsTimer;
    QTimer *m_errorTimer;
    QSet<qint64> m_pollingIds;
};

} // namespace mist
