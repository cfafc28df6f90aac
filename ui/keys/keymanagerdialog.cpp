#include "keymanagerdialog.h"

#include "inventory/inventorystore.h"
#include "keys/keyrepository.h"
#include "keys/keyservice.h"
#include "keygeneratedialog.h"
#include "secrets/secretstore.h"
#include "services/appcore.h"
#include "services/storeservice.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

namespace {

const QString kActor = QStringLiteral("user");

enum Column { NameColumn, TypeColumn, FingerprintColumn, DefaultColumn };

QString typeLabel(const SshKey &k)
{
    QString t = k.type;
    if (t.startsWith(QLatin1String("ssh-")))
        t = t.mid(4);
    t = t.toUpper();
    return k.bits ? QStringLiteral("%1 %2").arg(t).arg(k.bits) : t;
}

// Runs `work` on the global pool, then `then(result)` on the GUI thread while `context`
// lives (the watcher is its child, so a closed dialog drops the answer).
template <typename T, typename Work, typename Then>
void onWorker(QObject *context, Work work, Then then)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, context, [watcher, then] {
        then(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

} // namespace

KeyManagerDialog::KeyManagerDialog(AppCore *core, QWidget *parent)
    : QDialog(parent)
    , m_core(core)
    , m_list(new QTreeWidget(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_error(new QLabel(this))
    , m_generate(new QPushButton(tr("&Generate…"), this))
    , m_import(new QPushButton(tr("&Import…"), this))
    , m_copy(new QPushButton(tr("&Copy public key"), this))
    , m_rename(new QPushButton(tr("Re&name…"), this))
    , m_delete(new QPushButton(tr("&Delete…"), this))
    , m_default(new QPushButton(tr("Set as &default"), this))
{
    setWindowTitle(tr("SSH keys"));
    resize(760, 420);

    m_list->setObjectName(QStringLiteral("keyList"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setHeaderLabels({tr("Name"), tr("Type"), tr("Fingerprint (SHA256)"), tr("Default")});
    m_list->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(TypeColumn, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(FingerprintColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(DefaultColumn, QHeaderView::ResizeToContents);

    m_progress->setRange(0, 0);   // busy indicator
    m_progress->setMaximumWidth(120);
    m_progress->hide();
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_import->setObjectName(QStringLiteral("importButton"));
    m_copy->setObjectName(QStringLiteral("copyButton"));
    m_rename->setObjectName(QStringLiteral("renameButton"));
    m_delete->setObjectName(QStringLiteral("deleteButton"));
    m_default->setObjectName(QStringLiteral("defaultButton"));

    auto *side = new QVBoxLayout;
    for (QPushButton *b : {m_generate, m_import, m_copy, m_rename, m_delete, m_default})
        side->addWidget(b);
    side->addStretch();
    auto *top = new QHBoxLayout;
    top->addWidget(m_list, 1);
    top->addLayout(side);

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_status, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    statusRow->addWidget(buttons);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(m_error);
    layout->addLayout(statusRow);

    connect(m_generate, &QPushButton::clicked, this, &KeyManagerDialog::openGenerateDialog);
    connect(m_import, &QPushButton::clicked, this, &KeyManagerDialog::openImportDialog);
    connect(m_copy, &QPushButton::clicked, this, &KeyManagerDialog::copyPublicKey);
    connect(m_rename, &QPushButton::clicked, this, &KeyManagerDialog::renameSelected);
    connect(m_delete, &QPushButton::clicked, this, &KeyManagerDialog::deleteSelected);
    connect(m_default, &QPushButton::clicked, this, &KeyManagerDialog::setSelectedDefault);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &KeyManagerDialog::updateButtons);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &KeyManagerDialog::copyPublicKey);

    updateButtons();
    refresh();
}

KeyManagerDialog::~KeyManagerDialog() = default;

QString KeyManagerDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void KeyManagerDialog::setBusy(bool busy, const QString &status)
{
    m_busy = busy;
    m_progress->setVisible(busy);
    m_status->setText(status);
    if (busy) {
        m_error->clear();
        m_error->hide();
    }
    updateButtons();
}

void KeyManagerDialog::showError(const Error &error)
{
    m_error->setText(error.message);
    m_error->setToolTip(error.detail);
    m_error->show();
}

void KeyManagerDialog::updateButtons()
{
    const bool selected = selectedKey() != nullptr;
    m_generate->setEnabled(!m_busy);
    m_import->setEnabled(!m_busy);
    m_copy->setEnabled(selected);
    m_rename->setEnabled(selected && !m_busy);
    m_delete->setEnabled(selected && !m_busy);
    m_default->setEnabled(selected && !m_busy && !selectedKey()->isDefault);
}

const SshKey *KeyManagerDialog::selectedKey() const
{
    const QList<QTreeWidgetItem *> items = m_list->selectedItems();
    if (items.isEmpty())
        return nullptr;
    const qint64 id = items.constFirst()->data(NameColumn, Qt::UserRole).toLongLong();
    for (const SshKey &k : m_keys)
        if (k.id == id)
            return &k;
    return nullptr;
}

QString KeyManagerDialog::selectedName() const
{
    const SshKey *k = selectedKey();
    return k ? k->name : QString();
}

void KeyManagerDialog::selectKey(const QString &name)
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_list->topLevelItem(i);
        if (item->text(NameColumn).compare(name, Qt::CaseInsensitive) == 0) {
            m_list->setCurrentItem(item);
            item->setSelected(true);
            return;
        }
    }
}

void KeyManagerDialog::refresh()
{
    m_core->store()->call<QVector<SshKey>>(
        this, [](InventoryStore &store) { return KeyRepository(store, kActor).list(); },
        [this](Result<QVector<SshKey>> r) {
            if (!r) {
                showError(r.error());
                return;
            }
            showKeys(r.value());
        });
}

void KeyManagerDialog::showKeys(const QVector<SshKey> &keys)
{
    const QString keep = m_pendingSelection.isEmpty() ? selectedName() : m_pendingSelection;
    m_pendingSelection.clear();
    m_keys = keys;
    m_list->clear();
    for (const SshKey &k : std::as_const(m_keys)) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(NameColumn, k.name);
        item->setData(NameColumn, Qt::UserRole, k.id);
        item->setText(TypeColumn, typeLabel(k));
        item->setText(FingerprintColumn, k.fingerprint.mid(7));   // without "SHA256:" (in the header)
        item->setToolTip(FingerprintColumn, k.publicKey);
        item->setText(DefaultColumn, k.isDefault ? tr("Default") : QString());
        if (k.hasPassphrase)
            item->setToolTip(NameColumn, tr("Protected by a passphrase (kept in the keychain)"));
    }
    if (!keep.isEmpty())
        selectKey(keep);
    updateButtons();
    emit keysChanged();
}

QString KeyManagerDialog::uniqueName(const QString &base) const
{
    QString name = base.trimmed().isEmpty() ? tr("key") : base.trimmed();
    auto taken = [this](const QString &n) {
        for (const SshKey &k : m_keys)
            if (k.name.compare(n, Qt::CaseInsensitive) == 0)
                return true;
        return false;
    };
    const QString stem = name;
    for (int i = 2; taken(name); ++i)
        name = QStringLiteral("%1 (%2)").arg(stem).arg(i);
    return name;
}

void KeyManagerDialog::openGenerateDialog()
{
    auto *dialog = new KeyGenerateDialog(this);
    dialog->setObjectName(QStringLiteral("generateDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setValues(uniqueName(tr("my key")), KeyType::Ed25519, QString());
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { generateKey(dialog->name(), dialog->type(), dialog->passphrase()); });
    dialog->open();
}

void KeyManagerDialog::generateKey(const QString &name, KeyType type, const QString &passphrase)
{
    if (m_busy)
        return;
    setBusy(true, type == KeyType::Rsa ? tr("Generating an RSA 4096 key…") : tr("Generating an Ed25519 key…"));
    struct Generated
    {
        KeyMaterial material;
        QByteArray text;
        Error error;
    };
    onWorker<Generated>(
        this,
        [type, passphrase] {
            Generated g;
            Result<KeyMaterial> m = KeyMaterial::generate(type);
            if (!m) {
                g.error = m.error();
                return g;
            }
            Result<QByteArray> text = m->exportPrivate(passphrase);
            if (!text) {
                g.error = text.error();
                return g;
            }
            g.material = m.value();
            g.text = text.value();
            return g;
        },
        [this, name, passphrase](const Generated &g) {
            if (g.material.isNull()) {
                setBusy(false);
                showError(g.error);
                emit operationFinished(false, g.error.message);
                return;
            }
            storeMaterial(name, g.material, g.text, passphrase, QStringLiteral("key.generated"));
        });
}

void KeyManagerDialog::openImportDialog()
{
    const QString start = QDir::home().filePath(QStringLiteral(".ssh"));
    const QString path = QFileDialog::getOpenFileName(this, tr("Import private key"),
                                                      QFileInfo::exists(start) ? start : QDir::homePath(),
                                                      tr("All files (*)"), nullptr, QFileDialog::DontResolveSymlinks);
    if (path.isEmpty())
        return;
    importKeyFile(uniqueName(QFileInfo(path).fileName()), path);
}

void KeyManagerDialog::importKeyFile(const QString &name, const QString &path, const QString &passphrase)
{
    if (m_busy)
        return;
    setBusy(true, tr("Reading %1…").arg(QFileInfo(path).fileName()));
    onWorker<ImportAttempt>(
        this,
        [path, passphrase] {
            ImportAttempt a;
            Result<QByteArray> text = KeyMaterial::readKeyFile(path, &a.problem);
            if (!text) {
                a.error = text.error();
                return a;
            }
            a.text = text.value();
            Result<KeyMaterial> m = KeyMaterial::import(a.text, passphrase, &a.problem);
            if (!m)
                a.error = m.error();
            else
                a.material = m.value();
            return a;
        },
        [this, name, path, passphrase](const ImportAttempt &a) {
            if (a.problem == KeyProblem::NeedsPassphrase || a.problem == KeyProblem::WrongPassphrase) {
                setBusy(false);
                askPassphrase(name, path, a.problem == KeyProblem::WrongPassphrase);
                return;
            }
            if (a.material.isNull()) {
                setBusy(false);
                showError(a.error);
                emit operationFinished(false, a.error.message);
                return;
            }
            const QString kept = KeyMaterial::needsPassphrase(a.text) ? passphrase : QString();
            storeMaterial(name, a.material, a.text, kept, QStringLiteral("key.imported"));
        });
}

void KeyManagerDialog::askPassphrase(const QString &name, const QString &path, bool wasWrong)
{
    auto *prompt = new QInputDialog(this);
    prompt->setObjectName(QStringLiteral("passphrasePrompt"));
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    prompt->setWindowTitle(tr("Key passphrase"));
    prompt->setInputMode(QInputDialog::TextInput);
    prompt->setTextEchoMode(QLineEdit::Password);
    const QString file = QFileInfo(path).fileName();
    prompt->setLabelText(wasWrong ? tr("The passphrase is wrong. Try again for %1:").arg(file)
                                  : tr("%1 is protected by a passphrase. Enter it to import the key:").arg(file));
    if (wasWrong)
        showError(Error{tr("The passphrase is wrong"), {}});
    connect(prompt, &QInputDialog::textValueSelected, this,
            [this, name, path](const QString &pass) { importKeyFile(name, path, pass); });
    connect(prompt, &QDialog::rejected, this, [this] { emit operationFinished(false, tr("Import cancelled")); });
    prompt->open();
}

void KeyManagerDialog::storeMaterial(const QString &name, const KeyMaterial &material, const QByteArray &text,
                                     const QString &passphrase, const QString &action)
{
    setBusy(true, tr("Saving the key in the keychain…"));
    m_core->store()->call<SshKey>(
        this,
        [name, material, text, passphrase, action](InventoryStore &store) {
            // Keychain and database in one step on the store thread (SecretStore is
            // thread-safe): the secret is written first and removed again if the row is refused.
            SecretStore secrets;
            return KeyService(store, secrets, kActor).store(name, material, text, passphrase, action);
        },
        [this, action](Result<SshKey> r) {
            finishWrite(r, r ? (action == QLatin1String("key.generated") ? tr("Generated “%1”.") : tr("Imported “%1”."))
                                   .arg(r->name)
                             : QString());
        });
}

void KeyManagerDialog::finishWrite(const Result<SshKey> &result, const QString &doneMessage)
{
    setBusy(false, result ? doneMessage : QString());
    if (!result) {
        showError(result.error());
        emit operationFinished(false, result.error().message);
        return;
    }
    m_pendingSelection = result->name;
    refresh();
    emit operationFinished(true, doneMessage);
}

void KeyManagerDialog::copyPublicKey()
{
    const SshKey *k = selectedKey();
    if (!k)
        return;
    QApplication::clipboard()->setText(k->publicKey);
    m_status->setText(tr("Copied the public key of “%1”.").arg(k->name));
}

void KeyManagerDialog::renameSelected()
{
    const SshKey *k = selectedKey();
    if (!k || m_busy)
        return;
    auto *prompt = new QInputDialog(this);
    prompt->setObjectName(QStringLiteral("renamePrompt"));
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    prompt->setWindowTitle(tr("Rename key"));
    prompt->setLabelText(tr("New name for “%1”:").arg(k->name));
    prompt->setTextValue(k->name);
    const QString uuid = k->uuid;
    connect(prompt, &QInputDialog::textValueSelected, this, [this, uuid](const QString &newName) {
        setBusy(true, tr("Renaming…"));
        m_core->store()->call<SshKey>(
            this,
            [uuid, newName](InventoryStore &store) {
                KeyRepository repo(store, kActor);
                Result<SshKey> key = repo.byUuid(uuid);
                return key ? repo.rename(key->id, newName) : key;
            },
            [this](Result<SshKey> r) { finishWrite(r, r ? tr("Renamed to “%1”.").arg(r->name) : QString()); });
    });
    prompt->open();
}

void KeyManagerDialog::deleteSelected()
{
    const SshKey *k = selectedKey();
    if (!k || m_busy)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete key"),
                                tr("Delete the key “%1”?\n\nIts private key is removed from the keychain and cannot be "
                                   "recovered. Servers that only accept this key will refuse Mist.")
                                    .arg(k->name),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteConfirm"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *yes = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    const QString uuid = k->uuid;
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, uuid](QAbstractButton *clicked) {
        if (clicked != yes)
            return;
        setBusy(true, tr("Deleting…"));
        m_core->store()->call<SshKey>(
            this,
            [uuid](InventoryStore &store) {
                SecretStore secrets;
                return KeyService(store, secrets, kActor).remove(uuid);
            },
            [this](Result<SshKey> r) { finishWrite(r, r ? tr("Deleted “%1”.").arg(r->name) : QString()); });
    });
    box->open();
}

void KeyManagerDialog::setSelectedDefault()
{
    const SshKey *k = selectedKey();
    if (!k || m_busy)
        return;
    setBusy(true, tr("Saving…"));
    const qint64 id = k->id;
    m_core->store()->call<SshKey>(
        this, [id](InventoryStore &store) { return KeyRepository(store, kActor).setDefault(id); },
        [this](Result<SshKey> r) { finishWrite(r, r ? tr("“%1” is now the default key.").arg(r->name) : QString()); });
}

} // namespace mist
