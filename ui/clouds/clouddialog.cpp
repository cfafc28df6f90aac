#include "clouddialog.h"

#include "inventory/inventorystore.h"
#include "keys/keyrepository.h"
#include "providers/providerregistry.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "util/secretfile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonValue>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSet>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

namespace mist {

namespace {

const char *const kCategories[] = {
    QT_TRANSLATE_NOOP("ProviderCategory", "Local"),
    QT_TRANSLATE_NOOP("ProviderCategory", "Hypervisors"),
    QT_TRANSLATE_NOOP("ProviderCategory", "Containers"),
    QT_TRANSLATE_NOOP("ProviderCategory", "Public clouds"),
    QT_TRANSLATE_NOOP("ProviderCategory", "Private clouds"),
};

QString categoryTitle(const QString &category)
{
    Q_UNUSED(kCategories);
    return QCoreApplication::translate("ProviderCategory", category.toUtf8().constData());
}

QString fieldLabel(const FormField &field)
{
    const QString text = field.label.toHtmlEscaped() + QLatin1Char(':');
    return field.required ? text + QStringLiteral(" <span style=\"color:#c0392b\">*</span>") : text;
}

QString jsonToText(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

} // namespace

CloudDialog::CloudDialog(AppCore *core, const QVector<Cloud> &existing, QWidget *parent)
    : QDialog(parent), m_core(core)
{
    setWindowTitle(tr("Add cloud"));
    buildCommon();
    fillProviderCombo(existing);
    connect(m_providerCombo, &QComboBox::currentIndexChanged, this, [this] {
        rememberTypedValues();
        showProvider(currentProviderId());
    });
    showProvider(currentProviderId());
    m_nameEdit->setFocus();
}

CloudDialog::CloudDialog(AppCore *core, const Cloud &cloud, QWidget *parent)
    : QDialog(parent), m_core(core), m_editing(true), m_cloud(cloud)
{
    setWindowTitle(tr("Edit cloud “%1”").arg(cloud.name));
    buildCommon();
    const auto provider = ProviderRegistry::instance().provider(cloud.provider);
    m_providerCombo->addItem(provider ? provider->info().title : cloud.provider, cloud.provider);
    m_providerCombo->setEnabled(false);   // another provider would be another cloud
    m_nameEdit->setText(cloud.name);
    m_intervalSpin->setValue(cloud.pollIntervalSec);
    m_enabledCheck->setChecked(cloud.enabled);

    QVariantMap values;
    for (auto it = cloud.config.constBegin(); it != cloud.config.constEnd(); ++it)
        values.insert(it.key(), it.value().toVariant());
    m_typed.insert(cloud.provider, values);
    showProvider(cloud.provider);
    if (!provider)
        showError(tr("This build of Mist Desktop has no provider “%1”; only the name, interval and "
                     "enabled state can be changed.").arg(cloud.provider));
    m_nameEdit->setFocus();
    m_nameEdit->selectAll();
}

void CloudDialog::buildCommon()
{
    setMinimumWidth(580);
    auto *layout = new QVBoxLayout(this);

    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_providerCombo = new QComboBox(this);
    m_providerCombo->setObjectName(QStringLiteral("providerCombo"));
    m_form->addRow(tr("&Provider:"), m_providerCombo);

    m_nameEdit = new QLineEdit(this);
    m_nameEdit->setObjectName(QStringLiteral("nameEdit"));
    m_nameEdit->setPlaceholderText(tr("A short unique name, e.g. kvm1 or aws-prod"));
    m_nameEdit->setToolTip(tr("Shown in the tree and used by the command-line tool. Must be unique."));
    m_nameEdit->setMaxLength(128);
    auto *nameLabel = new QLabel(tr("&Name:") + QStringLiteral(" <span style=\"color:#c0392b\">*</span>"), this);
    nameLabel->setBuddy(m_nameEdit);
    m_form->addRow(nameLabel, m_nameEdit);

    m_intervalSpin = new QSpinBox(this);
    m_intervalSpin->setObjectName(QStringLiteral("intervalSpin"));
    m_intervalSpin->setRange(5, 24 * 3600);
    m_intervalSpin->setValue(60);
    m_intervalSpin->setSuffix(tr(" s"));
    m_intervalSpin->setToolTip(tr("How often the cloud is asked for its machines (seconds, at least 5)."));
    m_form->addRow(tr("Poll &every:"), m_intervalSpin);

    m_enabledCheck = new QCheckBox(tr("Poll this cloud automatically"), this);
    m_enabledCheck->setObjectName(QStringLiteral("enabledCheck"));
    m_enabledCheck->setChecked(true);
    m_form->addRow(tr("Enabled:"), m_enabledCheck);
    layout->addLayout(m_form);

    m_fieldsBox = new QGroupBox(tr("Connection"), this);
    m_fieldsBox->setObjectName(QStringLiteral("fieldsBox"));
    m_fieldsForm = new QFormLayout(m_fieldsBox);
    m_fieldsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);   // help labels use the full width
    layout->addWidget(m_fieldsBox);

    m_requiredNote = new QLabel(tr("<span style=\"color:#c0392b\">*</span> required"), this);
    m_requiredNote->setEnabled(false);   // dimmed: a hint, not content
    layout->addWidget(m_requiredNote);

    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    layout->addStretch(1);
    auto *bottom = new QHBoxLayout;
    m_busyBar = new QProgressBar(this);
    m_busyBar->setObjectName(QStringLiteral("busyIndicator"));
    m_busyBar->setRange(0, 0);   // indeterminate
    m_busyBar->setMaximumWidth(120);
    m_busyBar->setTextVisible(false);
    m_busyBar->hide();
    bottom->addWidget(m_busyBar);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->setObjectName(QStringLiteral("buttonBox"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(m_editing ? tr("&Save") : tr("&Add"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &CloudDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &CloudDialog::reject);
    bottom->addWidget(m_buttons, 1);
    layout->addLayout(bottom);
}

void CloudDialog::fillProviderCombo(const QVector<Cloud> &existing)
{
    QSet<QString> present;
    for (const Cloud &c : existing)
        present.insert(c.provider);

    auto *model = qobject_cast<QStandardItemModel *>(m_providerCombo->model());
    QString category;
    int firstSelectable = -1;
    // providers() is sorted by category, then title.
    for (const ProviderInfo &info : ProviderRegistry::instance().providers()) {
        if (info.singleton && present.contains(info.id))
            continue;   // e.g. "This computer" is already there
        if (info.category != category) {
            category = info.category;
            m_providerCombo->addItem(categoryTitle(category));
            if (model) {
                QStandardItem *header = model->item(m_providerCombo->count() - 1);
                header->setFlags(Qt::NoItemFlags);   // a heading, not a choice
                QFont bold = header->font();
                bold.setBold(true);
                header->setFont(bold);
            }
        }
        m_providerCombo->addItem(info.title, info.id);
        m_providerCombo->setItemData(m_providerCombo->count() - 1, info.title, Qt::ToolTipRole);
        if (firstSelectable < 0)
            firstSelectable = m_providerCombo->count() - 1;
    }
    // Hypervisors are the likely first choice of a new user; else the first provider.
    const int libvirt = m_providerCombo->findData(QStringLiteral("libvirt"));
    m_providerCombo->setCurrentIndex(libvirt >= 0 ? libvirt : firstSelectable);
}

QString CloudDialog::currentProviderId() const
{
    return m_providerCombo->currentData().toString();
}

void CloudDialog::rememberTypedValues()
{
    if (m_info.id.isEmpty())
        return;
    QVariantMap values;
    for (const FieldWidget &fw : std::as_const(m_fields))
        values.insert(fw.field.id, editorValue(fw));
    m_typed.insert(m_info.id, values);
}

void CloudDialog::showProvider(const QString &providerId)
{
    // Rebuild the generated part: remove the old rows and their widgets.
    while (m_fieldsForm->rowCount() > 0)
        m_fieldsForm->removeRow(0);
    m_fields.clear();

    const auto provider = ProviderRegistry::instance().provider(providerId);
    m_info = provider ? provider->info() : ProviderInfo{};
    const bool hasValues = m_typed.contains(providerId);
    const QVariantMap values = m_typed.value(providerId);

    for (const FormField &field : std::as_const(m_info.fields)) {
        FieldWidget fw;
        fw.field = field;
        fw.editor = createEditor(field, m_fieldsBox);
        fw.label = new QLabel(fieldLabel(field), m_fieldsBox);
        fw.label->setBuddy(fw.editor->focusProxy() ? fw.editor->focusProxy() : fw.editor);
        fw.label->setToolTip(field.help);
        if (hasValues && values.contains(field.id))
            setEditorValue(fw, values.value(field.id));
        else if (!m_editing && field.defaultValue.isValid())
            setEditorValue(fw, field.defaultValue);
        m_fieldsForm->addRow(fw.label, fw.editor);
        if (field.help.size() > 60) {
            // Too long for a placeholder: the whole sentence, small and dimmed, under the field.
            auto *help = new QLabel(field.help, m_fieldsBox);
            help->setObjectName(QStringLiteral("help_") + field.id);
            help->setWordWrap(true);
            help->setEnabled(false);
            help->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
            QFont small = help->font();
            small.setPointSizeF(small.pointSizeF() * 0.9);
            help->setFont(small);
            m_fieldsForm->addRow(QString(), help);
            QObject *inner = fw.editor->property("mistEditor").value<QObject *>();
            if (auto *edit = qobject_cast<QLineEdit *>(inner ? inner : fw.editor); edit && edit->placeholderText() == field.help)
                edit->setPlaceholderText(QString());
        }
        m_fields << fw;
    }
    if (m_info.fields.isEmpty()) {
        auto *none = new QLabel(provider ? tr("Nothing to configure: this provider needs no connection details.")
                                         : tr("Choose a provider."),
                                m_fieldsBox);
        none->setEnabled(false);
        m_fieldsForm->addRow(none);
    }
    m_errorLabel->hide();

    // The generated editors are created after the buttons; Tab must still go down the form.
    QList<QWidget *> chain{m_providerCombo, m_nameEdit, m_intervalSpin, m_enabledCheck};
    for (const FieldWidget &fw : std::as_const(m_fields)) {
        if (QObject *inner = fw.editor->property("mistEditor").value<QObject *>()) {
            chain << qobject_cast<QWidget *>(inner);
            chain << fw.editor->findChild<QToolButton *>();
        } else {
            chain << fw.editor;
        }
    }
    chain << m_buttons->button(QDialogButtonBox::Ok) << m_buttons->button(QDialogButtonBox::Cancel);
    chain.removeAll(nullptr);
    for (qsizetype i = 1; i < chain.size(); ++i)
        setTabOrder(chain.at(i - 1), chain.at(i));
    adjustSize();
}

QWidget *CloudDialog::createEditor(const FormField &field, QWidget *parent)
{
    const QString objectName = QStringLiteral("field_") + field.id;
    QWidget *editor = nullptr;
    switch (field.type) {
    case FormField::Type::Boolean: {
        auto *check = new QCheckBox(parent);
        editor = check;
        break;
    }
    case FormField::Type::Choice: {
        auto *combo = new QComboBox(parent);
        if (!field.required)
            combo->addItem(tr("(not set)"), QString());
        for (const QString &choice : field.choices)
            combo->addItem(choice, choice);
        editor = combo;
        break;
    }
    case FormField::Type::File:
    case FormField::Type::SecretFile: {
        // The line edit carries the field's name; the row is a line edit plus "Browse…".
        auto *row = new QWidget(parent);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        auto *edit = new QLineEdit(row);
        edit->setObjectName(objectName);
        const bool stored = field.type == FormField::Type::SecretFile && m_editing
                            && m_cloud.secretFields.contains(field.id);
        edit->setPlaceholderText(stored ? tr("(stored in the keychain — choose a file to replace)") : field.help);
        edit->setToolTip(field.help);
        auto *browse = new QToolButton(row);
        browse->setObjectName(QStringLiteral("browse_") + field.id);
        browse->setText(tr("Browse…"));
        connect(browse, &QToolButton::clicked, this, [this, edit, label = field.label] {
            auto *dialog = new QFileDialog(this, tr("Choose %1").arg(label));
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->setFileMode(QFileDialog::ExistingFile);
            if (!edit->text().isEmpty())
                dialog->selectFile(edit->text());
            connect(dialog, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
            dialog->open();
        });
        h->addWidget(edit, 1);
        h->addWidget(browse);
        row->setFocusProxy(edit);
        row->setProperty("mistEditor", QVariant::fromValue<QObject *>(edit));
        return row;
    }
    case FormField::Type::SshKey: {
        // Stored keys, listed on the store thread; the value is the key's uuid.
        auto *combo = new QComboBox(parent);
        combo->addItem(tr("(default key and ssh-agent)"), QString());
        QPointer<QComboBox> guard(combo);
        m_core->store()->call<QVector<SshKey>>(
            combo, [](InventoryStore &store) { return KeyRepository(store, QStringLiteral("user")).list(); },
            [guard](Result<QVector<SshKey>> keys) {
                if (!guard || !keys)
                    return;
                for (const SshKey &k : keys.value())
                    guard->addItem(QStringLiteral("%1 (%2)").arg(k.name, k.fingerprint), k.uuid);
                // A value set before the list arrived (editing a cloud).
                if (const int i = guard->findData(guard->property("mistPendingValue").toString()); i > 0)
                    guard->setCurrentIndex(i);
            });
        editor = combo;
        break;
    }
    case FormField::Type::Integer: {
        auto *edit = new QLineEdit(parent);
        edit->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("-?\\d{0,18}")), edit));
        edit->setPlaceholderText(field.help);
        editor = edit;
        break;
    }
    case FormField::Type::Password: {
        auto *edit = new QLineEdit(parent);
        edit->setEchoMode(QLineEdit::Password);
        edit->setClearButtonEnabled(true);
        const bool stored = m_editing && m_cloud.secretFields.contains(field.id);
        edit->setPlaceholderText(stored ? tr("(unchanged — type to replace)") : field.help);
        editor = edit;
        break;
    }
    case FormField::Type::Text:
    case FormField::Type::Url: {
        auto *edit = new QLineEdit(parent);
        edit->setPlaceholderText(field.help);
        if (field.secret) {
            edit->setEchoMode(QLineEdit::Password);
            if (m_editing && m_cloud.secretFields.contains(field.id))
                edit->setPlaceholderText(tr("(unchanged — type to replace)"));
        }
        editor = edit;
        break;
    }
    }
    editor->setObjectName(objectName);
    editor->setToolTip(field.help);
    return editor;
}

void CloudDialog::setEditorValue(const FieldWidget &fw, const QVariant &value)
{
    if (fw.field.secret)
        return;   // secrets are never shown, not even when known
    QObject *target = fw.editor;
    if (QObject *inner = fw.editor->property("mistEditor").value<QObject *>())
        target = inner;
    if (auto *edit = qobject_cast<QLineEdit *>(target)) {
        edit->setText(value.typeId() == QMetaType::Double ? jsonToText(QJsonValue(value.toDouble())) : value.toString());
    } else if (auto *check = qobject_cast<QCheckBox *>(target)) {
        check->setChecked(value.toBool());
    } else if (auto *combo = qobject_cast<QComboBox *>(target)) {
        combo->setProperty("mistPendingValue", value.toString());
        const int i = combo->findData(value.toString());
        if (i >= 0)
            combo->setCurrentIndex(i);
    }
}

QVariant CloudDialog::editorValue(const FieldWidget &fw) const
{
    QObject *target = fw.editor;
    if (QObject *inner = fw.editor->property("mistEditor").value<QObject *>())
        target = inner;
    if (auto *edit = qobject_cast<QLineEdit *>(target))
        return fw.field.secret ? edit->text() : edit->text().trimmed();   // a password may end in a space
    if (auto *check = qobject_cast<QCheckBox *>(target))
        return check->isChecked();
    if (auto *combo = qobject_cast<QComboBox *>(target))
        return combo->currentData().toString();
    return {};
}

void CloudDialog::prefill(const QString &providerId, const QString &name, const QJsonObject &config)
{
    if (!m_editing) {
        const int i = m_providerCombo->findData(providerId);
        if (i >= 0)
            m_providerCombo->setCurrentIndex(i);   // rebuilds the fields
    }
    m_nameEdit->setText(name);
    for (const FieldWidget &fw : std::as_const(m_fields))
        if (config.contains(fw.field.id))
            setEditorValue(fw, config.value(fw.field.id).toVariant());
}

Status CloudDialog::checkForm() const
{
    if (m_nameEdit->text().trimmed().isEmpty()) {
        m_nameEdit->setFocus();
        return Error{tr("Enter a name for the cloud."), {}};
    }
    if (!m_editing && currentProviderId().isEmpty())
        return Error{tr("Choose a provider."), {}};
    for (const FieldWidget &fw : m_fields) {
        if (!fw.field.required || fw.field.type == FormField::Type::Boolean)
            continue;
        const bool storedSecret = fw.field.secret && m_cloud.secretFields.contains(fw.field.id);
        if (editorValue(fw).toString().trimmed().isEmpty() && !storedSecret) {
            fw.editor->setFocus();
            return Error{tr("%1 is required.").arg(fw.field.label), {}};
        }
    }
    return {};
}

void CloudDialog::accept()
{
    if (m_busy)
        return;
    m_errorLabel->hide();
    if (Status ok = checkForm(); !ok) {
        showError(ok.error().message);
        return;
    }

    QVariantMap values;
    for (const FieldWidget &fw : std::as_const(m_fields)) {
        QVariant value = editorValue(fw);
        // A secret file (TLS key): its contents go to the keychain, the path nowhere.
        if (fw.field.type == FormField::Type::SecretFile && !value.toString().isEmpty()) {
            Result<QString> contents = readSecretFile(value.toString());
            if (!contents) {
                showError(tr("%1: %2").arg(fw.field.label, contents.error().toString()));
                return;
            }
            value = contents.value();
        }
        values.insert(fw.field.id, value);
    }
    QJsonObject config;
    QHash<QString, QString> secrets;   // only what was typed: empty means "keep"
    AppCore::splitForm(m_info, values, config, secrets);

    Cloud cloud = m_editing ? m_cloud : Cloud{};
    if (!m_editing)
        cloud.provider = currentProviderId();
    else
        for (auto it = config.constBegin(); it != config.constEnd(); ++it)
            cloud.config.insert(it.key(), it.value());   // keys this form does not know are kept
    if (!m_editing)
        cloud.config = config;
    cloud.name = m_nameEdit->text().trimmed();
    cloud.pollIntervalSec = m_intervalSpin->value();
    cloud.enabled = m_enabledCheck->isChecked();

    setBusy(true);
    // The callback may run right away (the provider rejects the form) or later.
    auto done = [this](Result<Cloud> r) { finished(r); };
    if (m_editing)
        m_core->updateCloud(cloud, secrets, this, done);
    else
        m_core->addCloud(cloud, secrets, this, done);
}

void CloudDialog::reject()
{
    if (m_busy)
        return;   // the save is under way; its answer decides
    QDialog::reject();
}

void CloudDialog::finished(const Result<Cloud> &result)
{
    setBusy(false);
    if (!result) {
        showError(result.error().message, result.error().detail);
        return;
    }
    emit cloudSaved(result.value());
    QDialog::accept();
}

void CloudDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->setEnabled(!busy);
    m_busyBar->setVisible(busy);
    m_fieldsBox->setEnabled(!busy);
    m_nameEdit->setEnabled(!busy);
    m_intervalSpin->setEnabled(!busy);
    m_enabledCheck->setEnabled(!busy);
    m_providerCombo->setEnabled(!busy && !m_editing);
    if (busy) {
        m_buttons->setToolTip(tr("Checking and saving…"));
    } else {
        m_buttons->setToolTip(QString());
        if (!focusWidget() || !focusWidget()->isEnabled())
            m_nameEdit->setFocus();
    }
}

void CloudDialog::showError(const QString &message, const QString &detail)
{
    QString text = message.toHtmlEscaped();
    // The detail (library error, path) helps when it adds something to the sentence.
    if (!detail.isEmpty() && !message.contains(detail))
        text += QStringLiteral("<br><small>%1</small>").arg(detail.toHtmlEscaped());
    m_errorLabel->setText(text);
    m_errorLabel->setToolTip(detail);
    m_errorLabel->show();
}

} // namespace mist
