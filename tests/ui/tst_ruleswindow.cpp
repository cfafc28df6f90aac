// The alert rules window on the offscreen platform, with the real AppCore and AlertService:
// a rule added through the editor (an invalid one first: the dialog stays open with the
// error), listed, disabled with its checkbox and saved in alerts.json; history from alerts.db
// and appended live; notifications in the status bar (no tray offscreen); secret webhook
// headers to the keychain only, deleted with the rule.
#include "uitestapp.h"

#include "alerts/alertactions.h"
#include "alerts/alertnotifier.h"
#include "alerts/alertservice.h"
#include "alerts/ruleeditordialog.h"
#include "alerts/ruleswindow.h"
#include "secrets/secretstore.h"

#include "sshtestserver.h"
#include "testsupport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>

#include <future>

using namespace mist;
using namespace uitest;

namespace {

QListWidgetItem *machineItem(QListWidget *list, const QString &name)
{
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->text().startsWith(name + QLatin1Char(' ')))
            return list->item(i);
    }
    return nullptr;
}

void clickOk(RuleEditorDialog *dialog)
{
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
}

} // namespace

class TestRulesWindow : public QObject
{
    Q_OBJECT

    const QString m_service = QStringLiteral("mist-ruleswindow-test-%1").arg(QCoreApplication::applicationPid());
    QTemporaryDir m_dir;
    std::unique_ptr<App> m_app;
    QPointer<RulesWindow> m_window;

    QString rulesPath() const { return AlertRuleBook::filePath(m_dir.path()); }

    AlertRuleBook fileBook() const
    {
        auto book = AlertRuleBook::load(rulesPath());
        return book ? book.value() : AlertRuleBook{};
    }

    QTreeWidgetItem *ruleRow(const QString &name) const
    {
        QTreeWidget *list = m_window->rulesView();
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            if (list->topLevelItem(i)->text(0) == name)
                return list->topLevelItem(i);
        }
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        qputenv("MIST_KEYCHAIN_SERVICE", m_service.toUtf8());
        QVERIFY(m_dir.isValid());
        {
            InventoryStore store;
            QVERIFY(store.open(m_dir.filePath(QStringLiteral("inventory.db"))).ok());
            Machine web1;
            web1.externalId = web1.name = QStringLiteral("web1");
            web1.state = QStringLiteral("running");
            Machine web2 = web1;
            web2.externalId = web2.name = QStringLiteral("web2");
            const QString added = test::addServerMachines(store, QStringLiteral("servers"), {web1, web2});
            QVERIFY2(added.isEmpty(), qPrintable(added));
        }
        {
            // History recorded before the window opens comes from alerts.db.
            AlertHistory history;
            QVERIFY(history.open(AlertHistory::filePath(m_dir.path())).ok());
            AlertHistoryEntry e;
            e.atMs = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
            e.ruleId = QStringLiteral("old-rule");
            e.ruleName = QStringLiteral("Old rule");
            e.machineName = QStringLiteral("web2");
            e.event = QStringLiteral("fired");
            e.message = QStringLiteral("from the database");
            QVERIFY(history.append(e).ok());
        }
        m_app = std::make_unique<App>(m_dir.path());
        QTRY_VERIFY_WITH_TIMEOUT(m_app->window->isReady(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_app->window->model()->machineCount() >= 2, kTimeoutMs);

        auto *action = m_app->window->findChild<QAction *>(QStringLiteral("actionAlertRules"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R));
        action->trigger();
        m_window = m_app->window->findChild<RulesWindow *>(QStringLiteral("rulesWindow"));
        QVERIFY(m_window);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isLoaded(), kTimeoutMs);
        action->trigger();   // opened once, raised again
        QCOMPARE(m_app->window->findChildren<RulesWindow *>().size(), 1);
    }

    void cleanupTestCase()
    {
        m_app.reset();
    }

    void historyFromDatabase()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_window->historyView()->topLevelItemCount() == 1, kTimeoutMs);
        QCOMPARE(m_window->historyView()->topLevelItem(0)->text(6), QStringLiteral("from the database"));
    }

    void addRuleThroughTheDialog()
    {
        QPointer<RuleEditorDialog> dialog = m_window->addRule();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());

        // Invalid first: no name. The dialog stays open and says why.
        clickOk(dialog);
        QTRY_VERIFY(!dialog->errorText().isEmpty());
        QVERIFY2(dialog->errorText().contains(QStringLiteral("name")), qPrintable(dialog->errorText()));
        QVERIFY(dialog->isVisible());

        dialog->findChild<QLineEdit *>(QStringLiteral("ruleName"))->setText(QStringLiteral("CPU high"));
        auto *metric = dialog->findChild<QComboBox *>(QStringLiteral("conditionMetric"));
        metric->setCurrentText(QStringLiteral("cpu.percent"));
        auto *threshold = dialog->findChild<QDoubleSpinBox *>(QStringLiteral("conditionThreshold"));
        threshold->setValue(150);   // impossible for a percentage
        dialog->findChild<QLineEdit *>(QStringLiteral("conditionFor"))->setText(QStringLiteral("2m"));
        clickOk(dialog);
        QTRY_VERIFY2(dialog->errorText().contains(QStringLiteral("percentage")), qPrintable(dialog->errorText()));
        threshold->setValue(85);
        clickOk(dialog);
        QTRY_VERIFY2(dialog->errorText().contains(QStringLiteral("machine")), qPrintable(dialog->errorText()));   // no target yet

        auto *machines = dialog->findChild<QListWidget *>(QStringLiteral("ruleMachines"));
        QListWidgetItem *web1 = machineItem(machines, QStringLiteral("web1"));
        QVERIFY(web1);
        web1->setCheckState(Qt::Checked);
        dialog->findChild<QLineEdit *>(QStringLiteral("conditionFor"))->setText(QStringLiteral("soon"));
        clickOk(dialog);
        QTRY_VERIFY2(dialog->errorText().contains(QStringLiteral("soon")), qPrintable(dialog->errorText()));
        QVERIFY(!QFileInfo::exists(rulesPath()));   // nothing saved by the failed attempts

        dialog->findChild<QLineEdit *>(QStringLiteral("conditionFor"))->setText(QStringLiteral("2m"));
        clickOk(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), kTimeoutMs);

        QTRY_VERIFY(ruleRow(QStringLiteral("CPU high")));
        QTreeWidgetItem *row = ruleRow(QStringLiteral("CPU high"));
        QVERIFY2(row->text(1).contains(QStringLiteral("cpu.percent avg over 5m > 85 for 2m")), qPrintable(row->text(1)));
        QCOMPARE(row->text(2), QStringLiteral("web1"));
        QCOMPARE(row->text(3), QStringLiteral("notify"));
        QCOMPARE(row->checkState(0), Qt::Checked);

        const AlertRuleBook saved = fileBook();
        QCOMPARE(saved.rules().size(), 1);
        const AlertRule &r = saved.rules().first();
        QCOMPARE(r.rule.name, QStringLiteral("CPU high"));
        QCOMPARE(r.rule.condition.threshold, 85.0);
        QCOMPARE(r.rule.condition.forMs, 2 * 60 * 1000);
        QCOMPARE(r.machineIds.size(), 1);
        QCOMPARE(r.actions.size(), 1);
        QCOMPARE(r.actions.first().kind, AlertAction::Kind::Notify);
        // The service picked it up.
        QTRY_VERIFY_WITH_TIMEOUT(m_app->core->alerts()->rules().find(QStringLiteral("CPU high")), kTimeoutMs);
    }

    void disableWithTheCheckbox()
    {
        QTreeWidgetItem *row = ruleRow(QStringLiteral("CPU high"));
        QVERIFY(row);
        row->setCheckState(0, Qt::Unchecked);
        QTRY_VERIFY_WITH_TIMEOUT(!fileBook().rules().isEmpty() && !fileBook().rules().first().rule.enabled, kTimeoutMs);
        QTRY_COMPARE(ruleRow(QStringLiteral("CPU high"))->text(4), QStringLiteral("disabled"));

        // And back on with the button.
        m_window->rulesView()->setCurrentItem(ruleRow(QStringLiteral("CPU high")));
        auto *toggle = m_window->findChild<QPushButton *>(QStringLiteral("toggleRule"));
        QVERIFY(toggle->isEnabled());
        toggle->click();
        QTRY_VERIFY_WITH_TIMEOUT(fileBook().rules().first().rule.enabled, kTimeoutMs);
    }

    void editKeepsTheId()
    {
        QVERIFY(fileBook().find(QStringLiteral("CPU high")));
        const QString id = fileBook().find(QStringLiteral("CPU high"))->rule.id;
        m_window->rulesView()->setCurrentItem(ruleRow(QStringLiteral("CPU high")));
        QPointer<RuleEditorDialog> dialog = m_window->editSelected();
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("ruleName"))->text(), QStringLiteral("CPU high"));
        QCOMPARE(dialog->findChild<QDoubleSpinBox *>(QStringLiteral("conditionThreshold"))->value(), 85.0);
        dialog->findChild<QLineEdit *>(QStringLiteral("ruleName"))->setText(QStringLiteral("CPU very high"));
        dialog->findChild<QDoubleSpinBox *>(QStringLiteral("conditionThreshold"))->setValue(95);
        clickOk(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), kTimeoutMs);
        const AlertRuleBook saved = fileBook();
        QCOMPARE(saved.rules().size(), 1);
        QCOMPARE(saved.rules().first().rule.id, id);
        QCOMPARE(saved.rules().first().rule.name, QStringLiteral("CPU very high"));
        QCOMPARE(saved.rules().first().rule.condition.threshold, 95.0);
    }

    void historyAppendedLive()
    {
        m_window->rulesView()->setCurrentItem(ruleRow(QStringLiteral("CPU very high")));
        QVERIFY(fileBook().find(QStringLiteral("CPU very high")));
        const QString id = fileBook().find(QStringLiteral("CPU very high"))->rule.id;
        QTRY_COMPARE_WITH_TIMEOUT(m_window->historyView()->topLevelItemCount(), 0, kTimeoutMs);   // filtered to this rule

        AlertHistoryEntry other;
        other.atMs = QDateTime::currentMSecsSinceEpoch();
        other.ruleId = QStringLiteral("old-rule");
        other.event = QStringLiteral("resolved");
        emit m_app->core->alerts()->historyAppended(other);
        AlertHistoryEntry e = other;
        e.ruleId = id;
        e.ruleName = QStringLiteral("CPU very high");
        e.machineName = QStringLiteral("web1");
        e.event = QStringLiteral("action");
        e.action = QStringLiteral("webhook");
        e.success = false;
        e.message = QStringLiteral("HTTP 500 from hooks.example.com");
        emit m_app->core->alerts()->historyAppended(e);
        QCOMPARE(m_window->historyView()->topLevelItemCount(), 1);
        QTreeWidgetItem *row = m_window->historyView()->topLevelItem(0);
        QCOMPARE(row->text(2), QStringLiteral("web1"));
        QCOMPARE(row->text(5), QStringLiteral("failed"));
        QCOMPARE(row->text(6), QStringLiteral("HTTP 500 from hooks.example.com"));
    }

    void notificationsInTheStatusBar()
    {
        auto *actions = m_app->window->findChild<AlertActions *>();
        QVERIFY(actions);
        QVERIFY(!actions->notifier()->hasTray());   // offscreen: no system tray
        emit m_app->core->alerts()->notify(QStringLiteral("CPU very high"), QStringLiteral("web1: cpu.percent avg 97"), false);
        QVERIFY2(m_app->window->statusBar()->currentMessage().contains(QStringLiteral("web1: cpu.percent avg 97")),
                 qPrintable(m_app->window->statusBar()->currentMessage()));
        emit m_app->core->alerts()->notify(QStringLiteral("CPU very high"), QStringLiteral("web1 is back"), true);
        QVERIFY(m_app->window->statusBar()->currentMessage().contains(QStringLiteral("Resolved")));
    }

    void secretHeadersAndRemoval()
    {
        MIST_REQUIRE_KEYCHAIN();
        QTest::failOnWarning(QRegularExpression(QStringLiteral("keychain call on the GUI thread")));
        const QString secret = QStringLiteral("Bearer ui-s3cr3t-%1").arg(QCoreApplication::applicationPid());
        QPointer<RuleEditorDialog> dialog = m_window->addRule();
        QVERIFY(dialog);
        dialog->findChild<QLineEdit *>(QStringLiteral("ruleName"))->setText(QStringLiteral("Stopped"));
        auto *kind = dialog->findChild<QComboBox *>(QStringLiteral("conditionKind"));
        kind->setCurrentIndex(kind->findData(int(RuleCondition::Kind::StateChanged)));
        QVERIFY(!dialog->findChild<QComboBox *>(QStringLiteral("conditionMetric"))->isVisibleTo(dialog));
        QVERIFY(dialog->findChild<QComboBox *>(QStringLiteral("conditionToState"))->isVisibleTo(dialog));
        dialog->findChild<QComboBox *>(QStringLiteral("conditionToState"))->setCurrentText(QStringLiteral("stopped"));
        dialog->findChild<QLineEdit *>(QStringLiteral("ruleTags"))->setText(QStringLiteral("env=prod"));

        // Replace the default notification with a webhook that has a secret header.
        dialog->findChild<QPushButton *>(QStringLiteral("removeAction"))->click();
        QCOMPARE(dialog->findChild<QListWidget *>(QStringLiteral("ruleActions"))->count(), 0);
        dialog->findChild<QAction *>(QStringLiteral("addAction-webhook"))->trigger();
        dialog->findChild<QLineEdit *>(QStringLiteral("webhookUrl"))->setText(QStringLiteral("https://hooks.example.com/x"));
        auto *headers = dialog->findChild<QTableWidget *>(QStringLiteral("webhookHeaders"));
        dialog->findChild<QPushButton *>(QStringLiteral("addHeader"))->click();
        QCOMPARE(headers->rowCount(), 1);
        static_cast<QLineEdit *>(headers->cellWidget(0, 0))->setText(QStringLiteral("Authorization"));
        static_cast<QCheckBox *>(headers->cellWidget(0, 2))->setChecked(true);
        QCOMPARE(static_cast<QLineEdit *>(headers->cellWidget(0, 1))->echoMode(), QLineEdit::Password);
        clickOk(dialog);   // a new secret header needs its value
        QTRY_VERIFY2(dialog->errorText().contains(QStringLiteral("Authorization")), qPrintable(dialog->errorText()));
        static_cast<QLineEdit *>(headers->cellWidget(0, 1))->setText(secret);
        clickOk(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), kTimeoutMs);

        const AlertRuleBook book = fileBook();
        const AlertRule *saved = book.find(QStringLiteral("Stopped"));
        QVERIFY(saved);
        const QString id = saved->rule.id;
        QCOMPARE(saved->rule.condition.kind, RuleCondition::Kind::StateChanged);
        QCOMPARE(saved->rule.condition.toState, QStringLiteral("stopped"));
        QCOMPARE(saved->tags, QStringList{QStringLiteral("env=prod")});
        QCOMPARE(saved->actions.size(), 1);
        QCOMPARE(saved->actions.first().secretHeaderNames, QStringList{QStringLiteral("Authorization")});
        QVERIFY(saved->actions.first().headers.isEmpty());
        QCOMPARE(test::filesContaining(m_dir.path(), secret.toUtf8()), QStringList());
        // Read on a worker like the app does: a keychain call on the GUI thread fails this test.
        const auto readSecret = [this, id] {
            // std::async: a QFuture's result() may run the task on the waiting (GUI) thread.
            return std::async(std::launch::async, [service = m_service, id] {
                       return SecretStore(service).read(QStringLiteral("alert/") + id, QStringLiteral("header:Authorization"));
                   })
                .get();
        };
        auto value = readSecret();
        QVERIFY2(value.ok(), qPrintable(value.error().toString()));
        QCOMPARE(value.value(), secret);

        // Removing asks, then deletes the rule and its secret.
        m_window->rulesView()->setCurrentItem(ruleRow(QStringLiteral("Stopped")));
        m_window->removeSelected();
        QMessageBox *ask = nullptr;
        QTRY_VERIFY((ask = m_window->findChild<QMessageBox *>(QStringLiteral("confirmRemoveRule"))));
        ask->button(QMessageBox::Yes)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!fileBook().find(QStringLiteral("Stopped")), kTimeoutMs);
        QVERIFY(!ruleRow(QStringLiteral("Stopped")));
        QTRY_VERIFY_WITH_TIMEOUT(!readSecret().ok(), kTimeoutMs);
        QVERIFY(fileBook().find(QStringLiteral("CPU very high")));   // the other rule stays
    }
};

QTEST_MAIN(TestRulesWindow)
#include "tst_ruleswindow.moc"
