// Kubernetes at scale through the whole app: a fixture API server (tests/support, on its own
// thread) with 20,000 pods (2 containers each) on 200 nodes; the real AppCore (store thread,
// poll scheduler, watch) and MainWindow (offscreen). Prints:
//   - first full tree: adding the cloud until every node, pod and container row is in the tree
//     (the store's deltas applied and the window's DeltaPacer done slicing them into the model);
//   - then K pod changes per second through the watch for a while: changes applied per second,
//     backlog (events sent but not yet in the tree), catch-up time after the churn stops,
//     CPU of the app (the fixture's own busy time subtracted) and the longest GUI-thread stall.
// Usage: kube_bench [pods=20000] [nodes=200] [changes_per_s=1000] [seconds=10]

#include "inventory/deltapacer.h"
#include "inventory/inventorydelta.h"
#include "kubeapifixture.h"
#include "mainwindow/mainwindow.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "util/datalocation.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>

#include <cstdio>

using namespace mist;

namespace {

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `f` on the fixture's thread and waits for it.
template <typename F> auto onFixture(QObject *context, F f) -> decltype(f())
{
    decltype(f()) out{};
    QMetaObject::invokeMethod(context, [&] { out = f(); }, Qt::BlockingQueuedConnection);
    return out;
}

// Runs the event loop (sleeping when idle, so the CPU figure is the app's) until done.
void waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(5);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done() || t.elapsed() >= timeoutMs)
            loop.quit();
    });
    tick.start();
    if (!done())
        loop.exec();
}

// Longest gap between ticks of a 5 ms timer on the GUI thread, minus the interval.
struct StallMeter
{
    QTimer timer;
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 worst = 0;
    StallMeter()
    {
        timer.setInterval(5);
        timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last - 5);
            last = now;
        });
    }
    void restart()
    {
        clock.start();
        last = 0;
        worst = 0;
        timer.start();
    }
};

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_LOGGING_RULES", "mist.*.debug=false;mist.*.info=false");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int pods = args.value(1, QStringLiteral("20000")).toInt();
    const int nodes = args.value(2, QStringLiteral("200")).toInt();
    const int rate = args.value(3, QStringLiteral("1000")).toInt();
    const int seconds = args.value(4, QStringLiteral("10")).toInt();

    // The fixture on its own thread, so its work is not the app's GUI thread's.
    QThread fixtureThread;
    fixtureThread.start();
    QObject fixtureContext;
    fixtureContext.moveToThread(&fixtureThread);
    test::KubeApiFixture *fixture = nullptr;
    QMetaObject::invokeMethod(
        &fixtureContext,
        [&] {
            fixture = new test::KubeApiFixture;
            fixture->setToken("bench-token");
            if (!fixture->start())
                qFatal("fixture did not start");
            fixture->generate(pods, nodes);
        },
        Qt::BlockingQueuedConnection);
    const QString server = fixture->url().toString();

    QTemporaryDir dir;
    auto location = DataLocation::resolve(dir.path());
    AppCore core(location.value());
    MainWindow window(&core);
    window.resize(1200, 800);
    window.show();
    bool ready = false;
    QObject::connect(&core, &AppCore::ready, [&] { ready = true; });
    core.start();
    waitUntil([&] { return ready; }, 30000);

    // Counts what reaches the tree (the model applies each delta before this slot runs).
    qint64 rowsAdded = 0;
    qint64 podChanges = 0;
    QElapsedTimer lastDelta;
    lastDelta.start();
    QObject::connect(core.store(), &StoreService::deltaApplied, [&](const InventoryDelta &d) {
        for (const Machine &m : d.machinesAdded)
            rowsAdded += m.kind != MachineKind::Machine;   // not This computer
        for (const Machine &m : d.machinesChanged)
            podChanges += m.kind == MachineKind::Pod;
        lastDelta.restart();
    });

    StallMeter stalls;
    stalls.restart();
    const qint64 expectedRows = qint64(nodes) + qint64(pods) * 3;
    QElapsedTimer firstTree;
    firstTree.start();
    Cloud cloud;
    cloud.name = QStringLiteral("bench-cluster");
    cloud.provider = QStringLiteral("kubernetes");
    cloud.config = QJsonObject{{QStringLiteral("server"), server}};
    core.addCloud(cloud, {{QStringLiteral("token"), QStringLiteral("bench-token")}}, &window, [](Result<Cloud> r) {
        if (!r)
            qFatal("add cloud: %s", qPrintable(r.error().toString()));
    });
    waitUntil([&] { return rowsAdded >= expectedRows && window.deltaPacer()->isIdle(); }, 120000);
    const qint64 firstTreeMs = firstTree.elapsed();
    const qint64 loadStall = stalls.worst;
    // The watch is open once the scheduler has the list's cursor.
    waitUntil([&] { return onFixture(&fixtureContext, [&] { return fixture->openWatches(); }) >= 2; }, 30000);

    std::printf("kube_bench: %d pods x 2 containers on %d nodes (%lld tree rows)\n", pods, nodes, expectedRows);
    std::printf("  first full tree           %8lld ms   (longest GUI stall %lld ms)\n", firstTreeMs, loadStall);

    // Churn through the watch.
    const qint64 sentBefore = onFixture(&fixtureContext, [&] { return fixture->eventsSent(); });
    const qint64 busyBefore = onFixture(&fixtureContext, [&] { return fixture->busyMs(); });
    const qint64 appliedBefore = podChanges;
    const double cpuBefore = cpuSeconds();
    stalls.restart();
    QElapsedTimer churn;
    churn.start();
    onFixture(&fixtureContext, [&] { fixture->setChurn(rate); return 0; });
    qint64 worstBacklog = 0;
    for (int s = 0; s < seconds; ++s) {
        waitUntil([] { return false; }, 1000);
        const qint64 sent = onFixture(&fixtureContext, [&] { return fixture->eventsSent(); }) - sentBefore;
        worstBacklog = std::max(worstBacklog, sent - (podChanges - appliedBefore));
    }
    onFixture(&fixtureContext, [&] { fixture->setChurn(0); return 0; });
    const qint64 churnMs = churn.elapsed();
    const qint64 sent = onFixture(&fixtureContext, [&] { return fixture->eventsSent(); }) - sentBefore;
    QElapsedTimer catchUp;
    catchUp.start();
    waitUntil([&] { return podChanges - appliedBefore >= sent; }, 60000);
    const qint64 catchUpMs = catchUp.elapsed();
    const double cpu = cpuSeconds() - cpuBefore;
    const qint64 busy = onFixture(&fixtureContext, [&] { return fixture->busyMs(); }) - busyBefore;
    const double appCpu = cpu - double(busy) / 1000.0;
    const qint64 applied = podChanges - appliedBefore;

    std::printf("  churn                     %8d changes/s asked for %d s: %lld sent, %lld applied to the tree\n", rate,
                seconds, sent, applied);
    std::printf("  applied rate              %8.0f changes/s\n", double(applied) * 1000.0 / double(churnMs + catchUpMs));
    std::printf("  worst backlog             %8lld changes (sampled each second)\n", worstBacklog);
    std::printf("  catch-up after the churn  %8lld ms\n", catchUpMs);
    std::printf("  app CPU during churn      %8.0f %% of one core (fixture's %lld ms subtracted)\n",
                100.0 * appCpu / (double(churnMs + catchUpMs) / 1000.0), busy);
    std::printf("  longest GUI stall         %8lld ms\n", stalls.worst);

    QMetaObject::invokeMethod(&fixtureContext, [&] { delete fixture; }, Qt::BlockingQueuedConnection);
    fixtureThread.quit();
    fixtureThread.wait();
    return 0;
}
