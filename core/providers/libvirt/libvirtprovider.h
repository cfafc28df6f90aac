#pragma once

#include "providers/provider.h"

#include <QCoreApplication>
#include <QMutex>
#include <QString>

#include <map>
#include <memory>
#include <utility>

struct _virConnect;   // libvirt's virConnect; keeps <libvirt/libvirt.h> out of this header

namespace mist {

// KVM/QEMU (or any libvirt driver) hosts through the libvirt C API. Reports the host as a
// Hypervisor machine and every domain as a Vm under it; runs lifecycle actions on domains.
class LibvirtProvider : public Provider
{
    Q_DECLARE_TR_FUNCTIONS(LibvirtProvider)

public:
    LibvirtProvider();
    ~LibvirtProvider() override;
    LibvirtProvider(const LibvirtProvider &) = delete;
    LibvirtProvider &operator=(const LibvirtProvider &) = delete;

    ProviderInfo info() const override;
    Status validate(const Credentials &credentials) const override;
    PollResult poll(const Credentials &credentials) override;
    QStringList allowedActions(const Machine &machine) const override;
    Status runAction(const Credentials &credentials, const Machine &machine,
                     const ActionRequest &request) override;

    // A connection of its own for another user of libvirt (the monitoring collector), opened
    // with the cloud's username/password answering libvirt's questions. Blocking; the caller
    // closes it with virConnectClose().
    static Result<_virConnect *> openStandalone(const QString &uri, const Credentials &credentials);

private:
    struct ConnectionCloser { void operator()(_virConnect *connection) const; };
    // One reference to a cached connection; closing it only drops that reference.
    using ConnectionHandle = std::unique_ptr<_virConnect, ConnectionCloser>;
    using Key = std::pair<QString, QString>;   // (resolved URI, username)

    // The shared connection for this URI and user, opened when missing or found dead.
    // `reused` tells whether it came from the cache (and so may have died unnoticed).
    Result<ConnectionHandle> connection(const QString &uri, const Credentials &credentials,
                                        bool *reused = nullptr);
    // Drops `connection` from the cache if it is still the one cached for `key`.
    void forget(const Key &key, _virConnect *connection);
    static Key keyFor(const QString &uri, const Credentials &credentials);

    QMutex m_mutex;
    std::map<Key, _virConnect *> m_connections;   // each holds one libvirt reference
};

} // namespace mist
