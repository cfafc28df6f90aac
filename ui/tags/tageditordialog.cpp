#include "tageditordialog.h"

#include "services/storeservice.h"

#include <QDialogButtonBox>
#include <algorithm>
#include <functional>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mist {

namespace {

enum ItemRole {
    OriginalKeyRole = Qt::UserRole + 1,   // on the key item: the key as loaded, empty for new rows
    OriginalValueRole,                    // on the value item: the common value as loaded
    MixedRole,                            // on the value item: machines differ; untouched means "leave"
};

// Paints "(mixed)" in an empty value cell whose machines disagree.
class MixedValueDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.data(MixedRole).toBool() && option->text.isEmpty()) {
            option->text = TagEditorDialog::tr("(mixed)");
            option->font.setItalic(true);
            option->palette.setColor(QPalette::Text, option->palette.color(QPalette::PlaceholderText));
        }
    }
};

QString machineList(const QVector<Machine> &machines)
{
    QStringList names;
    for (const Machine &m : machines) {
        if (names.size() == 5) {
            names << QStringLiteral("…");
            break;
        }
        names << m.name;
    }
    return names.join(QStringLiteral(", "));
}

} // namespace

TagEditorDialog::TagEditorDialog(StoreService *store, const QVector<Machine> &machines, QWidget *parent)
    : QDialog(parent), m_store(store), m_machines(machines)
{
    setWindowTitle(machines.size() == 1 ? tr("Tags of %1").arg(machines.first().name)
                                        : tr("Tags of %n machines", nullptr, static_cast<int>(machines.size())));
    setMinimumSize(480, 420);
    auto *layout = new QVBoxLayout(this);

    auto *intro = new QLabel(machines.size() == 1
                                 ? tr("User tags of <b>%1</b>. Search them with <code>key:value</code>.")
                                       .arg(machines.first().name.toHtmlEscaped())
                                 : tr("User tags of %1. Tags marked <i>mixed</i> differ between the machines "
                                      "and stay as they are unless you type a value.")
                                       .arg(machineList(machines).toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_table = new QTableWidget(0, 2, this);
    m_table->setObjectName(QStringLiteral("tagTable"));
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(0, 160);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                             | QAbstractItemView::AnyKeyPressed);
    m_table->setItemDelegateForColumn(1, new MixedValueDelegate(m_table));
    layout->addWidget(m_table, 1);

    auto *row = new QHBoxLayout;
    m_quickEdit = new QLineEdit(this);
    m_quickEdit->setObjectName(QStringLiteral("newTagEdit"));
    m_quickEdit->setPlaceholderText(tr("key=value, then Enter (Enter on an empty box saves)"));
    m_quickEdit->setToolTip(tr("Adds a tag to every machine being edited. Several may be given, separated by spaces."));
    m_quickEdit->installEventFilter(this);   // Enter adds the typed tags instead of closing
    row->addWidget(m_quickEdit, 1);
    auto *addButton = new QPushButton(tr("&Add"), this);
    addButton->setObjectName(QStringLiteral("addTagButton"));
    addButton->setAutoDefault(false);
    connect(addButton, &QPushButton::clicked, this, [this] {
        if (!m_quickEdit->text().trimmed().isEmpty()) {
            addFromQuickEdit();
            return;
        }
        const int r = addRow(QString(), QString(), false, false);
        m_table->setCurrentCell(r, 0);
        m_table->editItem(m_table->item(r, 0));
    });
    row->addWidget(addButton);
    m_removeButton = new QPushButton(tr("&Remove"), this);
    m_removeButton->setObjectName(QStringLiteral("removeTagButton"));
    m_removeButton->setAutoDefault(false);
    m_removeButton->setToolTip(tr("Removes the selected tags from every machine being edited"));
    connect(m_removeButton, &QPushButton::clicked, this, &TagEditorDialog::removeSelected);
    row->addWidget(m_removeButton);
    layout->addLayout(row);

    auto *providerTable = new QTableWidget(0, 2, this);
    providerTable->setObjectName(QStringLiteral("providerTagsTable"));
    fillProviderTags(providerTable);
    if (providerTable->rowCount() > 0) {
        auto *label = new QLabel(tr("Provider tags (read-only, set in the cloud itself):"), this);
        layout->addWidget(label);
        layout->addWidget(providerTable);
    } else {
        providerTable->hide();
    }

    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    auto *bottom = new QHBoxLayout;
    m_busyBar = new QProgressBar(this);
    m_busyBar->setObjectName(QStringLiteral("busyIndicator"));
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(120);
    m_busyBar->setTextVisible(false);
    m_busyBar->hide();
    bottom->addWidget(m_busyBar);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->setObjectName(QStringLiteral("buttonBox"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &TagEditorDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &TagEditorDialog::reject);
    bottom->addWidget(m_buttons, 1);
    layout->addLayout(bottom);

    fillTags();
    connect(m_table, &QTableWidget::itemSelectionChanged, this,
            [this] { m_removeButton->setEnabled(!m_table->selectedItems().isEmpty()); });
    m_removeButton->setEnabled(false);
    m_quickEdit->setFocus();
}

void TagEditorDialog::fillTags()
{
    // key -> values over all machines (a missing key counts as "differs").
    QMap<QString, QSet<QString>> values;
    QMap<QString, int> holders;
    for (const Machine &m : std::as_const(m_machines)) {
        for (auto it = m.userTags.constBegin(); it != m.userTags.constEnd(); ++it) {
            values[it.key()].insert(it.value());
            ++holders[it.key()];
        }
    }
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        const bool mixed = it.value().size() > 1 || holders.value(it.key()) != m_machines.size();
        addRow(it.key(), mixed ? QString() : *it.value().constBegin(), true, mixed);
    }
}

void TagEditorDialog::fillProviderTags(QTableWidget *table)
{
    QMap<QString, QSet<QString>> values;
    for (const Machine &m : std::as_const(m_machines))
        for (auto it = m.providerTags.constBegin(); it != m.providerTags.constEnd(); ++it)
            values[it.key()].insert(it.value());
    table->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->resizeSection(0, 160);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setMaximumHeight(140);
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        const int r = table->rowCount();
        table->insertRow(r);
        table->setItem(r, 0, new QTableWidgetItem(it.key()));
        auto *value = new QTableWidgetItem(it.value().size() == 1 ? *it.value().constBegin() : tr("(mixed)"));
        if (it.value().size() > 1) {
            QFont f = value->font();
            f.setItalic(true);
            value->setFont(f);
        }
        table->setItem(r, 1, value);
    }
}

int TagEditorDialog::addRow(const QString &key, const QString &value, bool original, bool mixed)
{
    const int r = m_table->rowCount();
    m_table->insertRow(r);
    auto *keyItem = new QTableWidgetItem(key);
    keyItem->setData(OriginalKeyRole, original ? key : QString());
    auto *valueItem = new QTableWidgetItem(value);
    valueItem->setData(OriginalValueRole, value);
    valueItem->setData(MixedRole, mixed);
    if (mixed) {
        // A mixed key cannot be renamed in one go (its values differ); its value can be set.
        keyItem->setFlags(keyItem->flags() & ~Qt::ItemIsEditable);
        const QString why = tr("The machines have different values (or some lack this tag). "
                               "Type a value to give all of them the same one.");
        keyItem->setToolTip(why);
        valueItem->setToolTip(why);
    }
    m_table->setItem(r, 0, keyItem);
    m_table->setItem(r, 1, valueItem);
    return r;
}

void TagEditorDialog::addFromQuickEdit()
{
    const QStringList parts = m_quickEdit->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        const QString key = (eq < 0 ? part : part.left(eq)).trimmed();
        const QString value = eq < 0 ? QString() : part.mid(eq + 1).trimmed();
        if (key.isEmpty()) {
            showError(tr("“%1” has no key; write key=value.").arg(part));
            return;
        }
        // An existing row for the key gets the new value rather than a duplicate row.
        bool found = false;
        for (int r = 0; r < m_table->rowCount(); ++r) {
            QTableWidgetItem *k = m_table->item(r, 0);
            if (k->text() == key) {
                m_table->item(r, 1)->setText(value);
                found = true;
            }
        }
        if (!found)
            addRow(key, value, false, false);
    }
    m_quickEdit->clear();
    m_errorLabel->hide();
}

bool TagEditorDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_quickEdit && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if ((key == Qt::Key_Return || key == Qt::Key_Enter) && !m_quickEdit->text().trimmed().isEmpty()) {
            addFromQuickEdit();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void TagEditorDialog::removeSelected()
{
    QSet<int> rows;
    for (QTableWidgetItem *item : m_table->selectedItems())
        rows.insert(item->row());
    QList<int> sorted = rows.values();
    std::sort(sorted.begin(), sorted.end(), std::greater<int>());
    for (int r : sorted) {
        const QString original = m_table->item(r, 0)->data(OriginalKeyRole).toString();
        if (!original.isEmpty() && !m_removedKeys.contains(original))
            m_removedKeys << original;
        m_table->removeRow(r);
    }
}

Result<TagEditorDialog::Change> TagEditorDialog::change() const
{
    Change change;
    change.removeKeys = m_removedKeys;
    QSet<QString> seen;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const QTableWidgetItem *keyItem = m_table->item(r, 0);
        const QTableWidgetItem *valueItem = m_table->item(r, 1);
        const QString key = keyItem->text().trimmed();
        const QString value = valueItem->text().trimmed();
        const QString originalKey = keyItem->data(OriginalKeyRole).toString();
        const bool mixed = valueItem->data(MixedRole).toBool();
        if (key.isEmpty()) {
            if (value.isEmpty() && originalKey.isEmpty())
                continue;   // an empty new row: ignore
            return Error{tr("Row %1 has a value but no key.").arg(r + 1), {}};
        }
        if (key.contains(QLatin1Char('=')) || key.contains(QLatin1Char(' ')))
            return Error{tr("The tag key “%1” cannot contain spaces or “=”.").arg(key), {}};
        if (seen.contains(key))
            return Error{tr("The tag “%1” is listed twice.").arg(key), {}};
        seen.insert(key);

        if (!originalKey.isEmpty() && originalKey != key) {   // renamed
            change.removeKeys << originalKey;
            change.set.insert(key, value);
        } else if (originalKey.isEmpty()) {                   // new
            change.set.insert(key, value);
        } else if (mixed) {
            if (!value.isEmpty())                             // typed: one value for all
                change.set.insert(key, value);
        } else if (value != valueItem->data(OriginalValueRole).toString()) {
            change.set.insert(key, value);
        }
    }
    // A key removed and then added again is a set, not a removal.
    for (auto it = change.set.constBegin(); it != change.set.constEnd(); ++it)
        change.removeKeys.removeAll(it.key());
    return change;
}

void TagEditorDialog::accept()
{
    if (m_busy)
        return;
    if (!m_quickEdit->text().trimmed().isEmpty())
        addFromQuickEdit();   // what was typed but not yet added counts
    const Result<Change> c = change();
    if (!c) {
        showError(c.error().message);
        return;
    }
    if (c->isEmpty()) {
        QDialog::accept();
        return;
    }
    QVector<qint64> ids;
    for (const Machine &m : std::as_const(m_machines))
        ids << m.id;
    setBusy(true);
    m_store->tagMachines(ids, c->set, c->removeKeys, QStringLiteral("user"), this, [this](Result<InventoryDelta> r) {
        setBusy(false);
        if (!r) {
            showError(r.error().toString());
            return;
        }
        QDialog::accept();
    });
}

void TagEditorDialog::reject()
{
    if (!m_busy)
        QDialog::reject();
}

void TagEditorDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->setEnabled(!busy);
    m_table->setEnabled(!busy);
    m_quickEdit->setEnabled(!busy);
    m_busyBar->setVisible(busy);
}

void TagEditorDialog::showError(const QString &message)
{
    m_errorLabel->setText(message);
    m_errorLabel->setVisible(!message.isEmpty());
}

} // namespace mist
