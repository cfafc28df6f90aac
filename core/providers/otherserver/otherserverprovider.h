#pragma once

#include "providers/provider.h"
#include "ssh/sshtypes.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QVector>

namespace mist {

// One server of an "Other server" cloud: where and how to reach it over SSH.
struct ServerEntry
{
    QString name;            // shown in the tree; also the machine's external id
    SshEndpoint endpoint;
    QString keyUuid;         // a key in Mist's key store (keychain "key/<uuid>")
    QString identityFile;    // a private key file (from ~/.ssh/config)
    QString proxyJump;       // OpenSSH ProxyJump value

    QJsonObject toJson() const;                 // the Machine::extra["ssh"] form
    static ServerEntry fromJson(const QJsonObject &o);
};

// Bare metal or any SSH host (Mist's "Other server"). A cloud holds one server (the form's
// host/port/user/key fields) and/or a list in config["hosts"] (an ~/.ssh/config import).
// Polling probes each server over SSH: reachable -> running with OS, kernel, cores, RAM,
// disks and boot time; no answer -> unreachable. Host keys must already be trusted
// (a poll cannot ask anyone): an unknown key leaves the server "unknown" with a hint.
class OtherServerProvider : public Provider
{
    Q_DECLARE_TR_FUNCTIONS(OtherServerProvider)

public:
    static const QString Id;   // "other"

    ProviderInfo info() const override;
    Status validate(const Credentials &credentials) const override;
    PollResult poll(const Credentials &credentials) override;
    QStringList allowedActions(const Machine &machine) const override;
    Status runAction(const Credentials &credentials, const Machine &machine,
                     const ActionRequest &request) override;

    static QVector<ServerEntry> servers(const QJsonObject &config);
    // The cloud's config without the server `name` (Remove). Unchanged if it is not there.
    static QJsonObject configWithout(const QJsonObject &config, const QString &name);
    // How the probe of one server turns into a machine (also used when it fails).
    static Machine probeMachine(const ServerEntry &server, const SshResult<ExecResult> &probe, const QDateTime &now);
    // The connection for one server: its key from the keychain, identity file, agent, jumps.
    static Result<SshTarget> targetFor(const ServerEntry &server);
};

} // namespace mist
