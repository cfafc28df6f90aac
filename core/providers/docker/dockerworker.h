#pragma once

#include <QMetaObject>

#include <functional>
#include <mutex>
#include <thread>

namespace mist {

// What a Docker worker thread (exec shell, log stream) shares with the QObject that started
// it. The owner's destructor detaches it under the mutex, so the worker posts to a live
// object or to nobody, and never waits for the network to let the owner go.
template <typename Owner>
struct DockerWorkerLink
{
    std::mutex mutex;
    Owner *owner = nullptr;
    bool stopRequested = false;

    // Runs f(owner) on the owner's thread, if the owner still exists by then.
    template <typename F>
    void post(F f)
    {
        std::lock_guard lock(mutex);
        if (!owner)
            return;
        Owner *o = owner;   // a queued call to an object deleted meanwhile is dropped by Qt
        QMetaObject::invokeMethod(o, [o, f = std::move(f)]() mutable { f(o); }, Qt::QueuedConnection);
    }

    bool stopping()
    {
        std::lock_guard lock(mutex);
        return stopRequested || !owner;
    }

    void detach()
    {
        std::lock_guard lock(mutex);
        owner = nullptr;
        stopRequested = true;
    }
};

// Worker threads still running (closed shells and streams finish on their own): the app
// can wait for them at exit.
namespace DockerWorkers {
void run(std::function<void()> work);   // a detached, counted thread
bool waitForAll(int msecs);
} // namespace DockerWorkers

} // namespace mist
