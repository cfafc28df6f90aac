#pragma once

#include "alerts/alertrule.h"
#include "alerts/alertservice.h"
#include "ruleeditordialog.h"

#include <QPointer>
#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace mist {


// The alert rules window: the rules (name with the enabled checkbox, condition, targets,
// actions, state from AlertService::states) with Add / Edit / Remove / Enable, and below the
// history of the selected rule (every rule when none is selected), updated live from
// AlertService::historyAppended. The rules file is read on a worker; changes are saved
// through AlertService::setRules (its worker), secrets through the keychain worker.
class RulesWindow : public QWidget
{
    Q_OBJECT
public:
    using MachineSource = std::function<QVector<MachineChoice>()>;

    RulesWindow(AlertService *service, const QString &rulesPath, MachineSource machines, QWidget *parent = nullptr);

    const AlertRuleBook &book() const { return m_book; }
    bool isLoaded() const { return m_loaded; }
    QTreeWidget *rulesView() const { return m_rules; }
    QTreeWidget *historyView() const { return m_history; }
    QString statusText() const;

    // Opens the editor for a new rule / the selected rule (non-modal; returned for tests).
    RuleEditorDialog *addRule();
    RuleEditorDialog *editSelected();
    void removeSelected();            // asks first
    void setSelectedEnabled(bool enabled);
    void reload();

signals:
    void loaded();
    void bookSaved();

private:
    QString selectedId() const;
    void fill();
    void selectRule(const QString &id);
    void updateStates();
    void updateButtons();
    void loadHistory();
    void appendHistory(const AlertHistoryEntry &entry);
    void addHistoryRow(const AlertHistoryEntry &entry, bool atTop);
    void change(const AlertService::RulesChange &change, std::function<void()> afterSave = {});
    static AlertService::RulesChange enabledChange(const QString &id, bool enabled);
    void showStatus(const QString &text, bool error);
    RuleEditorDialog *openEditor(const AlertRule *existing);
    QHash<qint64, QString> machineNames() const;

    QPointer<AlertService> m_service;
    QString m_rulesPath;
    MachineSource m_machineSource;
    AlertRuleBook m_book;
    bool m_loaded = false;
    bool m_filling = false;
    int m_historyRequest = 0;

    QTreeWidget *m_rules;
    QTreeWidget *m_history;
    QLabel *m_historyTitle;
    QLabel *m_status;
    QPushButton *m_add;
    QPushButton *m_edit;
    QPushButton *m_remove;
    QPushButton *m_toggle;
};

} // namespace mist
