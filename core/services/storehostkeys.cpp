#include "storehostkeys.h"

#include "inventory/inventorystore.h"
#include "services/storeservice.h"

#include <QCoreApplication>

#include <memory>

namespace mist {

StoreServiceHostKeyVerifier::StoreServiceHostKeyVerifier(StoreService *store, AskFunction ask)
    : m_store(store), m_ask(std::move(ask))
{
}

void StoreServiceHostKeyVerifier::setAuditContext(const QString &actor, qint64 machineId, const QString &target)
{
    m_actor = actor;
    m_machineId = machineId;
    m_target = target;
}

HostKeyCheck StoreServiceHostKeyVerifier::check(const HostKeyInfo &info)
{
    auto answer = std::make_shared<HostKeyCheck>();
    if (!m_store || !m_store->runBlocking([answer, info](InventoryStore &store) {
            *answer = StoreHostKeyVerifier(store).check(info);
        }))
        return HostKeyCheck::unknown();   // no answer: treated as unknown, so never trusted silently
    return *answer;
}

bool StoreServiceHostKeyVerifier::decideUnknown(const HostKeyInfo &info)
{
    return m_ask && m_ask(info);
}

Status StoreServiceHostKeyVerifier::remember(const HostKeyInfo &info, bool replace)
{
    const Error timedOut{QCoreApplication::translate("HostKeys", "The inventory did not answer in time; the host key was not saved"), {}};
    if (!m_store)
        return timedOut;
    auto answer = std::make_shared<Status>();
    const bool ran = m_store->runBlocking([answer, info, replace, actor = m_actor, machineId = m_machineId,
                                           target = m_target](InventoryStore &store) {
        StoreHostKeyVerifier verifier(store);
        verifier.setAuditContext(actor, machineId, target);
        *answer = verifier.remember(info, replace);
    });
    return ran ? *answer : Status(timedOut);
}

} // namespace mist
