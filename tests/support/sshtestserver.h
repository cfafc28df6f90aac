#pragma once

#include "inventory/inventorystore.h"
#include "ssh/hostkeys.h"
#include "ssh/sshtypes.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace mist::test {

// A real OpenSSH server for tests: /usr/sbin/sshd -D -e on a free loopback port, with an
// ed25519 host key, a client key and authorized_keys generated per run in a temp dir, for
// the current user (root included: PermitRootLogin prohibit-password). Killed (with every
// connection it forked) when destroyed.
class SshTestServer
{
public:
    struct Options
    {
        bool passwordAuthentication = false;
        QStringList environment;   // "NAME=VALUE" for every session (besides its own HOME)
    };

    SshTestServer();
    explicit SshTestServer(Options options);
    ~SshTestServer();
    SshTestServer(const SshTestServer &) = delete;
    SshTestServer &operator=(const SshTestServer &) = delete;

    // Why sshd cannot run here at all (no sshd/ssh-keygen binary); empty when it can.
    static QString notRunnableReason();

    bool start();                 // false: see errorString()
    QString errorString() const { return m_error; }
    bool isRunning() const;
    // SIGKILL to sshd and every connection process it forked (a server that drops).
    void killAll();
    bool restart();               // same port, same keys
    // A new host key (same type), then a restart on the same port: clients see "changed".
    bool rotateHostKey();

    QString host() const { return QStringLiteral("127.0.0.1"); }
    int port() const { return m_port; }
    QString user() const;         // the current user, whom the server lets in
    QString dir() const { return m_dir.path(); }
    QString logText();            // sshd's log so far (for failure messages)

    // user@127.0.0.1:port with the client key, no agent, a 5 s connect timeout.
    mist::SshTarget target() const;

    QString clientKeyPath() const;            // private key file (no passphrase)
    QByteArray clientPrivateKey() const;      // its OpenSSH text
    QString clientKeyFingerprint() const;     // "SHA256:..."
    QString hostKeyType() const;              // "ssh-ed25519"
    QString hostKeyFingerprint() const;
    QString hostPublicKey() const;            // base64 blob

    // ssh-keygen -t type -N passphrase -f path; false with *error on failure.
    static bool generateKey(const QString &path, const QString &type, const QString &passphrase, QString *error = nullptr);
    // "SHA256:..." and base64 blob from a .pub file.
    static QString publicKeyFingerprint(const QString &pubPath);
    static QString publicKeyBase64(const QString &pubPath);

private:
    bool writeConfig();
    bool launch();
    void stopProcess();

    Options m_options;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    int m_port = 0;
    QString m_error;
};

// Adds an "Other server"-style cloud named `cloudName` holding `machines` (externalId set)
// to an open store, as a complete poll would; an error text, empty on success.
QString addServerMachines(mist::InventoryStore &store, const QString &cloudName, const QVector<mist::Machine> &machines);
// A cloud "servers" with "box" (reaches `server` with its client key) and "dead" (the same,
// but on a closed port): what the CLI tests run ssh, exec and monitoring against.
// Empty on success, else what went wrong.
QString addBoxAndDeadServers(mist::InventoryStore &store, const SshTestServer &server);

// Trusts exactly one host key (the test server's), refuses every other; stores nothing.
class PinnedHostKey : public HostKeyVerifier
{
public:
    explicit PinnedHostKey(QString fingerprint) : m_fingerprint(std::move(fingerprint)) {}
    HostKeyCheck check(const HostKeyInfo &info) override
    {
        return info.fingerprint == m_fingerprint ? HostKeyCheck::known(QStringLiteral("test")) : HostKeyCheck::unknown();
    }
    bool decideUnknown(const HostKeyInfo &) override { return false; }
    Status remember(const HostKeyInfo &, bool) override { return {}; }

private:
    QString m_fingerprint;
};

} // namespace mist::test

// Starts `server` or ends the test: QSKIP only when sshd cannot run here at all.
#define MIST_START_SSHD(server)                                                            \
    do {                                                                                   \
        const QString mistSkip = mist::test::SshTestServer::notRunnableReason();           \
        if (!mistSkip.isEmpty())                                                           \
            QSKIP(qPrintable(mistSkip));                                                   \
        if (!(server).start())                                                             \
            QFAIL(qPrintable(QStringLiteral("sshd did not start: ") + (server).errorString())); \
    } while (false)
