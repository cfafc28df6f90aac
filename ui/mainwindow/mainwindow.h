#pragma once

#include "inventory/inventorydelta.h"
#include "util/result.h"

#include <QHash>
#include <QMainWindow>
#include <QVector>

class QAction;
class QDockWidget;
class QLabel;
class QSplitter;
class QStackedWidget;
class QTreeView;

namespace mist {

class ActionController;
class AppCore;
class AuditLogView;
class DetailsPane;
class DiscoveryBar;
class InventoryFilterProxy;
class InventoryModel;
class SearchBar;
class StatusIndicator;
class ContainerActions;
class DeltaPacer;
class MonitoringActions;
class TerminalActions;

// The main window: search box over the inventory tree, details pane and audit log in docks,
// menus/toolbar/context menu for actions, status bar. Wires AppCore's signals to the model
// (ready -> resetFrom, deltaApplied -> applyDelta) and never does blocking work itself.
// Create it before AppCore::start() so it sees ready()/startFailed()/discovered().
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(AppCore *core, QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests and for the app's own helpers.
    InventoryModel *model() const { return m_model; }
    InventoryFilterProxy *proxy() const { return m_proxy; }
    QTreeView *tree() const { return m_tree; }
    SearchBar *searchBar() const { return m_search; }
    DetailsPane *detailsPane() const { return m_details; }
    AuditLogView *auditLog() const { return m_audit; }
    ActionController *actionController() const { return m_actions; }
    StatusIndicator *statusIndicator() const { return m_status; }
    DiscoveryBar *discoveryBar() const { return m_discovery; }
    TerminalActions *terminals() const { return m_terminals; }
    ContainerActions *containers() const { return m_containers; }
    DeltaPacer *deltaPacer() const { return m_pacer; }
    MonitoringActions *monitoring() const { return m_monitoring; }
    // The current tree row's cloud and machine (machine null on a cloud row).
    std::pair<const Cloud *, const Machine *> currentSelection() const;
    bool isReady() const { return m_ready; }
    QString startError() const { return m_startError; }

    QVector<qint64> selectedMachineIds() const;
    qint64 selectedCloudId() const;   // a cloud row is current and no machine is selected
    void selectMachine(qint64 machineId);
    void selectCloud(qint64 cloudId);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createCentral();
    void createDocks();
    void createActions();
    void createMenusAndToolBar();
    QWidget *createErrorPanel(const Error &error);
    void restoreLayout();
    void saveLayout();

    void onReady(const InventorySnapshot &snapshot);
    void onStartFailed(const Error &error);
    void onSelectionChanged();
    void updateActions();
    void onFilterChanged(bool filtering);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void showContextMenu(const QPoint &pos);
    void showHeaderMenu(const QPoint &pos);
    void openDetails();
    void onActivated(const QModelIndex &index);
    void refreshSelectedClouds();
    QVector<qint64> selectedCloudIds() const;   // clouds of all selected rows
    void select(const QModelIndex &sourceIndex);

    AppCore *m_core;
    InventoryModel *m_model;
    InventoryFilterProxy *m_proxy;
    ActionController *m_actions;
    SearchBar *m_search = nullptr;
    QTreeView *m_tree = nullptr;
    QStackedWidget *m_stack = nullptr;
    QSplitter *m_centralSplit = nullptr;   // inventory above, terminal tabs below
    ContainerActions *m_containers = nullptr;
    DeltaPacer *m_pacer = nullptr;
    MonitoringActions *m_monitoring = nullptr;
    TerminalActions *m_terminals = nullptr;
    DiscoveryBar *m_discovery = nullptr;
    DetailsPane *m_details = nullptr;
    QDockWidget *m_detailsDock = nullptr;
    AuditLogView *m_audit = nullptr;
    QDockWidget *m_auditDock = nullptr;
    StatusIndicator *m_status = nullptr;
    QTimer *m_actionsTimer = nullptr;   // coalesces enable/disable updates after model changes

    QAction *m_addCloud = nullptr;
    QAction *m_quit = nullptr;
    QAction *m_find = nullptr;
    QAction *m_refreshCloud = nullptr;
    QAction *m_refreshAll = nullptr;
    QAction *m_editTags = nullptr;
    QAction *m_openDetails = nullptr;
    QAction *m_editCloud = nullptr;
    QAction *m_enableCloud = nullptr;
    QAction *m_removeCloud = nullptr;
    QAction *m_expandAll = nullptr;
    QAction *m_collapseAll = nullptr;
    QAction *m_about = nullptr;
    QHash<QString, QAction *> m_machineActions;   // action id -> menu/toolbar action
    QStringList m_machineActionOrder;

    bool m_ready = false;
    QString m_startError;
};

} // namespace mist
