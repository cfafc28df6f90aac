// Provider metric collectors against real sources: the Docker stats endpoint of the fixture
// engine (tests/support/dockerfixture.h, over a unix socket), metrics.k8s.io of the fixture
// API server (tests/support/kubeapifixture.h) and libvirt's test driver. Plus the Kubernetes
// quantity parser table and the collector factory's choices.
#include "dockerfixture.h"
#include "kubeapifixture.h"
#include "monitoringtestutil.h"
#include "inventory/inventorystore.h"
#include "monitoring/collectors/counterrates.h"
#include "monitoring/collectors/dockerstatscollector.h"
#include "monitoring/collectors/kubemetricscollector.h"
#include "providers/kubernetes/kubequantity.h"
#include "monitoring/collectors/libvirtcollector.h"
#include "monitoring/machinecollector.h"
#include "monitoring/metriccollector.h"
#include "monitoring/monitoredmachines.h"
#include "monitoring/monitoringservice.h"
#include "polling/polljob.h"
#include "secrets/secretstore.h"
#include "services/storeservice.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace mist;
using mist::test::DockerFixture;
using mist::test::KubeApiFixture;
using mist::test::runOffThread;

namespace {

constexpr double MiB = 1024.0 * 1024.0;

CollectorTarget targetFor(const QString &provider, const QJsonObject &config, const Machine &machine)
{
    CollectorTarget t;
    t.cloud.id = 1;
    t.cloud.uuid = QStringLiteral("cloud-") + provider;
    t.cloud.name = provider;
    t.cloud.provider = provider;
    t.cloud.config = config;
    t.machine = machine;
    t.machine.id = 7;
    return t;
}

Machine machineOf(MachineKind kind, const QString &name, const QString &externalId, const QJsonObject &extra = {})
{
    Machine m;
    m.kind = kind;
    m.name = name;
    m.externalId = externalId;
    m.extra = extra;
    m.state = MachineState::Running;
    return m;
}

// One round that must give exactly one sample set.
MetricSampleSet oneSet(MetricCollector &c)
{
    const auto r = c.collectRound();
    if (!r) {
        qWarning() << "round failed:" << r.error().toString();
        return {};
    }
    if (r->size() != 1) {
        qWarning() << "expected one sample set, got" << r->size();
        return {};
    }
    return r->first();
}

// web (running), db (exited), cache (paused), term (running).
bool startWithSamples(DockerFixture &fx)
{
    if (!fx.start())
        return false;
    for (const DockerFixture::Container &c : DockerFixture::sampleContainers())
        fx.addContainer(c);
    return true;
}

bool near(double a, double b, double tolerance = 1e-6)
{
    return std::abs(a - b) <= tolerance * std::max(1.0, std::abs(b));
}

} // namespace

class TestProviderCollectors : public QObject
{
    Q_OBJECT

private slots:
    // ---- pure parts -----------------------------------------------------------------------

    void quantities_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<double>("value");
        QTest::newRow("plain cores") << "1" << true << 1.0;
        QTest::newRow("milli") << "250m" << true << 0.25;
        QTest::newRow("nano") << "12345n" << true << 0.000012345;
        QTest::newRow("micro") << "1500u" << true << 0.0015;
        QTest::newRow("fraction") << "1.5" << true << 1.5;
        QTest::newRow("leading point") << ".5" << true << 0.5;
        QTest::newRow("trailing point") << "2." << true << 2.0;
        QTest::newRow("kibi") << "123456Ki" << true << 123456.0 * 1024;
        QTest::newRow("mebi") << "128Mi" << true << 128.0 * MiB;
        QTest::newRow("gibi") << "1Gi" << true << 1073741824.0;
        QTest::newRow("tebi") << "2Ti" << true << 2.0 * 1099511627776.0;
        QTest::newRow("kilo") << "5k" << true << 5000.0;
        QTest::newRow("mega") << "129M" << true << 129e6;
        QTest::newRow("giga") << "1G" << true << 1e9;
        QTest::newRow("exa is a suffix") << "2E" << true << 2e18;
        QTest::newRow("exponent") << "1e3" << true << 1000.0;
        QTest::newRow("exponent upper") << "12E6" << true << 12e6;
        QTest::newRow("negative exponent") << "5e-3" << true << 0.005;
        QTest::newRow("signed") << "+3" << true << 3.0;
        QTest::newRow("negative") << "-1" << true << -1.0;
        QTest::newRow("zero") << "0" << true << 0.0;
        QTest::newRow("empty") << "" << false << 0.0;
        QTest::newRow("suffix only") << "Mi" << false << 0.0;
        QTest::newRow("unknown suffix") << "10KiB" << false << 0.0;
        QTest::newRow("lower-case kibi") << "10ki" << false << 0.0;
        QTest::newRow("two points") << "1.5.2" << false << 0.0;
        QTest::newRow("space inside") << "1 Gi" << false << 0.0;
        QTest::newRow("words") << "lots" << false << 0.0;
        QTest::newRow("exponent without digits") << "1e" << false << 0.0;
        QTest::newRow("huge exponent") << "1e999" << false << 0.0;
        QTest::newRow("overflowing product") << "99999999999e300" << false << 0.0;
    }

    void quantities()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(double, value);
        const auto parsed = parseKubeQuantity(text);
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QVERIFY2(near(*parsed, value, 1e-12), qPrintable(QString::number(*parsed, 'g', 17)));
    }

    void counterRatesSkipResets()
    {
        CounterRates rates;
        MetricSampleSet s;
        rates.startRound(std::nullopt);
        rates.addRate(s, QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), {}, 1000);
        QVERIFY(s.points.isEmpty());   // baseline only
        rates.startRound(10.0);
        rates.addRate(s, QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), {}, 3000);
        QCOMPARE(s.points.size(), 1);
        QCOMPARE(s.points[0].value, 200.0);
        s.points.clear();
        rates.startRound(10.0);   // counter went down: restart, no spike
        rates.addRate(s, QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), {}, 100);
        QVERIFY(s.points.isEmpty());
        rates.startRound(10.0);
        rates.addRate(s, QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), {}, 600);
        QCOMPARE(s.points.size(), 1);
        QCOMPARE(s.points[0].value, 50.0);
        s.points.clear();
        rates.startRound(0.0);   // clock did not move: no rates
        rates.addRate(s, QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), {}, 900);
        QVERIFY(s.points.isEmpty());
        rates.startRound(10.0);   // NaN and negative counters are ignored
        QVERIFY(!rates.rate(QStringLiteral("x"), std::nan("")));
        QVERIFY(!rates.rate(QStringLiteral("y"), -5));
    }

    void dockerStatsParseBadInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("parses");
        QTest::newRow("garbage") << QByteArray("not json at all {") << false;
        QTest::newRow("array") << QByteArray("[1,2,3]") << false;
        QTest::newRow("empty object") << QByteArray("{}") << true;
        QTest::newRow("wrong types") << QByteArray(R"({"read":5,"cpu_stats":{"cpu_usage":{"total_usage":"x"}},"memory_stats":{"usage":"big"},)"
                                                   R"("networks":{"eth0":{"rx_bytes":"a"}},"blkio_stats":{"io_service_bytes_recursive":[1,{"op":"read"}]}})")
                                     << true;
        QTest::newRow("negative counters") << QByteArray(R"({"read":"2026-01-01T00:00:00Z","cpu_stats":{"cpu_usage":{"total_usage":-5},"system_cpu_usage":-1},)"
                                                         R"("memory_stats":{"usage":-10,"limit":-1},"networks":{"eth0":{"rx_bytes":-1,"tx_bytes":-2}}})")
                                           << true;
    }

    void dockerStatsParseBadInput()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, parses);
        const auto s = DockerStatsSample::parse(body);
        QCOMPARE(bool(s), parses);
        if (!s) {
            QVERIFY(!s.error().message.isEmpty());
            return;
        }
        CounterRates rates;
        const MetricSampleSet first = DockerStatsCollector::compute(nullptr, s.value(), rates);
        const MetricSampleSet second = DockerStatsCollector::compute(&s.value(), s.value(), rates, 10.0);
        for (const MetricPoint &p : first.points + second.points)
            QVERIFY2(std::isfinite(p.value) && p.value >= 0, qPrintable(p.name));
    }

    // ---- Docker -----------------------------------------------------------------------------

    void dockerStats_data()
    {
        QTest::addColumn<QString>("apiVersion");
        QTest::addColumn<bool>("cgroupV1");
        QTest::newRow("API 1.43, cgroup v2, one-shot") << "1.43" << false;
        QTest::newRow("API 1.43, cgroup v1") << "1.43" << true;
        QTest::newRow("API 1.40, no one-shot") << "1.40" << false;
    }

    void dockerStats()
    {
        QFETCH(QString, apiVersion);
        QFETCH(bool, cgroupV1);
        DockerFixture fx(apiVersion);
        QVERIFY2(fx.start(), qPrintable(fx.errorString()));
        const DockerFixture::Container web = DockerFixture::sampleContainers().first();
        fx.addContainer(web);
        fx.setStatsCgroupV1(cgroupV1);

        const CollectorTarget target = targetFor(QStringLiteral("docker"), {{QStringLiteral("uri"), fx.uri()}},
                                                 machineOf(MachineKind::Container, web.name, web.id, {{QStringLiteral("id"), web.id}}));
        std::unique_ptr<MetricCollector> collector = CollectorFactory::make(target);
        QVERIFY(dynamic_cast<DockerStatsCollector *>(collector.get()));

        // First answer: gauges only (one-shot has no precpu_stats; there is no previous answer yet).
        MetricSampleSet s = oneSet(*collector);
        QVERIFY(s.timestampMs > 0);
        QVERIFY2(s.warnings.isEmpty(), qPrintable(s.warnings.value(0).toString()));
        QCOMPARE(metricValues(s, QStringLiteral("mem.used_bytes")).value({}), 80 * MiB);   // 100 MiB - 20 MiB inactive
        QCOMPARE(metricValues(s, QStringLiteral("mem.total_bytes")).value({}), 512 * MiB);
        QCOMPARE(metricValues(s, QStringLiteral("mem.available_bytes")).value({}), 432 * MiB);
        QVERIFY(near(metricValues(s, QStringLiteral("mem.used_percent")).value({}), 15.625));
        QVERIFY(metricValues(s, QStringLiteral("net.rx_bytes_per_s")).isEmpty());

        // Second: rates over the engine's 10 s.
        s = oneSet(*collector);
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 20.0));
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.used_cores")).value({}), 0.8));
        QCOMPARE(metricValues(s, QStringLiteral("mem.used_bytes")).value({}), 81 * MiB);
        QVERIFY(near(metricValues(s, QStringLiteral("net.rx_bytes_per_s")).value(QStringLiteral("eth0")), 1000));
        QVERIFY(near(metricValues(s, QStringLiteral("net.tx_bytes_per_s")).value(QStringLiteral("eth0")), 500));
        // cgroup v1 also lists Sync/Async/Total: only Read and Write count.
        QVERIFY(near(metricValues(s, QStringLiteral("diskio.read_bytes_per_s")).value(QStringLiteral("8:0")), 4096));
        QVERIFY(near(metricValues(s, QStringLiteral("diskio.write_bytes_per_s")).value(QStringLiteral("8:0")), 8192));

        // A restart: every counter starts again. No negative or huge spike, then rates again.
        fx.resetStatsCounters(web.id);
        s = oneSet(*collector);
        QVERIFY(metricValues(s, QStringLiteral("cpu.percent")).isEmpty());
        QVERIFY(metricValues(s, QStringLiteral("net.rx_bytes_per_s")).isEmpty());
        QVERIFY(!metricValues(s, QStringLiteral("mem.used_bytes")).isEmpty());
        s = oneSet(*collector);
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 20.0));
        QVERIFY(near(metricValues(s, QStringLiteral("net.rx_bytes_per_s")).value(QStringLiteral("eth0")), 1000));

        bool oneShotAsked = false;
        for (const DockerFixture::Request &r : fx.requests()) {
            if (r.path.endsWith(QLatin1String("/stats")))
                oneShotAsked = oneShotAsked || r.query.contains(QLatin1String("one-shot=true"));
        }
        QCOMPARE(oneShotAsked, apiVersion == QLatin1String("1.43"));
        QVERIFY2(fx.violations().isEmpty(), qPrintable(fx.violations().join(QLatin1Char('\n'))));
    }

    void dockerStatsErrors()
    {
        DockerFixture fx;
        QVERIFY2(startWithSamples(fx), qPrintable(fx.errorString()));
        const QVector<DockerFixture::Container> all = DockerFixture::sampleContainers();
        const QJsonObject config{{QStringLiteral("uri"), fx.uri()}};
        auto collectorFor = [&](const DockerFixture::Container &c) {
            return CollectorFactory::make(targetFor(QStringLiteral("docker"), config,
                                                    machineOf(MachineKind::Container, c.name, c.id, {{QStringLiteral("id"), c.id}})));
        };

        // A stopped container: the engine's all-zero answer is "not running", not zeros.
        auto db = collectorFor(all[1]);
        auto r = db->collectRound();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("not running")), qPrintable(r.error().message));

        // Garbage, then a truncated object, then good answers again on the same collector.
        const DockerFixture::Container web = all[0];
        auto collector = collectorFor(web);
        fx.setNextStats(web.id, "<html>502 Bad Gateway</html>");
        r = collector->collectRound();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("not JSON")), qPrintable(r.error().message));
        fx.setNextStats(web.id, R"({"read":"2026-01-01T00:00:00.5Z","cpu_stats":{"cpu_usage":{}},"memory_stats":{"usage":1048576}})");
        r = collector->collectRound();
        QVERIFY2(r, qPrintable(r.error().toString()));
        QVERIFY(!r->first().warnings.isEmpty());   // no CPU figures: said, not guessed
        QVERIFY(metricValues(r->first(), QStringLiteral("cpu.percent")).isEmpty());
        QVERIFY(oneSet(*collector).points.size() > 0);
        QVERIFY(near(metricValues(oneSet(*collector), QStringLiteral("cpu.percent")).value({}), 20.0));

        // The container was removed meanwhile.
        Machine gone = machineOf(MachineKind::Container, QStringLiteral("gone"), QString(64, QLatin1Char('f')));
        auto missing = CollectorFactory::make(targetFor(QStringLiteral("docker"), config, gone));
        r = missing->collectRound();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("no longer exists")), qPrintable(r.error().message));

        // No engine at that address: a clear error, no crash.
        auto nowhere = CollectorFactory::make(targetFor(QStringLiteral("docker"), {{QStringLiteral("uri"), QStringLiteral("unix:///nonexistent/docker.sock")}},
                                                        machineOf(MachineKind::Container, web.name, web.id)));
        r = nowhere->collectRound();
        QVERIFY(!r);
        QVERIFY(!r.error().message.isEmpty());
        QVERIFY2(fx.violations().isEmpty(), qPrintable(fx.violations().join(QLatin1Char('\n'))));
    }

    // ---- Kubernetes -------------------------------------------------------------------------

    void kubeMetrics()
    {
        KubeApiFixture fx;
        QVERIFY(fx.start());
        fx.addNode(QStringLiteral("node-1"));
        mist::test::KubeObjects::PodSpec spec;
        spec.ns = QStringLiteral("shop");
        spec.name = QStringLiteral("web-1");
        spec.node = QStringLiteral("node-1");
        spec.containers = {QStringLiteral("app"), QStringLiteral("sidecar")};
        fx.addPod(spec);
        const QJsonObject config = fx.credentials().config;
        auto make = [&](const Machine &m) { return CollectorFactory::make(targetFor(QStringLiteral("kubernetes"), config, m)); };

        const Machine pod = machineOf(MachineKind::Pod, QStringLiteral("web-1"), QStringLiteral("pod/u1"),
                                      {{QStringLiteral("namespace"), QStringLiteral("shop")},
                                       {QStringLiteral("pod"), QStringLiteral("web-1")},
                                       {QStringLiteral("node"), QStringLiteral("node-1")}});
        std::unique_ptr<MetricCollector> podCollector = make(pod);
        QVERIFY(dynamic_cast<KubeMetricsCollector *>(podCollector.get()));

        // No metrics-server: a clear message, and the service retries rarely.
        auto r = runOffThread([&] { return podCollector->collectRound(); });
        QVERIFY(!r);
        QCOMPARE(r.error().message, QStringLiteral("metrics.k8s.io is not available on this cluster (install metrics-server)."));
        QVERIFY(podCollector->failureNeedsUser());

        fx.setMetricsServer(true);
        // The group is there but the pod has no figures yet: an ordinary failure.
        r = runOffThread([&] { return podCollector->collectRound(); });
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("no figures")), qPrintable(r.error().message));
        QVERIFY(!podCollector->failureNeedsUser());

        fx.setPodMetrics(QStringLiteral("shop"), QStringLiteral("web-1"),
                         {{QStringLiteral("app"), QStringLiteral("250m"), QStringLiteral("64Mi")},
                          {QStringLiteral("sidecar"), QStringLiteral("50000000n"), QStringLiteral("32768Ki")}});
        MetricSampleSet s = runOffThread([&] { return oneSet(*podCollector); });
        // The pod: 0.3 cores of the two containers' 500m limits; memory of their 256Mi limits.
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.used_cores")).value({}), 0.3));
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 30.0));
        QCOMPARE(metricValues(s, QStringLiteral("mem.used_bytes")).value({}), 96 * MiB);
        QCOMPARE(metricValues(s, QStringLiteral("mem.total_bytes")).value({}), 512 * MiB);
        QVERIFY(near(metricValues(s, QStringLiteral("mem.used_percent")).value({}), 18.75));

        // metrics-server has not measured again: nothing new, no duplicate point.
        r = runOffThread([&] { return podCollector->collectRound(); });
        QVERIFY(r);
        QVERIFY(r->isEmpty());
        fx.setPodMetrics(QStringLiteral("shop"), QStringLiteral("web-1"),
                         {{QStringLiteral("app"), QStringLiteral("1"), QStringLiteral("100Mi")},
                          {QStringLiteral("sidecar"), QStringLiteral("0"), QStringLiteral("0")}});
        s = runOffThread([&] { return oneSet(*podCollector); });
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 100.0));

        // A container with its limits in the inventory record.
        const Machine app = machineOf(MachineKind::Container, QStringLiteral("app"), QStringLiteral("pod/u1/app"),
                                      {{QStringLiteral("namespace"), QStringLiteral("shop")},
                                       {QStringLiteral("pod"), QStringLiteral("web-1")},
                                       {QStringLiteral("container"), QStringLiteral("app")},
                                       {QStringLiteral("requests"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("100m")}}},
                                       {QStringLiteral("limits"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("2")},
                                                                              {QStringLiteral("memory"), QStringLiteral("200Mi")}}}});
        auto appCollector = make(app);
        s = runOffThread([&] { return oneSet(*appCollector); });
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 50.0));
        QCOMPARE(metricValues(s, QStringLiteral("mem.used_bytes")).value({}), 100 * MiB);
        QCOMPARE(metricValues(s, QStringLiteral("mem.total_bytes")).value({}), 200 * MiB);

        // Only a request: CPU % of the request (a container may use more than it asked for).
        Machine requested = app;
        requested.extra.remove(QStringLiteral("limits"));
        requested.extra.insert(QStringLiteral("requests"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("500m")}});
        auto requestedCollector = make(requested);
        s = runOffThread([&] { return oneSet(*requestedCollector); });
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 200.0));
        // ... and no memory limit: the node's capacity (16Gi), found through the pod's spec.
        QCOMPARE(metricValues(s, QStringLiteral("mem.total_bytes")).value({}), 16.0 * 1024 * MiB);

        // Neither: the node's capacity (4 cores).
        Machine bare = app;
        bare.extra.remove(QStringLiteral("limits"));
        bare.extra.remove(QStringLiteral("requests"));
        auto bareCollector = make(bare);
        s = runOffThread([&] { return oneSet(*bareCollector); });
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 25.0));

        // The node against its capacity.
        fx.setNodeMetrics(QStringLiteral("node-1"), QStringLiteral("1500m"), QStringLiteral("4Gi"));
        const Machine node = machineOf(MachineKind::Node, QStringLiteral("node-1"), QStringLiteral("node/node-1"),
                                       {{QStringLiteral("node"), QStringLiteral("node-1")},
                                        {QStringLiteral("capacity"), QJsonObject{{QStringLiteral("cpu"), QStringLiteral("4")},
                                                                                 {QStringLiteral("memory"), QStringLiteral("16Gi")}}}});
        auto nodeCollector = make(node);
        s = runOffThread([&] { return oneSet(*nodeCollector); });
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 37.5));
        QCOMPARE(metricValues(s, QStringLiteral("mem.used_bytes")).value({}), 4.0 * 1024 * MiB);
        QVERIFY(near(metricValues(s, QStringLiteral("mem.used_percent")).value({}), 25.0));

        // Bad answers: unreadable quantities, garbage, a missing container; never a crash.
        fx.setPodMetrics(QStringLiteral("shop"), QStringLiteral("web-1"),
                         {{QStringLiteral("app"), QStringLiteral("lots"), QStringLiteral("64Mi")}});
        r = runOffThread([&] { return appCollector->collectRound(); });
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("unreadable")), qPrintable(r.error().message));
        fx.answerNext(200, "this is not json", QStringLiteral("metrics.k8s.io"));
        r = runOffThread([&] { return appCollector->collectRound(); });
        QVERIFY(!r);
        fx.answerNext(200, R"({"kind":"PodMetrics","metadata":{"name":"web-1"},"containers":{"app":1}})", QStringLiteral("metrics.k8s.io"));
        r = runOffThread([&] { return appCollector->collectRound(); });
        QVERIFY(!r);
        fx.setPodMetrics(QStringLiteral("shop"), QStringLiteral("web-1"),
                         {{QStringLiteral("sidecar"), QStringLiteral("1m"), QStringLiteral("1Mi")}});
        r = runOffThread([&] { return appCollector->collectRound(); });
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("app")), qPrintable(r.error().message));
        // The API server is down.
        fx.stop();
        r = runOffThread([&] { return nodeCollector->collectRound(); });
        QVERIFY(!r);
        QVERIFY(!r.error().message.isEmpty());
    }

    // ---- libvirt ----------------------------------------------------------------------------

    void libvirtDomain()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without libvirt");
#else
        // The test driver's domain stats have only the "state" group (libvirt 9): CPU comes from
        // virDomainGetInfo's cpuTime and memory from its current allocation; balloon, interface
        // and block figures need a real QEMU domain.
        const Machine vm = machineOf(MachineKind::Vm, QStringLiteral("test"), QStringLiteral("6695eb01-f6a4-8304-79aa-97f2502e193f"));
        auto collector = CollectorFactory::make(targetFor(QStringLiteral("libvirt"), {{QStringLiteral("uri"), QStringLiteral("test:///default")}}, vm));
        QVERIFY(dynamic_cast<LibvirtCollector *>(collector.get()));
        MetricSampleSet s = oneSet(*collector);
        QCOMPARE(metricValues(s, QStringLiteral("mem.total_bytes")).value({}), 2097152.0 * 1024);
        QVERIFY(metricValues(s, QStringLiteral("cpu.percent")).isEmpty());   // needs two rounds
        QTest::qWait(300);
        s = oneSet(*collector);
        const QHash<QString, double> cpu = metricValues(s, QStringLiteral("cpu.percent"));
        QVERIFY(cpu.contains({}));
        QVERIFY2(cpu.value({}) >= 0 && cpu.value({}) <= 100, qPrintable(QString::number(cpu.value({}))));
        for (const MetricPoint &p : s.points)
            qInfo() << "test driver VM:" << p.name << p.label << p.value << p.unit;
#endif
    }

    void libvirtPureCompute()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without libvirt");
#else
        // What a QEMU domain's stats look like (virsh domstats --raw), in two rounds 10 s apart.
        LibvirtDomainSnapshot a;
        a.vcpus = 2;
        a.cpuTimeNs = 100e9;
        a.numbers = {{QStringLiteral("balloon.current"), 4194304}, {QStringLiteral("balloon.available"), 4000000},
                     {QStringLiteral("balloon.usable"), 3000000}, {QStringLiteral("balloon.rss"), 1500000},
                     {QStringLiteral("net.count"), 1}, {QStringLiteral("net.0.rx.bytes"), 1e6}, {QStringLiteral("net.0.tx.bytes"), 2e6},
                     {QStringLiteral("block.count"), 1}, {QStringLiteral("block.0.rd.bytes"), 5e6}, {QStringLiteral("block.0.wr.bytes"), 6e6}};
        a.strings = {{QStringLiteral("net.0.name"), QStringLiteral("vnet0")}, {QStringLiteral("block.0.name"), QStringLiteral("vda")}};
        LibvirtDomainSnapshot b = a;
        b.cpuTimeNs = 105e9;   // 5 s of CPU in 10 s over 2 vCPUs: 25 %
        b.numbers[QStringLiteral("net.0.rx.bytes")] = 1e6 + 10000;
        b.numbers[QStringLiteral("net.0.tx.bytes")] = 2e6 + 20000;
        b.numbers[QStringLiteral("block.0.rd.bytes")] = 5e6 + 40960;
        b.numbers[QStringLiteral("block.0.wr.bytes")] = 6e6;
        CounterRates rates;
        MetricSampleSet s = LibvirtCollector::compute(nullptr, a, rates, std::nullopt);
        QCOMPARE(metricValues(s, QStringLiteral("mem.total_bytes")).value({}), 4000000.0 * 1024);
        QCOMPARE(metricValues(s, QStringLiteral("mem.used_bytes")).value({}), 1000000.0 * 1024);
        QVERIFY(near(metricValues(s, QStringLiteral("mem.used_percent")).value({}), 25.0));
        QCOMPARE(metricValues(s, QStringLiteral("mem.rss_bytes")).value({}), 1500000.0 * 1024);
        s = LibvirtCollector::compute(&a, b, rates, 10.0);
        QVERIFY(near(metricValues(s, QStringLiteral("cpu.percent")).value({}), 25.0));
        QVERIFY(near(metricValues(s, QStringLiteral("net.rx_bytes_per_s")).value(QStringLiteral("vnet0")), 1000));
        QVERIFY(near(metricValues(s, QStringLiteral("net.tx_bytes_per_s")).value(QStringLiteral("vnet0")), 2000));
        QVERIFY(near(metricValues(s, QStringLiteral("diskio.read_bytes_per_s")).value(QStringLiteral("vda")), 4096));
        QCOMPARE(metricValues(s, QStringLiteral("diskio.write_bytes_per_s")).value(QStringLiteral("vda")), 0.0);
        // The VM rebooted: cpu.time went back. No rate for that round.
        LibvirtDomainSnapshot c = b;
        c.cpuTimeNs = 1e9;
        s = LibvirtCollector::compute(&b, c, rates, 10.0);
        QVERIFY(metricValues(s, QStringLiteral("cpu.percent")).isEmpty());
#endif
    }

    void libvirtErrors()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without libvirt");
#else
        const QJsonObject xml{{QStringLiteral("uri"), QStringLiteral(MIST_TEST_DATA_DIR "/libvirt/testnode.xml")}};
        // db-1 is shut off in the test host.
        auto stopped = CollectorFactory::make(targetFor(QStringLiteral("libvirt"), xml,
                                                        machineOf(MachineKind::Vm, QStringLiteral("db-1"), QStringLiteral("33333333-3333-4333-8333-333333333333"))));
        auto r = stopped->collectRound();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("not running")), qPrintable(r.error().message));
        auto unknown = CollectorFactory::make(targetFor(QStringLiteral("libvirt"), xml,
                                                        machineOf(MachineKind::Vm, QStringLiteral("ghost"), QStringLiteral("99999999-3333-4333-8333-333333333333"))));
        r = unknown->collectRound();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("no longer exists")), qPrintable(r.error().message));
        auto running = CollectorFactory::make(targetFor(QStringLiteral("libvirt"), xml,
                                                        machineOf(MachineKind::Vm, QStringLiteral("web-2"), QStringLiteral("22222222-2222-4222-8222-222222222222"))));
        QCOMPARE(metricValues(oneSet(*running), QStringLiteral("mem.total_bytes")).value({}), 4194304.0 * 1024);
        auto badUri = CollectorFactory::make(targetFor(QStringLiteral("libvirt"), {{QStringLiteral("uri"), QStringLiteral("test:///nonexistent.xml")}},
                                                       machineOf(MachineKind::Vm, QStringLiteral("x"), QStringLiteral("x"))));
        r = badUri->collectRound();
        QVERIFY(!r);
        QVERIFY(!r.error().message.isEmpty());
#endif
    }

    void libvirtHypervisor()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without libvirt");
#else
        // The test driver's node CPU counters are fixed (no CPU %); memory comes from the node's
        // size and free memory (it has no virNodeGetMemoryStats).
        auto host = CollectorFactory::make(targetFor(QStringLiteral("libvirt"), {{QStringLiteral("uri"), QStringLiteral("test:///default")}},
                                                     machineOf(MachineKind::Hypervisor, QStringLiteral("host"), QStringLiteral("host"))));
        QVERIFY(dynamic_cast<LibvirtCollector *>(host.get()));
        for (int round = 0; round < 2; ++round) {
            const auto r = host->collectRound();
            QVERIFY2(r, qPrintable(r.error().toString()));
            const QHash<QString, double> total = metricValues(r->first(), QStringLiteral("mem.total_bytes"));
            const QHash<QString, double> used = metricValues(r->first(), QStringLiteral("mem.used_bytes"));
            QVERIFY(total.value({}) > 0);
            QVERIFY(used.value({}) >= 0 && used.value({}) <= total.value({}));
            for (const MetricPoint &p : r->first().points) {
                QVERIFY(std::isfinite(p.value));
                if (round == 1)
                    qInfo() << "test driver host:" << p.name << p.label << p.value << p.unit;
            }
        }
#endif
    }

    // The monitoring service picks the stats endpoint for a Docker container (not SSH) and
    // collects it on its pool: samples arrive with the engine's figures; a stopped container
    // is reported as failing with the engine's reason.
    void monitoringServiceCollectsDocker()
    {
        DockerFixture fx;
        QVERIFY2(startWithSamples(fx), qPrintable(fx.errorString()));
        const QVector<DockerFixture::Container> all = DockerFixture::sampleContainers();
        QTemporaryDir tmp;
        const QString inventoryPath = tmp.filePath(QStringLiteral("inventory.db"));
        qint64 webId = 0, dbId = 0;
        {
            InventoryStore store;
            QVERIFY(store.open(inventoryPath).ok());
            Cloud docker;
            docker.name = QStringLiteral("engine");
            docker.provider = QStringLiteral("docker");
            docker.config.insert(QStringLiteral("uri"), fx.uri());
            auto cloud = store.addCloud(docker, QStringLiteral("test"));
            QVERIFY(cloud.ok());
            SecretStore secrets;
            const PollResult poll = ProviderCall::poll(cloud.value(), secrets);   // the fixture has its own thread
            QVERIFY2(poll.success, qPrintable(poll.error.toString()));
            QVERIFY(store.applyPoll(cloud->id, poll, QDateTime::currentDateTimeUtc()).ok());
            webId = store.findMachine(QStringLiteral("web")).value().id;
            dbId = store.findMachine(QStringLiteral("db")).value().id;
        }
        MonitoringService::Options o = MonitoringService::defaultOptions(tmp.path());
        o.resolveInterval = std::chrono::milliseconds(500);
        o.flushDelay = std::chrono::milliseconds(100);
        MonitoredMachines rules;
        rules.enableMachine(webId, 1);
        rules.enableMachine(dbId, 1);
        QVERIFY(rules.save(o.rulesPath).ok());

        StoreService store;
        bool opened = false;
        store.open(inventoryPath, std::chrono::seconds(60), this, [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);
        MonitoringService svc(&store, o);
        QHash<qint64, QVector<MetricSampleSet>> samples;
        connect(&svc, &MonitoringService::samplesCollected, this,
                [&](qint64 id, const MetricSampleSet &set) { samples[id].append(set); });
        QHash<qint64, MonitoringStatus> status;
        connect(&svc, &MonitoringService::statusChanged, this, [&](qint64 id, const MonitoringStatus &st) { status[id] = st; });
        svc.start();
        QTRY_VERIFY_WITH_TIMEOUT(samples.value(webId).size() >= 3, 15000);
        const MetricSampleSet &last = samples.value(webId).last();
        QVERIFY(near(metricValues(last, QStringLiteral("cpu.percent")).value({}), 20.0));
        QVERIFY(near(metricValues(last, QStringLiteral("net.rx_bytes_per_s")).value(QStringLiteral("eth0")), 1000));
        QCOMPARE(status.value(webId).state, MonitoringStatus::State::Collecting);
        QTRY_COMPARE(status.value(dbId).state, MonitoringStatus::State::Failing);
        QVERIFY2(status.value(dbId).error.message.contains(QLatin1String("not running")), qPrintable(status.value(dbId).error.message));
        bool sawStats = false;
        for (const DockerFixture::Request &r : fx.requests())
            sawStats = sawStats || r.path == QStringLiteral("/containers/%1/stats").arg(all[0].id);
        QVERIFY(sawStats);
        svc.stop();
        QVERIFY2(fx.violations().isEmpty(), qPrintable(fx.violations().join(QLatin1Char('\n'))));
    }

    // ---- which collector a target gets --------------------------------------------------------

    void factoryChoices()
    {
        auto kindOf = [](const QString &provider, MachineKind kind) {
            return CollectorFactory::make(targetFor(provider, {}, machineOf(kind, QStringLiteral("m"), QStringLiteral("m"))));
        };
        QVERIFY(dynamic_cast<DockerStatsCollector *>(kindOf(QStringLiteral("docker"), MachineKind::Container).get()));
        QVERIFY(dynamic_cast<MachineCollector *>(kindOf(QStringLiteral("docker"), MachineKind::ContainerHost).get()));
        QVERIFY(dynamic_cast<KubeMetricsCollector *>(kindOf(QStringLiteral("kubernetes"), MachineKind::Pod).get()));
        QVERIFY(dynamic_cast<KubeMetricsCollector *>(kindOf(QStringLiteral("kubernetes"), MachineKind::Container).get()));
        QVERIFY(dynamic_cast<KubeMetricsCollector *>(kindOf(QStringLiteral("kubernetes"), MachineKind::Node).get()));
        QVERIFY(dynamic_cast<MachineCollector *>(kindOf(QStringLiteral("other"), MachineKind::Machine).get()));
        QVERIFY(dynamic_cast<MachineCollector *>(kindOf(QStringLiteral("other"), MachineKind::Container).get()));
#ifdef MIST_WITH_LIBVIRT
        QVERIFY(dynamic_cast<LibvirtCollector *>(kindOf(QStringLiteral("libvirt"), MachineKind::Vm).get()));
        QVERIFY(dynamic_cast<LibvirtCollector *>(kindOf(QStringLiteral("libvirt"), MachineKind::Hypervisor).get()));
#endif
    }
};

QTEST_GUILESS_MAIN(TestProviderCollectors)
#include "tst_providercollectors.moc"
