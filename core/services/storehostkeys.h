#pragma once

#include "ssh/hostkeys.h"

#include <QPointer>

#include <memory>
#include <mutex>

#include <functional>

namespace mist {

class StoreService;

// The host-key verifier for SSH connections made on worker threads of the GUI app: the
// known-host table is read and written on the store thread (a blocking hop, never from the
// GUI thread), and an unknown key is decided by `ask` — the UI shows the fingerprint and the
// worker waits for the user's answer. Without `ask` unknown keys are refused (polling).
class StoreServiceHostKeyVerifier : public HostKeyVerifier
{
public:
    using AskFunction = std::function<bool(const HostKeyInfo &)>;

    explicit StoreServiceHostKeyVerifier(StoreService *store, AskFunction ask = {});
    void setAuditContext(const QString &actor, qint64 machineId, const QString &target);

    HostKeyCheck check(const HostKeyInfo &info) override;
    bool decideUnknown(const HostKeyInfo &info) override;
    Status remember(const HostKeyInfo &info, bool replace) override;

private:
    QPointer<StoreService> m_store;
    AskFunction m_ask;
    QString m_actor = QStringLiteral("user");
    qint64 m_machineId = 0;
    QString m_target;
};

// Lets a verifier that is not thread-safe (StoreHostKeyVerifier on the CLI's store) serve a
// provider that connects to several servers at once: one call at a time.
class SerializedHostKeyVerifier : public HostKeyVerifier
{
public:
    explicit SerializedHostKeyVerifier(std::shared_ptr<HostKeyVerifier> inner) : m_inner(std::move(inner)) {}

    HostKeyCheck check(const HostKeyInfo &info) override
    {
        std::lock_guard lock(m_mutex);
        return m_inner->check(info);
    }
    bool decideUnknown(const HostKeyInfo &info) override
    {
        std::lock_guard lock(m_mutex);
        return m_inner->decideUnknown(info);
    }
    Status remember(const HostKeyInfo &info, bool replace) override
    {
        std::lock_guard lock(m_mutex);
        return m_inner->remember(info, replace);
    }

private:
    std::shared_ptr<HostKeyVerifier> m_inner;
    std::mutex m_mutex;
};

} // namespace mist
