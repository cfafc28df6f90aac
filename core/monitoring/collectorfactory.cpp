#include "monitoring/metriccollector.h"

#include "monitoring/machinecollector.h"
#include "monitoring/collectors/providercollectors.h"
#include "monitoring/prometheus/prometheuscollector.h"
#include "secrets/secretstore.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"
#include "ssh/sshtargetresolver.h"

#include <QCoreApplication>

#include <functional>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("mist::CollectorFactory", text);
}

using Maker = std::function<std::unique_ptr<MetricCollector>(const CollectorTarget &)>;

// Collectors that know a machine better than SSH does, tried in order; each returns null
// for targets it does not handle.
const QVector<Maker> &specialisedMakers()
{
    static const QVector<Maker> makers{
        &PrometheusCollector::make,   // first: configured by the user for the machine or its cloud
        &ProviderCollectors::makeLibvirt, &ProviderCollectors::makeDocker, &ProviderCollectors::makeKubernetes,
    };
    return makers;
}
} // namespace

std::unique_ptr<MetricCollector> CollectorFactory::make(const CollectorTarget &target)
{
    for (const Maker &maker : specialisedMakers()) {
        if (std::unique_ptr<MetricCollector> c = maker(target))
            return c;
    }
    return makeSsh(target);
}

std::unique_ptr<MetricCollector> CollectorFactory::makeSsh(const CollectorTarget &target)
{
    if (target.local)
        return std::make_unique<MachineCollector>();
    QPointer<StoreService> store = target.store;
    const qint64 machineId = target.machine.id;
    // Runs on the collection worker before each (re)connect: the settings may have changed.
    auto targetFn = [store, machineId]() -> Result<SshTarget> {
        auto settings = std::make_shared<Result<SshSettings>>(Error{tr("The inventory is not available"), {}});
        if (!store || !store->runBlocking([settings, machineId](InventoryStore &s) {
                auto m = s.machine(machineId);
                *settings = m ? SshTargetResolver::settings(s, m.value()) : Result<SshSettings>(m.error());
            }))
            return Error{tr("The inventory did not answer in time"), {}};
        if (!*settings)
            return settings->error();
        SecretStore secrets;
        return SshTargetResolver::target(settings->value(), &secrets);
    };
    auto verifier = std::make_shared<StoreServiceHostKeyVerifier>(store.data());
    verifier->setAuditContext(QStringLiteral("monitoring"), machineId, target.machine.name);
    return std::make_unique<MachineCollector>(std::move(targetFn), std::move(verifier));
}

} // namespace mist
