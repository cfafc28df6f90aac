#pragma once

#include "providers/provider.h"

#include <QString>
#include <QVector>

#include <functional>
#include <map>
#include <memory>

namespace mist {

// Knows every provider compiled in. Providers are stateless between calls, so the registry
// hands out shared instances that worker threads may use concurrently.
class ProviderRegistry
{
public:
    static ProviderRegistry &instance();   // filled with the built-in providers

    void add(std::shared_ptr<Provider> provider);
    std::shared_ptr<Provider> provider(const QString &id) const;
    QVector<ProviderInfo> providers() const;   // sorted by category, then title

private:
    ProviderRegistry() = default;
    std::map<QString, std::shared_ptr<Provider>> m_providers;
};

} // namespace mist
