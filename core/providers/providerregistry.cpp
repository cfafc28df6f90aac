#include "providerregistry.h"

#include "providers/kubernetes/kubernetesprovider.h"
#include "providers/docker/dockerprovider.h"
#include "providers/otherserver/otherserverprovider.h"
#include "providers/thiscomputer/thiscomputerprovider.h"
#ifdef MIST_WITH_LIBVIRT
#include "providers/libvirt/libvirtprovider.h"
#endif

#include <algorithm>

namespace mist {

ProviderRegistry &ProviderRegistry::instance()
{
    static ProviderRegistry *registry = [] {
        auto *r = new ProviderRegistry;
        r->add(std::make_shared<ThisComputerProvider>());
        r->add(std::make_shared<OtherServerProvider>());
        r->add(std::make_shared<DockerProvider>());
        r->add(std::make_shared<KubernetesProvider>());
#ifdef MIST_WITH_LIBVIRT
        r->add(std::make_shared<LibvirtProvider>());
#endif
        return r;
    }();
    return *registry;
}

void ProviderRegistry::add(std::shared_ptr<Provider> provider)
{
    const QString id = provider->info().id;
    m_providers[id] = std::move(provider);
}

std::shared_ptr<Provider> ProviderRegistry::provider(const QString &id) const
{
    auto it = m_providers.find(id);
    return it == m_providers.end() ? nullptr : it->second;
}

QVector<ProviderInfo> ProviderRegistry::providers() const
{
    QVector<ProviderInfo> out;
    for (const auto &[id, p] : m_providers)
        out << p->info();
    std::sort(out.begin(), out.end(), [](const ProviderInfo &a, const ProviderInfo &b) {
        return std::tie(a.category, a.title) < std::tie(b.category, b.title);
    });
    return out;
}

} // namespace mist
