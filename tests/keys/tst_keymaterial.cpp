// KeyMaterial against the real OpenSSH tools: keys made by ssh-keygen at test time are
// imported and their fingerprints compared with what `ssh-keygen -lf` prints; keys made
// here are read back by ssh-keygen.

#include "keys/keymaterial.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;

Q_DECLARE_METATYPE(mist::KeyProblem)

namespace {

struct Tool
{
    int code = -1;
    QString out;
    QString err;
};

Tool sshKeygen(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("ssh-keygen"), args);
    Tool t;
    if (!p.waitForStarted(10000) || !p.waitForFinished(60000)) {
        t.err = QStringLiteral("ssh-keygen did not run: ") + p.errorString();
        return t;
    }
    t.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    t.out = QString::fromUtf8(p.readAllStandardOutput());
    t.err = QString::fromUtf8(p.readAllStandardError());
    return t;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);   // ssh-keygen refuses open private keys
    return f.write(data) == data.size();
}

// "256 SHA256:abc comment (ED25519)" -> {bits, fingerprint}
std::pair<int, QString> parseListing(const QString &line)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+) (SHA256:[A-Za-z0-9+/]+) "));
    const auto m = re.match(line);
    if (!m.hasMatch())
        return {0, {}};
    return {m.captured(1).toInt(), m.captured(2)};
}

} // namespace

class TestKeyMaterial : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // Makes a key with ssh-keygen; returns the private key path (public is path + ".pub").
    QString makeKey(const QString &name, const QStringList &typeArgs, const QString &passphrase,
                    const QStringList &formatArgs = {})
    {
        const QString file = path(name);
        QFile::remove(file);
        QFile::remove(file + QStringLiteral(".pub"));
        const Tool t = sshKeygen(typeArgs + formatArgs
                                 + QStringList{QStringLiteral("-q"), QStringLiteral("-N"), passphrase, QStringLiteral("-C"),
                                               QStringLiteral("test@mist"), QStringLiteral("-f"), file});
        if (t.code != 0) {
            qWarning() << "ssh-keygen failed:" << t.err;
            return {};
        }
        return file;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (QStandardPaths::findExecutable(QStringLiteral("ssh-keygen")).isEmpty())
            QFAIL("ssh-keygen is not installed (openssh-client is a test dependency)");
    }

    void generate_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("typeName");
        QTest::addColumn<int>("bits");
        QTest::newRow("ed25519") << int(KeyType::Ed25519) << QStringLiteral("ssh-ed25519") << 256;
        QTest::newRow("rsa") << int(KeyType::Rsa) << QStringLiteral("ssh-rsa") << 4096;
    }

    void generate()
    {
        QFETCH(int, type);
        QFETCH(QString, typeName);
        QFETCH(int, bits);
        Result<KeyMaterial> key = KeyMaterial::generate(KeyType(type));
        QVERIFY2(key.ok(), qPrintable(key.error().toString()));
        QCOMPARE(key->type(), typeName);
        QCOMPARE(key->bits(), bits);
        QVERIFY(key->fingerprint().startsWith(QLatin1String("SHA256:")));
        QVERIFY(!key->fingerprint().endsWith(QLatin1Char('=')));
        QVERIFY(key->publicKeyLine(QStringLiteral("my key")).startsWith(typeName + QStringLiteral(" AAAA")));
        QVERIFY(key->publicKeyLine(QStringLiteral("my key")).endsWith(QLatin1String(" my key")));

        // ssh-keygen reads the exported private key and agrees on public half and fingerprint.
        Result<QByteArray> plain = key->exportPrivate();
        QVERIFY2(plain.ok(), qPrintable(plain.error().toString()));
        QVERIFY(!KeyMaterial::needsPassphrase(plain.value()));
        const QString file = path(QStringLiteral("generated-") + typeName);
        QVERIFY(writeFile(file, plain.value()));
        Tool pub = sshKeygen({QStringLiteral("-y"), QStringLiteral("-f"), file});
        QVERIFY2(pub.code == 0, qPrintable(pub.err));
        QCOMPARE(pub.out.trimmed().section(QLatin1Char(' '), 0, 1), key->publicKeyLine());
        Tool listing = sshKeygen({QStringLiteral("-lf"), file});
        QVERIFY2(listing.code == 0, qPrintable(listing.err));
        QCOMPARE(parseListing(listing.out).second, key->fingerprint());
        QCOMPARE(parseListing(listing.out).first, bits);

        // With a passphrase: encrypted, ssh-keygen opens it only with the passphrase, we too.
        Result<QByteArray> locked = key->exportPrivate(QStringLiteral("correct horse"));
        QVERIFY2(locked.ok(), qPrintable(locked.error().toString()));
        QVERIFY(KeyMaterial::needsPassphrase(locked.value()));
        QVERIFY(!locked.value().contains(plain.value().mid(40, 40)));
        QVERIFY(writeFile(file, locked.value()));
        pub = sshKeygen({QStringLiteral("-y"), QStringLiteral("-P"), QStringLiteral("correct horse"), QStringLiteral("-f"), file});
        QVERIFY2(pub.code == 0, qPrintable(pub.err));
        QCOMPARE(pub.out.trimmed().section(QLatin1Char(' '), 0, 1), key->publicKeyLine());
        QVERIFY(sshKeygen({QStringLiteral("-y"), QStringLiteral("-P"), QStringLiteral("wrong"), QStringLiteral("-f"), file}).code != 0);

        KeyProblem problem = KeyProblem::None;
        Result<KeyMaterial> back = KeyMaterial::import(locked.value(), QStringLiteral("correct horse"), &problem);
        QVERIFY2(back.ok(), qPrintable(back.error().toString()));
        QCOMPARE(back->fingerprint(), key->fingerprint());
        QCOMPARE(problem, KeyProblem::None);
        back = KeyMaterial::import(locked.value(), QStringLiteral("not it"), &problem);
        QVERIFY(!back.ok());
        QCOMPARE(problem, KeyProblem::WrongPassphrase);
        QCOMPARE(back.error().message, QStringLiteral("The passphrase is wrong"));
    }

    void generatedKeysDiffer()
    {
        auto a = KeyMaterial::generate();
        auto b = KeyMaterial::generate();
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->fingerprint() != b->fingerprint());
    }

    void importFromSshKeygen_data()
    {
        QTest::addColumn<QStringList>("typeArgs");
        QTest::addColumn<QStringList>("formatArgs");
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<QString>("typeName");
        QTest::addColumn<QString>("beginMarker");
        const QStringList ed{QStringLiteral("-t"), QStringLiteral("ed25519")};
        const QStringList rsa{QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("2048")};
        const QStringList ecdsa{QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("384")};
        const QStringList pem{QStringLiteral("-m"), QStringLiteral("PEM")};
        const QStringList pkcs8{QStringLiteral("-m"), QStringLiteral("PKCS8")};
        const QString openssh = QStringLiteral("BEGIN OPENSSH PRIVATE KEY");
        QTest::newRow("ed25519 openssh") << ed << QStringList() << QString() << QStringLiteral("ssh-ed25519") << openssh;
        QTest::newRow("ed25519 openssh passphrase") << ed << QStringList() << QStringLiteral("pässwörd ✓") << QStringLiteral("ssh-ed25519") << openssh;
        QTest::newRow("rsa openssh") << rsa << QStringList() << QString() << QStringLiteral("ssh-rsa") << openssh;
        QTest::newRow("rsa openssh passphrase") << rsa << QStringList() << QStringLiteral("s3cret") << QStringLiteral("ssh-rsa") << openssh;
        QTest::newRow("rsa pem") << rsa << pem << QString() << QStringLiteral("ssh-rsa") << QStringLiteral("BEGIN RSA PRIVATE KEY");
        QTest::newRow("rsa pem passphrase") << rsa << pem << QStringLiteral("s3cret") << QStringLiteral("ssh-rsa")
                                            << QStringLiteral("BEGIN RSA PRIVATE KEY");
        QTest::newRow("rsa pkcs8") << rsa << pkcs8 << QString() << QStringLiteral("ssh-rsa") << QStringLiteral("BEGIN PRIVATE KEY");
        QTest::newRow("rsa pkcs8 passphrase") << rsa << pkcs8 << QStringLiteral("s3cret") << QStringLiteral("ssh-rsa")
                                              << QStringLiteral("BEGIN ENCRYPTED PRIVATE KEY");
        QTest::newRow("ecdsa pem") << ecdsa << pem << QString() << QStringLiteral("ecdsa-sha2-nistp384")
                                   << QStringLiteral("BEGIN EC PRIVATE KEY");
        QTest::newRow("ecdsa openssh passphrase") << ecdsa << QStringList() << QStringLiteral("s3cret")
                                                  << QStringLiteral("ecdsa-sha2-nistp384") << openssh;
    }

    void importFromSshKeygen()
    {
        QFETCH(QStringList, typeArgs);
        QFETCH(QStringList, formatArgs);
        QFETCH(QString, passphrase);
        QFETCH(QString, typeName);
        QFETCH(QString, beginMarker);
        const QString file = makeKey(QStringLiteral("fixture"), typeArgs, passphrase, formatArgs);
        QVERIFY(!file.isEmpty());
        const QByteArray text = readAll(file);
        QVERIFY2(text.contains(beginMarker.toLatin1()), text.left(60).constData());
        QCOMPARE(KeyMaterial::needsPassphrase(text), !passphrase.isEmpty());

        const Tool listing = sshKeygen({QStringLiteral("-lf"), file + QStringLiteral(".pub")});
        QVERIFY2(listing.code == 0, qPrintable(listing.err));
        const auto [bits, fingerprint] = parseListing(listing.out);
        QVERIFY2(!fingerprint.isEmpty(), qPrintable(listing.out));

        KeyProblem problem = KeyProblem::Damaged;
        Result<QByteArray> read = KeyMaterial::readKeyFile(file, &problem);
        QVERIFY2(read.ok(), qPrintable(read.error().toString()));
        Result<KeyMaterial> key = KeyMaterial::import(read.value(), passphrase, &problem);
        QVERIFY2(key.ok(), qPrintable(key.error().toString()));
        QCOMPARE(problem, KeyProblem::None);
        QCOMPARE(key->fingerprint(), fingerprint);
        QCOMPARE(key->bits(), bits);
        QCOMPARE(key->type(), typeName);
        const QString pubLine = QString::fromLatin1(readAll(file + QStringLiteral(".pub"))).trimmed();
        QCOMPARE(key->publicKeyLine(QStringLiteral("test@mist")), pubLine);
        QCOMPARE(KeyMaterial::fingerprintOfPublicKeyLine(pubLine), fingerprint);

        if (!passphrase.isEmpty()) {
            key = KeyMaterial::import(text, QStringLiteral("wrong-%1").arg(passphrase), &problem);
            QVERIFY(!key.ok());
            QCOMPARE(problem, KeyProblem::WrongPassphrase);
            QCOMPARE(key.error().message, QStringLiteral("The passphrase is wrong"));
            key = KeyMaterial::import(text, QString(), &problem);
            QVERIFY(!key.ok());
            QCOMPARE(problem, KeyProblem::NeedsPassphrase);
            QVERIFY(key.error().message.contains(QLatin1String("passphrase")));
        } else {
            // A passphrase given for a key without one is not in the way.
            key = KeyMaterial::import(text, QStringLiteral("unneeded"), &problem);
            QVERIFY2(key.ok(), qPrintable(key.error().toString()));
        }
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<KeyProblem>("problem");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray() << KeyProblem::Empty << QStringLiteral("empty");
        QTest::newRow("whitespace") << QByteArray(" \n\t\n") << KeyProblem::Empty << QStringLiteral("empty");
        QTest::newRow("garbage") << QByteArray("hello, this is a letter\n") << KeyProblem::NotAKey
                                 << QStringLiteral("This is not a private key");
        QByteArray binary;
        for (int i = 0; i < 4096; ++i)
            binary.append(char((i * 131 + 7) % 256));
        QTest::newRow("binary") << binary << KeyProblem::NotAKey << QStringLiteral("This is not a private key");
        QTest::newRow("certificate") << QByteArray("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
                                     << KeyProblem::NotAKey << QStringLiteral("This is not a private key");
        QTest::newRow("openssh damaged") << QByteArray("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
                                         << KeyProblem::Damaged << QStringLiteral("damaged");
        QTest::newRow("putty") << QByteArray("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")
                               << KeyProblem::UnsupportedFormat << QStringLiteral("PuTTY");
        QTest::newRow("public line") << QByteArray("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host\n")
                                     << KeyProblem::PublicKeyGiven << QStringLiteral("public key");
        QTest::newRow("pem public") << QByteArray("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n")
                                    << KeyProblem::PublicKeyGiven << QStringLiteral("public key");
        QTest::newRow("pem damaged") << QByteArray("-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all!\n-----END RSA PRIVATE KEY-----\n")
                                     << KeyProblem::Damaged << QStringLiteral("could not be read");
    }

    void badInput()
    {
        QFETCH(QByteArray, text);
        QFETCH(KeyProblem, problem);
        QFETCH(QString, message);
        KeyProblem got = KeyProblem::None;
        Result<KeyMaterial> key = KeyMaterial::import(text, QString(), &got);
        QVERIFY(!key.ok());
        QCOMPARE(got, problem);
        QVERIFY2(key.error().message.contains(message, Qt::CaseInsensitive), qPrintable(key.error().message));
        // With a passphrase it is the same answer (never "wrong passphrase" for a non-key).
        key = KeyMaterial::import(text, QStringLiteral("pass"), &got);
        QVERIFY(!key.ok());
        QCOMPARE(got, problem);
    }

    void publicKeyFileGivenInsteadOfPrivate()
    {
        const QString file = makeKey(QStringLiteral("pubonly"), {QStringLiteral("-t"), QStringLiteral("ed25519")}, QString());
        QVERIFY(!file.isEmpty());
        Result<QByteArray> text = KeyMaterial::readKeyFile(file + QStringLiteral(".pub"));
        QVERIFY(text.ok());
        KeyProblem problem = KeyProblem::None;
        Result<KeyMaterial> key = KeyMaterial::import(text.value(), QString(), &problem);
        QVERIFY(!key.ok());
        QCOMPARE(problem, KeyProblem::PublicKeyGiven);
        QVERIFY(key.error().message.contains(QLatin1String(".pub")));
    }

    void truncatedKey()
    {
        const QString file = makeKey(QStringLiteral("trunc"), {QStringLiteral("-t"), QStringLiteral("ed25519")}, QString());
        QVERIFY(!file.isEmpty());
        QByteArray text = readAll(file);
        const qsizetype end = text.indexOf("-----END");
        text = text.left(60) + text.mid(end);   // keeps the markers, loses most of the body
        KeyProblem problem = KeyProblem::None;
        Result<KeyMaterial> key = KeyMaterial::import(text, QString(), &problem);
        QVERIFY(!key.ok());
        QCOMPARE(problem, KeyProblem::Damaged);
    }

    void unreadableFiles()
    {
        KeyProblem problem = KeyProblem::None;
        Result<QByteArray> r = KeyMaterial::readKeyFile(path(QStringLiteral("does-not-exist")), &problem);
        QVERIFY(!r.ok());
        QCOMPARE(problem, KeyProblem::Unreadable);
        QVERIFY(r.error().message.contains(QLatin1String("does not exist")));

        r = KeyMaterial::readKeyFile(m_dir.path(), &problem);
        QVERIFY(!r.ok());
        QCOMPARE(problem, KeyProblem::Unreadable);

        const QString empty = path(QStringLiteral("empty"));
        QVERIFY(writeFile(empty, QByteArray()));
        r = KeyMaterial::readKeyFile(empty, &problem);
        QVERIFY(!r.ok());
        QCOMPARE(problem, KeyProblem::Empty);
        QCOMPARE(r.error().message, QStringLiteral("The key file is empty"));

        const QString locked = path(QStringLiteral("locked"));
        QVERIFY(writeFile(locked, "x"));
        QFile::setPermissions(locked, QFileDevice::Permissions());
        if (QFile(locked).open(QIODevice::ReadOnly))
            QSKIP("running as root: permissions do not stop reading");
        r = KeyMaterial::readKeyFile(locked, &problem);
        QVERIFY(!r.ok());
        QCOMPARE(problem, KeyProblem::Unreadable);
        QVERIFY(r.error().message.contains(QLatin1String("could not be read")));
    }

    void dsaIsRefused()
    {
        const QString file = makeKey(QStringLiteral("dsa"), {QStringLiteral("-t"), QStringLiteral("dsa")}, QString(),
                                     {QStringLiteral("-m"), QStringLiteral("PEM")});
        if (file.isEmpty())
            QSKIP("this ssh-keygen no longer makes DSA keys");
        KeyProblem problem = KeyProblem::None;
        Result<KeyMaterial> key = KeyMaterial::import(readAll(file), QString(), &problem);
        QVERIFY(!key.ok());
        QVERIFY2(problem == KeyProblem::UnsupportedType || problem == KeyProblem::Damaged, qPrintable(key.error().message));
        if (problem == KeyProblem::UnsupportedType)
            QVERIFY(key.error().message.startsWith(QLatin1String("Unsupported key type")));
    }

    void keyTypeNames()
    {
        KeyType t = KeyType::Ed25519;
        QVERIFY(keyTypeFromName(QStringLiteral("RSA"), &t));
        QCOMPARE(t, KeyType::Rsa);
        QVERIFY(keyTypeFromName(QStringLiteral("ed25519"), &t));
        QCOMPARE(t, KeyType::Ed25519);
        QVERIFY(!keyTypeFromName(QStringLiteral("dsa"), &t));
        QCOMPARE(keyTypeName(KeyType::Rsa), QStringLiteral("rsa"));
        QCOMPARE(KeyMaterial::fingerprintOfPublicKeyLine(QStringLiteral("ssh-ed25519 !!!")), QString());
        QCOMPARE(KeyMaterial::fingerprintOfPublicKeyLine(QStringLiteral("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")),
                 QString());   // the type on the line must be the blob's
    }
};

QTEST_GUILESS_MAIN(TestKeyMaterial)
#include "tst_keymaterial.moc"
