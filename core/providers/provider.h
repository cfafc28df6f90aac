#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "util/result.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

#include <memory>

namespace mist {

class HostKeyVerifier;
class ContainerAccess;

// One field of a provider's connection form. The add-cloud dialog and `mist clouds add`
// are generated from these.
struct FormField
{
    // SshKey: a stored key's uuid. SecretFile: the user picks a file (a TLS private key), its
    // contents go to the keychain like a Password; the provider gets the contents as the secret.
    enum class Type { Text, Url, Integer, Boolean, Choice, File, Password, SshKey, SecretFile };

    QString id;            // "uri", "password"
    QString label;         // translated label
    Type type = Type::Text;
    bool required = false;
    bool secret = false;   // stored only in the OS keychain
    QVariant defaultValue;
    QString help;          // translated one-line help / placeholder
    QStringList choices;   // for Type::Choice
};

// Well-known action ids. Providers may add their own; the UI shows any it is given.
namespace Action {
inline const QString Start = QStringLiteral("start");
inline const QString Stop = QStringLiteral("stop");           // graceful shutdown
inline const QString PowerOff = QStringLiteral("power-off");  // force off
inline const QString Reboot = QStringLiteral("reboot");
inline const QString Suspend = QStringLiteral("suspend");
inline const QString Resume = QStringLiteral("resume");
inline const QString Rename = QStringLiteral("rename");       // argument "name"
inline const QString Destroy = QStringLiteral("destroy");     // delete the machine for good
inline const QString Remove = QStringLiteral("remove");       // forget it in Mist, the machine is untouched
inline const QString Restart = QStringLiteral("restart");     // containers: stop + start
inline const QString Pause = QStringLiteral("pause");         // containers: freeze processes
inline const QString Unpause = QStringLiteral("unpause");
inline const QString Cordon = QStringLiteral("cordon");       // Kubernetes nodes
inline const QString Uncordon = QStringLiteral("uncordon");
inline const QString Scale = QStringLiteral("scale");         // owning Deployment/StatefulSet; argument "replicas"
inline const QString RolloutRestart = QStringLiteral("rollout-restart");

QString title(const QString &action);   // translated button text
bool isDestructive(const QString &action);
} // namespace Action

struct ProviderInfo
{
    QString id;            // "libvirt"
    QString title;         // "KVM (libvirt)"
    QString category;      // "Hypervisors", "Local", "Public clouds", "Containers"
    QVector<FormField> fields;
    QStringList capabilities;   // "poll", "actions", "rename"...
    bool singleton = false;     // at most one cloud of this provider (This computer)
};

// The values of a cloud's form: non-secret ones come from Cloud::config, secret ones
// are read from the keychain just before the provider runs and never stored elsewhere.
struct Credentials
{
    QJsonObject config;
    QHash<QString, QString> secrets;
    // For providers that reach machines over SSH: which host keys to trust. Set by the
    // caller, because the known hosts live in the database that providers never touch.
    // Null: only ~/.ssh/known_hosts is trusted.
    std::shared_ptr<HostKeyVerifier> hostKeys;

    QString value(const QString &field) const;
};

struct PollResult
{
    bool success = false;
    // A complete listing lets the store mark machines that are not in it as missing.
    // A partial one (some pages or sub-resources failed) only adds and updates.
    bool complete = false;
    Error error;                 // set when !success, or a warning for a partial poll
    QVector<Machine> machines;   // externalId/parentExternalId set, ids 0
    // Providers that can watch (Kubernetes): where the watch resumes after this listing
    // (resourceVersions, opaque to everyone else). Empty: the cloud is only polled.
    QString watchCursor;

    static PollResult failure(Error e) { PollResult r; r.error = std::move(e); return r; }
};

// Changes a provider's watch reports between polls. Machines are complete records as in a
// poll. Removed ids are deleted for good by the cloud (not "missing"): the store removes them
// at once and audits it.
struct WatchBatch
{
    QVector<Machine> upserts;
    QStringList removedExternalIds;

    bool isEmpty() const { return upserts.isEmpty() && removedExternalIds.isEmpty(); }
};

// Where a running watch sends its changes. Called on the watch's thread; the poll scheduler
// batches them for the store thread.
class WatchSink
{
public:
    virtual ~WatchSink() = default;
    virtual void deliver(WatchBatch batch) = 0;
    virtual bool stopRequested() const = 0;   // a watch checks this at least once a second
};

struct WatchOutcome
{
    enum class End {
        Stopped,    // stopRequested() or the provider cannot watch
        Expired,    // the cursor is too old (Kubernetes 410 Gone): list again, then watch again
        Failed      // the connection broke: error says why; the scheduler backs off and lists again
    };
    End end = End::Stopped;
    Error error;
};

struct ActionRequest
{
    QString action;
    QVariantMap arguments;   // e.g. {"name": "new-name"} for rename
};

// A provider talks to one kind of cloud. Its methods are called on worker threads (never
// the GUI thread) and may block; one instance may serve several calls at once, so keep
// per-connection state local to each call. A provider never touches the database.
class Provider
{
public:
    virtual ~Provider() = default;

    virtual ProviderInfo info() const = 0;

    // Checks form values before anything is stored (no network).
    virtual Status validate(const Credentials &credentials) const;

    virtual PollResult poll(const Credentials &credentials) = 0;

    // The actions allowed for this machine right now (Mist's per-machine `actions`).
    virtual QStringList allowedActions(const Machine &machine) const = 0;

    virtual Status runAction(const Credentials &credentials, const Machine &machine,
                             const ActionRequest &request) = 0;

    // Follows changes after a complete poll that returned a watchCursor; blocks on its own
    // thread until stopped, expired or failed. The default cannot watch.
    virtual WatchOutcome watch(const Credentials &credentials, const QString &cursor, WatchSink &sink);

    // Shells, commands and logs inside containers/pods (Docker, Kubernetes). Null: none.
    virtual ContainerAccess *containerAccess() { return nullptr; }
};

} // namespace mist
