#include "hostkeys.h"

#include "inventory/inventorystore.h"
#include "ssh/sshconfig.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("HostKeys", text);
}

bool hashedMatch(const QString &field, const QString &name)
{
    // |1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>
    const QStringList parts = field.split(QLatin1Char('|'));
    if (parts.size() != 4 || parts.at(1) != QLatin1String("1"))
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts.at(2).toLatin1());
    const QByteArray hash = QByteArray::fromBase64(parts.at(3).toLatin1());
    if (salt.isEmpty() || hash.isEmpty())
        return false;
    return QMessageAuthenticationCode::hash(name.toUtf8(), salt, QCryptographicHash::Sha1) == hash;
}

const QString kAppSource = QStringLiteral("Mist's known hosts");

} // namespace

QString sshFingerprint(const QByteArray &keyBlob)
{
    QByteArray b64 = QCryptographicHash::hash(keyBlob, QCryptographicHash::Sha256).toBase64(QByteArray::OmitTrailingEquals);
    return QStringLiteral("SHA256:") + QString::fromLatin1(b64);
}

// ---- KnownHostRepository ----

namespace {
HostKeyInfo readHostKey(const sql::Statement &s)
{
    HostKeyInfo k;
    k.host = s.text(0);
    k.port = int(s.int64(1));
    k.keyType = s.text(2);
    k.fingerprint = s.text(3);
    k.publicKey = s.text(4);
    return k;
}
} // namespace

namespace {
const QString kSelectKeys = QStringLiteral("SELECT host, port, key_type, fingerprint, public_key FROM known_hosts ");

Result<QVector<HostKeyInfo>> readAll(Result<sql::Statement> &st)
{
    if (!st)
        return st.error();
    QVector<HostKeyInfo> out;
    while (st.value().step())
        out << readHostKey(st.value());
    if (st->failed())
        return st->error();
    return out;
}
} // namespace

Result<QVector<HostKeyInfo>> KnownHostRepository::find(const QString &host, int port)
{
    auto st = m_db.prepare(kSelectKeys + QStringLiteral("WHERE host = ?1 COLLATE NOCASE AND port = ?2 ORDER BY key_type"));
    if (st)
        st.value().bind(1, host).bind(2, port);
    return readAll(st);
}

Result<QVector<HostKeyInfo>> KnownHostRepository::all()
{
    auto st = m_db.prepare(kSelectKeys + QStringLiteral("ORDER BY host, port, key_type"));
    return readAll(st);
}

Status KnownHostRepository::store(const HostKeyInfo &info)
{
    if (!info.isValid() || info.host.isEmpty())
        return Error{tr("The host key is incomplete and was not stored"), info.host};
    auto st = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO known_hosts (host, port, key_type, fingerprint, public_key, added_at) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    if (!st)
        return st.error();
    st.value().bind(1, info.host.toLower()).bind(2, info.port).bind(3, info.keyType).bind(4, info.fingerprint)
        .bind(5, info.publicKey).bind(6, QDateTime::currentSecsSinceEpoch());
    return st.value().exec();
}

Status KnownHostRepository::remove(const QString &host, int port, const QString &keyType)
{
    auto st = m_db.prepare(keyType.isEmpty()
                               ? QStringLiteral("DELETE FROM known_hosts WHERE host = ?1 COLLATE NOCASE AND port = ?2")
                               : QStringLiteral("DELETE FROM known_hosts WHERE host = ?1 COLLATE NOCASE AND port = ?2 AND key_type = ?3"));
    if (!st)
        return st.error();
    st.value().bind(1, host).bind(2, port);
    if (!keyType.isEmpty())
        st.value().bind(3, keyType);
    return st.value().exec();
}

// ---- OpenSshKnownHosts ----

QString OpenSshKnownHosts::defaultPath()
{
    return QDir::home().filePath(QStringLiteral(".ssh/known_hosts"));
}

OpenSshKnownHosts::OpenSshKnownHosts(QString path)
    : m_path(std::move(path))
{
}

bool OpenSshKnownHosts::hostMatches(const QString &patternField, const QString &hostName)
{
    if (patternField.startsWith(QLatin1String("|1|")))
        return hashedMatch(patternField, hostName);
    bool matched = false;
    const QStringList patterns = patternField.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &pattern : patterns) {
        const bool negated = pattern.startsWith(QLatin1Char('!'));
        if (sshPatternMatch(negated ? QStringView(pattern).mid(1) : QStringView(pattern), hostName)) {
            if (negated)
                return false;   // a matching negation wins over everything
            matched = true;
        }
    }
    return matched;
}

QVector<OpenSshKnownHosts::Entry> OpenSshKnownHosts::find(const QString &host, int port) const
{
    QVector<Entry> out;
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly))
        return out;   // absent or unreadable: nothing known from there
    const QString name = port == 22 ? host.toLower() : QStringLiteral("[%1]:%2").arg(host.toLower()).arg(port);
    int lineNo = 0;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine(64 * 1024)).trimmed();
        ++lineNo;
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        QStringList fields = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        if (!fields.isEmpty() && fields.first().startsWith(QLatin1Char('@')))
            continue;   // @revoked / @cert-authority: never a plain "known" key
        if (fields.size() < 3 || !hostMatches(fields.at(0), name))
            continue;
        const QByteArray blob = QByteArray::fromBase64(fields.at(2).toLatin1());
        if (blob.isEmpty())
            continue;
        out << Entry{fields.at(1), fields.at(2), sshFingerprint(blob), lineNo};
    }
    return out;
}

HostKeyCheck checkHostKey(const HostKeyInfo &info, const QVector<HostKeyInfo> &appKeys,
                          const QVector<OpenSshKnownHosts::Entry> &userKeys, const QString &userFile)
{
    for (const HostKeyInfo &k : appKeys) {
        if (k.keyType != info.keyType)
            continue;
        if (k.publicKey == info.publicKey)
            return HostKeyCheck::known(kAppSource);
        return HostKeyCheck::changed(k.fingerprint, kAppSource);
    }
    const OpenSshKnownHosts::Entry *mismatch = nullptr;
    for (const OpenSshKnownHosts::Entry &e : userKeys) {
        if (e.keyType != info.keyType)
            continue;
        if (e.publicKey == info.publicKey)
            return HostKeyCheck::known(QStringLiteral("%1 line %2").arg(userFile).arg(e.line));
        if (!mismatch)
            mismatch = &e;
    }
    if (mismatch)
        return HostKeyCheck::changed(mismatch->fingerprint, QStringLiteral("%1 line %2").arg(userFile).arg(mismatch->line));
    return HostKeyCheck::unknown();
}

// ---- StoreHostKeyVerifier ----

StoreHostKeyVerifier::StoreHostKeyVerifier(InventoryStore &store, Policy policy, QString userKnownHostsFile)
    : m_store(store)
    , m_policy(policy)
    , m_userFile(std::move(userKnownHostsFile))
{
}

void StoreHostKeyVerifier::setAuditContext(const QString &actor, qint64 machineId, const QString &target)
{
    m_actor = actor;
    m_machineId = machineId;
    m_target = target;
}

HostKeyCheck StoreHostKeyVerifier::check(const HostKeyInfo &info)
{
    auto app = KnownHostRepository(m_store.database()).find(info.host, info.port);
    if (!app) {
        // Cannot tell what is on record: treat as changed rather than silently unknown.
        qCWarning(lcSsh) << "known hosts lookup failed" << app.error().toString();
        return HostKeyCheck::changed(tr("(unreadable)"), kAppSource);
    }
    const OpenSshKnownHosts user(m_userFile);
    return checkHostKey(info, app.value(), m_userFile.isEmpty() ? QVector<OpenSshKnownHosts::Entry>{} : user.find(info.host, info.port),
                        m_userFile);
}

bool StoreHostKeyVerifier::decideUnknown(const HostKeyInfo &info)
{
    switch (m_policy) {
    case Policy::AcceptUnknown: return true;
    case Policy::RejectUnknown: return false;
    case Policy::Ask: return m_ask && m_ask(info);
    }
    return false;
}

Status StoreHostKeyVerifier::remember(const HostKeyInfo &info, bool replace)
{
    KnownHostRepository repo(m_store.database());
    auto existing = repo.find(info.host, info.port);
    if (!existing)
        return existing.error();
    QString oldFingerprint;
    for (const HostKeyInfo &k : existing.value())
        if (k.keyType == info.keyType && k.publicKey != info.publicKey)
            oldFingerprint = k.fingerprint;
    if (oldFingerprint.isEmpty() && replace) {
        // The old key may come from ~/.ssh/known_hosts: name it in the audit entry.
        const QVector<OpenSshKnownHosts::Entry> user = OpenSshKnownHosts(m_userFile).find(info.host, info.port);
        for (const auto &e : user)
            if (e.keyType == info.keyType && e.publicKey != info.publicKey)
                oldFingerprint = e.fingerprint;
    }
    if (!oldFingerprint.isEmpty() && !replace)
        return Error{tr("A different %1 key is already on record for %2; replace it explicitly")
                         .arg(info.keyType, SshEndpoint{info.host, info.port, {}}.hostPort()),
                     oldFingerprint};
    if (Status s = repo.store(info); !s)
        return s;

    AuditEntry e;
    e.timestamp = QDateTime::currentDateTimeUtc();
    e.actor = m_actor;
    e.action = replace ? QStringLiteral("ssh.host_key_replaced") : QStringLiteral("ssh.host_key_accepted");
    e.machineId = m_machineId;
    const QString hostPort = SshEndpoint{info.host, info.port, {}}.hostPort();
    e.target = m_target.isEmpty() ? hostPort : m_target;
    e.message = replace ? tr("Host key of %1 replaced: %2").arg(hostPort, info.fingerprint)
                        : tr("Host key of %1 accepted: %2").arg(hostPort, info.fingerprint);
    e.details.insert(QStringLiteral("host"), info.host);
    e.details.insert(QStringLiteral("port"), info.port);
    e.details.insert(QStringLiteral("key_type"), info.keyType);
    e.details.insert(QStringLiteral("fingerprint"), info.fingerprint);
    if (!oldFingerprint.isEmpty())
        e.details.insert(QStringLiteral("old_fingerprint"), oldFingerprint);
    if (Status s = m_store.appendAudit(e); !s)
        qCWarning(lcSsh) << "audit of host key failed" << s.error().toString();
    return {};
}

HostKeyCheck KnownHostsFileVerifier::check(const HostKeyInfo &info)
{
    const OpenSshKnownHosts file;
    return checkHostKey(info, {}, file.find(info.host, info.port), file.path());
}

Status KnownHostsFileVerifier::remember(const HostKeyInfo &, bool)
{
    return Error{QCoreApplication::translate("HostKeys", "Host keys cannot be saved here"), {}};
}

} // namespace mist
