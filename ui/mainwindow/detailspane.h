#pragma once

#include <QVector>
#include <QWidget>

#include <functional>

class QFormLayout;
class QGridLayout;
class QLabel;
class QScrollArea;
class QTimer;

namespace mist {

class ActionController;
class InventoryModel;
struct Cloud;
struct Machine;

// Everything about the selected machine (or cloud, or the summary of several machines),
// with buttons for the actions allowed right now. Reads only the model, so it shows the
// last known state even when a cloud cannot be reached; rebuilds only when what it shows
// changed, so a poll does not make it flicker.
class DetailsPane : public QWidget
{
    Q_OBJECT
public:
    DetailsPane(InventoryModel *model, ActionController *actions, QWidget *parent = nullptr);

    // Machines win over the cloud; both empty shows a hint.
    void setSelection(const QVector<qint64> &machineIds, qint64 cloudId);

    // One line of the form; also what tests read.
    struct Row
    {
        QString label;
        QString value;
        bool error = false;     // shown in red (last error, missing since)
        bool section = false;   // a heading ("Provider details")
        bool operator==(const Row &other) const = default;
    };
    QVector<Row> rows() const { return m_rows; }

    // Whether "Open shell" is offered for a machine (set by the window that can open one).
    void setShellAvailability(std::function<bool(const Machine &)> canOpenShell) { m_canOpenShell = std::move(canOpenShell); }

signals:
    void openShellRequested();   // for the current selection

public slots:
    void scheduleRefresh();
    void refresh();

private:
    struct Content
    {
        QString title;
        QString subtitle;
        QVector<Row> rows;
        QStringList buttons;   // action ids, or "cloud:refresh"...
        QString note;          // e.g. "Suspend under way…"
        bool operator==(const Content &other) const = default;
    };
    Content machineContent(const Machine &machine) const;
    void addServerRows(const Machine &machine, QVector<Row> &rows) const;
    Content machinesContent(const QVector<const Machine *> &machines) const;
    Content cloudContent(const Cloud &cloud) const;
    void show(const Content &content);
    void rebuildButtons(const QStringList &buttons);
    void buttonClicked(const QString &id);

    InventoryModel *m_model;
    ActionController *m_actions;
    QVector<qint64> m_machineIds;
    qint64 m_cloudId = 0;
    Content m_shown;
    QVector<Row> m_rows;
    QLabel *m_icon;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLabel *m_note;
    QWidget *m_buttonBox;
    QGridLayout *m_buttonGrid;
    QScrollArea *m_scroll;
    QFormLayout *m_form;
    QTimer *m_refreshTimer;
    QTimer *m_clockTimer;   // "3 minutes ago" ages
    std::function<bool(const Machine &)> m_canOpenShell;
};

} // namespace mist
