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

// One field of a provider's connection form. The add-cloud dialog and `mist clouds add`
// are generated from these.
struct FormField
{
    enum class Type { Text, Url, Integer, Boolean, Choice, File, Password, SshKey };   // SshKey: a stored key's uuid

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

    static PollResult failure(Error e) { PollResult r; r.error = std::move(e); return r; }
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
};

} // namespace mist
