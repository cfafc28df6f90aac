#include "keygeneratedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace mist {

KeyGenerateDialog::KeyGenerateDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_type(new QComboBox(this))
    , m_passphrase(new QLineEdit(this))
    , m_repeat(new QLineEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Generate SSH key"));
    setMinimumWidth(420);
    m_type->addItem(tr("Ed25519 (recommended)"), int(KeyType::Ed25519));
    m_type->addItem(tr("RSA, 4096 bits (for old servers)"), int(KeyType::Rsa));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_repeat->setEchoMode(QLineEdit::Password);
    m_passphrase->setPlaceholderText(tr("optional"));
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("&Passphrase:"), m_passphrase);
    form->addRow(tr("&Repeat:"), m_repeat);
    auto *note = new QLabel(tr("The private key is kept in the OS keychain only. With a passphrase it is also "
                               "encrypted there."), this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Generate"));
    connect(buttons, &QDialogButtonBox::accepted, this, &KeyGenerateDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &KeyGenerateDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    m_name->setFocus();
}

QString KeyGenerateDialog::name() const
{
    return m_name->text().trimmed();
}

KeyType KeyGenerateDialog::type() const
{
    return KeyType(m_type->currentData().toInt());
}

QString KeyGenerateDialog::passphrase() const
{
    return m_passphrase->text();
}

void KeyGenerateDialog::setValues(const QString &name, KeyType type, const QString &passphrase)
{
    m_name->setText(name);
    m_type->setCurrentIndex(m_type->findData(int(type)));
    m_passphrase->setText(passphrase);
    m_repeat->setText(passphrase);
}

void KeyGenerateDialog::accept()
{
    if (name().isEmpty()) {
        m_error->setText(tr("Give the key a name."));
        m_error->show();
        m_name->setFocus();
        return;
    }
    if (m_passphrase->text() != m_repeat->text()) {
        m_error->setText(tr("The two passphrases differ."));
        m_error->show();
        m_repeat->setFocus();
        m_repeat->selectAll();
        return;
    }
    QDialog::accept();
}

} // namespace mist
