#include "ruleeditordialog.h"

#include "alertsecrets.h"
#include "alerts/alertruletext.h"
#include "alerts/alertservice.h"
#include "inventory/machine.h"
#include "providers/provider.h"
#include "util/logging.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <limits>

namespace mist {

namespace {

constexpr int kIdRole = Qt::UserRole;

// Series every collector fills (contracts: "Series names in use").
const QStringList &knownMetrics()
{
    static const QStringList names{
        QStringLiteral("cpu.percent"),          QStringLiteral("load.1"),
        QStringLiteral("load.5"),               QStringLiteral("load.15"),
        QStringLiteral("mem.used_percent"),     QStringLiteral("mem.used_bytes"),
        QStringLiteral("mem.available_bytes"),  QStringLiteral("swap.used_bytes"),
        QStringLiteral("disk.used_percent"),    QStringLiteral("diskio.read_bytes_per_s"),
        QStringLiteral("diskio.write_bytes_per_s"), QStringLiteral("net.rx_bytes_per_s"),
        QStringLiteral("net.tx_bytes_per_s"),   QStringLiteral("uptime.seconds"),
    };
    return names;
}

enum HeaderColumn { HeaderName, HeaderValue, HeaderSecret };

QString kindTitle(AlertAction::Kind kind)
{
    switch (kind) {
    case AlertAction::Kind::Notify: return RuleEditorDialog::tr("Notification");
    case AlertAction::Kind::Webhook: return RuleEditorDialog::tr("Webhook");
    case AlertAction::Kind::Command: return RuleEditorDialog::tr("Command over SSH");
    case AlertAction::Kind::Lifecycle: return RuleEditorDialog::tr("Machine action");
    }
    return {};
}

QLineEdit *durationEdit(const QString &placeholder)
{
    auto *e = new QLineEdit;
    e->setPlaceholderText(placeholder);
    e->setToolTip(RuleEditorDialog::tr("A duration: 90s, 5m, 1h30m, 2d; 0 for none"));
    return e;
}

} // namespace

RuleEditorDialog::RuleEditorDialog(AlertService *service, const AlertRuleBook &book, const AlertRule *existing,
                                   const QVector<MachineChoice> &machines, QWidget *parent)
    : QDialog(parent), m_service(service), m_book(book)
{
    setObjectName(QStringLiteral("ruleEditorDialog"));
    setWindowTitle(existing ? tr("Edit alert rule") : tr("New alert rule"));

    auto *content = new QWidget;
    auto *form = new QVBoxLayout(content);
    auto *top = new QFormLayout;
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("ruleName"));
    m_enabled = new QCheckBox(tr("Enabled"));
    m_enabled->setObjectName(QStringLiteral("ruleEnabled"));
    m_enabled->setChecked(true);
    top->addRow(tr("&Name:"), m_name);
    top->addRow(QString(), m_enabled);
    form->addLayout(top);
    form->addWidget(buildCondition());
    form->addWidget(buildTargets(machines));
    form->addWidget(buildActions());

    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("ruleError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: palette(highlighted-text); background: #b3261e; padding: 4px;"));
    m_error->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &RuleEditorDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &RuleEditorDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    resize(720, 820);

    if (existing) {
        m_id = existing->rule.id;
        for (const AlertAction &a : existing->actions) {
            for (const QString &name : a.secretHeaderNames)
                m_storedSecrets.insert(name);
        }
        load(*existing);
    } else {
        addAction(AlertAction::Kind::Notify);   // the usual start
    }
    updateConditionRows();
}

QWidget *RuleEditorDialog::buildCondition()
{
    auto *box = new QGroupBox(tr("Condition"));
    m_conditionForm = new QFormLayout(box);
    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("conditionKind"));
    m_kind->addItem(tr("A metric crosses a threshold"), int(RuleCondition::Kind::Threshold));
    m_kind->addItem(tr("A metric has no data"), int(RuleCondition::Kind::NoData));
    m_kind->addItem(tr("The machine's state changes"), int(RuleCondition::Kind::StateChanged));
    m_metric = new QComboBox;
    m_metric->setObjectName(QStringLiteral("conditionMetric"));
    m_metric->setEditable(true);
    m_metric->addItems(knownMetrics());
    m_label = new QLineEdit;
    m_label->setObjectName(QStringLiteral("conditionLabel"));
    m_label->setPlaceholderText(tr("empty = the total (or a mount, interface, core: /, eth0, cpu0)"));
    m_aggregate = new QComboBox;
    for (auto a : {RuleCondition::Aggregate::Avg, RuleCondition::Aggregate::Max, RuleCondition::Aggregate::Min,
                   RuleCondition::Aggregate::Last})
        m_aggregate->addItem(AlertRuleText::aggregateName(a), int(a));
    m_compare = new QComboBox;
    m_compare->setObjectName(QStringLiteral("conditionCompare"));
    for (auto c : {RuleCondition::Compare::Greater, RuleCondition::Compare::GreaterOrEqual, RuleCondition::Compare::Less,
                   RuleCondition::Compare::LessOrEqual})
        m_compare->addItem(AlertRuleText::compareSymbol(c), int(c));
    m_threshold = new QDoubleSpinBox;
    m_threshold->setObjectName(QStringLiteral("conditionThreshold"));
    m_threshold->setRange(-1e15, 1e15);
    m_threshold->setDecimals(3);
    m_threshold->setValue(90);
    auto *comparison = new QHBoxLayout;
    comparison->addWidget(m_aggregate);
    comparison->addWidget(m_compare);
    comparison->addWidget(m_threshold, 1);
    auto *comparisonWidget = new QWidget;
    comparisonWidget->setLayout(comparison);
    comparison->setContentsMargins(0, 0, 0, 0);
    m_window = durationEdit(QStringLiteral("5m"));
    m_window->setObjectName(QStringLiteral("conditionWindow"));
    m_window->setText(QStringLiteral("5m"));
    m_for = durationEdit(QStringLiteral("0"));
    m_for->setObjectName(QStringLiteral("conditionFor"));
    m_toState = new QComboBox;
    m_toState->setObjectName(QStringLiteral("conditionToState"));
    m_toState->setEditable(true);
    m_toState->addItems({QString(), MachineState::Stopped, MachineState::Running, MachineState::Error,
                         QStringLiteral("unreachable"), QStringLiteral("paused")});
    m_toState->lineEdit()->setPlaceholderText(tr("any change"));

    m_conditionForm->addRow(tr("&When:"), m_kind);
    m_conditionForm->addRow(tr("&Metric:"), m_metric);
    m_conditionForm->addRow(tr("&Label:"), m_label);
    m_conditionForm->addRow(tr("Is:"), comparisonWidget);
    m_conditionForm->addRow(tr("Over the last:"), m_window);
    m_conditionForm->addRow(tr("Held for:"), m_for);
    m_conditionForm->addRow(tr("Changes &to:"), m_toState);
    m_renotify = durationEdit(tr("0 = once"));
    m_renotify->setObjectName(QStringLiteral("ruleRenotify"));
    m_cooldown = durationEdit(QStringLiteral("0"));
    m_cooldown->setObjectName(QStringLiteral("ruleCooldown"));
    m_conditionForm->addRow(tr("Notify again every:"), m_renotify);
    m_conditionForm->addRow(tr("Quiet after a resolve:"), m_cooldown);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &RuleEditorDialog::updateConditionRows);
    return box;
}

void RuleEditorDialog::updateConditionRows()
{
    const auto kind = RuleCondition::Kind(m_kind->currentData().toInt());
    const bool metric = kind != RuleCondition::Kind::StateChanged;
    const bool threshold = kind == RuleCondition::Kind::Threshold;
    m_conditionForm->setRowVisible(m_metric, metric);
    m_conditionForm->setRowVisible(m_label, metric);
    m_conditionForm->setRowVisible(m_threshold->parentWidget(), threshold);
    m_conditionForm->setRowVisible(m_window, threshold);
    m_conditionForm->setRowVisible(m_for, metric);
    m_conditionForm->setRowVisible(m_toState, !metric);
    if (auto *label = qobject_cast<QLabel *>(m_conditionForm->labelForField(m_for)))
        label->setText(threshold ? tr("Held for:") : tr("No data for:"));
    if (kind == RuleCondition::Kind::NoData && m_for->text().trimmed().isEmpty())
        m_for->setText(QStringLiteral("5m"));
}

QWidget *RuleEditorDialog::buildTargets(const QVector<MachineChoice> &machines)
{
    auto *box = new QGroupBox(tr("Machines"));
    auto *layout = new QVBoxLayout(box);
    m_machineFilter = new QLineEdit;
    m_machineFilter->setPlaceholderText(tr("Filter machines"));
    m_machineFilter->setClearButtonEnabled(true);
    m_machines = new QListWidget;
    m_machines->setObjectName(QStringLiteral("ruleMachines"));
    m_machines->setMinimumHeight(120);
    for (const MachineChoice &m : machines) {
        auto *item = new QListWidgetItem(m.cloud.isEmpty() ? m.name : tr("%1 (%2)").arg(m.name, m.cloud), m_machines);
        item->setData(kIdRole, m.id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    m_tags = new QLineEdit;
    m_tags->setObjectName(QStringLiteral("ruleTags"));
    m_tags->setPlaceholderText(tr("env=prod, team=db"));
    auto *tags = new QFormLayout;
    tags->addRow(tr("And every machine &tagged:"), m_tags);
    layout->addWidget(m_machineFilter);
    layout->addWidget(m_machines);
    layout->addLayout(tags);
    connect(m_machineFilter, &QLineEdit::textChanged, this, &RuleEditorDialog::filterMachines);
    return box;
}

void RuleEditorDialog::filterMachines(const QString &text)
{
    for (int i = 0; i < m_machines->count(); ++i) {
        QListWidgetItem *item = m_machines->item(i);
        item->setHidden(!text.isEmpty() && !item->text().contains(text, Qt::CaseInsensitive));
    }
}

QWidget *RuleEditorDialog::buildActions()
{
    auto *box = new QGroupBox(tr("Actions"));
    auto *layout = new QHBoxLayout(box);
    auto *left = new QVBoxLayout;
    m_actionList = new QListWidget;
    m_actionList->setObjectName(QStringLiteral("ruleActions"));
    m_actionList->setMaximumWidth(260);
    auto *add = new QPushButton(tr("&Add"));
    add->setObjectName(QStringLiteral("addAction"));
    auto *menu = new QMenu(add);
    for (auto kind : {AlertAction::Kind::Notify, AlertAction::Kind::Webhook, AlertAction::Kind::Command,
                      AlertAction::Kind::Lifecycle}) {
        QAction *a = menu->addAction(kindTitle(kind), this, [this, kind] { addAction(kind); });
        a->setObjectName(QStringLiteral("addAction-") + AlertRuleText::actionKindName(kind));
    }
    add->setMenu(menu);
    m_removeAction = new QPushButton(tr("Remo&ve"));
    m_removeAction->setObjectName(QStringLiteral("removeAction"));
    m_testAction = new QPushButton(tr("T&est"));
    m_testAction->setObjectName(QStringLiteral("testAction"));
    m_testAction->setToolTip(tr("Run this action now as if the rule fired on its first machine (secret headers: the saved "
                                "values; machine actions are only checked)"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(m_removeAction);
    buttons->addWidget(m_testAction);
    left->addWidget(m_actionList);
    left->addLayout(buttons);

    m_actionPages = new QStackedWidget;
    // Notify
    auto *notify = new QWidget;
    auto *notifyForm = new QFormLayout(notify);
    m_notifyResolve = new QCheckBox(tr("Also when the condition clears"));
    notifyForm->addRow(new QLabel(tr("A desktop notification (system tray).")));
    notifyForm->addRow(m_notifyResolve);
    m_actionPages->addWidget(notify);
    // Webhook
    m_actionPages->addWidget(buildWebhookPage());
    // Command
    auto *command = new QWidget;
    auto *commandForm = new QFormLayout(command);
    m_command = new QLineEdit;
    m_command->setObjectName(QStringLiteral("actionCommand"));
    m_command->setPlaceholderText(QStringLiteral("systemctl restart nginx"));
    commandForm->addRow(tr("Shell &command:"), m_command);
    commandForm->addRow(new QLabel(tr("Runs over SSH on the machine the rule fired for.")));
    m_actionPages->addWidget(command);
    // Lifecycle
    auto *life = new QWidget;
    auto *lifeForm = new QFormLayout(life);
    m_lifecycle = new QComboBox;
    m_lifecycle->setObjectName(QStringLiteral("actionLifecycle"));
    m_lifecycle->setEditable(true);
    for (const QString &id : {Action::Stop, Action::Reboot, Action::Restart, Action::PowerOff, Action::Destroy})
        m_lifecycle->addItem(Action::title(id), id);
    m_allowDestructive = new QCheckBox(tr("Allow an action that cannot be undone (destroy, power off)"));
    m_allowDestructive->setObjectName(QStringLiteral("actionAllowDestructive"));
    lifeForm->addRow(tr("Machine &action:"), m_lifecycle);
    lifeForm->addRow(m_allowDestructive);
    m_actionPages->addWidget(life);

    auto *right = new QVBoxLayout;
    right->addWidget(m_actionPages, 1);
    m_testResult = new QLabel;
    m_testResult->setObjectName(QStringLiteral("actionTestResult"));
    m_testResult->setWordWrap(true);
    right->addWidget(m_testResult);
    layout->addLayout(left);
    layout->addLayout(right, 1);

    connect(m_actionList, &QListWidget::currentRowChanged, this, &RuleEditorDialog::selectAction);
    connect(m_removeAction, &QPushButton::clicked, this, &RuleEditorDialog::removeAction);
    connect(m_testAction, &QPushButton::clicked, this, &RuleEditorDialog::testAction);
    m_removeAction->setEnabled(false);
    m_testAction->setEnabled(false);
    m_actionPages->setEnabled(false);
    return box;
}

QWidget *RuleEditorDialog::buildWebhookPage()
{
    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    m_url = new QLineEdit;
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://hooks.example.com/…"));
    m_method = new QComboBox;
    m_method->setObjectName(QStringLiteral("webhookMethod"));
    m_method->addItems({QStringLiteral("POST"), QStringLiteral("PUT")});
    m_headers = new QTableWidget(0, 3);
    m_headers->setObjectName(QStringLiteral("webhookHeaders"));
    m_headers->setHorizontalHeaderLabels({tr("Header"), tr("Value"), tr("Secret")});
    m_headers->horizontalHeader()->setSectionResizeMode(HeaderValue, QHeaderView::Stretch);
    m_headers->verticalHeader()->hide();
    m_headers->setMinimumHeight(110);
    auto *addHeader = new QPushButton(tr("Add &header"));
    addHeader->setObjectName(QStringLiteral("addHeader"));
    auto *removeHeader = new QPushButton(tr("Remove header"));
    connect(addHeader, &QPushButton::clicked, this, [this] { addHeaderRow({}, {}, false, false); });
    connect(removeHeader, &QPushButton::clicked, this, [this] {
        if (m_headers->currentRow() >= 0)
            m_headers->removeRow(m_headers->currentRow());
    });
    auto *headerButtons = new QHBoxLayout;
    headerButtons->addWidget(addHeader);
    headerButtons->addWidget(removeHeader);
    headerButtons->addStretch();
    m_body = new QPlainTextEdit;
    m_body->setObjectName(QStringLiteral("webhookBody"));
    m_body->setPlaceholderText(tr("Empty: a JSON object with rule, machine, machine_id, status, value, message, time.\n"
                                  "Or a JSON template with {{rule}}, {{machine}}, {{status}}, {{value}}, {{message}}, {{time}}."));
    m_body->setMaximumHeight(90);
    m_timeout = new QSpinBox;
    m_timeout->setRange(1, 300);
    m_timeout->setSuffix(tr(" s"));
    m_retries = new QSpinBox;
    m_retries->setRange(0, 10);
    m_hookResolve = new QCheckBox(tr("Also when the condition clears"));
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("Method:"), m_method);
    form->addRow(tr("Headers:"), m_headers);
    form->addRow(QString(), headerButtons);
    form->addRow(tr("&Body:"), m_body);
    form->addRow(tr("Timeout:"), m_timeout);
    form->addRow(tr("Retries:"), m_retries);
    form->addRow(m_hookResolve);
    return page;
}

void RuleEditorDialog::addHeaderRow(const QString &name, const QString &value, bool secret, bool stored)
{
    const int row = m_headers->rowCount();
    m_headers->insertRow(row);
    auto *nameEdit = new QLineEdit(name);
    nameEdit->setFrame(false);
    auto *valueEdit = new QLineEdit(value);
    valueEdit->setFrame(false);
    auto *secretBox = new QCheckBox;
    secretBox->setToolTip(tr("Kept in the OS keychain only; the rule stores the header's name"));
    const auto applySecret = [valueEdit, stored](bool on) {
        valueEdit->setEchoMode(on ? QLineEdit::Password : QLineEdit::Normal);
        valueEdit->setPlaceholderText(on && stored ? tr("unchanged (kept in the keychain)") : QString());
    };
    secretBox->setChecked(secret);
    applySecret(secret);
    connect(secretBox, &QCheckBox::toggled, valueEdit, applySecret);
    m_headers->setCellWidget(row, HeaderName, nameEdit);
    m_headers->setCellWidget(row, HeaderValue, valueEdit);
    m_headers->setCellWidget(row, HeaderSecret, secretBox);
}

void RuleEditorDialog::load(const AlertRule &r)
{
    const RuleCondition &c = r.rule.condition;
    m_name->setText(r.rule.name);
    m_enabled->setChecked(r.rule.enabled);
    m_kind->setCurrentIndex(m_kind->findData(int(c.kind)));
    if (!c.metric.isEmpty())
        m_metric->setCurrentText(c.metric);
    m_label->setText(c.label);
    m_aggregate->setCurrentIndex(m_aggregate->findData(int(c.aggregate)));
    m_compare->setCurrentIndex(m_compare->findData(int(c.compare)));
    m_threshold->setValue(c.threshold);
    m_window->setText(AlertRuleText::duration(c.windowMs));
    m_for->setText(AlertRuleText::duration(c.forMs));
    m_toState->setCurrentText(c.toState);
    m_renotify->setText(AlertRuleText::duration(r.rule.renotifyMs));
    m_cooldown->setText(AlertRuleText::duration(r.rule.cooldownMs));

    QSet<qint64> wanted(r.machineIds.cbegin(), r.machineIds.cend());
    for (int i = 0; i < m_machines->count(); ++i) {
        QListWidgetItem *item = m_machines->item(i);
        const qint64 id = item->data(kIdRole).toLongLong();
        item->setCheckState(wanted.remove(id) ? Qt::Checked : Qt::Unchecked);
    }
    for (qint64 id : std::as_const(wanted)) {   // gone from the inventory: kept unless unchecked
        auto *item = new QListWidgetItem(tr("#%1 (not in the inventory)").arg(id), m_machines);
        item->setData(kIdRole, id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    m_tags->setText(r.tags.join(QStringLiteral(", ")));

    for (const AlertAction &a : r.actions)
        m_actions.append(ActionDraft{a, {}});
    refreshActionTexts();
    if (!m_actions.isEmpty())
        m_actionList->setCurrentRow(0);
}

void RuleEditorDialog::addAction(AlertAction::Kind kind)
{
    storeCurrentAction();
    AlertAction a;
    a.kind = kind;
    if (kind == AlertAction::Kind::Lifecycle)
        a.lifecycleAction = Action::Reboot;
    m_actions.append(ActionDraft{a, {}});
    refreshActionTexts();
    m_actionList->setCurrentRow(int(m_actions.size()) - 1);
}

void RuleEditorDialog::removeAction()
{
    const int row = m_actionList->currentRow();
    if (row < 0 || row >= m_actions.size())
        return;
    m_current = -1;   // its fields are dropped, not stored
    m_actions.removeAt(row);
    refreshActionTexts();
    const int next = std::min(row, int(m_actions.size()) - 1);
    {
        const QSignalBlocker block(m_actionList);
        m_actionList->setCurrentRow(next);
    }
    selectAction(next);
}

void RuleEditorDialog::selectAction(int row)
{
    storeCurrentAction();
    m_current = row >= 0 && row < m_actions.size() ? row : -1;
    m_removeAction->setEnabled(m_current >= 0);
    m_testAction->setEnabled(m_current >= 0 && m_service);
    m_actionPages->setEnabled(m_current >= 0);
    m_testResult->clear();
    loadCurrentAction();
    refreshActionTexts();
}

void RuleEditorDialog::refreshActionTexts()
{
    // Rebuilding the items would move the current row: only the texts are updated.
    const QSignalBlocker block(m_actionList);
    while (m_actionList->count() > m_actions.size())
        delete m_actionList->takeItem(m_actionList->count() - 1);
    for (int i = 0; i < m_actions.size(); ++i) {
        if (i >= m_actionList->count())
            m_actionList->addItem(QString());
        m_actionList->item(i)->setText(AlertRuleText::action(m_actions.at(i).action));
    }
}

void RuleEditorDialog::loadCurrentAction()
{
    if (m_current < 0) {
        m_actionPages->setCurrentIndex(0);
        return;
    }
    const AlertAction &a = m_actions.at(m_current).action;
    m_actionPages->setCurrentIndex(int(a.kind));
    switch (a.kind) {
    case AlertAction::Kind::Notify:
        m_notifyResolve->setChecked(a.onResolve);
        break;
    case AlertAction::Kind::Webhook: {
        m_url->setText(a.url);
        m_method->setCurrentText(a.method);
        m_body->setPlainText(a.bodyTemplate);
        m_timeout->setValue(a.timeoutSeconds);
        m_retries->setValue(a.retries);
        m_hookResolve->setChecked(a.onResolve);
        m_headers->setRowCount(0);
        for (const auto &[name, value] : a.headers)
            addHeaderRow(name, value, false, false);
        const auto &typed = m_actions.at(m_current).secretValues;
        for (const QString &name : a.secretHeaderNames)
            addHeaderRow(name, typed.value(name), true, m_storedSecrets.contains(name));
        break;
    }
    case AlertAction::Kind::Command:
        m_command->setText(a.command);
        break;
    case AlertAction::Kind::Lifecycle: {
        const int index = m_lifecycle->findData(a.lifecycleAction);
        if (index >= 0)
            m_lifecycle->setCurrentIndex(index);
        else
            m_lifecycle->setCurrentText(a.lifecycleAction);
        m_allowDestructive->setChecked(a.allowDestructive);
        break;
    }
    }
}

void RuleEditorDialog::storeCurrentAction()
{
    if (m_current < 0 || m_current >= m_actions.size())
        return;
    ActionDraft &d = m_actions[m_current];
    AlertAction &a = d.action;
    switch (a.kind) {
    case AlertAction::Kind::Notify:
        a.onResolve = m_notifyResolve->isChecked();
        break;
    case AlertAction::Kind::Webhook:
        a.url = m_url->text().trimmed();
        a.method = m_method->currentText();
        a.bodyTemplate = m_body->toPlainText();
        a.timeoutSeconds = m_timeout->value();
        a.retries = m_retries->value();
        a.onResolve = m_hookResolve->isChecked();
        a.headers.clear();
        a.secretHeaderNames.clear();
        d.secretValues.clear();
        for (int row = 0; row < m_headers->rowCount(); ++row) {
            const QString name = static_cast<QLineEdit *>(m_headers->cellWidget(row, HeaderName))->text().trimmed();
            const QString value = static_cast<QLineEdit *>(m_headers->cellWidget(row, HeaderValue))->text();
            const bool secret = static_cast<QCheckBox *>(m_headers->cellWidget(row, HeaderSecret))->isChecked();
            if (name.isEmpty() && value.isEmpty())
                continue;
            if (!secret) {
                a.headers.append({name, value.trimmed()});
                continue;
            }
            a.secretHeaderNames << name;
            if (!value.isEmpty())
                d.secretValues.insert(name, value);
        }
        break;
    case AlertAction::Kind::Command:
        a.command = m_command->text();
        break;
    case AlertAction::Kind::Lifecycle: {
        // A chosen item's id, or what was typed (a provider's own action id).
        const int index = m_lifecycle->findText(m_lifecycle->currentText());
        a.lifecycleAction = index >= 0 ? m_lifecycle->itemData(index).toString() : m_lifecycle->currentText().trimmed();
        a.allowDestructive = m_allowDestructive->isChecked();
        break;
    }
    }
}

Result<AlertRule> RuleEditorDialog::collect(QHash<QString, QString> *secretValues) const
{
    AlertRule r;
    r.rule.id = m_id;
    r.rule.name = m_name->text().trimmed();
    r.rule.enabled = m_enabled->isChecked();
    RuleCondition &c = r.rule.condition;
    c.kind = RuleCondition::Kind(m_kind->currentData().toInt());
    const auto duration = [](QLineEdit *edit, const QString &what, qint64 fallback, qint64 *out) -> Status {
        const QString text = edit->text().trimmed();
        if (text.isEmpty()) {
            *out = fallback;
            return {};
        }
        const auto ms = AlertRuleText::parseDuration(text);
        if (!ms)
            return Error{tr("%1 \"%2\" is not a duration: write e.g. 90s, 5m, 1h30m or 2d.").arg(what, text), {}};
        *out = *ms;
        return {};
    };
    if (c.kind != RuleCondition::Kind::StateChanged) {
        c.metric = m_metric->currentText().trimmed();
        c.label = m_label->text().trimmed();
        if (Status s = duration(m_for, c.kind == RuleCondition::Kind::NoData ? tr("\"No data for\"") : tr("\"Held for\""), 0,
                                &c.forMs);
            !s)
            return s.error();
    } else {
        c.toState = m_toState->currentText().trimmed();
    }
    if (c.kind == RuleCondition::Kind::Threshold) {
        c.aggregate = RuleCondition::Aggregate(m_aggregate->currentData().toInt());
        c.compare = RuleCondition::Compare(m_compare->currentData().toInt());
        c.threshold = m_threshold->value();
        if (Status s = duration(m_window, tr("The window"), 5 * 60 * 1000, &c.windowMs); !s)
            return s.error();
    }
    if (Status s = duration(m_renotify, tr("\"Notify again every\""), 0, &r.rule.renotifyMs); !s)
        return s.error();
    if (Status s = duration(m_cooldown, tr("\"Quiet after a resolve\""), 0, &r.rule.cooldownMs); !s)
        return s.error();

    for (int i = 0; i < m_machines->count(); ++i) {
        const QListWidgetItem *item = m_machines->item(i);
        if (item->checkState() == Qt::Checked)
            r.machineIds << item->data(kIdRole).toLongLong();
    }
    for (const QString &tag : m_tags->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!tag.trimmed().isEmpty())
            r.tags << tag.trimmed();
    }

    QHash<QString, QString> values;
    for (const ActionDraft &d : m_actions) {
        r.actions << d.action;
        for (const QString &name : d.action.secretHeaderNames) {
            // One keychain field per header name and rule: two webhooks cannot differ there.
            if (values.contains(name))
                return Error{tr("The secret header %1 is used by two webhooks of this rule; give it once.").arg(name), {}};
            if (d.secretValues.contains(name))
                values.insert(name, d.secretValues.value(name));
            else if (!m_storedSecrets.contains(name))
                return Error{tr("Enter the value of the secret header %1.").arg(name), {}};
            else
                values.insert(name, QString());   // kept as it is in the keychain
        }
    }
    if (secretValues) {
        secretValues->clear();
        for (auto it = values.cbegin(); it != values.cend(); ++it) {
            if (!it.value().isEmpty())
                secretValues->insert(it.key(), it.value());
        }
    }
    return r;
}

AlertRule RuleEditorDialog::rule()
{
    storeCurrentAction();
    Result<AlertRule> r = collect(nullptr);
    return r ? r.value() : AlertRule{};
}

QString RuleEditorDialog::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void RuleEditorDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void RuleEditorDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_buttons->button(QDialogButtonBox::Cancel)->setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

void RuleEditorDialog::reject()
{
    if (!m_busy)
        QDialog::reject();
}

void RuleEditorDialog::accept()
{
    if (m_busy)
        return;
    storeCurrentAction();
    refreshActionTexts();
    QHash<QString, QString> secretValues;
    Result<AlertRule> collected = collect(&secretValues);
    if (!collected) {
        showError(collected.error().toString());
        return;
    }
    AlertRuleBook book = m_bookSource ? m_bookSource() : m_book;
    Result<AlertRule> added = book.upsert(collected.value());
    if (!added) {
        showError(added.error().toString());
        return;
    }
    if (!m_service) {
        showError(tr("Alert rules cannot be saved: the alert service is not running."));
        return;
    }
    showError({});
    commit(added.value(), secretValues);
}

void RuleEditorDialog::commit(const AlertRule &rule, const QHash<QString, QString> &secretValues)
{
    setBusy(true);
    // Order: new secret values first (a saved rule never names a header the keychain lacks),
    // then the rules file, then the values of headers the rule no longer has.
    QStringList dropped;
    QSet<QString> kept;
    for (const AlertAction &a : rule.actions)
        kept.unite(QSet<QString>(a.secretHeaderNames.cbegin(), a.secretHeaderNames.cend()));
    for (const QString &name : std::as_const(m_storedSecrets)) {
        if (!kept.contains(name))
            dropped << name;
    }
    const bool isNew = m_id.isEmpty();
    applyAlertSecrets(rule.rule.id, {secretValues, {}}, this, [=, this](Status written) {
        if (!written) {
            setBusy(false);
            showError(written.error().toString());
            return;
        }
        if (!m_service) {
            setBusy(false);
            showError(tr("Alert rules cannot be saved: the alert service is not running."));
            return;
        }
        // The rule goes into the file as it is now (another window or the CLI may have changed
        // other rules); `book` above only checked it against what this window showed.
        const auto change = [rule](AlertRuleBook &b) -> Status {
            if (auto upserted = b.upsert(rule); !upserted)
                return upserted.error();
            return {};
        };
        m_service->changeRules(change, this, [=, this](Result<AlertRuleBook> stored) {
            if (!stored) {
                setBusy(false);
                showError(stored.error().toString());
                if (isNew && !secretValues.isEmpty())   // nothing left behind for a rule that does not exist
                    applyAlertSecrets(rule.rule.id, {{}, secretValues.keys()}, this, [](Status) {});
                return;
            }
            m_id = rule.rule.id;
            for (auto it = secretValues.cbegin(); it != secretValues.cend(); ++it)
                m_storedSecrets.insert(it.key());
            applyAlertSecrets(rule.rule.id, {{}, dropped}, this, [](Status s) {
                if (!s)
                    qCWarning(lcAlerts) << "alert rule secrets not deleted:" << s.error().toString();
            });
            setBusy(false);
            emit saved(stored.value(), rule);
            QDialog::accept();
        });
    });
}

void RuleEditorDialog::testAction()
{
    storeCurrentAction();
    const int index = m_current;
    if (index < 0 || !m_service)
        return;
    AlertRule r = rule();
    if (r.rule.id.isEmpty())
        r.rule.id = QStringLiteral("unsaved");
    m_testResult->setText(tr("Testing…"));
    m_testAction->setEnabled(false);
    m_service->testAction(r, index, this, [this](Result<QString> result) {
        m_testAction->setEnabled(m_current >= 0);
        m_testResult->setText(result ? tr("OK: %1").arg(result.value()) : tr("Failed: %1").arg(result.error().toString()));
    });
}

} // namespace mist
