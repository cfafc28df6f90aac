#include "ruleswindow.h"

#include "alertsecrets.h"
#include "alerts/alertruletext.h"
#include "alerts/alertservice.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace mist {

namespace {

constexpr int kIdRole = Qt::UserRole;
constexpr int kHistoryLimit = 500;
constexpr int kHistoryRowsKept = 1000;

enum RuleColumn { ColName, ColCondition, ColTargets, ColActions, ColState };
enum HistoryColumn { HistTime, HistRule, HistMachine, HistEvent, HistAction, HistResult, HistMessage };

} // namespace

RulesWindow::RulesWindow(AlertService *service, const QString &rulesPath, MachineSource machines, QWidget *parent)
    : QWidget(parent, Qt::Window), m_service(service), m_rulesPath(rulesPath), m_machineSource(std::move(machines))
{
    setObjectName(QStringLiteral("rulesWindow"));
    setWindowTitle(tr("Alert rules"));

    m_rules = new QTreeWidget;
    m_rules->setObjectName(QStringLiteral("rulesList"));
    m_rules->setRootIsDecorated(false);
    m_rules->setHeaderLabels({tr("Rule"), tr("Condition"), tr("Machines"), tr("Actions"), tr("State")});
    m_rules->header()->setSectionResizeMode(ColCondition, QHeaderView::Stretch);
    m_rules->setSelectionMode(QAbstractItemView::SingleSelection);

    m_add = new QPushButton(tr("&Add…"));
    m_add->setObjectName(QStringLiteral("addRule"));
    m_edit = new QPushButton(tr("&Edit…"));
    m_edit->setObjectName(QStringLiteral("editRule"));
    m_remove = new QPushButton(tr("&Remove"));
    m_remove->setObjectName(QStringLiteral("removeRule"));
    m_toggle = new QPushButton(tr("&Disable"));
    m_toggle->setObjectName(QStringLiteral("toggleRule"));
    auto *reloadButton = new QPushButton(tr("Re&load"));
    reloadButton->setToolTip(tr("Read the rules file again (after 'mist rules' changed it)"));
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_add, m_edit, m_remove, m_toggle})
        buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(reloadButton);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("rulesStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_historyTitle = new QLabel(tr("History of every rule"));
    m_history = new QTreeWidget;
    m_history->setObjectName(QStringLiteral("rulesHistory"));
    m_history->setRootIsDecorated(false);
    m_history->setHeaderLabels({tr("Time"), tr("Rule"), tr("Machine"), tr("Event"), tr("Action"), tr("Result"), tr("Message")});
    m_history->header()->setStretchLastSection(true);

    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_rules);
    topLayout->addLayout(buttons);
    topLayout->addWidget(m_status);
    auto *bottom = new QWidget;
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_historyTitle);
    bottomLayout->addWidget(m_history);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(bottom);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);
    resize(1000, 640);

    connect(m_add, &QPushButton::clicked, this, &RulesWindow::addRule);
    connect(m_edit, &QPushButton::clicked, this, &RulesWindow::editSelected);
    connect(m_remove, &QPushButton::clicked, this, &RulesWindow::removeSelected);
    connect(m_toggle, &QPushButton::clicked, this, [this] {
        if (const AlertRule *r = m_book.find(selectedId()))
            setSelectedEnabled(!r->rule.enabled);
    });
    connect(reloadButton, &QPushButton::clicked, this, &RulesWindow::reload);
    connect(m_rules, &QTreeWidget::itemDoubleClicked, this, [this] { editSelected(); });
    connect(m_rules, &QTreeWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        loadHistory();
    });
    connect(m_rules, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_filling || column != ColName)
            return;
        const QString id = item->data(ColName, kIdRole).toString();
        const bool enabled = item->checkState(ColName) == Qt::Checked;
        // Later, not inside the item's own signal: save() refills the list, which deletes
        // the item still in the middle of setData().
        QMetaObject::invokeMethod(this, [this, id, enabled] { change(enabledChange(id, enabled)); }, Qt::QueuedConnection);
    });
    if (m_service) {
        connect(m_service, &AlertService::statesChanged, this, &RulesWindow::updateStates);
        connect(m_service, &AlertService::historyAppended, this, &RulesWindow::appendHistory);
        connect(m_service, &AlertService::rulesFailed, this,
                [this](const Error &e) { showStatus(e.toString(), true); });
    } else {
        showStatus(tr("The alert service is not running: rules can be viewed but not changed."), true);
    }
    updateButtons();
    reload();
}

QString RulesWindow::statusText() const
{
    return m_status->text();
}

void RulesWindow::reload()
{
    auto *watcher = new QFutureWatcher<Result<AlertRuleBook>>(this);
    connect(watcher, &QFutureWatcher<Result<AlertRuleBook>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        Result<AlertRuleBook> book = watcher->result();
        if (!book) {
            showStatus(book.error().toString(), true);
            return;
        }
        m_book = book.value();
        m_loaded = true;
        fill();
        loadHistory();
        emit loaded();
    });
    watcher->setFuture(QtConcurrent::run([path = m_rulesPath] { return AlertRuleBook::load(path); }));
}

QHash<qint64, QString> RulesWindow::machineNames() const
{
    QHash<qint64, QString> names;
    if (m_machineSource) {
        for (const MachineChoice &m : m_machineSource())
            names.insert(m.id, m.name);
    }
    return names;
}

QString RulesWindow::selectedId() const
{
    const QList<QTreeWidgetItem *> items = m_rules->selectedItems();
    return items.isEmpty() ? QString() : items.first()->data(ColName, kIdRole).toString();
}

void RulesWindow::fill()
{
    const QString keep = selectedId();
    const QHash<qint64, QString> names = machineNames();
    m_filling = true;
    m_rules->clear();
    for (const AlertRule &r : m_book.rules()) {
        auto *item = new QTreeWidgetItem(m_rules);
        item->setData(ColName, kIdRole, r.rule.id);
        item->setText(ColName, r.rule.name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(ColName, r.rule.enabled ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(ColName, tr("Checked: the rule is evaluated"));
        item->setText(ColCondition, AlertRuleText::condition(r.rule.condition));
        item->setText(ColTargets, AlertRuleText::targets(r, names));
        item->setText(ColActions, AlertRuleText::actions(r));
        item->setToolTip(ColActions, item->text(ColActions));
    }
    m_filling = false;
    updateStates();
    selectRule(keep);
    updateButtons();
}

void RulesWindow::selectRule(const QString &id)
{
    for (int i = 0; i < m_rules->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_rules->topLevelItem(i);
        if (!id.isEmpty() && item->data(ColName, kIdRole).toString() == id) {
            m_rules->setCurrentItem(item);
            return;
        }
    }
}

void RulesWindow::updateStates()
{
    const auto states = m_service ? m_service->states() : QHash<QString, QHash<qint64, RuleState>>{};
    for (int i = 0; i < m_rules->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_rules->topLevelItem(i);
        const AlertRule *r = m_book.find(item->data(ColName, kIdRole).toString());
        if (!r)
            continue;
        int firing = 0, pending = 0;
        for (const RuleState &s : states.value(r->rule.id)) {
            firing += s.status == RuleState::Status::Firing;
            pending += s.status == RuleState::Status::Pending;
        }
        QString text = !r->rule.enabled ? tr("disabled")
                       : firing > 0     ? tr("firing on %n machine(s)", nullptr, firing)
                       : pending > 0    ? tr("pending on %n machine(s)", nullptr, pending)
                                        : tr("ok");
        const bool blocked = m_rules->blockSignals(true);   // not an edit of the checkbox
        item->setText(ColState, text);
        item->setForeground(ColState, firing > 0 ? QBrush(Qt::red) : QBrush());
        m_rules->blockSignals(blocked);
    }
}

void RulesWindow::updateButtons()
{
    const AlertRule *r = m_book.find(selectedId());
    const bool canChange = m_service && m_loaded;
    m_add->setEnabled(canChange);
    m_edit->setEnabled(canChange && r);
    m_remove->setEnabled(canChange && r);
    m_toggle->setEnabled(canChange && r);
    m_toggle->setText(r && !r->rule.enabled ? tr("E&nable") : tr("&Disable"));
}

void RulesWindow::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b3261e;") : QString());
}

AlertService::RulesChange RulesWindow::enabledChange(const QString &id, bool enabled)
{
    return [id, enabled](AlertRuleBook &b) {
        return b.setEnabled(id, enabled) ? Status() : Status(Error{tr("The rule no longer exists."), id});
    };
}

void RulesWindow::change(const AlertService::RulesChange &change, std::function<void()> afterSave)
{
    if (!m_service) {
        fill();   // a checkbox the user ticked goes back to what the rule says
        return;
    }
    // Shown at once; the file as saved (with what others changed meanwhile) replaces it after.
    AlertRuleBook shown = m_book;
    if (change(shown).ok()) {
        m_book = shown;
        fill();
    }
    m_service->changeRules(change, this, [this, afterSave](Result<AlertRuleBook> saved) {
        if (!saved) {
            showStatus(saved.error().toString(), true);
            reload();
            return;
        }
        m_book = saved.value();
        fill();
        showStatus({}, false);
        if (afterSave)
            afterSave();
        emit bookSaved();
    });
}

RuleEditorDialog *RulesWindow::openEditor(const AlertRule *existing)
{
    if (!m_service || !m_loaded)
        return nullptr;
    QVector<MachineChoice> machines = m_machineSource ? m_machineSource() : QVector<MachineChoice>{};
    auto *dialog = new RuleEditorDialog(m_service, m_book, existing, machines, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setBookSource([this] { return m_book; });
    connect(dialog, &RuleEditorDialog::saved, this, [this](const AlertRuleBook &book, const AlertRule &rule) {
        m_book = book;
        fill();
        selectRule(rule.rule.id);
        showStatus(tr("Saved \"%1\".").arg(rule.rule.name), false);
        emit bookSaved();
    });
    dialog->open();
    return dialog;
}

RuleEditorDialog *RulesWindow::addRule()
{
    return openEditor(nullptr);
}

RuleEditorDialog *RulesWindow::editSelected()
{
    const AlertRule *r = m_book.find(selectedId());
    return r ? openEditor(r) : nullptr;
}

void RulesWindow::setSelectedEnabled(bool enabled)
{
    if (m_book.find(selectedId()))
        change(enabledChange(selectedId(), enabled));
}

void RulesWindow::removeSelected()
{
    const AlertRule *found = m_book.find(selectedId());
    if (!found || !m_service)
        return;
    const AlertRule rule = *found;
    auto *ask = new QMessageBox(QMessageBox::Question, tr("Remove alert rule"),
                                tr("Remove the rule \"%1\"? Its history is kept.").arg(rule.rule.name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    ask->setObjectName(QStringLiteral("confirmRemoveRule"));
    ask->setAttribute(Qt::WA_DeleteOnClose);
    connect(ask, &QMessageBox::finished, this, [this, rule](int answer) {
        if (answer != QMessageBox::Yes)
            return;
        const QString id = rule.rule.id;
        change([id](AlertRuleBook &b) { return b.remove(id) ? Status() : Status(Error{tr("The rule no longer exists."), id}); },
               [this, rule] {
            AlertSecretChanges gone;
            for (const AlertAction &a : rule.actions)
                gone.remove << a.secretHeaderNames;
            applyAlertSecrets(rule.rule.id, gone, this, [this](Status s) {
                if (!s)
                    showStatus(s.error().toString(), true);
            });
        });
    });
    ask->open();
}

void RulesWindow::loadHistory()
{
    const QString id = selectedId();
    const AlertRule *r = m_book.find(id);
    m_historyTitle->setText(r ? tr("History of \"%1\"").arg(r->rule.name) : tr("History of every rule"));
    if (!m_service)
        return;
    const int request = ++m_historyRequest;
    m_service->history(id, kHistoryLimit, this, [this, request](Result<QVector<AlertHistoryEntry>> entries) {
        if (request != m_historyRequest)
            return;   // the selection moved on
        m_history->clear();
        if (!entries) {
            showStatus(entries.error().toString(), true);
            return;
        }
        for (const AlertHistoryEntry &e : entries.value())
            addHistoryRow(e, false);
    });
}

void RulesWindow::appendHistory(const AlertHistoryEntry &entry)
{
    const QString id = selectedId();
    if (!id.isEmpty() && entry.ruleId != id)
        return;
    addHistoryRow(entry, true);
    while (m_history->topLevelItemCount() > kHistoryRowsKept)
        delete m_history->takeTopLevelItem(m_history->topLevelItemCount() - 1);
}

void RulesWindow::addHistoryRow(const AlertHistoryEntry &e, bool atTop)
{
    auto *item = new QTreeWidgetItem;
    item->setText(HistTime, QDateTime::fromMSecsSinceEpoch(e.atMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    item->setText(HistRule, e.ruleName);
    item->setText(HistMachine, e.machineName);
    item->setText(HistEvent, e.event);
    item->setText(HistAction, e.action);
    item->setText(HistResult, e.success ? tr("ok") : tr("failed"));
    item->setText(HistMessage, e.message);
    item->setToolTip(HistMessage, e.message);
    if (!e.success)
        item->setForeground(HistResult, QBrush(Qt::red));
    if (atTop)
        m_history->insertTopLevelItem(0, item);
    else
        m_history->addTopLevelItem(item);
}

} // namespace mist
