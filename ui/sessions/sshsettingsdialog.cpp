#include "sshsettingsdialog.h"

#include "inventory/inventorystore.h"
#include "keys/keyrepository.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "ssh/sshtypes.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mist {

namespace {

struct Loaded
{
    QVector<SshKey> keys;
    std::optional<KeyAssociation> association;
};

} // namespace

SshSettingsDialog::SshSettingsDialog(AppCore *core, const Machine &machine, QWidget *parent)
    : QDialog(parent), m_core(core), m_machine(machine), m_key(new QComboBox(this)), m_user(new QLineEdit(this)),
      m_port(new QSpinBox(this)), m_jump(new QLineEdit(this)), m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("sshSettingsDialog"));
    setWindowTitle(tr("SSH settings for %1").arg(machine.name));
    const QJsonObject provider = machine.extra.value(QLatin1String("ssh")).toObject();
    m_key->setObjectName(QStringLiteral("keyCombo"));
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_user->setPlaceholderText(provider.value(QLatin1String("user")).toString(QStringLiteral("root")));
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("default (%1)").arg(provider.value(QLatin1String("port")).toInt(22)));
    m_jump->setObjectName(QStringLiteral("jumpEdit"));
    m_jump->setPlaceholderText(provider.value(QLatin1String("proxy_jump")).toString(tr("none — e.g. admin@bastion:22")));
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Key:"), m_key);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&Jump hosts:"), m_jump);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SshSettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Empty fields use what the provider reports, then root, port 22, the default key "
                                    "and your ssh-agent."), this));
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setEnabled(false);   // until loaded
    load();
}

void SshSettingsDialog::load()
{
    const qint64 machineId = m_machine.id;
    m_core->store()->call<Loaded>(
        this,
        [machineId](InventoryStore &store) -> Result<Loaded> {
            KeyRepository keys(store, QStringLiteral("user"));
            auto list = keys.list();
            if (!list)
                return list.error();
            auto association = keys.association(machineId);
            if (!association)
                return association.error();
            return Loaded{list.value(), association.value()};
        },
        [this](Result<Loaded> loaded) {
            setEnabled(true);
            if (!loaded) {
                showError(loaded.error().toString());
                return;
            }
            m_key->addItem(tr("Default key and ssh-agent"), qint64(0));
            for (const SshKey &k : loaded.value().keys)
                m_key->addItem(QStringLiteral("%1 (%2)").arg(k.name, k.fingerprint), k.id);
            if (const auto &a = loaded.value().association) {
                m_key->setCurrentIndex(qMax(0, m_key->findData(a->keyId)));
                m_user->setText(a->user);
                m_port->setValue(a->port);
                m_jump->setText(a->proxyJump);
            }
        });
}

void SshSettingsDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void SshSettingsDialog::accept()
{
    KeyAssociation a;
    a.machineId = m_machine.id;
    a.keyId = m_key->currentData().toLongLong();
    a.user = m_user->text().trimmed();
    a.port = m_port->value();
    a.proxyJump = m_jump->text().trimmed();
    if (a.user.contains(QLatin1Char(' ')) || a.user.contains(QLatin1Char('@'))) {
        showError(tr("The user name cannot contain spaces or '@'."));
        m_user->setFocus();
        return;
    }
    if (!a.proxyJump.isEmpty()) {
        if (auto jumps = parseProxyJump(a.proxyJump, QStringLiteral("root")); !jumps) {
            showError(tr("Jump hosts: %1").arg(jumps.error().message));
            m_jump->setFocus();
            return;
        }
    }
    setEnabled(false);
    m_core->store()->call<KeyAssociation>(
        this, [a](InventoryStore &store) { return KeyRepository(store, QStringLiteral("user")).setAssociation(a); },
        [this](Result<KeyAssociation> saved) {
            setEnabled(true);
            if (!saved) {
                showError(saved.error().toString());
                return;
            }
            emit this->saved();
            QDialog::accept();
        });
}

} // namespace mist
