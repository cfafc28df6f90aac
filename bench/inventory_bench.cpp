// Inventory benchmark: 100k machines in the model, proxy and tree view, plus the store side of
// a 10k-change poll. A program, not a test: run it from a Release build, see docs/PERFORMANCE.md.
//
//   inventory_bench [--machines N] [--clouds N] [--no-model] [--no-store] [--no-watch] [--round]

#include "inventory/inventoryfilterproxy.h"
#include "inventory/inventorymodel.h"
#include "inventory/inventorystore.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTreeView>

#include <malloc.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <numeric>

using namespace mist;

namespace {

struct Options
{
    int machines = 100000;
    int clouds = 50;
    bool model = true;
    bool store = true;
    bool watch = true;
    bool round = false;   // store: a round's results in one transaction (applyPolls)
};

double ms(const QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

// CPU time of this thread: on a shared machine it varies much less than the wall clock.
// Kernel time of this thread (syscalls: SQLite's page reads and WAL writes), part of threadCpuMs.
double threadSysMs()
{
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double timed(const std::function<void()> &work)
{
    QElapsedTimer t;
    t.start();
    work();
    return ms(t);
}

long currentRssMb()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLong() * (sysconf(_SC_PAGESIZE) / 1024) / 1024 : -1;
}

long peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;   // Linux reports KiB
}

void row(const char *what, double value, const char *unit, double target = -1)
{
    if (target >= 0)
        std::printf("| %-58s | %10.1f %-3s | %s %6.0f %s |\n", what, value, unit, value <= target ? "ok  " : "OVER",
                    target, unit);
    else
        std::printf("| %-58s | %10.1f %-3s | %-15s |\n", what, value, unit, "");
    std::fflush(stdout);
}

const char *const kStates[] = {"running", "running", "running", "running", "running", "running", "running",
                               "stopped", "stopped", "pending", "error", "suspended"};
const char *const kRoles[] = {"web", "db", "cache", "worker", "api", "queue"};
const char *const kEnvs[] = {"prod", "staging", "dev"};
const char *const kSizes[] = {"m5.large", "m5.xlarge", "t3.micro", "c6i.2xlarge", "4 vCPU / 8 GiB"};
const char *const kProviders[] = {"libvirt", "aws", "docker", "kubernetes", "hetzner"};

// Provider-side view of one cloud: externalIds and parentExternalIds, database ids 0.
// Per block of 20: a hypervisor with 6 VMs, a container host with 8 containers, 4 machines.
QVector<Machine> providerMachines(int cloudIndex, int count, QRandomGenerator &rng)
{
    QVector<Machine> out;
    out.reserve(count);
    QString parent;
    for (int i = 0; i < count; ++i) {
        Machine m;
        const int slot = i % 20;
        m.externalId = QStringLiteral("c%1-m%2").arg(cloudIndex).arg(i);
        const char *role = kRoles[rng.bounded(int(std::size(kRoles)))];
        if (slot == 0 || slot == 7) {
            m.kind = slot == 0 ? MachineKind::Hypervisor : MachineKind::ContainerHost;
            m.name = QStringLiteral("%1-%2-%3").arg(slot == 0 ? QLatin1String("hv") : QLatin1String("docker"))
                         .arg(cloudIndex).arg(i);
            parent = m.externalId;
        } else if (slot < 16) {
            m.kind = slot < 7 ? MachineKind::Vm : MachineKind::Container;
            m.parentExternalId = parent;
            m.name = QStringLiteral("%1-%2").arg(QLatin1String(role)).arg(i);
        } else {
            m.name = QStringLiteral("%1-%2").arg(QLatin1String(role)).arg(i);
        }
        m.state = QString::fromLatin1(kStates[rng.bounded(int(std::size(kStates)))]);
        m.privateIps = {QStringLiteral("10.%1.%2.%3").arg(cloudIndex).arg(i / 250).arg(i % 250 + 1)};
        if (rng.bounded(3) == 0)
            m.publicIps = {QStringLiteral("203.0.%1.%2").arg(i / 250 % 256).arg(i % 250 + 1)};
        m.size = QString::fromLatin1(kSizes[rng.bounded(int(std::size(kSizes)))]);
        m.image = QStringLiteral("debian-12");
        m.location = QStringLiteral("region-%1").arg(cloudIndex % 5);
        m.os = QStringLiteral("linux");
        if (rng.bounded(2)) {
            m.costPerMonth = rng.bounded(20000) / 100.0;
            m.costCurrency = QStringLiteral("USD");
        }
        m.providerTags = {{QStringLiteral("env"), QString::fromLatin1(kEnvs[rng.bounded(int(std::size(kEnvs)))])},
                          {QStringLiteral("role"), QString::fromLatin1(role)},
                          {QStringLiteral("team"), QStringLiteral("team-%1").arg(rng.bounded(20))}};
        out << m;
    }
    return out;
}

InventorySnapshot syntheticSnapshot(const Options &o)
{
    QRandomGenerator rng(42);
    InventorySnapshot s;
    qint64 nextId = 1;
    const int perCloud = o.machines / o.clouds;
    for (int c = 0; c < o.clouds; ++c) {
        Cloud cloud;
        cloud.id = c + 1;
        cloud.name = QStringLiteral("cloud-%1").arg(c);
        cloud.provider = QString::fromLatin1(kProviders[c % std::size(kProviders)]);
        cloud.health = CloudHealth::Ok;
        cloud.lastPollAt = cloud.lastSuccessAt = QDateTime::currentDateTimeUtc();
        s.clouds << cloud;
        QVector<Machine> machines = providerMachines(c, perCloud + (c < o.machines % o.clouds ? 1 : 0), rng);
        QHash<QString, qint64> ids;
        for (Machine &m : machines) {
            m.id = nextId++;
            m.cloudId = cloud.id;
            ids.insert(m.externalId, m.id);
        }
        for (Machine &m : machines) {
            m.parentId = ids.value(m.parentExternalId);
            s.machines << m;
        }
    }
    return s;
}

// What the model holds now, as pointers into it: the delta generator needs Machine values,
// and copying 100k of them would add ~60 MB to the peak RSS that the app never has.
struct ModelView
{
    QVector<const Cloud *> clouds;
    QVector<const Machine *> machines;
};

ModelView currentInventory(const InventoryModel &model)
{
    ModelView current;
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int r = 0; r < model.rowCount(parent); ++r) {
            const QModelIndex i = model.index(r, 0, parent);
            if (const Machine *m = model.machineAt(i))
                current.machines << m;
            else
                current.clouds << model.cloudAt(i);
            walk(i);
        }
    };
    walk({});
    return current;
}

// What the store would send for one poll round over all clouds: 70% state changes, 15%
// additions (new container hosts with containers, VMs on existing hypervisors), 15% removals
// of leaves (a removed hypervisor takes its VMs along in real clouds).
InventoryDelta syntheticPoll(const InventoryModel &model, const ModelView &s, int changes, qint64 &nextId)
{
    QRandomGenerator rng(7);
    InventoryDelta d;
    const int nChange = changes * 70 / 100, nAdd = changes * 15 / 100, nRemove = changes - nChange - nAdd;
    QVector<const Machine *> leaves, hypervisors;
    for (const Machine *m : s.machines) {
        if (m->kind == MachineKind::Hypervisor)
            hypervisors << m;
        else if (m->kind != MachineKind::ContainerHost)
            leaves << m;
    }
    std::shuffle(leaves.begin(), leaves.end(), std::mt19937(7));
    for (int i = 0; i < nRemove && i < leaves.size(); ++i)
        d.machinesRemoved << leaves.at(i)->id;
    QVector<const Machine *> all = s.machines;
    std::shuffle(all.begin(), all.end(), std::mt19937(8));
    const QSet<qint64> removed(d.machinesRemoved.cbegin(), d.machinesRemoved.cend());
    for (const Machine *m : std::as_const(all)) {
        if (d.machinesChanged.size() >= nChange)
            break;
        if (removed.contains(m->id))
            continue;
        Machine changed = *model.machine(m->id);
        changed.state = changed.state == MachineState::Running ? MachineState::Stopped : MachineState::Running;
        d.machinesChanged << changed;
    }
    for (int i = 0; i < nAdd; ++i) {
        const Machine *hv = hypervisors.at(rng.bounded(int(hypervisors.size())));
        Machine m = *model.machine(hv->id);
        m.id = nextId++;
        m.externalId = QStringLiteral("new-%1").arg(m.id);
        m.kind = i % 3 == 0 ? MachineKind::ContainerHost : (i % 3 == 1 ? MachineKind::Container : MachineKind::Vm);
        m.name = QStringLiteral("new-web-%1").arg(m.id);
        m.parentId = m.kind == MachineKind::ContainerHost ? 0 : (m.kind == MachineKind::Container ? m.id - 1 : hv->id);
        d.machinesAdded << m;
    }
    for (const Cloud *c : s.clouds) {
        Cloud polled = *c;
        polled.lastPollAt = QDateTime::currentDateTimeUtc();
        d.cloudsChanged << polled;
    }
    return d;
}

struct Session
{
    InventoryModel model;
    InventoryFilterProxy proxy;
    QTreeView view;

    Session()
    {
        proxy.setSourceModel(&model);
        proxy.sort(InventoryModel::NameColumn);
        view.setUniformRowHeights(true);
        view.setSortingEnabled(true);
        view.header()->setSortIndicator(InventoryModel::NameColumn, Qt::AscendingOrder);
        view.setModel(&proxy);
        view.resize(1200, 800);
        view.show();
    }
    void expandClouds()
    {
        for (int row = 0; row < proxy.rowCount(); ++row)
            view.expand(proxy.index(row, 0));
        QApplication::processEvents();
    }
};

double percentile(QVector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    const int i = std::clamp(int(std::ceil(p * values.size())) - 1, 0, int(values.size()) - 1);
    return values.at(i);
}

void header()
{
    std::printf("| %-58s | %14s | %-15s |\n|%s|%s|%s|\n", "measurement", "value", "target",
                QByteArray(60, '-').constData(), QByteArray(16, '-').constData(), QByteArray(17, '-').constData());
}

void benchModel(const Options &o)
{
    std::printf("\n## Model, proxy and view: %d machines in %d clouds\n\n", o.machines, o.clouds);
    header();
    InventorySnapshot snapshot = syntheticSnapshot(o);
    qint64 nextId = snapshot.machines.size() + 1;
    row("RSS with the synthetic snapshot built", double(currentRssMb()), "MB");

    // As at start-up: the proxy and view are attached, and the memory is fresh (page faults).
    Session s;
    row("load: resetFrom with proxy (sorted) + view attached", timed([&] { s.model.resetFrom(snapshot); }), "ms", 500);
    row("  then first paint (view layout, sort of the top level)", timed([&] { QApplication::processEvents(); }), "ms");
    row("peak RSS during load (snapshot and model alive)", double(peakRssMb()), "MB", 300);
    snapshot = {};   // from here on only the model holds the inventory, as in the app
    row("RSS: model + index + proxy + view (snapshot released)", double(currentRssMb()), "MB", 300);

    {
        // No view, so no mappings: this is the search index's own cost plus bookkeeping.
        InventoryFilterProxy alone;
        alone.setSourceModel(&s.model);
        row("first keystroke \"w\": fresh proxy alone, no view", timed([&] { (void)alone.setSearchText(QStringLiteral("w")); }), "ms", 20);
        (void)alone.setSearchText(QString());
    }
    {
        InventoryFilterProxy fresh;
        fresh.setSourceModel(&s.model);
        fresh.sort(InventoryModel::NameColumn);
        QTreeView view;
        view.setUniformRowHeights(true);
        view.setModel(&fresh);
        view.resize(1200, 800);
        view.show();
        QApplication::processEvents();
        row("first keystroke \"w\": fresh proxy + view, clouds collapsed", timed([&] { (void)fresh.setSearchText(QStringLiteral("w")); }), "ms", 20);
        row("  then view relayout", timed([&] { QApplication::processEvents(); }), "ms");
        (void)fresh.setSearchText(QString());
    }
    row("expand all clouds of the main view + layout (sorts them)", timed([&] { s.expandClouds(); }), "ms");
    row("first keystroke \"w\": proxy + view, clouds expanded", timed([&] { (void)s.proxy.setSearchText(QStringLiteral("w")); }), "ms", 20);
    row("  then view relayout", timed([&] { QApplication::processEvents(); }), "ms");
    (void)s.proxy.setSearchText(QString());
    QApplication::processEvents();

    std::printf("| %-58s | %14s | %-15s |\n", "typed sequence, proxy + view, clouds expanded:", "", "");
    const QStringList typed = {QStringLiteral("w"), QStringLiteral("we"), QStringLiteral("web"),
                               QStringLiteral("web-"), QStringLiteral("web-1"), QStringLiteral("web-1"),
                               QStringLiteral("state:running"), QStringLiteral("state:running AND cloud:cloud-7"),
                               QStringLiteral("env:prod"), QStringLiteral("name:/^web-1[0-9]+$/"), QString()};
    QVector<double> keys, keysWithLayout;
    int failedQueries = 0;
    for (const QString &text : typed) {
        QElapsedTimer t;
        t.start();
        if (!s.proxy.setSearchText(text).ok())
            ++failedQueries;
        keys << ms(t);
        QApplication::processEvents();
        keysWithLayout << ms(t);
        std::printf("|   %-56s | %10.1f ms  | %8.1f ms total |\n",
                    qPrintable(QStringLiteral("\"%1\" (%2 matches)").arg(text).arg(s.proxy.matchCount())),
                    keys.last(), keysWithLayout.last());
    }
    row("filter keystroke p95 (typed sequence), proxy + view", percentile(keys, 0.95), "ms", 20);
    row("filter keystroke p95 incl. view relayout", percentile(keysWithLayout, 0.95), "ms");
    if (failedQueries)
        std::printf("(%d queries of the sequence did not parse)\n", failedQueries);

    InventoryDelta poll = syntheticPoll(s.model, currentInventory(s.model), 10000, nextId);
    std::printf("| %-58s | %14s | %-15s |\n",
                qPrintable(QStringLiteral("poll delta: %1 changed, %2 added, %3 removed, %4 clouds")
                               .arg(poll.machinesChanged.size()).arg(poll.machinesAdded.size())
                               .arg(poll.machinesRemoved.size()).arg(poll.cloudsChanged.size())), "", "");
    row("10k-change poll: applyDelta, proxy + view, no filter", timed([&] { s.model.applyDelta(poll); }), "ms", 100);
    row("  then view relayout", timed([&] { QApplication::processEvents(); }), "ms");

    // The same kind of poll again, with a filter active (the proxy re-filters on index change).
    (void)s.proxy.setSearchText(QStringLiteral("state:running"));
    QApplication::processEvents();
    poll = syntheticPoll(s.model, currentInventory(s.model), 10000, nextId);
    row("10k-change poll with filter \"state:running\" active", timed([&] { s.model.applyDelta(poll); }), "ms", 100);
    row("  then view relayout", timed([&] { QApplication::processEvents(); }), "ms");
    poll = {};
    row("RSS now", double(currentRssMb()), "MB", 300);
    row("peak RSS so far (ru_maxrss, incl. the snapshot)", double(peakRssMb()), "MB", 300);

    // The model without proxy or view, for comparison (warm: the allocator reuses memory).
    InventorySnapshot again;
    for (const Cloud *c : currentInventory(s.model).clouds)
        again.clouds << *c;
    for (const Machine *m : currentInventory(s.model).machines)
        again.machines << *m;
    InventoryModel bare;
    row("load: resetFrom, model alone (warm)", timed([&] { bare.resetFrom(again); }), "ms", 500);
}

void benchStore(const Options &o)
{
    std::printf("\n## Store: %d machines in %d clouds, SQLite in a temp dir\n\n", o.machines, o.clouds);
    header();
    QTemporaryDir dir;
    dir.setAutoRemove(qEnvironmentVariableIsEmpty("MIST_BENCH_KEEP"));
    InventoryStore store;
    if (Status st = store.open(dir.filePath(QStringLiteral("bench.sqlite"))); !st) {
        std::printf("cannot open the store: %s\n", qPrintable(st.error().toString()));
        return;
    }
    // Grace 0: machines missing in one poll are removed by the next, so the timed poll removes.
    store.setMissingGracePeriod(std::chrono::seconds(0));
    // As StoreService runs it: commits never checkpoint, the idle store thread does.
    store.setDeferredCheckpoints(true);
    QRandomGenerator rng(42);
    QVector<qint64> cloudIds;
    QVector<QVector<Machine>> listings;
    const int perCloud = o.machines / o.clouds;
    for (int c = 0; c < o.clouds; ++c) {
        Cloud cloud;
        cloud.name = QStringLiteral("cloud-%1").arg(c);
        cloud.provider = QString::fromLatin1(kProviders[c % std::size(kProviders)]);
        auto added = store.addCloud(cloud, QStringLiteral("bench"));
        if (!added) {
            std::printf("addCloud failed: %s\n", qPrintable(added.error().toString()));
            return;
        }
        cloudIds << added.value().id;
        listings << providerMachines(c, perCloud, rng);
    }
    QVector<InventoryDelta> deltas;   // of the last round, for the model
    // --round: each round's results in one applyPolls (one transaction), as the store thread
    // applies results that arrive together (StoreService's group commit).
    const bool oneTransaction = o.round;
    auto pollAll = [&](const char *label, double target) {
        deltas.clear();
        if (oneTransaction) {
            QVector<std::pair<qint64, PollResult>> round;
            for (int c = 0; c < o.clouds; ++c) {
                PollResult r;
                r.success = r.complete = true;
                r.machines = listings.at(c);
                round.append({cloudIds.at(c), r});
            }
            QElapsedTimer t;
            t.start();
            const double cpu0 = threadCpuMs(), sys0 = threadSysMs();
            // Under `valgrind --tool=callgrind --collect-atstart=no` only the timed round counts.
            if (target > 0)
                CALLGRIND_TOGGLE_COLLECT;
            auto results = store.applyPolls(round, QDateTime::currentDateTimeUtc());
            if (target > 0)
                CALLGRIND_TOGGLE_COLLECT;
            const double cpu = threadCpuMs() - cpu0, sys = threadSysMs() - sys0, total = ms(t);
            const double checkpoints = timed([&] { (void)store.checkpointIfLarge(); });
            for (auto &d : results)
                if (d) deltas << d.value();
            row(qPrintable(QString::fromLatin1(label) + QStringLiteral(", one transaction")), total, "ms", target);
            row("  the same, CPU time of the store thread", cpu, "ms");
            row("    of which in the kernel (page reads, WAL writes)", sys, "ms");
            row("  WAL checkpoint after the round (store thread idle)", checkpoints, "ms");
            return;
        }
        double total = 0, cpu = 0, checkpoints = 0;
        qint64 changed = 0, added = 0, removed = 0;
        for (int c = 0; c < o.clouds; ++c) {
            PollResult r;
            r.success = r.complete = true;
            r.machines = listings.at(c);
            QElapsedTimer t;
            t.start();
            const double cpu0 = threadCpuMs();
            if (target > 0)
                CALLGRIND_TOGGLE_COLLECT;
            auto delta = store.applyPoll(cloudIds.at(c), r, QDateTime::currentDateTimeUtc());
            if (target > 0)
                CALLGRIND_TOGGLE_COLLECT;
            cpu += threadCpuMs() - cpu0;
            total += ms(t);
            if (!delta) {
                std::printf("applyPoll failed: %s\n", qPrintable(delta.error().toString()));
                return;
            }
            // What the store thread does when its queue is empty (polls come one by one).
            checkpoints += timed([&] { (void)store.checkpointIfLarge(); });
            deltas << delta.value();
            changed += delta.value().machinesChanged.size();
            added += delta.value().machinesAdded.size();
            removed += delta.value().machinesRemoved.size();
        }
        row(label, total, "ms", target);
        row("  the same, CPU time of the store thread", cpu, "ms");
        row("  WAL checkpoints between those polls (store thread idle)", checkpoints, "ms");
        std::printf("| %-58s | %14s | %-15s |\n",
                    qPrintable(QStringLiteral("  (deltas: %1 changed, %2 added, %3 removed)").arg(changed).arg(added).arg(removed)),
                    "", "");
    };
    pollAll("store: first polls, loading every machine (sum)", -1);

    // Round 2: 1,500 machines (leaves) disappear and are marked missing.
    const int perCloudChanges = 10000 / o.clouds;
    const int nRemove = perCloudChanges * 15 / 100, nAdd = nRemove, nChange = perCloudChanges - nRemove - nAdd;
    for (int c = 0; c < o.clouds; ++c) {
        QVector<Machine> &l = listings[c];
        // Leaves only (slots 16..19 of each block of 20), spread evenly over the listing.
        QVector<int> leaves;
        for (int i = 0; i < l.size(); ++i)
            if (i % 20 >= 16)
                leaves << i;
        const int step = qMax(1, int(leaves.size()) / qMax(1, nRemove));
        for (int i = 0; i < nRemove && i * step < leaves.size(); ++i) {
            l[leaves.at(i * step)].externalId.clear();   // dropped below
        }
        l.erase(std::remove_if(l.begin(), l.end(), [](const Machine &m) { return m.externalId.isEmpty(); }), l.end());
    }
    pollAll("store: round marking 1,500 machines missing (not timed)", -1);

    // The GUI side of the timed round: the model (proxy + view) as loaded from the store.
    auto snapshot = store.snapshot();
    if (!snapshot) {
        std::printf("snapshot failed: %s\n", qPrintable(snapshot.error().toString()));
        return;
    }
    Session session;
    session.model.resetFrom(snapshot.value());
    snapshot = InventorySnapshot{};
    session.expandClouds();

    // Round 3, timed: 7,000 state changes, 1,500 additions, the 1,500 missing ones removed.
    for (int c = 0; c < o.clouds; ++c) {
        QVector<Machine> &l = listings[c];
        for (int i = 0; i < nChange && i < l.size(); ++i) {
            Machine &m = l[(i * 13) % l.size()];
            m.state = m.state == MachineState::Running ? MachineState::Stopped : MachineState::Running;
        }
        for (int i = 0; i < nAdd; ++i) {
            Machine m = l.at(i);
            m.externalId = QStringLiteral("c%1-new%2").arg(c).arg(i);
            m.name = QStringLiteral("new-web-%1").arg(i);
            m.parentExternalId = i % 2 ? l.at(0).externalId : QString();
            l << m;
        }
    }
    pollAll("store: 10k-change poll (sum of applyPoll over clouds)", 100);

    row("model: the same poll's store deltas applied (proxy + view)", timed([&] {
            for (const InventoryDelta &d : std::as_const(deltas))
                session.model.applyDelta(d);
        }), "ms", 100);
    row("  then view relayout", timed([&] { QApplication::processEvents(); }), "ms");
    row("peak RSS after store side", double(peakRssMb()), "MB");
    // The store thread's poll cache: Machine values sharing their strings with the deltas
    // (and so with the model); what dropping it frees is its own cost.
    const qsizetype cachedMachines = store.cachedMachineCount();
    const size_t heapBefore = mallinfo2().uordblks;
    store.dropCache();
    const double cacheMb = double(heapBefore - mallinfo2().uordblks) / (1024.0 * 1024.0);
    row(qPrintable(QStringLiteral("store poll cache: heap of its %1 machines").arg(cachedMachines)), cacheMb, "MB");
}

// Issue 4: a cluster followed by a watch. One cloud of 20,000 pods under 50 nodes, then
// 1,000 pod changes per second arriving as the scheduler hands them over (one batch per
// 100 ms: 80 state changes, 10 new pods, 10 deleted), applied by the store and then the model.
void benchWatch()
{
    constexpr int kNodes = 50, kPods = 20000, kBatches = 50, kPerBatch = 100;
    std::printf("\n## Watch: one cluster of %d pods, %d changes/s in batches of %d every 100 ms\n\n", kPods,
                kPerBatch * 10, kPerBatch);
    header();
    QTemporaryDir dir;
    InventoryStore store;
    if (Status st = store.open(dir.filePath(QStringLiteral("watch.sqlite"))); !st) {
        std::printf("cannot open the store: %s\n", qPrintable(st.error().toString()));
        return;
    }
    store.setDeferredCheckpoints(true);
    Cloud cloud;
    cloud.name = QStringLiteral("cluster");
    cloud.provider = QStringLiteral("kubernetes");
    const qint64 cloudId = store.addCloud(cloud, QStringLiteral("bench")).value().id;
    auto podRecord = [](int i, const QString &state) {
        Machine m;
        m.kind = MachineKind::Pod;
        m.externalId = QStringLiteral("pod/uid-%1").arg(i);
        m.parentExternalId = QStringLiteral("node/n%1").arg(i % kNodes);
        m.name = QStringLiteral("web-%1").arg(i);
        m.state = state;
        m.location = QStringLiteral("ns/team-%1").arg(i % 40);
        m.privateIps = {QStringLiteral("10.%1.%2.%3").arg(i / 65536).arg(i / 256 % 256).arg(i % 256)};
        m.extra = QJsonObject{{QStringLiteral("namespace"), QStringLiteral("team-%1").arg(i % 40)},
                              {QStringLiteral("restarts"), 0}};
        m.providerTags = {{QStringLiteral("app"), QStringLiteral("web")}, {QStringLiteral("pod-template-hash"), QStringLiteral("5d4f")}};
        return m;
    };
    PollResult listing;
    listing.success = listing.complete = true;
    for (int n = 0; n < kNodes; ++n) {
        Machine node;
        node.kind = MachineKind::Node;
        node.externalId = QStringLiteral("node/n%1").arg(n);
        node.name = QStringLiteral("n%1").arg(n);
        node.state = MachineState::Running;
        listing.machines << node;
    }
    for (int i = 0; i < kPods; ++i)
        listing.machines << podRecord(i, MachineState::Running);
    if (auto first = store.applyPoll(cloudId, listing, QDateTime::currentDateTimeUtc()); !first) {
        std::printf("first listing failed: %s\n", qPrintable(first.error().toString()));
        return;
    }
    (void)store.checkpointIfLarge();
    Session session;
    session.model.resetFrom(store.snapshot().value());
    session.expandClouds();

    QVector<double> storeMs, modelMs, totalMs;
    int nextPod = kPods;
    QRandomGenerator rng(11);
    QVector<int> alive(kPods);
    std::iota(alive.begin(), alive.end(), 0);
    for (int b = 0; b < kBatches; ++b) {
        WatchBatch batch;
        for (int i = 0; i < kPerBatch * 8 / 10; ++i)
            batch.upserts << podRecord(alive.at(rng.bounded(int(alive.size()))),
                                       b % 2 ? MachineState::Running : MachineState::Pending);
        for (int i = 0; i < kPerBatch / 10; ++i) {
            batch.upserts << podRecord(nextPod, MachineState::Pending);
            alive << nextPod++;
            const int gone = int(rng.bounded(int(alive.size()) - 1));
            batch.removedExternalIds << QStringLiteral("pod/uid-%1").arg(alive.at(gone));
            alive.remove(gone);
        }
        QElapsedTimer t;
        t.start();
        auto delta = store.applyWatch(cloudId, batch, QDateTime::currentDateTimeUtc());
        storeMs << ms(t);
        if (!delta) {
            std::printf("applyWatch failed: %s\n", qPrintable(delta.error().toString()));
            return;
        }
        modelMs << timed([&] {
            session.model.applyDelta(delta.value());
            QApplication::processEvents();   // the view's relayout is part of the GUI thread's frame
        });
        totalMs << storeMs.last() + modelMs.last();
        (void)store.checkpointIfLarge();
    }
    row("store: applyWatch per 100-change batch, median", percentile(storeMs, 0.5), "ms");
    row("store: applyWatch per batch, p95", percentile(storeMs, 0.95), "ms", 100);
    row("GUI thread: applyDelta + relayout per batch, median", percentile(modelMs, 0.5), "ms");
    row("GUI thread: applyDelta + relayout per batch, max", percentile(modelMs, 1.0), "ms", 50);
    row("store + model per 100 ms of changes, p95 (keeps up if < 100)", percentile(totalMs, 0.95), "ms", 100);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    Options o;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--machines") && i + 1 < args.size())
            o.machines = qMax(1, args.at(++i).toInt());
        else if (args.at(i) == QLatin1String("--clouds") && i + 1 < args.size())
            o.clouds = qMax(1, args.at(++i).toInt());
        else if (args.at(i) == QLatin1String("--no-store"))
            o.store = false;
        else if (args.at(i) == QLatin1String("--no-model"))
            o.model = false;
        else if (args.at(i) == QLatin1String("--round"))
            o.round = true;
        else if (args.at(i) == QLatin1String("--no-watch"))
            o.watch = false;
        else {
            std::printf("usage: inventory_bench [--machines N] [--clouds N] [--no-model] [--no-store] [--no-watch] [--round]\n");
            return 2;
        }
    }
    o.clouds = qMin(o.clouds, o.machines);
    if (o.model)
        benchModel(o);
    if (o.store)
        benchStore(o);
    if (o.watch)
        benchWatch();
    return 0;
}
