#include "pollscheduler.h"

#include "polling/polljob.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

PollScheduler::PollScheduler(StoreService *store, QObject *parent)
    : QObject(parent), m_store(store)
{
    // libvirt and similar C APIs block a thread per call; keep enough for many clouds
    // while a few hang until their timeout.
    m_pool.setMaxThreadCount(8);
    m_pool.setObjectName(QStringLiteral("mist-pollers"));
    connect(m_store, &StoreService::deltaApplied, this, &PollScheduler::applyDelta);
}

PollScheduler::~PollScheduler()
{
    stop();
    m_pool.waitForDone();
}

void PollScheduler::start(const QVector<Cloud> &clouds)
{
    m_running = true;
    for (const Cloud &c : clouds)
        track(c);
    pollAll();
}

void PollScheduler::stop()
{
    m_running = false;
    for (Entry &e : m_entries) {
        if (e.timer)
            e.timer->stop();
        if (e.watchdog)
            e.watchdog->stop();
    }
}

bool PollScheduler::isPolling(qint64 cloudId) const
{
    auto it = m_entries.constFind(cloudId);
    return it != m_entries.constEnd() && it->inFlight;
}

int PollScheduler::consecutiveFailures(qint64 cloudId) const
{
    return m_entries.value(cloudId).failures;
}

std::chrono::milliseconds PollScheduler::nextPollIn(qint64 cloudId) const
{
    auto it = m_entries.constFind(cloudId);
    if (it == m_entries.constEnd() || !it->timer || !it->timer->isActive())
        return std::chrono::milliseconds(-1);
    return std::chrono::milliseconds(it->timer->remainingTime());
}

void PollScheduler::track(const Cloud &cloud)
{
    Entry &e = m_entries[cloud.id];
    const bool wasEnabled = e.timer && e.cloud.enabled;
    const int oldInterval = e.cloud.pollIntervalSec;
    // Keep the status fields the scheduler does not own out of the comparison.
    e.cloud = cloud;
    if (!e.timer) {
        e.timer = new QTimer(this);
        e.timer->setSingleShot(true);
        connect(e.timer, &QTimer::timeout, this, [this, id = cloud.id] { pollNow(id); });
        e.watchdog = new QTimer(this);
        e.watchdog->setSingleShot(true);
    }
    if (!m_running)
        return;
    if (!cloud.enabled) {
        e.timer->stop();
    } else if (!wasEnabled) {
        // Newly added or re-enabled: poll right away.
        QMetaObject::invokeMethod(this, [this, id = cloud.id] { pollNow(id); }, Qt::QueuedConnection);
    } else if (oldInterval != cloud.pollIntervalSec && !e.inFlight) {
        schedule(e);
    }
}

void PollScheduler::forget(qint64 cloudId)
{
    auto it = m_entries.find(cloudId);
    if (it == m_entries.end())
        return;
    delete it->timer;
    delete it->watchdog;
    m_entries.erase(it);
}

void PollScheduler::applyDelta(const InventoryDelta &delta)
{
    for (qint64 id : delta.cloudsRemoved)
        forget(id);
    for (const Cloud &c : delta.cloudsChanged)
        track(c);
}

void PollScheduler::schedule(Entry &e)
{
    if (!m_running || !e.cloud.enabled) {
        e.timer->stop();
        return;
    }
    const auto delay = m_backoff.nextDelay(std::chrono::seconds(e.cloud.pollIntervalSec), e.failures);
    e.timer->start(delay);
}

void PollScheduler::pollAll()
{
    const auto ids = m_entries.keys();
    for (qint64 id : ids)
        if (m_entries.value(id).cloud.enabled)
            pollNow(id);
}

void PollScheduler::pollNow(qint64 cloudId)
{
    auto it = m_entries.find(cloudId);
    if (it == m_entries.end())
        return;
    Entry &e = *it;
    if (e.inFlight) {
        // The running poll may have started before the change the caller wants to see.
        e.again = true;
        return;
    }
    e.timer->stop();
    e.inFlight = true;
    const quint64 generation = ++e.generation;
    m_store->markPolling(cloudId);
    emit pollStarted(cloudId);
    qCDebug(lcPolling) << "polling" << e.cloud.name;

    const Cloud cloud = e.cloud;
    auto *watcher = new QFutureWatcher<PollResult>(this);
    connect(watcher, &QFutureWatcher<PollResult>::finished, this, [this, watcher, cloudId, generation] {
        finish(cloudId, generation, watcher->result());
        watcher->deleteLater();
    });
    auto hostKeys = std::make_shared<StoreServiceHostKeyVerifier>(m_store);
    watcher->setFuture(QtConcurrent::run(&m_pool, [cloud, hostKeys] {
        SecretStore secrets;
        return ProviderCall::poll(cloud, secrets, hostKeys);
    }));

    // A provider that hangs must not hold the cloud's status at "polling" forever: its late
    // answer is dropped by the generation check.
    e.watchdog->disconnect();
    connect(e.watchdog, &QTimer::timeout, this, [this, cloudId, generation, secs = m_timeout.count() / 1000.0] {
        finish(cloudId, generation,
               PollResult::failure(Error{QCoreApplication::translate("PollScheduler", "The cloud did not answer within %1 seconds")
                                             .arg(secs), {}}));
    });
    e.watchdog->start(m_timeout);
}

void PollScheduler::finish(qint64 cloudId, quint64 generation, const PollResult &result)
{
    auto it = m_entries.find(cloudId);
    if (it == m_entries.end() || it->generation != generation || !it->inFlight)
        return;   // cloud removed meanwhile, or this answer came after the timeout
    Entry &e = *it;
    e.inFlight = false;
    e.watchdog->stop();
    e.failures = result.success ? 0 : e.failures + 1;
    if (!result.success)
        qCInfo(lcPolling) << "poll failed" << e.cloud.name << result.error.toString() << "failures" << e.failures;
    m_store->applyPoll(cloudId, result);
    if (e.again) {
        e.again = false;
        QMetaObject::invokeMethod(this, [this, cloudId] { pollNow(cloudId); }, Qt::QueuedConnection);
    } else {
        schedule(e);
    }
    emit pollFinished(cloudId, result.success, result.error.toString());
}

} // namespace mist
