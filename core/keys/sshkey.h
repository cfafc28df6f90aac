#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace mist {

// One SSH key of the key store as the database knows it. The private half is never here:
// it lives in the OS keychain under owner "key/<uuid>" (fields "private_key", "passphrase").
struct SshKey
{
    qint64 id = 0;
    QString uuid;             // stable; the keychain namespace of the private half
    QString name;             // unique (case-insensitive), user-chosen
    QString type;             // "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ...
    int bits = 0;             // 256 for ed25519, the modulus size for RSA
    QString fingerprint;      // "SHA256:<base64 without padding>", as `ssh-keygen -lf` prints it
    QString publicKey;        // OpenSSH line "<type> <base64> <comment>"
    bool hasPassphrase = false;
    bool isDefault = false;
    QDateTime created;

    bool isValid() const { return id != 0; }
    QString keychainOwner() const { return keychainOwnerFor(uuid); }
    static QString keychainOwnerFor(const QString &uuid) { return QStringLiteral("key/") + uuid; }
};

// Which key, user, port and jump hosts to use for one machine. Every field is optional and
// overrides the machine's provider defaults (Machine::extra["ssh"]) field by field.
struct KeyAssociation
{
    qint64 machineId = 0;
    qint64 keyId = 0;         // 0: no key chosen (the default key and the agent apply)
    QString user;             // empty: not set
    int port = 0;             // 0: not set
    QString proxyJump;        // "user@host:port,..." or empty
    QDateTime updated;
};

// The private half read back from the keychain, for the time of a connect.
struct KeySecret
{
    QByteArray privateKey;    // OpenSSH or PEM text
    QString passphrase;       // empty when the key has none
};

namespace KeychainField {
inline const QString PrivateKey = QStringLiteral("private_key");
inline const QString Passphrase = QStringLiteral("passphrase");
} // namespace KeychainField

} // namespace mist

Q_DECLARE_METATYPE(mist::SshKey)
Q_DECLARE_METATYPE(mist::KeyAssociation)
