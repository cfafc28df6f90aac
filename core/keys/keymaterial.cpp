#include "keymaterial.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <libssh/libssh.h>

#include <cstring>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KeyMaterial", text);
}

// Private key files are a few KB; anything this big is not one (and is not read whole).
constexpr qint64 kMaxKeyFileSize = 1024 * 1024;

Error fail(KeyProblem *problem, KeyProblem why, const QString &message, const QString &detail = {})
{
    if (problem)
        *problem = why;
    return Error{message, detail};
}

// Reads SSH wire-format strings (uint32 big-endian length + bytes) from a blob.
class WireReader
{
public:
    explicit WireReader(const QByteArray &data) : m_data(data) {}
    bool readString(QByteArray *out)
    {
        if (m_pos + 4 > m_data.size())
            return false;
        const auto *p = reinterpret_cast<const unsigned char *>(m_data.constData() + m_pos);
        const quint32 len = (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
        if (len > quint32(m_data.size() - m_pos - 4))
            return false;
        *out = m_data.mid(m_pos + 4, qsizetype(len));
        m_pos += 4 + qsizetype(len);
        return true;
    }
    bool skip(qsizetype n)
    {
        if (m_pos + n > m_data.size())
            return false;
        m_pos += n;
        return true;
    }

private:
    const QByteArray &m_data;
    qsizetype m_pos = 0;
};

// Bit length of an SSH mpint (big-endian, maybe with a leading zero byte).
int mpintBits(const QByteArray &mpint)
{
    qsizetype i = 0;
    while (i < mpint.size() && mpint.at(i) == 0)
        ++i;
    if (i == mpint.size())
        return 0;
    int bits = int(mpint.size() - i - 1) * 8;
    for (auto top = quint8(mpint.at(i)); top; top >>= 1)
        ++bits;
    return bits;
}

// Key size as `ssh-keygen -l` reports it, from the public key blob.
int bitsOfBlob(const QByteArray &blob, const QString &type)
{
    if (type == QLatin1String("ssh-ed25519"))
        return 256;
    if (type == QLatin1String("ecdsa-sha2-nistp256"))
        return 256;
    if (type == QLatin1String("ecdsa-sha2-nistp384"))
        return 384;
    if (type == QLatin1String("ecdsa-sha2-nistp521"))
        return 521;
    WireReader r(blob);
    QByteArray name, first, second;
    if (!r.readString(&name) || !r.readString(&first))
        return 0;
    if (type == QLatin1String("ssh-rsa"))   // e, then n
        return r.readString(&second) ? mpintBits(second) : 0;
    if (type == QLatin1String("ssh-dss"))   // p first
        return mpintBits(first);
    return 0;
}

// The body of a PEM-style block ("-----BEGIN X-----" ... "-----END X-----"), base64-decoded.
QByteArray pemBody(const QByteArray &text, const QByteArray &label)
{
    const QByteArray begin = "-----BEGIN " + label + "-----";
    const QByteArray end = "-----END " + label + "-----";
    const qsizetype b = text.indexOf(begin);
    const qsizetype e = text.indexOf(end, b);
    if (b < 0 || e < 0)
        return {};
    QByteArray body = text.mid(b + begin.size(), e - b - begin.size());
    body = body.simplified().replace(' ', QByteArray());
    return QByteArray::fromBase64(body);
}

// libssh must never fall back to OpenSSL's terminal prompt for a passphrase (it would
// block a GUI worker or a piped CLI forever): this callback refuses instead.
int noPassphrasePrompt(const char *, char *, size_t, int, int, void *)
{
    return -1;
}

void freeKey(ssh_key_struct *key)
{
    ssh_key_free(key);
}

bool looksLikePublicKeyLine(const QByteArray &text)
{
    static const QRegularExpression line(QStringLiteral(
        R"(^\s*(?:\S+\s+)?(ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-\S+)(?:-cert-v01@openssh\.com)?\s+AAAA[A-Za-z0-9+/=]+)"));
    return line.match(QString::fromLatin1(text.left(8192))).hasMatch();
}

} // namespace

QString keyTypeName(KeyType type)
{
    return type == KeyType::Rsa ? QStringLiteral("rsa") : QStringLiteral("ed25519");
}

bool keyTypeFromName(const QString &name, KeyType *type)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("ed25519") || n == QLatin1String("ssh-ed25519")) {
        *type = KeyType::Ed25519;
        return true;
    }
    if (n == QLatin1String("rsa") || n == QLatin1String("ssh-rsa")) {
        *type = KeyType::Rsa;
        return true;
    }
    return false;
}

KeyTextInfo KeyMaterial::inspect(const QByteArray &text)
{
    KeyTextInfo info;
    if (text.contains("-----BEGIN OPENSSH PRIVATE KEY-----")) {
        info.format = KeyTextInfo::Format::OpenSsh;
        // openssh-key-v1: magic, then the cipher name ("none" when not encrypted).
        const QByteArray body = pemBody(text, "OPENSSH PRIVATE KEY");
        static const QByteArray magic("openssh-key-v1\0", 15);
        if (!body.startsWith(magic)) {
            info.format = KeyTextInfo::Format::Unknown;
            return info;
        }
        WireReader r(body);
        QByteArray cipher;
        if (r.skip(magic.size()) && r.readString(&cipher)) {
            info.cipher = QString::fromLatin1(cipher);
            info.encrypted = cipher != "none";
        } else {
            info.format = KeyTextInfo::Format::Unknown;
        }
        return info;
    }
    static const QRegularExpression pkcs1(QStringLiteral("-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----"));
    const QString latin = QString::fromLatin1(text.left(kMaxKeyFileSize));
    if (pkcs1.match(latin).hasMatch()) {
        info.format = KeyTextInfo::Format::Pem;
        info.encrypted = text.contains("Proc-Type: 4,ENCRYPTED");
        return info;
    }
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        info.format = KeyTextInfo::Format::Pkcs8;
        info.encrypted = true;
        return info;
    }
    if (text.contains("-----BEGIN PRIVATE KEY-----")) {
        info.format = KeyTextInfo::Format::Pkcs8;
        return info;
    }
    if (text.startsWith("PuTTY-User-Key-File-")) {
        info.format = KeyTextInfo::Format::Putty;
        info.encrypted = !text.contains("Encryption: none");
        return info;
    }
    if (text.contains("-----BEGIN PUBLIC KEY-----") || text.contains("-----BEGIN RSA PUBLIC KEY-----")
        || text.contains("---- BEGIN SSH2 PUBLIC KEY ----") || looksLikePublicKeyLine(text))
        info.format = KeyTextInfo::Format::PublicKey;
    return info;
}

Result<QByteArray> KeyMaterial::readKeyFile(const QString &path, KeyProblem *problem)
{
    const QFileInfo fi(path);
    if (!fi.exists())
        return fail(problem, KeyProblem::Unreadable, tr("The key file does not exist"), path);
    if (fi.isDir())
        return fail(problem, KeyProblem::Unreadable, tr("This is a folder, not a key file"), path);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(problem, KeyProblem::Unreadable, tr("The key file could not be read"), f.errorString() + QStringLiteral(": ") + path);
    if (f.size() > kMaxKeyFileSize)
        return fail(problem, KeyProblem::NotAKey, tr("This is not a private key (the file is far too big for one)"), path);
    const QByteArray data = f.read(kMaxKeyFileSize + 1);
    if (data.trimmed().isEmpty())
        return fail(problem, KeyProblem::Empty, tr("The key file is empty"), path);
    if (problem)
        *problem = KeyProblem::None;
    return data;
}

Result<KeyMaterial> KeyMaterial::generate(KeyType type)
{
    ssh_key key = nullptr;
    const int rc = type == KeyType::Rsa ? ssh_pki_generate(SSH_KEYTYPE_RSA, 4096, &key)
                                        : ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key);
    if (rc != SSH_OK || !key)
        return Error{tr("The key could not be generated"), QStringLiteral("ssh_pki_generate(%1) failed").arg(keyTypeName(type))};
    return fromLibssh(key, nullptr);
}

Result<KeyMaterial> KeyMaterial::import(const QByteArray &text, const QString &passphrase, KeyProblem *problem)
{
    if (text.trimmed().isEmpty())
        return fail(problem, KeyProblem::Empty, tr("The key is empty"));
    if (text.size() > kMaxKeyFileSize || text.contains('\0'))
        return fail(problem, KeyProblem::NotAKey, tr("This is not a private key"));
    const KeyTextInfo info = inspect(text);
    switch (info.format) {
    case KeyTextInfo::Format::Unknown:
        if (text.contains("-----BEGIN OPENSSH PRIVATE KEY-----"))
            return fail(problem, KeyProblem::Damaged, tr("The private key is damaged and cannot be read"),
                        QStringLiteral("not an openssh-key-v1 container"));
        return fail(problem, KeyProblem::NotAKey, tr("This is not a private key"));
    case KeyTextInfo::Format::PublicKey:
        return fail(problem, KeyProblem::PublicKeyGiven,
                    tr("This is a public key, not a private key. Import the private key file (usually the same "
                       "name without \".pub\")"));
    case KeyTextInfo::Format::Putty:
        return fail(problem, KeyProblem::UnsupportedFormat,
                    tr("PuTTY key files are not supported. Convert the key to OpenSSH format with PuTTYgen "
                       "(Conversions > Export OpenSSH key)"));
    case KeyTextInfo::Format::OpenSsh: {
        static const QStringList ciphers{QStringLiteral("none"), QStringLiteral("aes128-ctr"), QStringLiteral("aes192-ctr"),
                                         QStringLiteral("aes256-ctr"), QStringLiteral("aes128-cbc"),
                                         QStringLiteral("aes192-cbc"), QStringLiteral("aes256-cbc")};
        if (!ciphers.contains(info.cipher))
            return fail(problem, KeyProblem::UnsupportedFormat,
                        tr("The key is encrypted with a cipher that is not supported (%1). Re-encrypt it with "
                           "\"ssh-keygen -p -f FILE\"").arg(info.cipher));
        break;
    }
    default:
        break;
    }
    if (info.encrypted && passphrase.isEmpty())
        return fail(problem, KeyProblem::NeedsPassphrase, tr("This key is protected by a passphrase; enter it to import the key"));

    ssh_key key = nullptr;
    const QByteArray pass = passphrase.toUtf8();
    const int rc = ssh_pki_import_privkey_base64(text.constData(), info.encrypted ? pass.constData() : nullptr,
                                                 noPassphrasePrompt, nullptr, &key);
    if (rc != SSH_OK || !key) {
        ssh_key_free(key);
        if (info.encrypted)
            return fail(problem, KeyProblem::WrongPassphrase, tr("The passphrase is wrong"));
        return fail(problem, KeyProblem::Damaged, tr("The private key could not be read; it may be damaged or of an unsupported type"),
                    QStringLiteral("ssh_pki_import_privkey_base64 failed"));
    }
    if (!ssh_key_is_private(key)) {
        ssh_key_free(key);
        return fail(problem, KeyProblem::PublicKeyGiven, tr("This is a public key, not a private key"));
    }
    return fromLibssh(key, problem);
}

Result<KeyMaterial> KeyMaterial::fromLibssh(ssh_key_struct *key, KeyProblem *problem)
{
    KeyMaterial m;
    m.m_key = std::shared_ptr<ssh_key_struct>(key, freeKey);
    switch (ssh_key_type(key)) {
    case SSH_KEYTYPE_ED25519:
    case SSH_KEYTYPE_RSA:
    case SSH_KEYTYPE_ECDSA_P256:
    case SSH_KEYTYPE_ECDSA_P384:
    case SSH_KEYTYPE_ECDSA_P521:
        break;
    case SSH_KEYTYPE_DSS:
        return fail(problem, KeyProblem::UnsupportedType,
                    tr("Unsupported key type: DSA keys are obsolete and refused by current SSH servers"));
    default:
        return fail(problem, KeyProblem::UnsupportedType, tr("Unsupported key type"),
                    QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key))));
    }
    char *b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || !b64)
        return fail(problem, KeyProblem::Damaged, tr("The public half of the key could not be computed"));
    m.m_blob = QByteArray::fromBase64(QByteArray(b64));
    ssh_string_free_char(b64);
    QByteArray typeName;
    if (!WireReader(m.m_blob).readString(&typeName))
        return fail(problem, KeyProblem::Damaged, tr("The public half of the key could not be computed"));
    m.m_type = QString::fromLatin1(typeName);
    m.m_bits = bitsOfBlob(m.m_blob, m.m_type);
    if (m.m_type == QLatin1String("ssh-rsa") && m.m_bits < 1024)
        return fail(problem, KeyProblem::UnsupportedType,
                    tr("Unsupported key type: RSA keys shorter than 1024 bits are refused by SSH servers (this one has %1)")
                        .arg(m.m_bits));
    if (problem)
        *problem = KeyProblem::None;
    return m;
}

QString KeyMaterial::fingerprintOfBlob(const QByteArray &blob)
{
    QByteArray b64 = QCryptographicHash::hash(blob, QCryptographicHash::Sha256).toBase64(QByteArray::OmitTrailingEquals);
    return QStringLiteral("SHA256:") + QString::fromLatin1(b64);
}

QString KeyMaterial::fingerprintOfPublicKeyLine(const QString &line)
{
    const QStringList parts = line.trimmed().split(QRegularExpression(QStringLiteral("\\s+")));
    if (parts.size() < 2)
        return {};
    const auto decoded = QByteArray::fromBase64Encoding(parts.at(1).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty())
        return {};
    QByteArray type;
    if (!WireReader(decoded.decoded).readString(&type) || QString::fromLatin1(type) != parts.at(0))
        return {};
    return fingerprintOfBlob(decoded.decoded);
}

QString KeyMaterial::publicKeyLine(const QString &comment) const
{
    if (isNull())
        return {};
    QString line = m_type + QLatin1Char(' ') + QString::fromLatin1(m_blob.toBase64());
    const QString c = comment.simplified();
    if (!c.isEmpty())
        line += QLatin1Char(' ') + c;
    return line;
}

Result<QByteArray> KeyMaterial::exportPrivate(const QString &passphrase) const
{
    if (isNull())
        return Error{tr("There is no key to export"), {}};
    const QByteArray pass = passphrase.toUtf8();
    char *b64 = nullptr;
#if LIBSSH_VERSION_INT >= SSH_VERSION_INT(0, 11, 0)
    const int rc = ssh_pki_export_privkey_base64_format(m_key.get(), passphrase.isEmpty() ? nullptr : pass.constData(),
                                                        nullptr, nullptr, &b64, SSH_FILE_FORMAT_OPENSSH);
#else
    const int rc = ssh_pki_export_privkey_base64(m_key.get(), passphrase.isEmpty() ? nullptr : pass.constData(),
                                                 nullptr, nullptr, &b64);
#endif
    if (rc != SSH_OK || !b64)
        return Error{tr("The private key could not be exported"), QStringLiteral("ssh_pki_export_privkey_base64 failed")};
    QByteArray out(b64);
    // libssh hands the buffer back; wipe it before freeing, it held a private key.
    std::memset(b64, 0, std::strlen(b64));
    ssh_string_free_char(b64);
    if (!out.endsWith('\n'))
        out += '\n';
    return out;
}

} // namespace mist
