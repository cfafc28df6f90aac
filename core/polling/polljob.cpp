#include "polljob.h"

#include "providers/providerregistry.h"
#include "util/logging.h"

#include <QCoreApplication>

#include <exception>

namespace mist::ProviderCall {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ProviderCall", text);
}

Result<std::shared_ptr<Provider>> providerFor(const Cloud &cloud)
{
    auto p = ProviderRegistry::instance().provider(cloud.provider);
    if (!p)
        return Error{tr("This build of Mist Desktop has no provider \"%1\"").arg(cloud.provider), cloud.name};
    return p;
}

} // namespace

Result<Credentials> credentialsFor(const Cloud &cloud, SecretStore &secrets, std::shared_ptr<HostKeyVerifier> hostKeys)
{
    Credentials c;
    c.config = cloud.config;
    c.hostKeys = std::move(hostKeys);
    if (!cloud.secretFields.isEmpty()) {
        auto read = secrets.readAll(cloud.uuid, cloud.secretFields);
        if (!read)
            return Error{tr("Could not read the credentials of %1 from the OS keychain").arg(cloud.name),
                         read.error().toString()};
        c.secrets = read.value();
    }
    return c;
}

PollResult poll(const Cloud &cloud, SecretStore &secrets, std::shared_ptr<HostKeyVerifier> hostKeys)
{
    auto provider = providerFor(cloud);
    if (!provider)
        return PollResult::failure(provider.error());
    auto creds = credentialsFor(cloud, secrets, std::move(hostKeys));
    if (!creds)
        return PollResult::failure(creds.error());
    if (Status valid = provider.value()->validate(creds.value()); !valid)
        return PollResult::failure(valid.error());
    try {
        PollResult r = provider.value()->poll(creds.value());
        if (!r.success && r.error.message.isEmpty())
            r.error = Error{tr("The provider reported a failure without saying why"), cloud.name};
        return r;
    } catch (const std::exception &e) {
        qCWarning(lcPolling) << "provider threw while polling" << cloud.name << e.what();
        return PollResult::failure(Error{tr("Polling failed unexpectedly"), QString::fromUtf8(e.what())});
    } catch (...) {
        return PollResult::failure(Error{tr("Polling failed unexpectedly"), {}});
    }
}

WatchOutcome watch(const Cloud &cloud, const QString &cursor, WatchSink &sink, SecretStore &secrets,
                   std::shared_ptr<HostKeyVerifier> hostKeys)
{
    auto failed = [](Error e) {
        WatchOutcome o;
        o.end = WatchOutcome::End::Failed;
        o.error = std::move(e);
        return o;
    };
    auto provider = providerFor(cloud);
    if (!provider)
        return failed(provider.error());
    auto creds = credentialsFor(cloud, secrets, std::move(hostKeys));
    if (!creds)
        return failed(creds.error());
    try {
        WatchOutcome o = provider.value()->watch(creds.value(), cursor, sink);
        if (o.end == WatchOutcome::End::Failed && o.error.message.isEmpty())
            o.error = Error{tr("Following the cloud's changes failed without a reason"), cloud.name};
        return o;
    } catch (const std::exception &e) {
        qCWarning(lcPolling) << "provider threw while watching" << cloud.name << e.what();
        return failed(Error{tr("Following the cloud's changes failed unexpectedly"), QString::fromUtf8(e.what())});
    } catch (...) {
        return failed(Error{tr("Following the cloud's changes failed unexpectedly"), {}});
    }
}

QStringList allowedActions(const Cloud &cloud, const Machine &machine)
{
    auto provider = providerFor(cloud);
    return provider ? provider.value()->allowedActions(machine) : QStringList{};
}

Status runAction(const Cloud &cloud, const Machine &machine, const ActionRequest &request, SecretStore &secrets,
                 std::shared_ptr<HostKeyVerifier> hostKeys)
{
    auto provider = providerFor(cloud);
    if (!provider)
        return provider.error();
    if (!provider.value()->allowedActions(machine).contains(request.action))
        return Error{tr("\"%1\" is not possible on %2 while it is %3").arg(Action::title(request.action), machine.name, machine.state), {}};
    auto creds = credentialsFor(cloud, secrets, std::move(hostKeys));
    if (!creds)
        return creds.error();
    try {
        return provider.value()->runAction(creds.value(), machine, request);
    } catch (const std::exception &e) {
        return Error{tr("The action failed unexpectedly"), QString::fromUtf8(e.what())};
    }
}

} // namespace mist::ProviderCall
