#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "providers/provider.h"
#include "secrets/secretstore.h"

namespace mist {

// One blocking provider call with everything around it: find the provider, fetch the
// cloud's secrets from the keychain, validate, call, and turn any failure (including an
// exception thrown by a library) into a clear error. Used by the poll scheduler's workers
// and by the CLI, so both behave the same.
namespace ProviderCall {

Result<Credentials> credentialsFor(const Cloud &cloud, SecretStore &secrets,
                                   std::shared_ptr<HostKeyVerifier> hostKeys = {});
PollResult poll(const Cloud &cloud, SecretStore &secrets, std::shared_ptr<HostKeyVerifier> hostKeys = {});
Status runAction(const Cloud &cloud, const Machine &machine, const ActionRequest &request, SecretStore &secrets,
                 std::shared_ptr<HostKeyVerifier> hostKeys = {});
// Runs the provider's watch on the calling thread (a dedicated one: it blocks until stopped,
// expired or failed). Any error before or inside the provider comes back as End::Failed.
WatchOutcome watch(const Cloud &cloud, const QString &cursor, WatchSink &sink, SecretStore &secrets,
                   std::shared_ptr<HostKeyVerifier> hostKeys = {});
QStringList allowedActions(const Cloud &cloud, const Machine &machine);

} // namespace ProviderCall

} // namespace mist
