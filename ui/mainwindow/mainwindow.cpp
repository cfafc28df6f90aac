#include "mainwindow.h"

#include "alerts/alertactions.h"
#include "containers/containeractions.h"
#include "inventory/deltapacer.h"
#include "monitoring/monitoringactions.h"

#include "audit/auditlogview.h"
#include "inventory/inventoryfilterproxy.h"
#include "inventory/inventorymodel.h"
#include "mainwindow/actioncontroller.h"
#include "mainwindow/detailspane.h"
#include "mainwindow/discoverybar.h"
#include "mainwindow/searchbar.h"
#include "mainwindow/statusindicator.h"
#include "polling/pollscheduler.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "sessions/sessioncontroller.h"
#include "sessions/sessiontabs.h"
#include "sessions/terminalactions.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace mist {

namespace {
const QString kGeometryKey = QStringLiteral("ui/mainWindow/geometry");
const QString kStateKey = QStringLiteral("ui/mainWindow/state");
const QString kTreeHeaderKey = QStringLiteral("ui/mainWindow/treeHeader");
const QString kAuditHeaderKey = QStringLiteral("ui/mainWindow/auditHeader");
constexpr int kStateVersion = 1;

bool isCloudRow(const QModelIndex &index)
{
    return index.data(InventoryModel::NodeTypeRole).toString() == QLatin1String("cloud");
}
} // namespace

MainWindow::MainWindow(AppCore *core, QWidget *parent)
    : QMainWindow(parent)
    , m_core(core)
    , m_model(new InventoryModel(this))
    , m_proxy(new InventoryFilterProxy(this))
    , m_actions(new ActionController(core, m_model, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Mist Desktop"));
    m_proxy->setSourceModel(m_model);
    // States change under the selection with every poll: re-check what is allowed.
    m_actionsTimer = new QTimer(this);
    m_actionsTimer->setSingleShot(true);
    m_actionsTimer->setInterval(0);

    createActions();
    createCentral();
    createDocks();
    createMenusAndToolBar();
    m_status = new StatusIndicator(statusBar(), m_model, m_proxy, m_core->poller());
    statusBar()->showMessage(tr("Opening the inventory…"));

    connect(m_actions, &ActionController::statusMessage, m_status, &StatusIndicator::showMessage);
    connect(m_actions, &ActionController::errorMessage, m_status, &StatusIndicator::showError);
    connect(m_actions, &ActionController::cloudAdded, this, [this](qint64 id) {
        // The delta with the new cloud was queued before this answer, so its row exists.
        selectCloud(id);
    });
    connect(m_actions, &ActionController::busyChanged, this, [this] { m_actionsTimer->start(); });

    connect(m_core, &AppCore::ready, this, &MainWindow::onReady);
    connect(m_core, &AppCore::startFailed, this, &MainWindow::onStartFailed);
    connect(m_core, &AppCore::discovered, m_discovery, &DiscoveryBar::offer);
    // Big deltas (a cluster's first listing) reach the tree in slices: the window stays responsive.
    m_pacer = new DeltaPacer(m_model, this);
    connect(m_core->store(), &StoreService::deltaApplied, m_pacer, &DeltaPacer::push);
    connect(m_core->store(), &StoreService::writeFailed, m_status,
            [this](const Error &e) { m_status->showError(e.toString()); });

    connect(m_actionsTimer, &QTimer::timeout, this, &MainWindow::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, m_actionsTimer, qOverload<>(&QTimer::start));
    connect(m_model, &QAbstractItemModel::rowsRemoved, m_actionsTimer, qOverload<>(&QTimer::start));

    restoreLayout();
    updateActions();
    m_tree->setFocus();
}

MainWindow::~MainWindow() = default;

// ---- building -------------------------------------------------------------------------

void MainWindow::createCentral()
{
    m_stack = new QStackedWidget(this);
    auto *page = new QWidget(m_stack);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(4);

    m_discovery = new DiscoveryBar(m_core, m_actions, page);
    layout->addWidget(m_discovery);
    m_search = new SearchBar(m_proxy, page);
    layout->addWidget(m_search);

    m_tree = new QTreeView(page);
    m_tree->setObjectName(QStringLiteral("inventoryTree"));
    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true);   // lets the view skip measuring 100k rows
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(InventoryModel::NameColumn, Qt::AscendingOrder);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setExpandsOnDoubleClick(true);
    QHeaderView *header = m_tree->header();
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    const int em = m_tree->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(InventoryModel::NameColumn, 22 * em);
    header->resizeSection(InventoryModel::StateColumn, m_tree->fontMetrics().horizontalAdvance(tr("Suspended")) + 2 * em);
    header->resizeSection(InventoryModel::CloudColumn, 8 * em);
    header->resizeSection(InventoryModel::IpsColumn, 12 * em);
    header->resizeSection(InventoryModel::SizeColumn, 8 * em);
    header->resizeSection(InventoryModel::CostColumn, 6 * em);
    header->resizeSection(InventoryModel::TagsColumn, 16 * em);
    layout->addWidget(m_tree, 1);
    m_stack->addWidget(page);

    const auto current = [this] { return currentSelection(); };
    m_terminals = new TerminalActions(m_core, this, current, this);
    connect(m_terminals, &TerminalActions::statusMessage, this, [this](const QString &t) { m_status->showMessage(t); });
    m_containers = new ContainerActions(m_core, this, current, this);
    m_monitoring = new MonitoringActions(m_core, this, current, this);
    m_monitoring->setMachineLookup([this] { return selectedMachineIds(); }, [this](qint64 id) { return m_model->machine(id); });
    m_monitoring->setInventory([this] { return std::pair(m_model->allClouds(), m_model->allMachines()); });
    connect(m_containers, &ContainerActions::statusMessage, this, [this](const QString &t) { m_status->showMessage(t); });
    connect(m_discovery, &DiscoveryBar::kubeconfigImportRequested, m_containers,
            [this](const QStringList &paths) { m_containers->openKubeImport(paths); });
    SessionTabs *tabs = m_terminals->tabs();
    m_centralSplit = new QSplitter(Qt::Vertical, this);
    m_centralSplit->setObjectName(QStringLiteral("centralSplit"));
    m_centralSplit->setChildrenCollapsible(false);
    m_centralSplit->addWidget(m_stack);
    m_centralSplit->addWidget(tabs);
    m_centralSplit->setStretchFactor(0, 1);
    m_centralSplit->setStretchFactor(1, 2);
    tabs->hide();   // until the first terminal
    connect(tabs, &SessionTabs::countChanged, this, [this, tabs] {
        const bool any = tabs->count() > 0;
        if (any && tabs->isHidden()) {
            tabs->show();
            const int h = m_centralSplit->height();
            m_centralSplit->setSizes({h / 3, h - h / 3});
        } else if (!any) {
            tabs->hide();
            m_tree->setFocus();
        }
    });
    setCentralWidget(m_centralSplit);
    m_tree->setEnabled(false);   // until the inventory is open
    m_search->setEnabled(false);

    connect(m_tree, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this, &MainWindow::showHeaderMenu);
    connect(m_tree, &QTreeView::activated, this, &MainWindow::onActivated);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onSelectionChanged);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::onRowsInserted);
    connect(m_search, &SearchBar::filterChanged, this, &MainWindow::onFilterChanged);
    connect(m_search, &SearchBar::leaveRequested, this, [this] {
        m_tree->setFocus();
        if (!m_tree->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_tree->setCurrentIndex(m_proxy->index(0, 0));
    });
}

void MainWindow::createDocks()
{
    setDockNestingEnabled(true);
    m_details = new DetailsPane(m_model, m_actions, this);
    m_details->setObjectName(QStringLiteral("detailsPane"));
    m_details->setShellAvailability([this](const Machine &m) {
        const Cloud *c = m_model->cloud(m.cloudId);
        return c && SessionController::canOpenShell(*c, m);
    });
    connect(m_details, &DetailsPane::openShellRequested, m_terminals, &TerminalActions::openShellForSelection);
    m_detailsDock = new QDockWidget(tr("Details"), this);
    m_detailsDock->setObjectName(QStringLiteral("detailsDock"));
    m_detailsDock->setWidget(m_details);
    m_detailsDock->setMinimumWidth(280);
    addDockWidget(Qt::RightDockWidgetArea, m_detailsDock);

    m_audit = new AuditLogView(m_core->store(), this);
    m_audit->setObjectName(QStringLiteral("auditLogView"));
    m_auditDock = new QDockWidget(tr("Audit log"), this);
    m_auditDock->setObjectName(QStringLiteral("auditDock"));
    m_auditDock->setWidget(m_audit);
    addDockWidget(Qt::BottomDockWidgetArea, m_auditDock);
    resizeDocks({m_detailsDock}, {380}, Qt::Horizontal);
    resizeDocks({m_auditDock}, {180}, Qt::Vertical);
}

void MainWindow::createActions()
{
    auto make = [this](const QString &name, const QString &text, const QList<QKeySequence> &keys = {},
                       QStyle::StandardPixmap icon = QStyle::StandardPixmap(-1)) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::WindowShortcut);
        if (icon != QStyle::StandardPixmap(-1))
            a->setIcon(style()->standardIcon(icon));
        if (!keys.isEmpty())
            a->setToolTip(QStringLiteral("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')).remove(QChar(0x2026)),
                                                        keys.first().toString(QKeySequence::NativeText)));
        return a;
    };

    m_addCloud = make(QStringLiteral("actionAddCloud"), tr("&Add cloud…"), {QKeySequence(tr("Ctrl+N"))},
                      QStyle::SP_FileDialogNewFolder);
    connect(m_addCloud, &QAction::triggered, m_actions, &ActionController::addCloud);
    m_quit = make(QStringLiteral("actionQuit"), tr("&Quit"), {QKeySequence(tr("Ctrl+Q"))});
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);
    m_find = make(QStringLiteral("actionFind"), tr("&Find…"), {QKeySequence(tr("Ctrl+F"))});
    connect(m_find, &QAction::triggered, this, [this] { m_search->focusSearch(); });
    m_refreshCloud = make(QStringLiteral("actionRefreshCloud"), tr("&Refresh selected cloud"),
                          {QKeySequence(Qt::Key_F5)}, QStyle::SP_BrowserReload);
    connect(m_refreshCloud, &QAction::triggered, this, &MainWindow::refreshSelectedClouds);
    m_refreshAll = make(QStringLiteral("actionRefreshAll"), tr("Refresh &all clouds"),
                        {QKeySequence(tr("Ctrl+Shift+R")), QKeySequence(tr("Shift+F5"))});
    connect(m_refreshAll, &QAction::triggered, m_actions, &ActionController::refreshAll);
    m_editTags = make(QStringLiteral("actionEditTags"), tr("Edit &tags…"), {QKeySequence(tr("Ctrl+T"))});
    connect(m_editTags, &QAction::triggered, this, [this] { m_actions->editTags(selectedMachineIds()); });
    m_openDetails = make(QStringLiteral("actionOpenDetails"), tr("Open &details"), {QKeySequence(tr("Ctrl+I"))});
    connect(m_openDetails, &QAction::triggered, this, &MainWindow::openDetails);
    m_editCloud = make(QStringLiteral("actionEditCloud"), tr("&Edit cloud…"));
    connect(m_editCloud, &QAction::triggered, this, [this] {
        const QVector<qint64> clouds = selectedCloudIds();
        if (!clouds.isEmpty())
            m_actions->editCloud(clouds.first());
    });
    m_enableCloud = make(QStringLiteral("actionEnableCloud"), tr("E&nabled"));
    m_enableCloud->setCheckable(true);
    m_enableCloud->setToolTip(tr("Poll the selected cloud; a disabled cloud keeps its last known machines"));
    connect(m_enableCloud, &QAction::triggered, this, [this](bool on) {
        for (qint64 id : selectedCloudIds())
            m_actions->setCloudEnabled(id, on);
    });
    m_removeCloud = make(QStringLiteral("actionRemoveCloud"), tr("Re&move cloud…"));
    connect(m_removeCloud, &QAction::triggered, this, [this] {
        const QVector<qint64> clouds = selectedCloudIds();
        if (!clouds.isEmpty())
            m_actions->removeCloud(clouds.first());
    });
    m_expandAll = make(QStringLiteral("actionExpandAll"), tr("E&xpand all"));
    connect(m_expandAll, &QAction::triggered, this, [this] { m_tree->expandAll(); });
    m_collapseAll = make(QStringLiteral("actionCollapseAll"), tr("&Collapse to clouds"));
    connect(m_collapseAll, &QAction::triggered, this, [this] { m_tree->collapseAll(); });
    m_about = make(QStringLiteral("actionAbout"), tr("&About Mist Desktop"));
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, this, [this] {
        auto *box = new QMessageBox(QMessageBox::Information, tr("About Mist Desktop"),
                                    tr("<h3>Mist Desktop %1</h3><p>Every machine in every cloud, hypervisor and "
                                       "container host, in one window — no server needed.</p>"
                                       "<p>Data folder: <code>%2</code></p>")
                                        .arg(QApplication::applicationVersion(), m_core->location().dir().toHtmlEscaped()),
                                    QMessageBox::Close, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });

    // Machine actions: the well-known ones get menu entries and shortcuts; anything a
    // provider adds shows in the context menu and the details pane.
    struct Known
    {
        QString id;
        const char *name;
        QKeySequence key;
        QStyle::StandardPixmap icon;
    };
    const Known known[] = {
        {Action::Start, "actionStart", QKeySequence(tr("Ctrl+Shift+S")), QStyle::SP_MediaPlay},
        {Action::Stop, "actionStop", QKeySequence(tr("Ctrl+Shift+T")), QStyle::SP_MediaStop},
        {Action::Reboot, "actionReboot", QKeySequence(tr("Ctrl+Shift+B")), QStyle::SP_BrowserReload},
        {Action::Suspend, "actionSuspend", QKeySequence(), QStyle::SP_MediaPause},
        {Action::Resume, "actionResume", QKeySequence(), QStyle::SP_MediaSeekForward},
        {Action::Restart, "actionRestart", QKeySequence(), QStyle::SP_BrowserReload},
        {Action::Pause, "actionPause", QKeySequence(), QStyle::SP_MediaPause},
        {Action::Unpause, "actionUnpause", QKeySequence(), QStyle::SP_MediaPlay},
        {Action::Cordon, "actionCordon", QKeySequence(), QStyle::StandardPixmap(-1)},
        {Action::Uncordon, "actionUncordon", QKeySequence(), QStyle::StandardPixmap(-1)},
        {Action::Scale, "actionScale", QKeySequence(), QStyle::StandardPixmap(-1)},
        {Action::RolloutRestart, "actionRolloutRestart", QKeySequence(), QStyle::StandardPixmap(-1)},
        {Action::PowerOff, "actionForceOff", QKeySequence(), QStyle::SP_MessageBoxWarning},
        {Action::Rename, "actionRename", QKeySequence(Qt::Key_F2), QStyle::StandardPixmap(-1)},
        {Action::Destroy, "actionDestroy", QKeySequence(), QStyle::SP_TrashIcon},
    };
    for (const Known &k : known) {
        QList<QKeySequence> keys;
        if (!k.key.isEmpty())
            keys << k.key;
        QAction *a = make(QString::fromLatin1(k.name), Action::title(k.id), keys, k.icon);
        connect(a, &QAction::triggered, this, [this, id = k.id] { m_actions->runAction(id, selectedMachineIds()); });
        m_machineActions.insert(k.id, a);
        m_machineActionOrder << k.id;
    }
}

void MainWindow::createMenusAndToolBar()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_addCloud);
    file->addAction(m_containers->importKubeconfigAction());
    file->addSeparator();
    file->addAction(m_quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_find);
    edit->addAction(m_editTags);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_openDetails);
    view->addAction(m_detailsDock->toggleViewAction());
    view->addAction(m_auditDock->toggleViewAction());
    view->addSeparator();
    view->addAction(m_expandAll);
    view->addAction(m_collapseAll);

    QMenu *cloud = menuBar()->addMenu(tr("&Cloud"));
    cloud->addAction(m_addCloud);
    cloud->addAction(m_refreshCloud);
    cloud->addAction(m_refreshAll);
    cloud->addSeparator();
    cloud->addAction(m_editCloud);
    cloud->addAction(m_enableCloud);
    cloud->addAction(m_removeCloud);

    QMenu *machine = menuBar()->addMenu(tr("&Machine"));
    for (const QString &id : std::as_const(m_machineActionOrder)) {
        if (id == Action::Rename || id == Action::PowerOff)
            machine->addSeparator();
        machine->addAction(m_machineActions.value(id));
    }
    machine->addSeparator();
    machine->addAction(m_editTags);
    machine->addAction(m_openDetails);

    machine->addSeparator();
    machine->addAction(m_terminals->openShellAction());
    machine->addAction(m_terminals->sshSettingsAction());
    m_containers->addToMenu(machine);
    m_monitoring->addToMenu(machine);
    (new AlertActions(m_core, this, m_model, this))->addToMenu(machine);   // rules window, tray notifications

    m_terminals->addToMenu(menuBar()->addMenu(tr("&Terminal")));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_about);

    QToolBar *bar = addToolBar(tr("Main toolbar"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(16, 16));
    bar->addAction(m_addCloud);
    bar->addAction(m_refreshCloud);
    bar->addSeparator();
    for (const QString &id : {Action::Start, Action::Stop, Action::Reboot, Action::Suspend, Action::Resume})
        bar->addAction(m_machineActions.value(id));
    bar->addSeparator();
    bar->addAction(m_editTags);
}

QWidget *MainWindow::createErrorPanel(const Error &error)
{
    auto *panel = new QWidget(m_stack);
    panel->setObjectName(QStringLiteral("startErrorPanel"));
    auto *outer = new QVBoxLayout(panel);
    outer->addStretch(1);
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    auto *icon = new QLabel(panel);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(48, 48));
    row->addWidget(icon, 0, Qt::AlignTop);
    auto *texts = new QVBoxLayout;
    auto *title = new QLabel(tr("The inventory could not be opened"), panel);
    QFont big = title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.4);
    title->setFont(big);
    texts->addWidget(title);
    auto *message = new QLabel(error.message, panel);
    message->setObjectName(QStringLiteral("startErrorLabel"));
    message->setWordWrap(true);
    message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    message->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
    texts->addWidget(message);
    if (!error.detail.isEmpty()) {
        auto *detail = new QLabel(error.detail, panel);
        detail->setObjectName(QStringLiteral("startErrorDetail"));
        detail->setWordWrap(true);
        detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
        texts->addWidget(detail);
    }
    auto *hint = new QLabel(tr("The file is <code>%1</code>. Mist Desktop changed nothing in it. To begin a new "
                               "inventory, move it away and start again; or start with another folder "
                               "(<code>--data-dir</code>).")
                                .arg(m_core->location().inventoryPath().toHtmlEscaped()),
                            panel);
    hint->setWordWrap(true);
    hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    texts->addWidget(hint);
    auto *buttons = new QHBoxLayout;
    auto *open = new QPushButton(tr("Open data folder"), panel);
    connect(open, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_core->location().dir())); });
    auto *quit = new QPushButton(tr("Quit"), panel);
    connect(quit, &QPushButton::clicked, this, &QWidget::close);
    buttons->addWidget(open);
    buttons->addWidget(quit);
    buttons->addStretch(1);
    texts->addLayout(buttons);
    auto *textBox = new QWidget(panel);
    textBox->setLayout(texts);
    textBox->setMinimumWidth(480);
    textBox->setMaximumWidth(680);
    row->addWidget(textBox, 1);
    row->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);
    return panel;
}

// ---- settings ---------------------------------------------------------------------------

void MainWindow::restoreLayout()
{
    QSettings &s = m_core->settings();
    if (!restoreGeometry(s.value(kGeometryKey).toByteArray()))
        resize(1280, 800);
    restoreState(s.value(kStateKey).toByteArray(), kStateVersion);
    const QByteArray header = s.value(kTreeHeaderKey).toByteArray();
    if (!header.isEmpty())
        m_tree->header()->restoreState(header);
    const QByteArray audit = s.value(kAuditHeaderKey).toByteArray();
    if (!audit.isEmpty())
        m_audit->table()->horizontalHeader()->restoreState(audit);
}

void MainWindow::saveLayout()
{
    QSettings &s = m_core->settings();
    s.setValue(kGeometryKey, saveGeometry());
    s.setValue(kStateKey, saveState(kStateVersion));
    s.setValue(kTreeHeaderKey, m_tree->header()->saveState());
    s.setValue(kAuditHeaderKey, m_audit->table()->horizontalHeader()->saveState());
    s.sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_startError.isEmpty())   // the error view hides the docks: not a layout to keep
        saveLayout();
    QMainWindow::closeEvent(event);
}

// ---- core signals -----------------------------------------------------------------------

void MainWindow::onReady(const InventorySnapshot &snapshot)
{
    m_ready = true;
    m_model->resetFrom(snapshot);
    m_tree->setEnabled(true);
    m_search->setEnabled(true);
    m_tree->expandToDepth(1);   // clouds and their hosts open: machines are visible at once
    m_actions->setStoreReady(true);
    m_audit->setStoreReady(true);
    m_status->updateCounts();
    statusBar()->clearMessage();
    if (m_proxy->rowCount() > 0 && !m_tree->currentIndex().isValid())
        select(m_proxy->mapToSource(m_proxy->index(0, 0)));   // details and keyboard start somewhere
    updateActions();
}

void MainWindow::onStartFailed(const Error &error)
{
    m_startError = error.toString();
    QWidget *panel = createErrorPanel(error);
    m_stack->addWidget(panel);
    m_stack->setCurrentWidget(panel);
    m_detailsDock->hide();   // nothing to show without an inventory
    m_auditDock->hide();
    m_actions->setStoreReady(false);
    m_status->showError(tr("The inventory could not be opened: %1").arg(error.message));
    updateActions();
}

// ---- selection and actions --------------------------------------------------------------

QVector<qint64> MainWindow::selectedMachineIds() const
{
    QVector<qint64> ids;
    for (const QModelIndex &index : m_tree->selectionModel()->selectedRows(InventoryModel::NameColumn)) {
        const qint64 id = index.data(InventoryModel::MachineIdRole).toLongLong();
        if (id != 0 && !isCloudRow(index))
            ids << id;
    }
    return ids;
}

qint64 MainWindow::selectedCloudId() const
{
    if (!selectedMachineIds().isEmpty())
        return 0;
    const QModelIndex current = m_tree->currentIndex();
    if (current.isValid() && isCloudRow(current) && m_tree->selectionModel()->isRowSelected(current.row(), current.parent()))
        return current.data(InventoryModel::CloudIdRole).toLongLong();
    for (const QModelIndex &index : m_tree->selectionModel()->selectedRows())
        if (isCloudRow(index))
            return index.data(InventoryModel::CloudIdRole).toLongLong();
    return 0;
}

QVector<qint64> MainWindow::selectedCloudIds() const
{
    QVector<qint64> ids;
    QModelIndexList rows = m_tree->selectionModel()->selectedRows();
    if (rows.isEmpty() && m_tree->currentIndex().isValid())
        rows << m_tree->currentIndex();
    for (const QModelIndex &index : std::as_const(rows)) {
        const qint64 id = index.data(InventoryModel::CloudIdRole).toLongLong();
        if (id != 0 && !ids.contains(id))
            ids << id;
    }
    return ids;
}

void MainWindow::select(const QModelIndex &sourceIndex)
{
    const QModelIndex index = m_proxy->mapFromSource(sourceIndex);
    if (!index.isValid())
        return;   // hidden by the filter
    m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
}

void MainWindow::selectMachine(qint64 machineId)
{
    select(m_model->indexForMachine(machineId));
}

void MainWindow::selectCloud(qint64 cloudId)
{
    select(m_model->indexForCloud(cloudId));
}

void MainWindow::onSelectionChanged()
{
    m_details->setSelection(selectedMachineIds(), selectedCloudId());
    updateActions();
}

std::pair<const Cloud *, const Machine *> MainWindow::currentSelection() const
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->currentIndex());
    if (!current.isValid())
        return {nullptr, nullptr};
    return {m_model->cloudAt(current), m_model->machineAt(current)};
}

void MainWindow::updateActions()
{
    m_terminals->updateEnabled();
    m_containers->updateEnabled();
    m_monitoring->updateEnabled();
    const QVector<qint64> machines = selectedMachineIds();
    const QVector<qint64> clouds = selectedCloudIds();
    const QStringList allowed = m_ready ? m_actions->allowedActions(machines) : QStringList{};
    for (auto it = m_machineActions.cbegin(); it != m_machineActions.cend(); ++it)
        it.value()->setEnabled(allowed.contains(it.key()));
    if (QAction *rename = m_machineActions.value(Action::Rename))
        rename->setEnabled(rename->isEnabled() && machines.size() == 1);

    m_addCloud->setEnabled(m_ready);
    m_find->setEnabled(m_ready);
    m_refreshAll->setEnabled(m_ready);
    m_refreshCloud->setEnabled(m_ready && !clouds.isEmpty());
    m_editTags->setEnabled(m_ready && !machines.isEmpty());
    m_openDetails->setEnabled(m_ready && (!machines.isEmpty() || !clouds.isEmpty()));
    const Cloud *cloud = clouds.size() == 1 ? m_model->cloud(clouds.first()) : nullptr;
    m_editCloud->setEnabled(m_ready && cloud);
    m_removeCloud->setEnabled(m_ready && cloud);
    m_enableCloud->setEnabled(m_ready && cloud);
    m_enableCloud->setChecked(cloud && cloud->enabled);
    m_expandAll->setEnabled(m_ready);
    m_collapseAll->setEnabled(m_ready);
}

void MainWindow::refreshSelectedClouds()
{
    const QVector<qint64> clouds = selectedCloudIds();
    for (qint64 id : clouds)
        m_actions->refreshCloud(id);
    if (clouds.size() == 1)
        if (const Cloud *c = m_model->cloud(clouds.first()))
            m_status->showMessage(tr("Refreshing %1…").arg(c->name));
}

void MainWindow::onActivated(const QModelIndex &index)
{
    // A machine opens a shell (double-click or Enter); anything else shows its details.
    if (!isCloudRow(index) && m_terminals->openShellForSelection())
        return;
    openDetails();
}

void MainWindow::openDetails()
{
    m_detailsDock->show();
    m_detailsDock->raise();
    m_details->refresh();
}

void MainWindow::onFilterChanged(bool filtering)
{
    m_status->updateCounts();
    if (filtering) {
        m_tree->expandAll();   // the matches may be deep (pods in nodes in clusters)
    } else {
        m_tree->collapseAll();
        m_tree->expandToDepth(1);
        if (m_tree->currentIndex().isValid())
            m_tree->scrollTo(m_tree->currentIndex(), QAbstractItemView::PositionAtCenter);
    }
}

void MainWindow::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    // The first cloud of a new inventory (added after ready()) becomes the current row.
    if (!parent.isValid() && !m_tree->currentIndex().isValid() && first == 0)
        QTimer::singleShot(0, this, [this] {
            if (!m_tree->currentIndex().isValid() && m_proxy->rowCount() > 0)
                select(m_proxy->mapToSource(m_proxy->index(0, 0)));
        });
    // New clouds and their hosts open, like at start; with a filter on, matches open fully.
    const bool filtering = m_search->isFiltering();
    if (!filtering && parent.isValid() && parent.parent().isValid())
        return;
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = m_proxy->index(row, 0, parent);
        if (filtering)
            m_tree->expandRecursively(index);
        else
            m_tree->expand(index);
    }
}

// ---- context menus ----------------------------------------------------------------------

void MainWindow::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (index.isValid() && !m_tree->selectionModel()->isRowSelected(index.row(), index.parent()))
        m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    updateActions();

    // popup(), not exec(): no nested event loop; the menu deletes itself when closed.
    auto *menuPtr = new QMenu(this);
    menuPtr->setAttribute(Qt::WA_DeleteOnClose);
    QMenu &menu = *menuPtr;
    const QVector<qint64> machines = selectedMachineIds();
    if (!machines.isEmpty()) {
        const QStringList allowed = m_actions->allowedActions(machines);
        for (const QString &id : allowed) {
            QAction *a = m_machineActions.value(id);
            if (!a) {   // a provider-specific action
                a = menu.addAction(Action::title(id));
                connect(a, &QAction::triggered, this, [this, id] { m_actions->runAction(id, selectedMachineIds()); });
                continue;
            }
            if (id == Action::Rename && machines.size() != 1)
                continue;
            const int n = static_cast<int>(m_actions->machinesAllowing(id, machines).size());
            if (machines.size() > 1 && n < machines.size()) {
                // Show how many it applies to, without changing the shared action's text.
                QAction *counted = menu.addAction(a->icon(), tr("%1 (%2 of %3)").arg(a->text()).arg(n).arg(machines.size()));
                counted->setShortcut(a->shortcut());
                connect(counted, &QAction::triggered, a, &QAction::trigger);
            } else {
                menu.addAction(a);
            }
        }
        if (allowed.isEmpty())
            menu.addAction(tr("No actions possible in this state"))->setEnabled(false);
        menu.addSeparator();
        if (machines.size() == 1) {
            menu.addAction(m_terminals->openShellAction());
            menu.addAction(m_terminals->sshSettingsAction());
            if (m_containers->logsAction()->isEnabled())
                menu.addAction(m_containers->logsAction());
            if (m_monitoring->chartAction()->isEnabled())
                menu.addAction(m_monitoring->chartAction());
        }
        if (machines.size() > 1)
            menu.addAction(m_monitoring->compareAction());
        menu.addAction(m_openDetails);
        menu.addAction(m_editTags);
        menu.addSeparator();
        menu.addAction(m_refreshCloud);
        if (machines.size() == 1) {
            if (const Machine *m = m_model->machine(machines.first())) {
                const QString name = m->name;
                const QStringList ips = m->publicIps + m->privateIps;
                menu.addAction(tr("Copy name"), this, [name] { QApplication::clipboard()->setText(name); });
                if (!ips.isEmpty())
                    menu.addAction(tr("Copy IP address (%1)").arg(ips.first()), this,
                                   [ip = ips.first()] { QApplication::clipboard()->setText(ip); });
            }
        }
    } else if (selectedCloudId() != 0) {
        menu.addAction(m_refreshCloud);
        menu.addAction(m_openDetails);
        menu.addSeparator();
        menu.addAction(m_editCloud);
        menu.addAction(m_enableCloud);
        menu.addAction(m_removeCloud);
    } else {
        menu.addAction(m_addCloud);
        menu.addAction(m_refreshAll);
    }
    menu.popup(m_tree->viewport()->mapToGlobal(pos));
}

void MainWindow::showHeaderMenu(const QPoint &pos)
{
    QHeaderView *header = m_tree->header();
    auto *menuPtr = new QMenu(this);
    menuPtr->setAttribute(Qt::WA_DeleteOnClose);
    QMenu &menu = *menuPtr;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        QAction *a = menu.addAction(m_model->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!header->isSectionHidden(c));
        a->setEnabled(c != InventoryModel::NameColumn);   // the tree needs its names
        connect(a, &QAction::toggled, header, [header, c](bool on) { header->setSectionHidden(c, !on); });
    }
    menu.popup(header->mapToGlobal(pos));
}

} // namespace mist
