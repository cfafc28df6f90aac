#pragma once

#include "inventory/sqlite.h"
#include "ssh/sshtypes.h"
#include "util/result.h"

#include <QString>
#include <QVector>

#include <functional>

namespace mist {

class InventoryStore;

struct HostKeyCheck
{
    enum class Outcome { Known, Unknown, Changed };
    Outcome outcome = Outcome::Unknown;
    QString knownFingerprint;   // Changed: the fingerprint on record
    QString source;             // Changed/Known: where it is on record ("Mist's known hosts", "~/.ssh/known_hosts line 4")

    static HostKeyCheck known(const QString &source) { return {Outcome::Known, {}, source}; }
    static HostKeyCheck unknown() { return {}; }
    static HostKeyCheck changed(const QString &oldFingerprint, const QString &source)
    {
        return {Outcome::Changed, oldFingerprint, source};
    }
};

// Decides whether a server's host key is trusted. Called on the SSH thread during connect.
// A Changed key is always refused by SshSession; replacing it is a separate, explicit call.
class HostKeyVerifier
{
public:
    virtual ~HostKeyVerifier() = default;
    virtual HostKeyCheck check(const HostKeyInfo &info) = 0;
    // The key is unknown: true to trust it (and remember it), false to refuse the connection.
    virtual bool decideUnknown(const HostKeyInfo &info) = 0;
    // Stores the key as trusted; replace=true overwrites a different key of the same type.
    virtual Status remember(const HostKeyInfo &info, bool replace) = 0;
};

// "SHA256:<base64 without padding>" of a key blob, as OpenSSH prints it.
QString sshFingerprint(const QByteArray &keyBlob);

// The app's own known hosts (table known_hosts). Same thread as the database.
class KnownHostRepository
{
public:
    explicit KnownHostRepository(sql::Database &db) : m_db(db) {}

    Result<QVector<HostKeyInfo>> find(const QString &host, int port);
    Result<QVector<HostKeyInfo>> all();
    Status store(const HostKeyInfo &info);   // insert or replace (host, port, key_type)
    Status remove(const QString &host, int port, const QString &keyType = {});   // empty type: all

private:
    sql::Database &m_db;
};

// ~/.ssh/known_hosts, read only: plain and hashed (|1|salt|hash) names, "[host]:port",
// comma-separated patterns with * and ? and !negation. @revoked and @cert-authority lines
// are skipped (a revoked key is never "known").
class OpenSshKnownHosts
{
public:
    struct Entry
    {
        QString keyType;
        QString publicKey;    // base64
        QString fingerprint;
        int line = 0;
    };

    static QString defaultPath();   // ~/.ssh/known_hosts
    explicit OpenSshKnownHosts(QString path = defaultPath());

    QString path() const { return m_path; }
    // Keys on record for host:port (port 22 matches plain names, others need [host]:port).
    QVector<Entry> find(const QString &host, int port) const;

    static bool hostMatches(const QString &patternField, const QString &hostName);

private:
    QString m_path;
};

// Combines both sources: the app's table first (a replaced key lives there), then
// ~/.ssh/known_hosts. Only keys of the same type are compared (OpenSSH does the same).
HostKeyCheck checkHostKey(const HostKeyInfo &info, const QVector<HostKeyInfo> &appKeys,
                          const QVector<OpenSshKnownHosts::Entry> &userKeys, const QString &userFile);

// The synchronous verifier for the CLI and tests (and anything on the store's thread):
// the app's table through the InventoryStore, ~/.ssh/known_hosts, a policy for unknown
// keys, and audit entries for every accepted or replaced key.
class StoreHostKeyVerifier : public HostKeyVerifier
{
public:
    enum class Policy { RejectUnknown, AcceptUnknown, Ask };
    using AskFunction = std::function<bool(const HostKeyInfo &)>;

    explicit StoreHostKeyVerifier(InventoryStore &store, Policy policy = Policy::RejectUnknown,
                                  QString userKnownHostsFile = OpenSshKnownHosts::defaultPath());

    void setAsk(AskFunction ask) { m_ask = std::move(ask); }
    // Who and what the audit entries name.
    void setAuditContext(const QString &actor, qint64 machineId = 0, const QString &target = {});

    HostKeyCheck check(const HostKeyInfo &info) override;
    bool decideUnknown(const HostKeyInfo &info) override;
    Status remember(const HostKeyInfo &info, bool replace) override;

    // The explicit "the host key changed and I trust the new one" action.
    Status replaceHostKey(const HostKeyInfo &info) { return remember(info, true); }

private:
    InventoryStore &m_store;
    Policy m_policy;
    QString m_userFile;
    AskFunction m_ask;
    QString m_actor = QStringLiteral("user");
    qint64 m_machineId = 0;
    QString m_target;
};

// Trusts only what ~/.ssh/known_hosts says: for connections made where the app's own list
// is out of reach (providers polling without a verifier). Never accepts or stores a key.
class KnownHostsFileVerifier : public HostKeyVerifier
{
public:
    HostKeyCheck check(const HostKeyInfo &info) override;
    bool decideUnknown(const HostKeyInfo &) override { return false; }
    Status remember(const HostKeyInfo &, bool) override;
};

} // namespace mist
