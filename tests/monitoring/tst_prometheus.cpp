// Prometheus / VictoriaMetrics as a metrics source, against a Qt HTTP Server fixture that
// follows the Prometheus HTTP API docs (tests/support/prometheusfixture.h): the sources file,
// query_range parameters and encoding, matrix parsing (several series, NaN/±Inf skipped with a
// warning), error envelopes and HTTP errors as clear sentences, timeouts, basic and bearer auth
// (the token from a real keychain), the collector's backfill and cursor, and MonitoringService
// writing a Prometheus-fed machine's samples to metrics.db.

#include "monitoringtestutil.h"
#include "inventory/inventorystore.h"
#include "monitoring/metricstore.h"
#include "monitoring/monitoredmachines.h"
#include "monitoring/monitoringservice.h"
#include "monitoring/prometheus/prometheusclient.h"
#include "monitoring/prometheus/prometheuscollector.h"
#include "prometheusfixture.h"
#include "secrets/secretstore.h"
#include "services/storeservice.h"
#include "sshtestserver.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSslKey>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {

const QString kMatcher = QStringLiteral("instance=~\"web1(:[0-9]+)?\"");

Machine web1()
{
    Machine m;
    m.id = 7;
    m.cloudId = 3;
    m.name = QStringLiteral("web1");
    m.privateIps = {QStringLiteral("10.0.0.5")};
    return m;
}

PrometheusSource source(const QString &url, int stepSeconds = 15)
{
    PrometheusSource s;
    s.id = QStringLiteral("11111111-2222-3333-4444-555555555555");
    s.name = QStringLiteral("prom");
    s.url = url;
    s.scopeId = 7;
    s.matcher = QStringLiteral("instance=~\"{name}(:[0-9]+)?\"");
    s.stepSeconds = stepSeconds;
    s.timeoutSeconds = 5;
    return s;
}

PrometheusEndpoint endpoint(const QString &url, int timeoutMs = 5000)
{
    PrometheusEndpoint e;
    e.url = url;
    e.timeoutMs = timeoutMs;
    return e;
}

} // namespace

namespace {
// An inventory with one "Other server" machine whose SSH cannot work (port 1), monitored
// every second: samples can only come from Prometheus.
void monitoredServer(const QString &dataDir, qint64 &machineId, qint64 &cloudId)
{
    InventoryStore store;
    QVERIFY(store.open(QDir(dataDir).filePath(QStringLiteral("inventory.db"))).ok());
    Machine m;
    m.externalId = m.name = QStringLiteral("web1");
    m.state = MachineState::Running;
    m.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), 1}});
    const QString added = addServerMachines(store, QStringLiteral("servers"), {m});
    QVERIFY2(added.isEmpty(), qPrintable(added));
    cloudId = store.cloudByName(QStringLiteral("servers")).value().id;
    machineId = store.findMachine(QStringLiteral("web1")).value().id;
    MonitoredMachines rules;
    rules.enableMachine(machineId, 1);
    QVERIFY(rules.save(MonitoredMachines::filePath(dataDir)).ok());
}

} // namespace

class TestPrometheus : public QObject
{
    Q_OBJECT

    PrometheusFixture m_prom;

    // A collector for web1 with a fixed clock and no keychain.
    std::unique_ptr<PrometheusCollector> collector(const QString &dir, const PrometheusSource &s, qint64 *clock,
                                                   const QString &metricsPath = {})
    {
        PrometheusSources sources;
        auto added = sources.upsert(s);
        if (!added || !sources.save(PrometheusSources::filePath(dir)))
            return nullptr;
        PrometheusCollector::Options o;
        o.clock = [clock] { return *clock; };
        o.secret = [](const PrometheusSource &) -> Result<QString> { return QString(); };
        o.metricsPath = metricsPath;
        return std::make_unique<PrometheusCollector>(PrometheusSources::filePath(dir), s.id, web1(), 10, o);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_prom.listen());
        m_prom.matcher = kMatcher;
    }

    void init()
    {
        m_prom.requests.clear();
        m_prom.requiredAuthorization.clear();
    }

    void sourcesFileAndMatchers()
    {
        QTemporaryDir dir;
        const QString path = PrometheusSources::filePath(dir.path());
        QVERIFY(PrometheusSources::load(path).ok());   // missing: empty

        PrometheusSources sources;
        PrometheusSource s = source(QStringLiteral("http://vm:8481/select/0/prometheus/"));
        s.id.clear();
        s.auth = PrometheusSource::Auth::Bearer;
        s.queries = {{QStringLiteral("load.1"), QStringLiteral("node_load1{$match}"), {}, {}},            // override
                     {QStringLiteral("swap.used_bytes"), QString(), {}, {}},                            // removal
                     {QStringLiteral("app.requests"), QStringLiteral("sum(rate(http_requests_total{$match}[$rate]))"), {}, QStringLiteral("req/s")}};
        auto added = sources.upsert(s);
        QVERIFY2(added.ok(), qPrintable(added.error().toString()));
        QVERIFY(!added->id.isEmpty());
        QCOMPARE(added->url, QStringLiteral("http://vm:8481/select/0/prometheus"));   // trailing slash dropped

        PrometheusSource cloudWide = source(QStringLiteral("http://prom:9090"));
        cloudWide.id.clear();
        cloudWide.name = QStringLiteral("cloud prom");
        cloudWide.scope = PrometheusSource::Scope::Cloud;
        cloudWide.scopeId = 3;
        QVERIFY(sources.upsert(cloudWide).ok());
        PrometheusSource dup = cloudWide;
        dup.id.clear();
        QVERIFY(!sources.upsert(dup).ok());   // the name is taken
        PrometheusSource bad = cloudWide;
        bad.id.clear();
        bad.name = QStringLiteral("bad");
        bad.url = QStringLiteral("prom:9090");
        auto refused = sources.upsert(bad);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("http://")), qPrintable(refused.error().message));
        bad.url = QStringLiteral("http://bob:secret@prom:9090");
        refused = sources.upsert(bad);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("not in the URL")) && !refused.error().toString().contains(QStringLiteral("secret")),
                 qPrintable(refused.error().toString()));
        QVERIFY(sources.save(path).ok());

        auto loaded = PrometheusSources::load(path);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->sources().size(), 2);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains("token\":"));   // no secrets, only the auth kind
        // The machine's own source wins over its cloud's; another machine of the cloud gets the cloud's.
        Machine m = web1();
        QCOMPARE(loaded->forMachine(m)->name, QStringLiteral("prom"));
        m.id = 8;
        QCOMPARE(loaded->forMachine(m)->name, QStringLiteral("cloud prom"));
        m.kind = MachineKind::Pod;   // a cloud's pods and containers keep their own collectors
        QVERIFY(!loaded->forMachine(m));
        m.kind = MachineKind::Node;
        QCOMPARE(loaded->forMachine(m)->name, QStringLiteral("cloud prom"));
        m.cloudId = 4;
        QVERIFY(!loaded->forMachine(m));

        const PrometheusSource *p = loaded->find(QStringLiteral("prom"));
        QVERIFY(p);
        QCOMPARE(p->auth, PrometheusSource::Auth::Bearer);
        QCOMPARE(p->secretOwner(), QStringLiteral("prometheus/") + p->id);
        QCOMPARE(p->secretField(), QStringLiteral("token"));
        const QVector<PrometheusQuery> qs = p->effectiveQueries();
        const auto find = [&](const QString &series) {
            return std::find_if(qs.begin(), qs.end(), [&](const PrometheusQuery &x) { return x.series == series; });
        };
        QCOMPARE(find(QStringLiteral("load.1"))->promql, QStringLiteral("node_load1{$match}"));
        QVERIFY(find(QStringLiteral("swap.used_bytes")) == qs.end());
        QCOMPARE(find(QStringLiteral("app.requests"))->unit, QStringLiteral("req/s"));
        QVERIFY(find(QStringLiteral("net.rx_bytes_per_s")) != qs.end());
        QCOMPARE(find(QStringLiteral("net.rx_bytes_per_s"))->labelFrom, QStringLiteral("device"));

        // Placeholders: regex-escaped for =~, verbatim for =; $rate fits the step.
        PrometheusSource byIp = source(QStringLiteral("http://x"));
        byIp.matcher = QStringLiteral("instance=~\"{ip}:9100\",job=\"node\"");
        QCOMPARE(byIp.matcherFor(web1()), QStringLiteral("instance=~\"10\\\\.0\\\\.0\\\\.5:9100\",job=\"node\""));
        byIp.matcher = QStringLiteral("nodename=\"{name}\"");
        QCOMPARE(byIp.matcherFor(web1()), QStringLiteral("nodename=\"web1\""));
        Machine withSsh = web1();
        withSsh.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), QStringLiteral("web1.example.com")}});
        QCOMPARE(PrometheusSource::placeholder(withSsh, QStringLiteral("host")), QStringLiteral("web1.example.com"));
        QCOMPARE(PrometheusSource::placeholder(web1(), QStringLiteral("host")), QStringLiteral("10.0.0.5"));
        QCOMPARE(PrometheusSource::render(QStringLiteral("rate(x{$match}[$rate])"), QStringLiteral("a=\"b\""), 30),
                 QStringLiteral("rate(x{a=\"b\"}[120s])"));
        QCOMPARE(PrometheusSource::render(QStringLiteral("rate(x{$match}[$rate])"), QStringLiteral("a=\"b\""), 5),
                 QStringLiteral("rate(x{a=\"b\"}[60s])"));

        // A damaged file is a clear error naming it.
        QFile w(path);
        QVERIFY(w.open(QIODevice::WriteOnly | QIODevice::Truncate));
        w.write("{ nope");
        w.close();
        auto broken = PrometheusSources::load(path);
        QVERIFY(!broken.ok());
        QVERIFY(broken.error().message.contains(path));
    }

    void queryRangeParameters()
    {
        m_prom.matcher.clear();
        PrometheusClient client(endpoint(m_prom.url()));
        // '+', '"', '{', spaces and '=~' must reach the server unchanged.
        const QString promql = QStringLiteral("sum by (device) (rate(a{job=\"x y\",path=~\"/a+b\"}[1m])) + 1");
        auto r = client.queryRange(promql, 1767357420000, 1767361020500, 15000);
        m_prom.matcher = kMatcher;
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(m_prom.requests.size(), 1);
        const PrometheusFixture::Request &req = m_prom.requests.first();
        QCOMPARE(req.path, QStringLiteral("/api/v1/query_range"));
        QCOMPARE(req.query, promql);
        QCOMPARE(req.start.toDouble(), 1767357420.0);
        QCOMPARE(req.end.toDouble(), 1767361020.5);
        QCOMPARE(req.step.toDouble(), 15.0);
        // Matrix: two series told apart by their labels, one value per step from start to end.
        QCOMPARE(r->series.size(), 2);
        QCOMPARE(r->series.at(0).labels.value(QStringLiteral("device")), QStringLiteral("eth0"));
        QCOMPARE(r->series.at(1).labels.value(QStringLiteral("device")), QStringLiteral("eth1"));
        QCOMPARE(r->series.at(0).points.size(), 241);
        QCOMPARE(r->series.at(0).points.first().first, 1767357420000);
        QCOMPARE(r->series.at(0).points.at(1).first, 1767357435000);
        QCOMPARE(r->series.at(1).points.first().second, PrometheusFixture::valueAt(1767357420, 1));
        QVERIFY(r->warnings.isEmpty());

        // The VictoriaMetrics cluster's prefix is part of the base URL.
        PrometheusClient vm(endpoint(m_prom.url() + QStringLiteral("/select/0/prometheus/")));
        auto v = vm.queryRange(QStringLiteral("up{%1}").arg(kMatcher), 1767357420000, 1767357480000, 60000);
        QVERIFY2(v.ok(), qPrintable(v.error().toString()));
        QCOMPARE(m_prom.requests.last().path, QStringLiteral("/select/0/prometheus/api/v1/query_range"));
        QCOMPARE(v->series.size(), 1);
        QCOMPARE(v->series.first().points.size(), 2);
    }

    void oddValuesAndWarnings()
    {
        PrometheusClient client(endpoint(m_prom.url()));
        auto r = client.queryRange(QStringLiteral("odd_values{%1}").arg(kMatcher), 1767357420000, 1767357420000 + 7 * 15000, 15000);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->series.size(), 1);
        // 8 steps: every 4th is a number, NaN, +Inf and -Inf are skipped.
        QCOMPARE(r->series.first().points.size(), 2);
        for (const auto &[ts, value] : r->series.first().points)
            QVERIFY(std::isfinite(value));
        QCOMPARE(r->warnings.size(), 1);
        QVERIFY2(r->warnings.first().contains(QStringLiteral("6 value")), qPrintable(r->warnings.first()));

        auto w = client.queryRange(QStringLiteral("warn_me{%1}").arg(kMatcher), 1767357420000, 1767357420000, 15000);
        QVERIFY(w.ok());
        QCOMPARE(w->warnings, QStringList{QStringLiteral("PromQL warning: encountered a mix of histograms and floats")});

        // Parsing alone: a vector where a matrix belongs, and junk.
        auto vec = PrometheusClient::parseRangeAnswer(
            200, R"({"status":"success","data":{"resultType":"vector","result":[]}})", QStringLiteral("http://p"));
        QVERIFY(!vec.ok());
        QVERIFY(vec.error().message.contains(QStringLiteral("vector")));
        QVERIFY(!PrometheusClient::parseRangeAnswer(200, "hello", QStringLiteral("http://p")).ok());
    }

    void errorsAreClearSentences_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("expected");
        const QString url = m_prom.url();
        QTest::newRow("400 bad_data") << url << QStringLiteral("parse_error") << QStringLiteral("rejected the query: invalid parameter \"query\"");
        QTest::newRow("422 execution") << url << QStringLiteral("exec_error") << QStringLiteral("could not run the query: many-to-many");
        QTest::newRow("503 unavailable") << url << QStringLiteral("not_ready") << QStringLiteral("not ready: TSDB not ready");
        QTest::newRow("404 wrong path") << url + QStringLiteral("/nothing") << QStringLiteral("up") << QStringLiteral("has no Prometheus query API (HTTP 404)");
        QTest::newRow("502 html") << url + QStringLiteral("/proxy") << QStringLiteral("up") << QStringLiteral("answered HTTP 502");
        QTest::newRow("refused") << QStringLiteral("http://127.0.0.1:1") << QStringLiteral("up") << QStringLiteral("Could not reach Prometheus at http://127.0.0.1:1");
    }

    void errorsAreClearSentences()
    {
        QFETCH(QString, base);
        QFETCH(QString, query);
        QFETCH(QString, expected);
        PrometheusClient client(endpoint(base));
        auto r = client.queryRange(query, 1767357420000, 1767357480000, 15000);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().toString()));
        QVERIFY2(r.error().message.contains(base), qPrintable(r.error().message));
    }

    void slowServerTimesOut()
    {
        PrometheusClient client(endpoint(m_prom.slowUrl(), 1000));
        QElapsedTimer t;
        t.start();
        auto r = client.queryRanges({QStringLiteral("up"), QStringLiteral("down")}, 1767357420000, 1767357480000, 15000);
        QVERIFY(t.elapsed() < 4000);
        QVERIFY(t.elapsed() >= 900);
        QCOMPARE(r.size(), 2);
        for (const auto &one : r) {
            QVERIFY(!one.ok());
            QVERIFY2(one.error().message.contains(QStringLiteral("did not answer within 1 s")), qPrintable(one.error().message));
        }
    }

    void tls()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("openssl is needed to make the test certificate");
        QTemporaryDir dir;
        QProcess openssl;
        openssl.setWorkingDirectory(dir.path());
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                       QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("key.pem"), QStringLiteral("-out"),
                       QStringLiteral("cert.pem"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
        QVERIFY(openssl.waitForFinished(60000) && openssl.exitCode() == 0);
        const QString certPath = dir.filePath(QStringLiteral("cert.pem"));
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(certPath);
        QFile keyFile(dir.filePath(QStringLiteral("key.pem")));
        QVERIFY(certs.size() == 1 && keyFile.open(QIODevice::ReadOnly));
        PrometheusFixture server;
        QVERIFY(server.listenTls(certs.first(), QSslKey(keyFile.readAll(), QSsl::Rsa)));
        QVERIFY(server.url().startsWith(QStringLiteral("https://")));
        const auto run = [&](const PrometheusEndpoint &e) { return PrometheusClient(e).queryRange(QStringLiteral("up"), 1767357420000, 1767357480000, 15000); };

        // An unknown CA is refused, with the reason.
        auto refused = run(endpoint(server.url()));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("Could not reach Prometheus at https://")), qPrintable(refused.error().toString()));
        QVERIFY(server.requests.isEmpty());
        // Trusted through the source's CA file, or accepted when the user said so.
        PrometheusEndpoint withCa = endpoint(server.url());
        withCa.caFile = certPath;
        auto trusted = run(withCa);
        QVERIFY2(trusted.ok(), qPrintable(trusted.error().toString()));
        PrometheusEndpoint insecure = endpoint(server.url());
        insecure.insecureTls = true;
        auto accepted = run(insecure);
        QVERIFY2(accepted.ok(), qPrintable(accepted.error().toString()));
        QCOMPARE(server.requests.size(), 2);
    }

    void basicAuthHeader()
    {
        m_prom.requiredAuthorization = "Basic " + QByteArrayLiteral("alice:pa:ss").toBase64();
        PrometheusEndpoint e = endpoint(m_prom.url());
        e.user = QStringLiteral("alice");
        e.password = QStringLiteral("wrong");
        auto refused = PrometheusClient(e).queryRange(QStringLiteral("up"), 1767357420000, 1767357420000, 15000);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("refused the credentials (HTTP 401)")), qPrintable(refused.error().message));
        e.password = QStringLiteral("pa:ss");
        auto ok = PrometheusClient(e).queryRange(QStringLiteral("up"), 1767357420000, 1767357420000, 15000);
        QVERIFY2(ok.ok(), qPrintable(ok.error().toString()));
    }

    void bearerTokenFromTheKeychain()
    {
        MIST_REQUIRE_KEYCHAIN();
        QTemporaryDir dir;
        PrometheusSource s = source(m_prom.url());
        s.auth = PrometheusSource::Auth::Bearer;
        const QString token = QStringLiteral("tok-%1").arg(QDateTime::currentMSecsSinceEpoch());
        SecretStore secrets;
        QVERIFY(secrets.write(s.secretOwner(), QStringLiteral("token"), token).ok());
        m_prom.requiredAuthorization = "Bearer " + token.toUtf8();
        PrometheusSources sources;
        QVERIFY(sources.upsert(s).ok());
        QVERIFY(sources.save(PrometheusSources::filePath(dir.path())).ok());

        // The factory's maker picks the source and reads the token from the keychain.
        CollectorTarget target;
        target.machine = web1();
        target.intervalSeconds = 15;
        target.dataDir = dir.path();
        std::unique_ptr<MetricCollector> c = PrometheusCollector::make(target);
        QVERIFY(c);
        auto r = c->collectRound();
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QVERIFY(!r->isEmpty());
        QVERIFY(!m_prom.requests.isEmpty());
        for (const auto &req : std::as_const(m_prom.requests))
            QCOMPARE(req.authorization, "Bearer " + token.toUtf8());
        // The token is nowhere on disk.
        QVERIFY(filesContaining(dir.path(), token.toUtf8()).isEmpty());
        QVERIFY(secrets.remove(s.secretOwner(), QStringLiteral("token")).ok());

        // Another machine of another cloud: not Prometheus's.
        target.machine.id = 99;
        QVERIFY(!PrometheusCollector::make(target));
    }

    void collectorBackfillsThenOnlyNewer()
    {
        QTemporaryDir dir;
        qint64 now = 1767361027300;   // not on a step boundary
        auto c = collector(dir.path(), source(m_prom.url(), 15), &now);
        QVERIFY(c);
        auto first = c->collectRound();
        QVERIFY2(first.ok(), qPrintable(first.error().toString()));
        // The last hour at 15 s: 241 sets, oldest first, on step boundaries.
        QCOMPARE(first->size(), 241);
        const qint64 end = 1767361020000;
        QCOMPARE(first->last().timestampMs, end);
        QCOMPARE(first->first().timestampMs, end - 3600000);
        for (int i = 1; i < first->size(); ++i)
            QCOMPARE(first->at(i).timestampMs - first->at(i - 1).timestampMs, 15000);
        const MetricSampleSet &last = first->last();
        QCOMPARE(metricValues(last, QStringLiteral("cpu.percent")).value(QString(), -1), PrometheusFixture::valueAt(end / 1000, 0));
        QCOMPARE(metricValues(last, QStringLiteral("cpu.percent")).value(QStringLiteral("cpu1"), -1), PrometheusFixture::valueAt(end / 1000, 1));
        QCOMPARE(metricValues(last, QStringLiteral("net.rx_bytes_per_s")).keys().size(), 2);
        QVERIFY(metricValues(last, QStringLiteral("net.rx_bytes_per_s")).contains(QStringLiteral("eth1")));
        QVERIFY(metricValues(last, QStringLiteral("diskio.read_bytes_per_s")).contains(QStringLiteral("nvme0n1")));
        QVERIFY(metricValues(last, QStringLiteral("disk.used_percent")).contains(QStringLiteral("/home")));
        for (const char *name : {"load.1", "load.15", "mem.used_bytes", "mem.total_bytes", "uptime.seconds", "swap.used_bytes"})
            QVERIFY2(metricValues(last, QString::fromLatin1(name)).contains(QString()), name);
        for (const MetricPoint &p : last.points) {
            if (p.name == QLatin1String("net.rx_bytes_per_s"))
                QCOMPARE(p.unit, QStringLiteral("bytes/s"));
        }
        // Every query carried the machine's matcher and the [start, end, step] of the round.
        const int perRound = m_prom.requests.size();
        QCOMPARE(perRound, PrometheusSource::defaultQueries().size());
        for (const auto &req : std::as_const(m_prom.requests)) {
            QVERIFY2(req.query.contains(kMatcher), qPrintable(req.query));
            QCOMPARE(req.start.toDouble(), (end - 3600000) / 1000.0);
            QCOMPARE(req.step.toDouble(), 15.0);
        }
        QCOMPARE(c->lastImportedMs(), end);

        // Too early for the next step: nothing new, nothing asked.
        now += 5000;
        auto none = c->collectRound();
        QVERIFY(none.ok());
        QVERIFY(none->isEmpty());
        QCOMPARE(m_prom.requests.size(), perRound);

        // 31 s later: only the two steps after the last import.
        now += 26000;
        auto second = c->collectRound();
        QVERIFY2(second.ok(), qPrintable(second.error().toString()));
        QCOMPARE(second->size(), 2);
        QCOMPARE(second->at(0).timestampMs, end + 15000);
        QCOMPARE(second->at(1).timestampMs, end + 30000);
        QCOMPARE(m_prom.requests.last().start.toDouble(), (end + 15000) / 1000.0);

        // A machine Prometheus has nothing for: a clear error naming the matcher.
        PrometheusSource other = source(m_prom.url(), 15);
        other.matcher = QStringLiteral("instance=\"elsewhere:9100\"");
        QTemporaryDir dir2;
        auto lost = collector(dir2.path(), other, &now);
        auto r = lost->collectRound();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("elsewhere:9100")) && r.error().message.contains(QStringLiteral("matcher")),
                 qPrintable(r.error().message));

        // A custom query the server refuses: a warning, the rest is still imported.
        PrometheusSource custom = source(m_prom.url(), 15);
        custom.queries = {{QStringLiteral("app.broken"), QStringLiteral("parse_error{$match}"), {}, {}}};
        QTemporaryDir dir3;
        auto partial = collector(dir3.path(), custom, &now)->collectRound();
        QVERIFY2(partial.ok(), qPrintable(partial.error().toString()));
        QVERIFY(!partial->isEmpty());
        const QVector<Error> warnings = partial->last().warnings;
        QVERIFY(std::any_of(warnings.begin(), warnings.end(), [](const Error &e) {
            return e.message.contains(QStringLiteral("app.broken")) && e.message.contains(QStringLiteral("parse error"));
        }));
    }

    void collectorStartsAfterWhatMetricsDbHas()
    {
        QTemporaryDir dir;
        const QString metricsPath = MonitoringService::metricsPath(dir.path());
        const qint64 end = 1767361020000;
        {
            MetricStore store;
            QVERIFY(store.open(metricsPath).ok());
            MetricSampleSet set;
            set.timestampMs = end - 600000;   // 10 minutes before now
            set.points = {MetricPoint{QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), 12}};
            QVERIFY(store.write(QString::number(web1().id), set).ok());
            // Not closed before the collector looks: the sample is still in the journal only.
            qint64 now = end + 1000;
            auto c = collector(dir.path(), source(m_prom.url(), 15), &now, metricsPath);
            auto r = c->collectRound();
            QVERIFY2(r.ok(), qPrintable(r.error().toString()));
            QCOMPARE(r->first().timestampMs, end - 600000 + 15000);
            QCOMPARE(r->size(), 40);
        }
    }

    // A source added while the machine is already collected (over SSH, failing) takes over
    // at the next reload: the service rebuilds collectors when prometheus.json changes.
    void sourceAddedWhileRunningTakesOver()
    {
        QTemporaryDir dir;
        qint64 machineId = 0, cloudId = 0;
        monitoredServer(dir.path(), machineId, cloudId);
        QVERIFY(!QTest::currentTestFailed());
        StoreService store;
        bool opened = false;
        store.open(dir.filePath(QStringLiteral("inventory.db")), std::chrono::seconds(60), this,
                   [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);
        MonitoringService::Options o = MonitoringService::defaultOptions(dir.path());
        o.flushDelay = std::chrono::milliseconds(100);
        MonitoringService svc(&store, o);
        QHash<qint64, MonitoringStatus> status;
        connect(&svc, &MonitoringService::statusChanged, this, [&](qint64 id, const MonitoringStatus &st) { status[id] = st; });
        int samples = 0;
        connect(&svc, &MonitoringService::samplesCollected, this, [&](qint64 id, const MetricSampleSet &) {
            samples += id == machineId;
        });
        svc.start();
        QTRY_COMPARE_WITH_TIMEOUT(status.value(machineId).state, MonitoringStatus::State::Failing, 15000);
        QCOMPARE(samples, 0);

        PrometheusSource s = source(m_prom.url(), 5);
        s.scope = PrometheusSource::Scope::Machine;
        s.scopeId = machineId;
        PrometheusSources sources;
        QVERIFY(sources.upsert(s).ok());
        QVERIFY(sources.save(PrometheusSources::filePath(dir.path())).ok());
        svc.reload();
        QTRY_VERIFY_WITH_TIMEOUT(samples >= 700, 15000);   // the backfilled hour
        QTRY_COMPARE(status.value(machineId).state, MonitoringStatus::State::Collecting);
        svc.stop();
    }

    void monitoringServiceStoresPrometheusSamples()
    {
        QTemporaryDir dir;
        const QString inventoryPath = dir.filePath(QStringLiteral("inventory.db"));
        qint64 machineId = 0, cloudId = 0;
        monitoredServer(dir.path(), machineId, cloudId);
        QVERIFY(!QTest::currentTestFailed());
        // For the whole cloud; the matcher uses the machine's name.
        PrometheusSource s = source(m_prom.url(), 5);
        s.scope = PrometheusSource::Scope::Cloud;
        s.scopeId = cloudId;
        PrometheusSources sources;
        QVERIFY(sources.upsert(s).ok());
        QVERIFY(sources.save(PrometheusSources::filePath(dir.path())).ok());

        StoreService store;
        bool opened = false;
        store.open(inventoryPath, std::chrono::seconds(60), this, [&](Result<InventorySnapshot> r) { opened = r.ok(); });
        QTRY_VERIFY(opened);
        MonitoringService::Options o = MonitoringService::defaultOptions(dir.path());
        o.flushDelay = std::chrono::milliseconds(100);
        MonitoringService svc(&store, o);
        QVector<MetricSampleSet> samples;
        connect(&svc, &MonitoringService::samplesCollected, this, [&](qint64 id, const MetricSampleSet &set) {
            if (id == machineId)
                samples.append(set);
        });
        QHash<qint64, MonitoringStatus> status;
        connect(&svc, &MonitoringService::statusChanged, this, [&](qint64 id, const MonitoringStatus &st) { status[id] = st; });
        svc.start();
        // The backfill: an hour at 5 s in the first round.
        QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 700, 15000);
        QCOMPARE(status.value(machineId).state, MonitoringStatus::State::Collecting);
        QVERIFY(std::all_of(m_prom.requests.begin(), m_prom.requests.end(),
                            [](const PrometheusFixture::Request &r) { return r.query.contains(kMatcher); }));

        // Queried back from metrics.db: the hour is there with the fixture's values.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        std::optional<Result<MetricSeriesData>> answer;
        const auto stored = [&] {
            answer.reset();
            svc.query(MetricSeriesKey{0, machineId, QStringLiteral("net.tx_bytes_per_s"), QStringLiteral("eth1")}, now - 3600000 - 10000,
                      now + 10000, 100000, this, [&](Result<MetricSeriesData> r) { answer = std::move(r); });
            return QTest::qWaitFor([&] { return answer.has_value(); }, 5000) && answer->ok() && answer->value().points.size() >= 700;
        };
        QTRY_VERIFY_WITH_TIMEOUT(stored(), 10000);
        for (const TimePoint &p : answer->value().points) {
            QCOMPARE(p.ts % 5000, 0);
            QCOMPARE(p.value, PrometheusFixture::valueAt(p.ts / 1000, 1));
        }
        svc.stop();

        // A fresh reader sees them too.
        MetricStore reader;
        QVERIFY(reader.open(o.metricsPath, sql::Database::Mode::ReadOnly).ok());
        auto series = reader.series(QString::number(machineId));
        QVERIFY(series.ok());
        QVERIFY(std::any_of(series->begin(), series->end(), [](const MetricSeries &x) {
            return x.name == QLatin1String("disk.used_percent") && x.label == QLatin1String("/home") && x.unit == QLatin1String("%");
        }));
    }
};

QTEST_GUILESS_MAIN(TestPrometheus)
#include "tst_prometheus.moc"
