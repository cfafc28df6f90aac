// The main window end to end: real AppCore (store thread, poller, action runner), the real
// libvirt provider on libvirt's test driver, real dialogs, on the offscreen platform.

#include "audit/auditlogmodel.h"
#include "audit/auditlogview.h"
#include "clouds/clouddialog.h"
#include "inventory/inventoryfilterproxy.h"
#include "inventory/inventorymodel.h"
#include "mainwindow/detailspane.h"
#include "mainwindow/mainwindow.h"
#include "mainwindow/searchbar.h"
#include "mainwindow/statusindicator.h"
#include "services/appcore.h"
#include "tags/tageditordialog.h"
#include "util/datalocation.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QPointer>
#include <QSpinBox>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <memory>

using namespace mist;

namespace {

constexpr int kPollTimeoutMs = 20000;

const QString kTestNode = QStringLiteral(MIST_TEST_DATA_DIR "/libvirt/testnode.xml");

// One app instance on its own data folder.
struct App
{
    explicit App(const QString &dir)
    {
        auto location = DataLocation::resolve(dir);
        if (!location)
            qFatal("data dir: %s", qPrintable(location.error().toString()));
        core = std::make_unique<AppCore>(location.value());
        window = std::make_unique<MainWindow>(core.get());
        window->show();
        core->start();
    }
    ~App()
    {
        if (window)
            window->close();
        window.reset();   // the window before the core, like main()
        core.reset();
    }

    std::unique_ptr<AppCore> core;
    std::unique_ptr<MainWindow> window;
};

QAction *action(MainWindow *w, const char *name)
{
    auto *a = w->findChild<QAction *>(QString::fromLatin1(name));
    if (!a)
        qFatal("no action %s", name);
    return a;
}

// The plain name of a row (the cloud row's text also counts its machines).
QString rowName(const QModelIndex &index)
{
    const auto *proxy = qobject_cast<const QSortFilterProxyModel *>(index.model());
    const QModelIndex source = proxy ? proxy->mapToSource(index) : index;
    const auto *model = qobject_cast<const InventoryModel *>(source.model());
    if (source.data(InventoryModel::NodeTypeRole).toString() == QLatin1String("cloud"))
        return model->cloudAt(source)->name;
    const Machine *m = model->machineAt(source);
    return m ? m->name : QString();
}

// Depth-first search of the rows of `model` for the first one named `name`.
QModelIndex findRow(const QAbstractItemModel *model, const QString &name, const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, InventoryModel::NameColumn, parent);
        if (rowName(i) == name)
            return i;
        const QModelIndex below = findRow(model, name, i);
        if (below.isValid())
            return below;
    }
    return {};
}

// Names of every row shown (machines and clouds), depth first.
QStringList shownNames(const QAbstractItemModel *model, const QModelIndex &parent = {})
{
    QStringList out;
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, InventoryModel::NameColumn, parent);
        out << rowName(i) << shownNames(model, i);
    }
    return out;
}

QStringList childNames(const QAbstractItemModel *model, const QModelIndex &parent)
{
    QStringList out;
    for (int r = 0; r < model->rowCount(parent); ++r)
        out << rowName(model->index(r, InventoryModel::NameColumn, parent));
    out.sort();
    return out;
}

qint64 machineId(const QModelIndex &index)
{
    return index.data(InventoryModel::MachineIdRole).toLongLong();
}

QString stateOf(MainWindow *w, qint64 id)
{
    const Machine *m = w->model()->machine(id);
    return m ? m->state : QString();
}

// The add-cloud dialog, opened from the menu action like a user would.
CloudDialog *openAddCloudDialog(MainWindow *w)
{
    action(w, "actionAddCloud")->trigger();
    CloudDialog *dialog = nullptr;
    for (int i = 0; i < 100 && !dialog; ++i) {
        dialog = w->findChild<CloudDialog *>();
        if (!dialog)
            QTest::qWait(20);
    }
    return dialog;
}

void fillLibvirtForm(CloudDialog *dialog, const QString &name, const QString &uri)
{
    auto *combo = dialog->findChild<QComboBox *>(QStringLiteral("providerCombo"));
    QVERIFY(combo);
    const int libvirt = combo->findData(QStringLiteral("libvirt"));
    QVERIFY(libvirt >= 0);
    combo->setCurrentIndex(libvirt);
    QCOMPARE(combo->currentText(), QStringLiteral("KVM (libvirt)"));
    auto *nameEdit = dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
    auto *uriEdit = dialog->findChild<QLineEdit *>(QStringLiteral("field_uri"));
    auto *passwordEdit = dialog->findChild<QLineEdit *>(QStringLiteral("field_password"));
    QVERIFY(nameEdit && uriEdit && passwordEdit);
    QCOMPARE(passwordEdit->echoMode(), QLineEdit::Password);
    nameEdit->setText(name);
    uriEdit->setText(uri);
}

void clickOk(QDialog *dialog)
{
    auto *buttons = dialog->findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"));
    QVERIFY(buttons);
    QVERIFY(buttons->button(QDialogButtonBox::Ok)->isEnabled());
    buttons->button(QDialogButtonBox::Ok)->click();
}

// Adds the test-driver host as `name` through the dialog; `hypervisor` gets its host's row.
void addTestNode(MainWindow *w, QModelIndex *hypervisor, const QString &name = QStringLiteral("kvm1"))
{
    QPointer<CloudDialog> dialog = openAddCloudDialog(w);
    QVERIFY(dialog);
    fillLibvirtForm(dialog, name, kTestNode);
    if (QTest::currentTestFailed())
        return;
    clickOk(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull(), 10000);   // closed (and deleted) on success
    QTRY_VERIFY_WITH_TIMEOUT((*hypervisor = findRow(w->model(), QStringLiteral("web-1")).parent()).isValid(), kPollTimeoutMs);
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void addCloudSearchAndAct();
    void badUriKeepsDialogOpen();
    void duplicateNameIsRefusedInline();
    void tagsFromTheDialog();
    void discoveryOfferAdds();
    void layoutIsRestored();
    void corruptInventoryShowsErrorAndKeepsFile();

private:
    void saveScreenshot(QWidget *w, const QString &name);
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QFile::exists(kTestNode), qPrintable(kTestNode));
}

void TestMainWindow::saveScreenshot(QWidget *w, const QString &name)
{
    // MIST_SCREENSHOT_DIR=/tmp/shots keeps pictures of the window for a human to look at.
    const QString dir = qEnvironmentVariable("MIST_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        w->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

void TestMainWindow::addCloudSearchAndAct()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    App app(dir.path());
    MainWindow *w = app.window.get();
    QTRY_VERIFY(w->isReady());
    QAbstractItemModelTester proxyTester(w->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester auditTester(w->auditLog()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Add the libvirt test host: its domains appear under the host's hypervisor row.
    QModelIndex hypervisor;
    addTestNode(w, &hypervisor);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(rowName(hypervisor.parent()), QStringLiteral("kvm1"));
    QTRY_COMPARE_WITH_TIMEOUT(childNames(w->model(), hypervisor),
                              QStringList({"batch-1", "broken-1", "db-1", "sleepy-1", "web-1", "web-2"}), kPollTimeoutMs);
    const qint64 web1 = machineId(findRow(w->model(), QStringLiteral("web-1")));
    const qint64 web2 = machineId(findRow(w->model(), QStringLiteral("web-2")));
    QVERIFY(web1 && web2);
    QTRY_COMPARE(stateOf(w, web1), QStringLiteral("running"));
    QTRY_VERIFY(w->statusIndicator()->countsText().contains(QStringLiteral("Clouds: 2")));
    // The tree shows them (clouds and hosts open by default).
    const QModelIndex web1InTree = w->proxy()->mapFromSource(w->model()->indexForMachine(web1));
    QVERIFY(web1InTree.isValid());
    QVERIFY(w->tree()->isExpanded(web1InTree.parent()));
    saveScreenshot(w, QStringLiteral("mainwindow-added"));

    // Search as you type: only matches and their ancestors stay.
    QLineEdit *search = w->searchBar()->lineEdit();
    w->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(w));
    QTest::keyClick(w, Qt::Key_F, Qt::ControlModifier);   // the Find shortcut
    QTRY_VERIFY(search->hasFocus());
    QTest::keyClicks(search, QStringLiteral("web-"));
    QTRY_COMPARE(w->proxy()->searchText(), QStringLiteral("web-"));
    QStringList shown = shownNames(w->proxy());
    QCOMPARE(shown.size(), 4);
    QVERIFY(shown.contains(QStringLiteral("kvm1")));
    QVERIFY(shown.contains(rowName(hypervisor)));
    QVERIFY(shown.contains(QStringLiteral("web-1")));
    QVERIFY(shown.contains(QStringLiteral("web-2")));
    QVERIFY(!shown.contains(QStringLiteral("db-1")));
    QCOMPARE(w->proxy()->matchCount(), 2);
    QTRY_VERIFY(w->statusIndicator()->countsText().contains(QStringLiteral("Shown: 2")));

    // A query that does not parse: error inline, previous filter kept.
    search->selectAll();
    QTest::keyClicks(search, QStringLiteral("state:running AND (web"));
    auto *searchError = w->findChild<QLabel *>(QStringLiteral("searchErrorLabel"));
    QVERIFY(searchError);
    QTRY_VERIFY(searchError->isVisible());
    QVERIFY(!searchError->text().isEmpty());
    QCOMPARE(w->proxy()->searchText(), QStringLiteral("web-"));
    QCOMPARE(shownNames(w->proxy()), shown);
    saveScreenshot(w, QStringLiteral("mainwindow-search-error"));

    // A field query; then Esc clears everything.
    search->selectAll();
    QTest::keyClicks(search, QStringLiteral("state:running AND cloud:kvm1"));
    QTRY_COMPARE(w->proxy()->searchText(), QStringLiteral("state:running AND cloud:kvm1"));
    QVERIFY(searchError->isHidden());
    shown = shownNames(w->proxy());
    QVERIFY(shown.contains(QStringLiteral("web-1")));
    QVERIFY(!shown.contains(QStringLiteral("db-1")));        // stopped
    QVERIFY(!shown.contains(QStringLiteral("batch-1")));     // paused
    QTest::keyClick(search, Qt::Key_Escape);
    QTRY_VERIFY(w->proxy()->searchText().isEmpty());
    QVERIFY(search->text().isEmpty());
    QVERIFY(shownNames(w->proxy()).contains(QStringLiteral("db-1")));

    // Suspend web-1 from the details pane.
    w->selectMachine(web1);
    QCOMPARE(w->selectedMachineIds(), QVector<qint64>{web1});
    QPushButton *suspend = nullptr;
    QTRY_VERIFY((suspend = w->detailsPane()->findChild<QPushButton *>(QStringLiteral("action_suspend"))) != nullptr);
    QVERIFY(action(w, "actionStop")->isEnabled());
    QVERIFY(!action(w, "actionStart")->isEnabled());
    bool found = false;
    for (const DetailsPane::Row &row : w->detailsPane()->rows())
        found = found || (row.label == QStringLiteral("External ID") && row.value == QStringLiteral("11111111-1111-4111-8111-111111111111"));
    QVERIFY2(found, "the details pane shows the external id");
    QTest::qWait(50);   // new buttons show on the next event loop pass
    saveScreenshot(w, QStringLiteral("mainwindow-machine"));
    suspend->click();
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(w, web1), QStringLiteral("paused"), kPollTimeoutMs);
    const QModelIndex stateCell = w->proxy()->mapFromSource(w->model()->indexForMachine(web1)).siblingAtColumn(InventoryModel::StateColumn);
    QTRY_VERIFY(stateCell.data().toString().contains(QStringLiteral("paused"), Qt::CaseInsensitive));
    QTRY_VERIFY(action(w, "actionResume")->isEnabled());

    // Force off (destructive) asks first, naming the machine; Cancel leaves it alone.
    QPushButton *forceOff = nullptr;
    QTRY_VERIFY((forceOff = w->detailsPane()->findChild<QPushButton *>(QStringLiteral("action_power-off"))) != nullptr);
    forceOff->click();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) != nullptr);
    QVERIFY2(box->text().contains(QStringLiteral("web-1")), qPrintable(box->text()));
    saveScreenshot(box, QStringLiteral("confirm-force-off"));
    box->button(QMessageBox::Cancel)->click();
    QTest::qWait(300);
    QCOMPARE(stateOf(w, web1), QStringLiteral("paused"));

    // ... and Yes runs it, answering from a timer like a user would.
    QTRY_VERIFY((forceOff = w->detailsPane()->findChild<QPushButton *>(QStringLiteral("action_power-off"))) != nullptr);
    bool answered = false;
    QTimer::singleShot(0, this, [&answered] {
        if (auto *b = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            answered = b->text().contains(QStringLiteral("web-1"));
            b->button(QMessageBox::Yes)->click();
        }
    });
    forceOff->click();
    QTRY_VERIFY(answered);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(w, web1), QStringLiteral("stopped"), kPollTimeoutMs);

    // Several machines: Suspend on web-1 (stopped) and web-2 (running) runs only where allowed.
    w->tree()->selectionModel()->clearSelection();
    for (qint64 id : {web1, web2})
        w->tree()->selectionModel()->select(w->proxy()->mapFromSource(w->model()->indexForMachine(id)),
                                            QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(w->selectedMachineIds().size(), 2);
    QTRY_VERIFY(action(w, "actionSuspend")->isEnabled());
    action(w, "actionSuspend")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(w, web2), QStringLiteral("paused"), kPollTimeoutMs);
    QCOMPARE(stateOf(w, web1), QStringLiteral("stopped"));

    // The audit log lists the actions with their outcome.
    AuditLogModel *audit = w->auditLog()->model();
    auto auditHas = [audit](const QString &act, const QString &target) {
        for (int r = 0; r < audit->rowCount(); ++r)
            if (audit->entry(r).action == act && audit->entry(r).target == target && audit->entry(r).success)
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(auditHas(QStringLiteral("machine.suspend"), QStringLiteral("web-1")), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(auditHas(QStringLiteral("machine.power-off"), QStringLiteral("web-1")), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(auditHas(QStringLiteral("machine.suspend"), QStringLiteral("web-2")), 10000);
    QVERIFY(!auditHas(QStringLiteral("machine.suspend"), QStringLiteral("db-1")));
    // Its filter box narrows the rows (through the store, like every read).
    QTest::keyClicks(w->auditLog()->filterEdit(), QStringLiteral("power-off"));
    QTRY_VERIFY(audit->rowCount() > 0 && auditHas(QStringLiteral("machine.power-off"), QStringLiteral("web-1"))
                && !auditHas(QStringLiteral("machine.suspend"), QStringLiteral("web-2")));

    // The cloud row: details show its provider and status; no secrets.
    w->selectCloud(w->model()->cloudAt(hypervisor.parent())->id);
    QTRY_VERIFY(w->detailsPane()->findChild<QPushButton *>(QStringLiteral("details_cloud_refresh")) != nullptr);
    QStringList labels;
    for (const DetailsPane::Row &row : w->detailsPane()->rows())
        labels << row.label + QLatin1Char('=') + row.value;
    QVERIFY2(labels.contains(QStringLiteral("Provider=KVM (libvirt)")), qPrintable(labels.join(QLatin1Char('\n'))));
    QVERIFY2(labels.contains(QStringLiteral("Password=not set")), qPrintable(labels.join(QLatin1Char('\n'))));
    QVERIFY(action(w, "actionEditCloud")->isEnabled());
    saveScreenshot(w, QStringLiteral("mainwindow-cloud"));
}

void TestMainWindow::badUriKeepsDialogOpen()
{
    QTemporaryDir dir;
    App app(dir.path());
    MainWindow *w = app.window.get();
    QTRY_VERIFY(w->isReady());

    QPointer<CloudDialog> dialog = openAddCloudDialog(w);
    QVERIFY(dialog);
    fillLibvirtForm(dialog, QStringLiteral("bad"), QStringLiteral("not a uri"));
    if (QTest::currentTestFailed())
        return;
    auto *error = dialog->findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error);
    QVERIFY(error->isHidden());
    clickOk(dialog);
    QTRY_VERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("not a uri")), qPrintable(error->text()));
    QVERIFY(dialog->isVisible());
    // Everything typed is still there, and the buttons work again.
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->text(), QStringLiteral("bad"));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("field_uri"))->text(), QStringLiteral("not a uri"));
    QVERIFY(dialog->findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))->isEnabled());
    saveScreenshot(dialog, QStringLiteral("clouddialog-bad-uri"));

    // A missing required field is caught before anything is sent.
    dialog->findChild<QLineEdit *>(QStringLiteral("field_uri"))->clear();
    clickOk(dialog);
    QTRY_VERIFY(error->text().contains(QStringLiteral("URI")));
    QVERIFY(dialog->isVisible());

    dialog->reject();
    QTRY_VERIFY(dialog.isNull());
    QCOMPARE(shownNames(w->proxy()).contains(QStringLiteral("bad")), false);
}

void TestMainWindow::duplicateNameIsRefusedInline()
{
    QTemporaryDir dir;
    App app(dir.path());
    MainWindow *w = app.window.get();
    QTRY_VERIFY(w->isReady());
    QModelIndex hypervisor;
    addTestNode(w, &hypervisor);
    if (QTest::currentTestFailed())
        return;

    // The store refuses a second "kvm1"; the dialog says so and keeps the form.
    QPointer<CloudDialog> dialog = openAddCloudDialog(w);
    QVERIFY(dialog);
    fillLibvirtForm(dialog, QStringLiteral("kvm1"), kTestNode);
    if (QTest::currentTestFailed())
        return;
    clickOk(dialog);
    auto *error = dialog->findChild<QLabel *>(QStringLiteral("errorLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY(!error->text().isEmpty());
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->text(), QStringLiteral("kvm1"));
    // A new name then goes through.
    dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->setText(QStringLiteral("kvm2"));
    clickOk(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull(), 10000);
    QTRY_VERIFY(findRow(w->model(), QStringLiteral("kvm2")).isValid());

    // Editing: the provider is fixed and the secret field says it is left alone when empty.
    w->selectCloud(w->model()->cloudAt(findRow(w->model(), QStringLiteral("kvm2")))->id);
    action(w, "actionEditCloud")->trigger();
    QPointer<CloudDialog> edit;
    QTRY_VERIFY((edit = w->findChild<CloudDialog *>()) != nullptr);
    QVERIFY(edit->isEditing());
    QVERIFY(!edit->findChild<QComboBox *>(QStringLiteral("providerCombo"))->isEnabled());
    QCOMPARE(edit->findChild<QLineEdit *>(QStringLiteral("field_uri"))->text(), kTestNode);
    QVERIFY(edit->findChild<QLineEdit *>(QStringLiteral("field_password"))->text().isEmpty());
    edit->findChild<QSpinBox *>(QStringLiteral("intervalSpin"))->setValue(300);
    clickOk(edit);
    QTRY_VERIFY_WITH_TIMEOUT(edit.isNull(), 10000);
    QTRY_COMPARE(w->model()->cloudAt(findRow(w->model(), QStringLiteral("kvm2")))->pollIntervalSec, 300);
}

void TestMainWindow::tagsFromTheDialog()
{
    QTemporaryDir dir;
    App app(dir.path());
    MainWindow *w = app.window.get();
    QTRY_VERIFY(w->isReady());
    QModelIndex hypervisor;
    addTestNode(w, &hypervisor);
    if (QTest::currentTestFailed())
        return;
    const qint64 web2 = machineId(findRow(w->model(), QStringLiteral("web-2")));
    const qint64 db1 = machineId(findRow(w->model(), QStringLiteral("db-1")));

    for (qint64 id : {web2, db1})
        w->tree()->selectionModel()->select(w->proxy()->mapFromSource(w->model()->indexForMachine(id)),
                                            QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QTRY_VERIFY(action(w, "actionEditTags")->isEnabled());
    action(w, "actionEditTags")->trigger();
    QPointer<TagEditorDialog> dialog;
    QTRY_VERIFY((dialog = w->findChild<TagEditorDialog *>()) != nullptr);
    auto *quick = dialog->findChild<QLineEdit *>(QStringLiteral("newTagEdit"));
    QVERIFY(quick);
    QTest::keyClicks(quick, QStringLiteral("env=prod team=ops"));
    QTest::keyClick(quick, Qt::Key_Return);
    QCOMPARE(dialog->findChild<QTableWidget *>(QStringLiteral("tagTable"))->rowCount(), 2);
    clickOk(dialog);
    QTRY_VERIFY(dialog.isNull());
    QTRY_COMPARE(w->model()->machine(web2)->userTags.value(QStringLiteral("env")), QStringLiteral("prod"));
    QCOMPARE(w->model()->machine(db1)->userTags.value(QStringLiteral("team")), QStringLiteral("ops"));

    // The tags are searchable at once.
    QTest::keyClicks(w->searchBar()->lineEdit(), QStringLiteral("env:prod"));
    QTRY_COMPARE(w->proxy()->matchCount(), 2);

    // Remove one key from one machine: a single-machine dialog shows its tags plainly.
    w->selectMachine(web2);
    action(w, "actionEditTags")->trigger();
    QTRY_VERIFY((dialog = w->findChild<TagEditorDialog *>()) != nullptr);
    auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("tagTable"));
    QCOMPARE(table->rowCount(), 2);
    const int teamRow = table->item(0, 0)->text() == QStringLiteral("team") ? 0 : 1;
    table->selectRow(teamRow);
    dialog->findChild<QPushButton *>(QStringLiteral("removeTagButton"))->click();
    clickOk(dialog);
    QTRY_VERIFY(dialog.isNull());
    QTRY_VERIFY(!w->model()->machine(web2)->userTags.contains(QStringLiteral("team")));
    QCOMPARE(w->model()->machine(web2)->userTags.value(QStringLiteral("env")), QStringLiteral("prod"));
}

void TestMainWindow::discoveryOfferAdds()
{
    QTemporaryDir dir;
    App app(dir.path());
    MainWindow *w = app.window.get();
    QTRY_VERIFY(w->isReady());

    // What FirstRun::discoverLocal() would report for a local hypervisor (this machine has
    // none to find, so the signal is sent as AppCore would send it).
    DiscoveredCloud offer;
    offer.provider = QStringLiteral("libvirt");
    offer.name = QStringLiteral("kvm-local");
    offer.config.insert(QStringLiteral("uri"), kTestNode);
    offer.description = QStringLiteral("Local libvirt at test:///…");
    DiscoveredCloud taken = offer;   // same name twice: the second add must fail visibly
    emit app.core->discovered({offer, taken});
    auto *bar = w->findChild<QWidget *>(QStringLiteral("discoveryBar"));
    QVERIFY(bar);
    QTRY_VERIFY(bar->isVisible());
    const QList<QPushButton *> adds = bar->findChildren<QPushButton *>(QStringLiteral("discoveryAdd"));
    QCOMPARE(adds.size(), 2);
    QTRY_VERIFY(w->statusIndicator()->countsText().contains(QStringLiteral("Clouds: 1")));
    saveScreenshot(w, QStringLiteral("mainwindow-discovery"));

    QPointer<QPushButton> second = adds.at(1);
    adds.at(0)->click();
    QTRY_VERIFY_WITH_TIMEOUT(findRow(w->model(), QStringLiteral("kvm-local")).isValid(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(findRow(w->model(), QStringLiteral("web-1")).isValid(), kPollTimeoutMs);
    QVERIFY(bar->isVisible());   // the other offer is still there
    second->click();
    // The name is taken now: the offer stays, with the store's reason next to it.
    QTRY_VERIFY(second && second->isEnabled());
    bool errorShown = false;
    for (QLabel *label : bar->findChildren<QLabel *>())
        errorShown = errorShown || (label->isVisible() && label->styleSheet().contains(QLatin1String("c0392b"))
                                    && !label->text().isEmpty());
    QVERIFY(errorShown);
    bar->findChild<QToolButton *>(QStringLiteral("discoveryClose"))->click();
    QVERIFY(!bar->isVisible());
}

void TestMainWindow::layoutIsRestored()
{
    QTemporaryDir dir;
    {
        App app(dir.path());
        QTRY_VERIFY(app.window->isReady());
        app.window->tree()->header()->resizeSection(InventoryModel::NameColumn, 333);
        app.window->tree()->header()->setSectionHidden(InventoryModel::TagsColumn, true);
    }   // closing saves
    App app(dir.path());
    QTRY_VERIFY(app.window->isReady());
    QCOMPARE(app.window->tree()->header()->sectionSize(InventoryModel::NameColumn), 333);
    QVERIFY(app.window->tree()->header()->isSectionHidden(InventoryModel::TagsColumn));
}

void TestMainWindow::corruptInventoryShowsErrorAndKeepsFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("inventory.db"));
    QByteArray garbage;
    for (int i = 0; i < 4096; ++i)
        garbage += QByteArray::number(i * 7919 % 251) + "not a database ";
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(garbage);
    }
    const QByteArray before = QCryptographicHash::hash(garbage, QCryptographicHash::Sha256);

    {
        App app(dir.path());
        MainWindow *w = app.window.get();
        QTRY_VERIFY_WITH_TIMEOUT(!w->startError().isEmpty(), 10000);
        QVERIFY(!w->isReady());
        auto *label = w->findChild<QLabel *>(QStringLiteral("startErrorLabel"));
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QVERIFY(!label->text().isEmpty());
        QVERIFY(!w->tree()->isVisible());
        // Nothing that needs the store can be started.
        QVERIFY(!action(w, "actionAddCloud")->isEnabled());
        QVERIFY(!action(w, "actionRefreshAll")->isEnabled());
        action(w, "actionAddCloud")->trigger();
        QTest::qWait(100);
        QVERIFY(!w->findChild<CloudDialog *>());
        saveScreenshot(w, QStringLiteral("mainwindow-start-failed"));
    }

    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256), before);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
