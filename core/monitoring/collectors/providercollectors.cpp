#include "monitoring/collectors/providercollectors.h"

#include "monitoring/collectors/dockerstatscollector.h"
#include "monitoring/collectors/kubemetricscollector.h"
#include "monitoring/collectors/libvirtcollector.h"
#include "polling/polljob.h"
#include "secrets/secretstore.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"

#include <QCryptographicHash>
#include <QJsonDocument>

namespace mist::ProviderCollectors {

CredentialsFunction credentialsFunction(const CollectorTarget &target)
{
    const Cloud cloud = target.cloud;
    QPointer<StoreService> store = target.store;
    const qint64 machineId = target.machine.id;
    const QString machineName = target.machine.name;
    return [cloud, store, machineId, machineName]() -> Result<Credentials> {
        std::shared_ptr<HostKeyVerifier> verifier;
        if (store) {
            auto v = std::make_shared<StoreServiceHostKeyVerifier>(store.data());
            v->setAuditContext(QStringLiteral("monitoring"), machineId, machineName);
            verifier = std::move(v);
        }
        SecretStore secrets;
        return ProviderCall::credentialsFor(cloud, secrets, std::move(verifier));
    };
}

QString connectionKey(const Cloud &cloud)
{
    const QByteArray config = QJsonDocument(cloud.config).toJson(QJsonDocument::Compact);
    return cloud.uuid + QLatin1Char('/')
        + QString::fromLatin1(QCryptographicHash::hash(config, QCryptographicHash::Sha1).toHex());
}

std::unique_ptr<MetricCollector> makeDocker(const CollectorTarget &target)
{
    if (target.cloud.provider != QLatin1String("docker") || target.machine.kind != MachineKind::Container)
        return nullptr;
    return std::make_unique<DockerStatsCollector>(connectionKey(target.cloud), credentialsFunction(target), target.machine);
}

std::unique_ptr<MetricCollector> makeKubernetes(const CollectorTarget &target)
{
    if (target.cloud.provider != QLatin1String("kubernetes"))
        return nullptr;
    const MachineKind kind = target.machine.kind;
    if (kind != MachineKind::Pod && kind != MachineKind::Container && kind != MachineKind::Node)
        return nullptr;
    return std::make_unique<KubeMetricsCollector>(connectionKey(target.cloud), credentialsFunction(target), target.machine);
}

std::unique_ptr<MetricCollector> makeLibvirt(const CollectorTarget &target)
{
#ifdef MIST_WITH_LIBVIRT
    if (target.cloud.provider != QLatin1String("libvirt"))
        return nullptr;
    if (target.machine.kind != MachineKind::Vm && target.machine.kind != MachineKind::Hypervisor)
        return nullptr;
    return std::make_unique<LibvirtCollector>(credentialsFunction(target), target.machine);
#else
    Q_UNUSED(target)
    return nullptr;
#endif
}

} // namespace mist::ProviderCollectors
