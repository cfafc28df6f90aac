// KeyService against a real Secret Service (the test command runs the suite inside
// scripts/with-keyring.sh) and a real inventory file: private keys and passphrases reach
// the keychain only, never the database, its WAL or the settings; the audit log names keys
// without secrets; key associations round-trip.

#include "inventory/inventorystore.h"
#include "keys/keymaterial.h"
#include "keys/keyrepository.h"
#include "keys/keyservice.h"
#include "secrets/secretstore.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace mist;

class TestKeyService : public QObject
{
    Q_OBJECT

    const QString m_service = QStringLiteral("mist-keys-test-%1").arg(QCoreApplication::applicationPid());
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<InventoryStore> m_store;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<KeyService> m_keys;

    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }

    // The store's file, its WAL and a settings file next to them all sit in dataDir().
    QStringList filesHolding(const QByteArray &needle)
    {
        (void)m_store->database().exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
        return test::filesContaining(dataDir(), needle);
    }

    // A line from the middle of a PEM/OpenSSH body: proof of the private key's presence.
    static QByteArray bodyLine(const QByteArray &text)
    {
        const QList<QByteArray> lines = text.split('\n');
        return lines.size() > 3 ? lines.at(lines.size() / 2).trimmed() : text;
    }

    QString makeKeyFile(const QString &name, const QString &passphrase, const QStringList &extra = {})
    {
        const QString file = m_dir->filePath(name);
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), extra + QStringList{QStringLiteral("-q"), QStringLiteral("-N"), passphrase,
                                                                  QStringLiteral("-f"), file});
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return {};
        return file;
    }

    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    QStringList keyNames()
    {
        QStringList out;
        for (const SshKey &k : m_keys->list().value())
            out << k.name;
        return out;
    }

    Result<QString> keychainRead(const SshKey &key, const QString &field)
    {
        return m_secrets->read(key.keychainOwner(), field);
    }

    qint64 addMachine()
    {
        Cloud c;
        c.name = QStringLiteral("hosts");
        c.provider = QStringLiteral("local");
        Result<Cloud> cloud = m_store->addCloud(c, QStringLiteral("test"));
        if (!cloud)
            return 0;
        PollResult poll;
        poll.success = poll.complete = true;
        Machine m;
        m.externalId = QStringLiteral("m-1");
        m.name = QStringLiteral("web1");
        poll.machines << m;
        if (!m_store->applyPoll(cloud->id, poll, QDateTime::currentDateTimeUtc()).ok())
            return 0;
        auto found = m_store->findMachine(QStringLiteral("web1"));
        return found ? found->id : 0;
    }

private slots:
    void initTestCase()
    {
        qputenv("MIST_KEYCHAIN_SERVICE", m_service.toUtf8());
        MIST_REQUIRE_KEYCHAIN();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QVERIFY(QDir().mkpath(dataDir()));
        m_store = std::make_unique<InventoryStore>();
        QVERIFY(m_store->open(dataDir() + QStringLiteral("/inventory.db")).ok());
        m_secrets = std::make_unique<SecretStore>(m_service);
        m_keys = std::make_unique<KeyService>(*m_store, *m_secrets, QStringLiteral("user"));
    }

    void cleanup()
    {
        // Leave nothing in the test keyring.
        if (m_keys)
            if (auto all = m_keys->list(); all.ok())
                for (const SshKey &k : all.value())
                    (void)m_keys->remove(k.name);
        m_keys.reset();
        m_secrets.reset();
        m_store.reset();
        m_dir.reset();
    }

    void generateKeepsThePrivateKeyInTheKeychainOnly()
    {
        const QString passphrase = QStringLiteral("PassPhrase-%1").arg(QDateTime::currentMSecsSinceEpoch());
        Result<SshKey> plain = m_keys->generate(QStringLiteral("laptop"), KeyType::Ed25519);
        QVERIFY2(plain.ok(), qPrintable(plain.error().toString()));
        Result<SshKey> locked = m_keys->generate(QStringLiteral("vault"), KeyType::Rsa, passphrase);
        QVERIFY2(locked.ok(), qPrintable(locked.error().toString()));

        QCOMPARE(plain->type, QStringLiteral("ssh-ed25519"));
        QCOMPARE(plain->bits, 256);
        QVERIFY(plain->isDefault);           // the first key is the default
        QVERIFY(!plain->hasPassphrase);
        QCOMPARE(locked->type, QStringLiteral("ssh-rsa"));
        QCOMPARE(locked->bits, 4096);
        QVERIFY(!locked->isDefault);
        QVERIFY(locked->hasPassphrase);
        QCOMPARE(keyNames(), QStringList({QStringLiteral("laptop"), QStringLiteral("vault")}));

        // The keychain holds the private halves; they open to the same public keys.
        Result<KeySecret> s1 = m_keys->loadPrivate(plain->uuid);
        QVERIFY2(s1.ok(), qPrintable(s1.error().toString()));
        QVERIFY(s1->passphrase.isEmpty());
        QCOMPARE(KeyMaterial::import(s1->privateKey).value().fingerprint(), plain->fingerprint);
        Result<KeySecret> s2 = m_keys->loadPrivate(locked->uuid);
        QVERIFY2(s2.ok(), qPrintable(s2.error().toString()));
        QCOMPARE(s2->passphrase, passphrase);
        QVERIFY(KeyMaterial::needsPassphrase(s2->privateKey));
        QCOMPARE(KeyMaterial::import(s2->privateKey, s2->passphrase).value().fingerprint(), locked->fingerprint);

        // Nothing secret on disk; the scan does find what is stored (the public key).
        QSettings settings(dataDir() + QStringLiteral("/settings.ini"), QSettings::IniFormat);
        settings.setValue(QStringLiteral("probe"), plain->name);
        settings.sync();
        QCOMPARE(filesHolding(bodyLine(s1->privateKey)), QStringList());
        QCOMPARE(filesHolding(bodyLine(s2->privateKey)), QStringList());
        QCOMPARE(filesHolding(passphrase.toUtf8()), QStringList());
        QVERIFY(!filesHolding(plain->publicKey.section(QLatin1Char(' '), 1, 1).toLatin1()).isEmpty());
    }

    void importWithPassphrase()
    {
        const QString file = makeKeyFile(QStringLiteral("id_pem"), QStringLiteral("open sesame"),
                                         {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("2048"),
                                          QStringLiteral("-m"), QStringLiteral("PEM")});
        QVERIFY(!file.isEmpty());
        const QByteArray text = readAll(file);

        KeyProblem problem = KeyProblem::None;
        Result<SshKey> wrong = m_keys->importKey(QStringLiteral("server"), text, QStringLiteral("open says me"), &problem);
        QVERIFY(!wrong.ok());
        QCOMPARE(problem, KeyProblem::WrongPassphrase);
        QCOMPARE(wrong.error().message, QStringLiteral("The passphrase is wrong"));
        Result<SshKey> none = m_keys->importKey(QStringLiteral("server"), text, QString(), &problem);
        QVERIFY(!none.ok());
        QCOMPARE(problem, KeyProblem::NeedsPassphrase);
        QCOMPARE(keyNames(), QStringList());

        Result<SshKey> key = m_keys->importKey(QStringLiteral("server"), text, QStringLiteral("open sesame"), &problem);
        QVERIFY2(key.ok(), qPrintable(key.error().toString()));
        QVERIFY(key->hasPassphrase);
        Result<KeySecret> secret = m_keys->loadPrivate(key->uuid);
        QVERIFY(secret.ok());
        QCOMPARE(secret->privateKey, text);   // stored as given
        QCOMPARE(secret->passphrase, QStringLiteral("open sesame"));
        QCOMPARE(filesHolding(bodyLine(text)), QStringList());
        QCOMPARE(filesHolding("open sesame"), QStringList());

        // The same key twice, or a taken name, is refused before anything is written.
        Result<SshKey> again = m_keys->importKey(QStringLiteral("server copy"), text, QStringLiteral("open sesame"));
        QVERIFY(!again.ok());
        QVERIFY2(again.error().message.contains(QLatin1String("already in the key store as \"server\"")),
                 qPrintable(again.error().message));
        Result<SshKey> taken = m_keys->generate(QStringLiteral("SERVER"), KeyType::Ed25519);
        QVERIFY(!taken.ok());
        QVERIFY(taken.error().message.contains(QLatin1String("already exists")));
        QCOMPARE(keyNames(), QStringList{QStringLiteral("server")});

        // An unencrypted key keeps no passphrase even if one was typed.
        const QString plainFile = makeKeyFile(QStringLiteral("id_plain"), QString(), {QStringLiteral("-t"), QStringLiteral("ed25519")});
        Result<SshKey> plain = m_keys->importKey(QStringLiteral("plain"), readAll(plainFile), QStringLiteral("typed anyway"));
        QVERIFY2(plain.ok(), qPrintable(plain.error().toString()));
        QVERIFY(!plain->hasPassphrase);
        QVERIFY(!keychainRead(plain.value(), KeychainField::Passphrase).ok());
    }

    void badNamesAndBadKeys()
    {
        QVERIFY(!m_keys->generate(QStringLiteral("  "), KeyType::Ed25519).ok());
        QVERIFY(!m_keys->generate(QStringLiteral("42"), KeyType::Ed25519).ok());
        KeyProblem problem = KeyProblem::None;
        Result<SshKey> r = m_keys->importKey(QStringLiteral("junk"), QByteArray("not a key"), QString(), &problem);
        QVERIFY(!r.ok());
        QCOMPARE(problem, KeyProblem::NotAKey);
        QCOMPARE(keyNames(), QStringList());
    }

    void renameDefaultDelete()
    {
        Result<SshKey> a = m_keys->generate(QStringLiteral("alpha"), KeyType::Ed25519);
        Result<SshKey> b = m_keys->generate(QStringLiteral("beta"), KeyType::Ed25519);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->isDefault && !b->isDefault);

        Result<SshKey> renamed = m_keys->rename(QStringLiteral("ALPHA"), QStringLiteral("gamma"));
        QVERIFY2(renamed.ok(), qPrintable(renamed.error().toString()));
        QCOMPARE(renamed->uuid, a->uuid);
        QVERIFY(!m_keys->rename(QStringLiteral("gamma"), QStringLiteral("Beta")).ok());   // taken
        QVERIFY(!m_keys->rename(QStringLiteral("nope"), QStringLiteral("x")).ok());
        QCOMPARE(keyNames(), QStringList({QStringLiteral("beta"), QStringLiteral("gamma")}));
        // The keychain entry follows the uuid, not the name.
        QVERIFY(m_keys->loadPrivate(a->uuid).ok());

        QVERIFY(m_keys->setDefault(QStringLiteral("beta")).ok());
        Result<std::optional<SshKey>> def = m_keys->repository().defaultKey();
        QVERIFY(def.ok() && def.value().has_value());
        QCOMPARE(def.value()->name, QStringLiteral("beta"));
        int defaults = 0;
        for (const SshKey &k : m_keys->list().value())
            defaults += k.isDefault ? 1 : 0;
        QCOMPARE(defaults, 1);
        // By id too.
        QVERIFY(m_keys->setDefault(QString::number(a->id)).ok());
        QCOMPARE(m_keys->repository().defaultKey().value()->uuid, a->uuid);

        Result<SshKey> removed = m_keys->remove(QStringLiteral("gamma"));
        QVERIFY2(removed.ok(), qPrintable(removed.error().toString()));
        QCOMPARE(keyNames(), QStringList{QStringLiteral("beta")});
        QVERIFY(!keychainRead(a.value(), KeychainField::PrivateKey).ok());
        QVERIFY(!m_keys->loadPrivate(a->uuid).ok());
        QVERIFY(!m_keys->repository().defaultKey().value().has_value());
        QVERIFY(!m_keys->remove(QStringLiteral("gamma")).ok());

        QCOMPARE(m_keys->publicKey(QStringLiteral("beta")).value(), b->publicKey);
        QVERIFY(b->publicKey.endsWith(QLatin1String(" beta")));
    }

    void auditWithoutSecrets()
    {
        const QString passphrase = QStringLiteral("AuditPass-%1").arg(QCoreApplication::applicationPid());
        Result<SshKey> k = m_keys->generate(QStringLiteral("audited"), KeyType::Ed25519, passphrase);
        QVERIFY(k.ok());
        QVERIFY(m_keys->rename(QStringLiteral("audited"), QStringLiteral("audited2")).ok());
        QVERIFY(m_keys->setDefault(QStringLiteral("audited2")).ok());
        const QByteArray secretLine = bodyLine(m_keys->loadPrivate(k->uuid).value().privateKey);
        QVERIFY(m_keys->remove(QStringLiteral("audited2")).ok());

        AuditQuery q;
        q.text = QStringLiteral("key.");
        Result<QVector<AuditEntry>> entries = m_store->audit(q);
        QVERIFY(entries.ok());
        QStringList actions;
        for (const AuditEntry &e : entries.value()) {
            actions.prepend(e.action);
            QCOMPARE(e.actor, QStringLiteral("user"));
            const QByteArray all = e.message.toUtf8() + QJsonDocument(e.details).toJson() + e.target.toUtf8();
            QVERIFY(!all.contains(passphrase.toUtf8()));
            QVERIFY(!all.contains(secretLine));
            QCOMPARE(e.details.value(QStringLiteral("fingerprint")).toString(), k->fingerprint);
        }
        QCOMPARE(actions, QStringList({QStringLiteral("key.generated"), QStringLiteral("key.renamed"),
                                       QStringLiteral("key.default_set"), QStringLiteral("key.deleted")}));
    }

    void associationsRoundTrip()
    {
        const qint64 machineId = addMachine();
        QVERIFY(machineId > 0);
        Result<SshKey> k = m_keys->generate(QStringLiteral("assoc"), KeyType::Ed25519);
        QVERIFY(k.ok());
        KeyRepository &repo = m_keys->repository();
        QVERIFY(!repo.association(machineId).value().has_value());

        KeyAssociation a;
        a.machineId = machineId;
        a.keyId = k->id;
        a.user = QStringLiteral("admin");
        a.port = 2222;
        a.proxyJump = QStringLiteral("jump@bastion:22,other");
        Result<KeyAssociation> set = repo.setAssociation(a);
        QVERIFY2(set.ok(), qPrintable(set.error().toString()));
        auto got = repo.association(machineId);
        QVERIFY(got.ok() && got.value().has_value());
        QCOMPARE(got.value()->keyId, k->id);
        QCOMPARE(got.value()->user, QStringLiteral("admin"));
        QCOMPARE(got.value()->port, 2222);
        QCOMPARE(got.value()->proxyJump, QStringLiteral("jump@bastion:22,other"));
        QVERIFY(got.value()->updated.isValid());

        // Overwrite with "no key, only a user".
        a.keyId = 0;
        a.port = 0;
        a.proxyJump.clear();
        QVERIFY(repo.setAssociation(machineId, 0, QStringLiteral("admin"), 0, QString()).ok());
        got = repo.association(machineId);
        QCOMPARE(got.value()->keyId, 0);
        QCOMPARE(got.value()->port, 0);
        QCOMPARE(got.value()->proxyJump, QString());

        // Bad input is refused.
        a.port = 70000;
        QVERIFY(!repo.setAssociation(a).ok());
        a.port = 22;
        a.keyId = 999999;
        QVERIFY(!repo.setAssociation(a).ok());
        a.keyId = k->id;
        a.machineId = 999999;
        QVERIFY(!repo.setAssociation(a).ok());

        // Deleting the key keeps the machine's other settings.
        a.machineId = machineId;
        QVERIFY(repo.setAssociation(a).ok());
        QVERIFY(m_keys->remove(QStringLiteral("assoc")).ok());
        got = repo.association(machineId);
        QVERIFY(got.value().has_value());
        QCOMPARE(got.value()->keyId, 0);
        QCOMPARE(got.value()->user, QStringLiteral("admin"));

        QVERIFY(repo.clearAssociation(machineId).ok());
        QVERIFY(!repo.association(machineId).value().has_value());

        AuditQuery q;
        q.machineId = machineId;
        q.text = QStringLiteral("key.associated");
        Result<QVector<AuditEntry>> entries = m_store->audit(q);
        QVERIFY(entries.ok());
        QCOMPARE(entries->size(), 4);   // three sets and the clear
        QCOMPARE(entries->constLast().details.value(QStringLiteral("user")).toString(), QStringLiteral("admin"));
        QCOMPARE(entries->constLast().target, QStringLiteral("web1"));
    }
};

QTEST_GUILESS_MAIN(TestKeyService)
#include "tst_keyservice.moc"
