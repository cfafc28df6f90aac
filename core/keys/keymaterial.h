#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <memory>

struct ssh_key_struct;

namespace mist {

enum class KeyType { Ed25519, Rsa };

// "ed25519" / "rsa" (command line, settings) and back; nullopt-like: false when unknown.
QString keyTypeName(KeyType type);
bool keyTypeFromName(const QString &name, KeyType *type);

// Why an import failed, for callers that react differently (the key dialog asks for the
// passphrase again on NeedsPassphrase/WrongPassphrase).
enum class KeyProblem {
    None,
    Empty,              // nothing in the text / an empty file
    Unreadable,         // the file could not be read
    NotAKey,            // not a key at all
    PublicKeyGiven,     // a public key where the private one was expected
    UnsupportedFormat,  // PuTTY, an unknown cipher in an OpenSSH key, ...
    UnsupportedType,    // DSA, security-key (sk-*) keys, RSA shorter than 1024 bits
    NeedsPassphrase,    // encrypted and no passphrase given
    WrongPassphrase,    // encrypted and the passphrase did not open it
    Damaged,            // looks like a private key but could not be decoded
};

// What a key text is, judged from its markers without decrypting it.
struct KeyTextInfo
{
    enum class Format { Unknown, OpenSsh, Pem, Pkcs8, PublicKey, Putty };
    Format format = Format::Unknown;
    bool encrypted = false;
    QString cipher;            // OpenSSH keys: "aes256-ctr", "none"
};

// A key pair in memory, on libssh's pki API. Pure: no database, no keychain, no files
// (except importFile's read). Immutable once made, cheap to copy (shared libssh key).
// Thread-safe to use from any thread; generation of RSA 4096 takes a moment, so it belongs
// on a worker, never on the GUI thread.
class KeyMaterial
{
public:
    KeyMaterial() = default;

    static Result<KeyMaterial> generate(KeyType type = KeyType::Ed25519);
    // OpenSSH ("BEGIN OPENSSH PRIVATE KEY") or PEM (PKCS#1 "BEGIN RSA/EC PRIVATE KEY",
    // PKCS#8 "BEGIN [ENCRYPTED] PRIVATE KEY") text. The passphrase is ignored for keys that
    // have none.
    static Result<KeyMaterial> import(const QByteArray &privateKeyText, const QString &passphrase = {},
                                      KeyProblem *problem = nullptr);
    // Reads the file (clear errors for missing, unreadable, empty or huge files).
    static Result<QByteArray> readKeyFile(const QString &path, KeyProblem *problem = nullptr);

    static KeyTextInfo inspect(const QByteArray &keyText);
    // True when the text is an encrypted private key: import needs the passphrase.
    static bool needsPassphrase(const QByteArray &privateKeyText) { return inspect(privateKeyText).encrypted; }

    // "SHA256:<base64 without padding>" of a public key blob (what `ssh-keygen -lf` prints).
    static QString fingerprintOfBlob(const QByteArray &blob);
    // Fingerprint of an OpenSSH public key line "<type> <base64> [comment]"; empty if malformed.
    static QString fingerprintOfPublicKeyLine(const QString &line);

    bool isNull() const { return !m_key; }
    QString type() const { return m_type; }            // "ssh-ed25519", "ssh-rsa", ...
    int bits() const { return m_bits; }
    QString fingerprint() const { return fingerprintOfBlob(m_blob); }
    QByteArray publicKeyBlob() const { return m_blob; }
    // "<type> <base64>" plus " <comment>" when a comment is given.
    QString publicKeyLine(const QString &comment = {}) const;
    // The private key as text: OpenSSH format for ed25519 (and for every type with
    // libssh >= 0.11); libssh 0.10 writes other types as PKCS#8 PEM, which OpenSSH reads too.
    // Encrypted when a passphrase is given.
    Result<QByteArray> exportPrivate(const QString &passphrase = {}) const;

private:
    static Result<KeyMaterial> fromLibssh(ssh_key_struct *key, KeyProblem *problem);

    std::shared_ptr<ssh_key_struct> m_key;
    QByteArray m_blob;
    QString m_type;
    int m_bits = 0;
};

} // namespace mist
