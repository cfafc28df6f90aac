#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "providers/provider.h"

#include <QObject>
#include <QThreadPool>

namespace mist {

class StoreService;
class PollScheduler;

// Runs lifecycle actions on worker threads: provider call, audit entry with the outcome,
// then a re-poll of the cloud so the tree shows the new state.
class ActionRunner : public QObject
{
    Q_OBJECT
public:
    ActionRunner(StoreService *store, PollScheduler *poller, QObject *parent = nullptr);
    ~ActionRunner() override;

    void run(const Cloud &cloud, const Machine &machine, const ActionRequest &request,
             const QString &actor = QStringLiteral("user"));
    int running() const { return m_running; }

signals:
    void actionStarted(qint64 machineId, const QString &action);
    void actionFinished(qint64 machineId, const QString &action, bool success, const QString &message);

private:
    StoreService *m_store;
    PollScheduler *m_poller;
    QThreadPool m_pool;
    int m_running = 0;
};

} // namespace mist
