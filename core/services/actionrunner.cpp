#include "actionrunner.h"

#include "inventory/inventorystore.h"

#include "polling/polljob.h"
#include "polling/pollscheduler.h"
#include "providers/otherserver/otherserverprovider.h"
#include "services/serverremoval.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

ActionRunner::ActionRunner(StoreService *store, PollScheduler *poller, QObject *parent)
    : QObject(parent), m_store(store), m_poller(poller)
{
    m_pool.setMaxThreadCount(4);
}

ActionRunner::~ActionRunner()
{
    m_pool.waitForDone();
}

void ActionRunner::run(const Cloud &cloud, const Machine &machine, const ActionRequest &request, const QString &actor)
{
    ++m_running;
    emit actionStarted(machine.id, request.action);
    qCInfo(lcActions) << request.action << machine.name << "on" << cloud.name;
    if (request.action == Action::Remove && cloud.provider == OtherServerProvider::Id) {
        // Nothing to do on the server: Mist forgets it, on the store thread (audited there).
        m_store->call<InventoryDelta>(
            this, [cloud, machine, actor](InventoryStore &store) { return removeOtherServer(store, cloud, machine, actor); },
            [this, id = machine.id, name = machine.name](Result<InventoryDelta> removed) {
                --m_running;
                emit actionFinished(id, Action::Remove, removed.ok(),
                                    removed ? QCoreApplication::translate("ActionRunner", "%1 removed from Mist").arg(name)
                                            : removed.error().toString());
            });
        return;
    }
    auto *watcher = new QFutureWatcher<Status>(this);
    connect(watcher, &QFutureWatcher<Status>::finished, this, [=, this] {
        const Status result = watcher->result();
        watcher->deleteLater();
        --m_running;
        AuditEntry e;
        e.actor = actor;
        e.action = QStringLiteral("machine.") + request.action;
        e.cloudId = cloud.id;
        e.machineId = machine.id;
        e.target = machine.name;
        e.success = result.ok();
        e.message = result.ok() ? QCoreApplication::translate("ActionRunner", "%1 succeeded").arg(Action::title(request.action))
                                : result.error().toString();
        if (request.action == Action::Rename)
            e.details.insert(QStringLiteral("new_name"), request.arguments.value(QStringLiteral("name")).toString());
        m_store->appendAudit(e);
        if (m_poller)
            m_poller->pollNow(cloud.id);
        emit actionFinished(machine.id, request.action, result.ok(), e.message);
    });
    auto hostKeys = std::make_shared<StoreServiceHostKeyVerifier>(m_store);
    watcher->setFuture(QtConcurrent::run(&m_pool, [cloud, machine, request, hostKeys] {
        SecretStore secrets;
        return ProviderCall::runAction(cloud, machine, request, secrets, hostKeys);
    }));
}

} // namespace mist
