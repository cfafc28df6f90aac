#pragma once

#include "alerts/alertrule.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QSet>

#include <functional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

namespace mist {

class AlertService;

// A machine the rule editor offers as a target (from the main window's inventory).
struct MachineChoice
{
    qint64 id = 0;
    QString name;
    QString cloud;
};

// Edits every field of an AlertRule. OK validates (AlertRuleBook rules plus secret header
// values), writes new secret header values to the keychain on a worker, saves the rule book
// through AlertService::setRules and only then closes; any error is shown in the dialog,
// which stays open. Secret header values never go into the rule, only their names.
class RuleEditorDialog : public QDialog
{
    Q_OBJECT
public:
    // `book`: the current rules; `existing`: the rule to edit (null: a new rule).
    RuleEditorDialog(AlertService *service, const AlertRuleBook &book, const AlertRule *existing,
                     const QVector<MachineChoice> &machines, QWidget *parent = nullptr);

    // What OK checks the rule against first (default: the book given to the constructor); the
    // save itself applies the rule to the file as it is then (AlertService::changeRules).
    void setBookSource(std::function<AlertRuleBook()> source) { m_bookSource = std::move(source); }

    // The fields as a rule (without validation); the id of the edited rule, "" for a new one.
    AlertRule rule();
    QString errorText() const;
    bool isBusy() const { return m_busy; }

    void accept() override;
    // Ignored while saving: the keychain and the rules file are being written, and the rules
    // window must hear how it ended.
    void reject() override;

signals:
    // After a successful save: the whole book as written, and the rule with its id.
    void saved(const mist::AlertRuleBook &book, const mist::AlertRule &rule);

private:
    struct ActionDraft
    {
        AlertAction action;
        QHash<QString, QString> secretValues;   // typed in this dialog, not yet in the keychain
    };

    QWidget *buildCondition();
    QWidget *buildTargets(const QVector<MachineChoice> &machines);
    QWidget *buildActions();
    QWidget *buildWebhookPage();
    void load(const AlertRule &rule);
    void updateConditionRows();
    void filterMachines(const QString &text);

    void addAction(AlertAction::Kind kind);
    void removeAction();
    void selectAction(int row);
    void storeCurrentAction();
    void loadCurrentAction();
    void refreshActionTexts();
    void addHeaderRow(const QString &name, const QString &value, bool secret, bool stored);
    void testAction();

    // Fields -> rule; an Error for what the fields cannot express (a bad duration).
    Result<AlertRule> collect(QHash<QString, QString> *secretValues) const;
    void showError(const QString &text);
    void setBusy(bool busy);
    void commit(const AlertRule &rule, const QHash<QString, QString> &secretValues);

    QPointer<AlertService> m_service;
    AlertRuleBook m_book;
    std::function<AlertRuleBook()> m_bookSource;
    QString m_id;
    QSet<QString> m_storedSecrets;   // secret header names the keychain holds for this rule
    bool m_busy = false;

    QLineEdit *m_name;
    QCheckBox *m_enabled;
    QFormLayout *m_conditionForm;
    QComboBox *m_kind;
    QComboBox *m_metric;
    QLineEdit *m_label;
    QComboBox *m_aggregate;
    QComboBox *m_compare;
    QDoubleSpinBox *m_threshold;
    QLineEdit *m_window;
    QLineEdit *m_for;
    QComboBox *m_toState;
    QLineEdit *m_renotify;
    QLineEdit *m_cooldown;

    QLineEdit *m_machineFilter;
    QListWidget *m_machines;
    QLineEdit *m_tags;

    QVector<ActionDraft> m_actions;
    int m_current = -1;
    QListWidget *m_actionList;
    QPushButton *m_removeAction;
    QPushButton *m_testAction;
    QStackedWidget *m_actionPages;
    QCheckBox *m_notifyResolve;
    QLineEdit *m_url;
    QComboBox *m_method;
    QTableWidget *m_headers;
    QPlainTextEdit *m_body;
    QSpinBox *m_timeout;
    QSpinBox *m_retries;
    QCheckBox *m_hookResolve;
    QLineEdit *m_command;
    QComboBox *m_lifecycle;
    QCheckBox *m_allowDestructive;
    QLabel *m_testResult;

    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace mist
