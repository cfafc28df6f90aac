// The key manager dialog on the offscreen platform with a real AppCore (store thread) and
// the real keychain of the test session (scripts/with-keyring.sh): generate through the
// dialog, see the key listed, make another the default, import with a wrong passphrase
// then the right one, copy the public key, delete with confirmation.

#include "keys/keymanagerdialog.h"
#include "keys/keygeneratedialog.h"
#include "keys/sshkey.h"
#include "secrets/secretstore.h"
#include "services/appcore.h"
#include "testsupport.h"
#include "util/datalocation.h"

#include <QApplication>
#include <QClipboard>
#include <QInputDialog>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <future>
#include <memory>

using namespace mist;

namespace {

constexpr int kTimeoutMs = 30000;

template <typename T>
T *visibleChild(QObject *parent, const QString &name)
{
    const QList<T *> all = parent->findChildren<T *>(name);
    for (T *w : all)
        if (w->isVisible())
            return w;
    return nullptr;
}

} // namespace

class TestKeyManagerDialog : public QObject
{
    Q_OBJECT

    const QString m_service = QStringLiteral("mist-keys-ui-test-%1").arg(QCoreApplication::applicationPid());
    QTemporaryDir m_dir;
    std::unique_ptr<AppCore> m_core;
    std::unique_ptr<KeyManagerDialog> m_dialog;

    QPushButton *button(const char *name) { return m_dialog->findChild<QPushButton *>(QLatin1String(name)); }
    QTreeWidget *list() { return m_dialog->findChild<QTreeWidget *>(QStringLiteral("keyList")); }

    const SshKey *key(const QString &name)
    {
        static SshKey found;
        for (const SshKey &k : m_dialog->keys())
            if (k.name == name) {
                found = k;
                return &found;
            }
        return nullptr;
    }

    QTreeWidgetItem *row(const QString &name)
    {
        for (int i = 0; i < list()->topLevelItemCount(); ++i)
            if (list()->topLevelItem(i)->text(0) == name)
                return list()->topLevelItem(i);
        return nullptr;
    }

    void generateThroughDialog(const QString &name, KeyType type)
    {
        QVERIFY(button("generateButton")->isEnabled());
        button("generateButton")->click();
        KeyGenerateDialog *gen = nullptr;
        QTRY_VERIFY((gen = visibleChild<KeyGenerateDialog>(m_dialog.get(), QStringLiteral("generateDialog"))));
        gen->setValues(name, type, QString());
        gen->accept();
        QTRY_VERIFY_WITH_TIMEOUT(row(name) != nullptr, kTimeoutMs);
        QVERIFY(!m_dialog->isBusy());
    }

private slots:
    void initTestCase()
    {
        qputenv("MIST_KEYCHAIN_SERVICE", m_service.toUtf8());
        MIST_REQUIRE_KEYCHAIN();
        auto location = DataLocation::resolve(m_dir.filePath(QStringLiteral("data")));
        QVERIFY(location.ok());
        m_core = std::make_unique<AppCore>(location.value());
        QSignalSpy ready(m_core.get(), &AppCore::ready);
        m_core->start();
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, kTimeoutMs);
        m_dialog = std::make_unique<KeyManagerDialog>(m_core.get());
        QSignalSpy listed(m_dialog.get(), &KeyManagerDialog::keysChanged);
        m_dialog->show();
        QTRY_VERIFY(listed.size() >= 1);
        QCOMPARE(list()->topLevelItemCount(), 0);
        QVERIFY(!button("deleteButton")->isEnabled());   // nothing selected
    }

    void generateAndList()
    {
        generateThroughDialog(QStringLiteral("ui key"), KeyType::Ed25519);
        QTreeWidgetItem *item = row(QStringLiteral("ui key"));
        QCOMPARE(item->text(1), QStringLiteral("ED25519 256"));
        QVERIFY(QStringLiteral("SHA256:") + item->text(2) == key(QStringLiteral("ui key"))->fingerprint);
        QCOMPARE(item->text(3), QStringLiteral("Default"));   // the first key
        QVERIFY(item->isSelected());                          // the new key is selected
        QVERIFY(m_dialog->errorText().isEmpty());
    }

    void setDefault()
    {
        generateThroughDialog(QStringLiteral("second"), KeyType::Rsa);
        QCOMPARE(row(QStringLiteral("second"))->text(1), QStringLiteral("RSA 4096"));
        QCOMPARE(row(QStringLiteral("second"))->text(3), QString());
        m_dialog->selectKey(QStringLiteral("second"));
        QVERIFY(button("defaultButton")->isEnabled());
        button("defaultButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(row(QStringLiteral("second"))->text(3), QStringLiteral("Default"), kTimeoutMs);
        QCOMPARE(row(QStringLiteral("ui key"))->text(3), QString());
        QVERIFY(key(QStringLiteral("second"))->isDefault);
        QVERIFY(!button("defaultButton")->isEnabled());   // already the default
    }

    void copyPublicKey()
    {
        m_dialog->selectKey(QStringLiteral("ui key"));
        button("copyButton")->click();
        QCOMPARE(QApplication::clipboard()->text(), key(QStringLiteral("ui key"))->publicKey);
        QVERIFY(QApplication::clipboard()->text().startsWith(QLatin1String("ssh-ed25519 AAAA")));
    }

    void importAsksAgainAfterAWrongPassphrase()
    {
        const QString file = m_dir.filePath(QStringLiteral("id_prompt"));
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                               QStringLiteral("-N"), QStringLiteral("right one"), QStringLiteral("-f"), file});
        QVERIFY(p.waitForFinished(30000) && p.exitCode() == 0);

        m_dialog->importKeyFile(QStringLiteral("imported"), file);
        QInputDialog *prompt = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((prompt = visibleChild<QInputDialog>(m_dialog.get(), QStringLiteral("passphrasePrompt"))), kTimeoutMs);
        QVERIFY(prompt->labelText().contains(QLatin1String("protected by a passphrase")));
        prompt->setTextValue(QStringLiteral("wrong one"));
        prompt->accept();
        QTRY_VERIFY_WITH_TIMEOUT((prompt = visibleChild<QInputDialog>(m_dialog.get(), QStringLiteral("passphrasePrompt"))), kTimeoutMs);
        QVERIFY(prompt->labelText().contains(QLatin1String("wrong")));
        QCOMPARE(m_dialog->errorText(), QStringLiteral("The passphrase is wrong"));
        prompt->setTextValue(QStringLiteral("right one"));
        prompt->accept();
        QTRY_VERIFY_WITH_TIMEOUT(row(QStringLiteral("imported")) != nullptr, kTimeoutMs);
        QVERIFY(key(QStringLiteral("imported"))->hasPassphrase);
        QVERIFY(m_dialog->errorText().isEmpty());
    }

    void importRejectsAPublicKey()
    {
        const QString file = m_dir.filePath(QStringLiteral("id_prompt.pub"));
        QSignalSpy finished(m_dialog.get(), &KeyManagerDialog::operationFinished);
        m_dialog->importKeyFile(QStringLiteral("public"), file);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(m_dialog->errorText().contains(QLatin1String("public key")));
        QVERIFY(row(QStringLiteral("public")) == nullptr);
    }

    void deleteAfterConfirmation()
    {
        const QString uuid = key(QStringLiteral("ui key"))->uuid;
        m_dialog->selectKey(QStringLiteral("ui key"));
        button("deleteButton")->click();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleChild<QMessageBox>(m_dialog.get(), QStringLiteral("deleteConfirm"))));
        // Cancel first: nothing happens.
        box->button(QMessageBox::Cancel)->click();
        QTest::qWait(200);
        QVERIFY(row(QStringLiteral("ui key")) != nullptr);

        button("deleteButton")->click();
        QTRY_VERIFY((box = visibleChild<QMessageBox>(m_dialog.get(), QStringLiteral("deleteConfirm"))));
        QAbstractButton *yes = nullptr;
        for (QAbstractButton *b : box->buttons())
            if (box->buttonRole(b) == QMessageBox::DestructiveRole)
                yes = b;
        QVERIFY(yes);
        yes->click();
        QTRY_VERIFY_WITH_TIMEOUT(row(QStringLiteral("ui key")) == nullptr, kTimeoutMs);
        SecretStore keychain(m_service);
        // std::async, not QtConcurrent: waiting on a QFuture may run the task on this (GUI) thread.
        const auto gone = std::async(std::launch::async, [&] {
                              return keychain.read(SshKey::keychainOwnerFor(uuid), KeychainField::PrivateKey);
                          }).get();
        QVERIFY(!gone.ok());
    }

    void cleanupTestCase()
    {
        if (!m_dialog)
            return;
        // Leave nothing in the test keyring.
        SecretStore keychain(m_service);
        for (const SshKey &k : m_dialog->keys())
            std::async(std::launch::async, [&] {
                return keychain.removeAll(k.keychainOwner(), {KeychainField::PrivateKey, KeychainField::Passphrase});
            }).wait();
        m_dialog.reset();
        m_core.reset();
    }
};

QTEST_MAIN(TestKeyManagerDialog)
#include "tst_keymanagerdialog.moc"
