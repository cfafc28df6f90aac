#pragma once

#include "inventory/machine.h"
#include "keys/sshkey.h"
#include "ssh/sshtypes.h"
#include "util/result.h"

#include <QStringList>

#include <optional>

namespace mist {

class InventoryStore;
class SecretStore;

// Where and how to connect to a machine, before secrets are loaded.
struct SshSettings
{
    SshEndpoint endpoint;
    QVector<SshEndpoint> jumps;
    std::optional<SshKey> key;     // a key of the key store, to read from the keychain
    bool keyChosen = false;        // picked for this machine (not just the default key)
    QStringList identityFiles;     // key files (extra["ssh"]["identity_file"])
    bool useAgent = true;
};

// What the merge starts from (everything read from the store; no IO in merge()).
struct SshSettingsInput
{
    Machine machine;
    std::optional<KeyAssociation> association;
    std::optional<SshKey> associationKey;   // the row association->keyId names, if it exists
    std::optional<SshKey> extraKey;         // the row extra["ssh"]["key"] (a uuid) names, if it exists
    std::optional<SshKey> defaultKey;
};

// Builds the SshTarget of a machine (contracts.md): the machine's provider defaults
// (Machine::extra["ssh"]), overridden field by field by its key association; without
// either: first public IP, else first private IP, else the name; user root; port 22; the
// default key plus the ssh-agent.
class SshTargetResolver
{
public:
    // Pure: the rules above. Errors only for unusable values (e.g. a bad proxy_jump).
    static Result<SshSettings> merge(const SshSettingsInput &input);

    // Reads the association and keys from the store (the store's thread), then merge().
    static Result<SshSettings> settings(InventoryStore &store, const Machine &machine);

    // Loads the private key from the keychain (blocking: a worker thread or the CLI) and
    // returns the full target. A key chosen for the machine that cannot be read is an error;
    // an unreadable default key is skipped (agent and key files may still work).
    static Result<SshTarget> target(const SshSettings &settings, SecretStore *secrets);
};

} // namespace mist
