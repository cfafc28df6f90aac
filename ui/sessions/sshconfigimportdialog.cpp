#include "sshconfigimportdialog.h"

#include "inventory/cloud.h"
#include "services/appcore.h"
#include "services/sshconfigimport.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

SshConfigImportDialog::SshConfigImportDialog(AppCore *core, QWidget *parent, const QString &path)
    : QDialog(parent), m_core(core), m_path(path), m_name(new QLineEdit(QStringLiteral("ssh-config"), this)),
      m_hosts(new QTreeWidget(this)), m_warnings(new QLabel(this)), m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("sshConfigImportDialog"));
    setWindowTitle(tr("Import hosts from %1").arg(path));
    resize(720, 420);
    m_name->setObjectName(QStringLiteral("cloudNameEdit"));
    m_hosts->setObjectName(QStringLiteral("hostList"));
    m_hosts->setHeaderLabels({tr("Host"), tr("Connects to"), tr("Identity file"), tr("Jump hosts")});
    m_hosts->setRootIsDecorated(false);
    m_hosts->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->hide();
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("Cloud &name:"), m_name);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *import = buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    import->setObjectName(QStringLiteral("importButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SshConfigImportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hosts, 1);
    layout->addWidget(m_warnings);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setEnabled(false);
    load();
}

void SshConfigImportDialog::load()
{
    auto *watcher = new QFutureWatcher<Result<SshConfig>>(this);
    connect(watcher, &QFutureWatcher<Result<SshConfig>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        setEnabled(true);
        Result<SshConfig> read = watcher->result();
        if (!read) {
            showError(read.error().toString());
            return;
        }
        m_config = read.value();
        const QString user = SshConfig::Environment::current().localUser;
        for (const SshHostConfig &h : m_config->importableHosts()) {
            const QJsonObject e = SshConfigImport::hostEntry(*m_config, h, user);
            auto *item = new QTreeWidgetItem(m_hosts, {h.alias,
                                                       QStringLiteral("%1@%2:%3").arg(e.value(QLatin1String("user")).toString(),
                                                                                      e.value(QLatin1String("host")).toString())
                                                           .arg(e.value(QLatin1String("port")).toInt()),
                                                       e.value(QLatin1String("identity_file")).toString(),
                                                       e.value(QLatin1String("proxy_jump")).toString()});
            item->setCheckState(0, Qt::Checked);
        }
        if (m_hosts->topLevelItemCount() == 0)
            showError(tr("%1 names no concrete hosts (only patterns like Host *).").arg(m_path));
        if (!m_config->warnings().isEmpty()) {
            m_warnings->setText(tr("Lines skipped:\n%1").arg(m_config->warnings().join(QLatin1Char('\n'))));
            m_warnings->show();
        }
    });
    watcher->setFuture(QtConcurrent::run([path = m_path] { return SshConfig::fromFile(path); }));
}

void SshConfigImportDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void SshConfigImportDialog::accept()
{
    if (!m_config)
        return;
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) {
        showError(tr("Give the cloud a name."));
        m_name->setFocus();
        return;
    }
    QVector<SshHostConfig> chosen;
    const QVector<SshHostConfig> all = m_config->importableHosts();
    for (int i = 0; i < m_hosts->topLevelItemCount() && i < all.size(); ++i)
        if (m_hosts->topLevelItem(i)->checkState(0) == Qt::Checked)
            chosen << all.at(i);
    if (chosen.isEmpty()) {
        showError(tr("Tick at least one host."));
        return;
    }
    Cloud cloud;
    cloud.name = name;
    cloud.provider = QStringLiteral("other");
    cloud.config.insert(QStringLiteral("hosts"),
                        SshConfigImport::hostEntries(*m_config, chosen, SshConfig::Environment::current().localUser));
    setEnabled(false);
    const int count = int(chosen.size());
    m_core->addCloud(cloud, {}, this, [this, name, count](Result<Cloud> added) {
        setEnabled(true);
        if (!added) {
            showError(added.error().toString());
            return;
        }
        emit imported(name, count);
        QDialog::accept();
    });
}

} // namespace mist
