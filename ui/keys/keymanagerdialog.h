#pragma once

#include "keys/keymaterial.h"
#include "keys/sshkey.h"
#include "util/result.h"

#include <QDialog>
#include <QVector>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace mist {

class AppCore;

// The key store: list (name, type, fingerprint, default), generate, import, copy the public
// key, rename, delete, set the default. The GUI thread never waits: key generation and
// decoding (bcrypt for encrypted OpenSSH keys) run on a QtConcurrent worker; keychain and
// database work runs in one StoreService::call on the store thread (SecretStore is
// thread-safe), so a key is written keychain first, then database, as one step.
class KeyManagerDialog : public QDialog
{
    Q_OBJECT
public:
    explicit KeyManagerDialog(AppCore *core, QWidget *parent = nullptr);
    ~KeyManagerDialog() override;

    QVector<SshKey> keys() const { return m_keys; }
    bool isBusy() const { return m_busy; }
    QString errorText() const;
    QString selectedName() const;

public slots:
    void refresh();
    // What the Generate… and Import… buttons do once they have their answers.
    void generateKey(const QString &name, mist::KeyType type, const QString &passphrase);
    void importKeyFile(const QString &name, const QString &path, const QString &passphrase = {});
    void selectKey(const QString &name);
    void copyPublicKey();
    void renameSelected();        // asks for the new name
    void deleteSelected();        // asks for confirmation
    void setSelectedDefault();

signals:
    void keysChanged();           // after every refresh
    void operationFinished(bool ok, const QString &message);

private:
    struct ImportAttempt
    {
        KeyMaterial material;
        QByteArray text;
        KeyProblem problem = KeyProblem::None;
        Error error;
    };

    void openGenerateDialog();
    void openImportDialog();
    void askPassphrase(const QString &name, const QString &path, bool wasWrong);
    void storeMaterial(const QString &name, const KeyMaterial &material, const QByteArray &text,
                       const QString &passphrase, const QString &action);
    void finishWrite(const Result<SshKey> &result, const QString &doneMessage);
    void showKeys(const QVector<SshKey> &keys);
    const SshKey *selectedKey() const;
    QString uniqueName(const QString &base) const;
    void setBusy(bool busy, const QString &status = {});
    void showError(const Error &error);
    void updateButtons();

    AppCore *m_core;
    QVector<SshKey> m_keys;
    bool m_busy = false;
    QString m_pendingSelection;
    QTreeWidget *m_list;
    QLabel *m_status;
    QProgressBar *m_progress;
    QLabel *m_error;
    QPushButton *m_generate;
    QPushButton *m_import;
    QPushButton *m_copy;
    QPushButton *m_rename;
    QPushButton *m_delete;
    QPushButton *m_default;
};

} // namespace mist
