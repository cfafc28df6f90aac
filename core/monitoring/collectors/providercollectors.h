#pragma once

#include "monitoring/metriccollector.h"
#include "providers/provider.h"

#include <functional>
#include <memory>

namespace mist {

// Makers for CollectorFactory::specialisedMakers(): each returns null for targets it does not
// handle, so SSH stays the fallback.
//  * libvirt cloud, kind Vm: domain stats; kind Hypervisor: node CPU/memory (LibvirtCollector)
//  * docker cloud, kind Container: the Engine's stats endpoint (DockerStatsCollector)
//  * kubernetes cloud, kind Pod / Container / Node: metrics.k8s.io (KubeMetricsCollector)
namespace ProviderCollectors {

std::unique_ptr<MetricCollector> makeLibvirt(const CollectorTarget &target);
std::unique_ptr<MetricCollector> makeDocker(const CollectorTarget &target);
std::unique_ptr<MetricCollector> makeKubernetes(const CollectorTarget &target);

// Reads the cloud's credentials when a collector (re)connects: blocking (keychain), worker only.
using CredentialsFunction = std::function<Result<Credentials>()>;
// The keychain through ProviderCall::credentialsFor; SSH host keys checked through the store
// (when the target has one), as polls do.
CredentialsFunction credentialsFunction(const CollectorTarget &target);
// What identifies a cloud's connection: its uuid and configuration (a changed form connects anew).
QString connectionKey(const Cloud &cloud);

} // namespace ProviderCollectors

} // namespace mist
