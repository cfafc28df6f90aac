#include "dockerworker.h"

#include <condition_variable>

namespace mist::DockerWorkers {

namespace {
std::mutex g_mutex;
std::condition_variable g_done;
int g_running = 0;
} // namespace

void run(std::function<void()> work)
{
    {
        std::lock_guard lock(g_mutex);
        ++g_running;
    }
    std::thread([work = std::move(work)] {
        work();
        std::lock_guard lock(g_mutex);
        --g_running;
        g_done.notify_all();
    }).detach();
}

bool waitForAll(int msecs)
{
    std::unique_lock lock(g_mutex);
    return g_done.wait_for(lock, std::chrono::milliseconds(msecs), [] { return g_running == 0; });
}

} // namespace mist::DockerWorkers
