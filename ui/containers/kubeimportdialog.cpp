#include "kubeimportdialog.h"

#include "services/appcore.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

namespace {
enum Column { NameColumn, ServerColumn, NamespaceColumn, UserColumn, WarningColumn };
const QString kSeparator = QStringLiteral(":");   // as in KUBECONFIG
} // namespace

KubeImportDialog::KubeImportDialog(AppCore *core, const QStringList &paths, QWidget *parent)
    : QDialog(parent), m_core(core), m_path(new QLineEdit(this)), m_list(new QTreeWidget(this)),
      m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("kubeImportDialog"));
    setWindowTitle(tr("Import kubeconfig"));
    m_path->setObjectName(QStringLiteral("kubeconfigPath"));
    m_path->setPlaceholderText(tr("$KUBECONFIG or ~/.kube/config"));
    auto *browseButton = new QPushButton(tr("&Browse…"), this);
    auto *reload = new QPushButton(tr("&Read"), this);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Files:"), this));
    top->addWidget(m_path, 1);
    top->addWidget(browseButton);
    top->addWidget(reload);

    m_list->setObjectName(QStringLiteral("kubeContexts"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Context"), tr("Server"), tr("Namespace"), tr("User"), tr("Warnings")});
    m_list->header()->setStretchLastSection(true);
    m_message->setObjectName(QStringLiteral("kubeImportMessage"));
    m_message->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_import = buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    m_import->setObjectName(QStringLiteral("kubeImportButton"));
    m_import->setEnabled(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(new QLabel(tr("Each checked context becomes a Kubernetes cloud named after it. Tokens and client "
                                    "keys are stored in the OS keychain."), this));
    layout->addWidget(m_list, 1);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &KubeImportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &KubeImportDialog::reject);
    connect(browseButton, &QPushButton::clicked, this, &KubeImportDialog::browse);
    connect(reload, &QPushButton::clicked, this, [this] {
        load(m_path->text().split(kSeparator, Qt::SkipEmptyParts));
    });
    connect(m_path, &QLineEdit::returnPressed, reload, &QPushButton::click);
    resize(820, 380);
    load(paths);
}

int KubeImportDialog::contextCount() const
{
    return m_list->topLevelItemCount();
}

void KubeImportDialog::setChecked(const QString &context, bool checked)
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        if (QTreeWidgetItem *item = m_list->topLevelItem(i); item->text(NameColumn) == context)
            item->setCheckState(NameColumn, checked ? Qt::Checked : Qt::Unchecked);
}

void KubeImportDialog::load(const QStringList &paths)
{
    m_path->setText(paths.join(kSeparator));
    m_list->clear();
    m_import->setEnabled(false);
    m_message->setText(tr("Reading…"));
    // YAML files, and KUBECONFIG may name slow network mounts: a worker reads them.
    auto *watcher = new QFutureWatcher<Result<KubeconfigImport>>(this);
    connect(watcher, &QFutureWatcher<Result<KubeconfigImport>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        show(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([paths]() -> Result<KubeconfigImport> {
        return paths.isEmpty() ? KubeconfigReader::readDefault() : KubeconfigReader::readFiles(paths);
    }));
}

void KubeImportDialog::show(const Result<KubeconfigImport> &config)
{
    if (!config) {
        setError(config.error().toString());
        emit loaded();
        return;
    }
    m_config = config.value();
    if (m_path->text().isEmpty())
        m_path->setText(m_config.files.join(kSeparator));
    for (const KubeContextImport &c : std::as_const(m_config.contexts)) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(NameColumn, c.name);
        item->setText(ServerColumn, c.server);
        item->setText(NamespaceColumn, c.namespaceName.isEmpty() ? QStringLiteral("default") : c.namespaceName);
        item->setText(UserColumn, c.user);
        item->setText(WarningColumn, c.warnings.join(QStringLiteral(" ")));
        item->setToolTip(WarningColumn, c.warnings.join(QLatin1Char('\n')));
        if (!c.warnings.isEmpty())
            item->setForeground(WarningColumn, QColor(0xd3, 0x54, 0x00));
        item->setCheckState(NameColumn, Qt::Checked);
        if (c.current)
            m_list->setCurrentItem(item);
    }
    for (int c = 0; c < WarningColumn; ++c)
        m_list->resizeColumnToContents(c);
    QStringList notes = m_config.warnings;
    if (m_config.contexts.isEmpty())
        notes.prepend(tr("No contexts found."));
    m_message->setStyleSheet(QString());
    m_message->setText(notes.join(QLatin1Char('\n')));
    m_import->setEnabled(!m_config.contexts.isEmpty());
    emit loaded();
}

void KubeImportDialog::browse()
{
    auto *dialog = new QFileDialog(this, tr("Choose kubeconfig files"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    connect(dialog, &QFileDialog::filesSelected, this, &KubeImportDialog::load);
    dialog->open();
}

void KubeImportDialog::setError(const QString &text)
{
    m_message->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_message->setText(text);
}

void KubeImportDialog::accept()
{
    if (m_pending > 0)
        return;
    QVector<const KubeContextImport *> chosen;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_list->topLevelItem(i);
        if (item->checkState(NameColumn) == Qt::Checked && !item->isDisabled())
            if (const KubeContextImport *c = m_config.context(item->text(NameColumn)))
                chosen << c;
    }
    if (chosen.isEmpty()) {
        setError(tr("Check at least one context."));
        return;
    }
    m_pending = static_cast<int>(chosen.size());
    m_added = 0;
    m_failed = 0;
    m_import->setEnabled(false);
    m_message->setStyleSheet(QString());
    m_message->setText(tr("Adding %n cloud(s)…", nullptr, m_pending));
    auto errors = std::make_shared<QStringList>();
    for (const KubeContextImport *c : std::as_const(chosen)) {
        Cloud cloud;
        cloud.provider = QStringLiteral("kubernetes");
        cloud.name = c->name;
        cloud.config = c->config;
        m_core->addCloud(cloud, c->secrets, this, [this, errors, name = c->name](Result<Cloud> added) {
            if (added) {
                ++m_added;
                // An added context cannot be added twice.
                for (int i = 0; i < m_list->topLevelItemCount(); ++i)
                    if (QTreeWidgetItem *item = m_list->topLevelItem(i); item->text(NameColumn) == name)
                        item->setDisabled(true);
            } else {
                ++m_failed;
                *errors << tr("%1: %2").arg(name, added.error().toString());
            }
            if (--m_pending > 0)
                return;
            if (m_failed == 0) {
                emit imported(m_added);
                QDialog::accept();
                return;
            }
            m_import->setEnabled(true);
            setError(tr("%1 added, %2 not:").arg(m_added).arg(m_failed) + QLatin1Char('\n') + errors->join(QLatin1Char('\n')));
        });
    }
}

} // namespace mist
