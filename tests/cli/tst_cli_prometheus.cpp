// `mist monitoring prometheus add|list|test|remove`, end to end: the real binary against the
// Prometheus API fixture (tests/support/prometheusfixture.h) served from this process, the
// bearer token through the real keychain.

#include "inventory/inventorystore.h"
#include "monitoring/prometheus/prometheussources.h"
#include "secrets/secretstore.h"

#include "clirunner.h"
#include "prometheusfixture.h"
#include "sshtestserver.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {
const QString kService = QStringLiteral("mist-cli-prometheus-test");
}

class TestCliPrometheus : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    PrometheusFixture m_prom;

    QString dataDir() const { return m_tmp.filePath(QStringLiteral("data")); }

    CliRun mist(const QStringList &args, const QByteArray &input = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), kService);
        env.insert(QStringLiteral("HOME"), m_tmp.path());
        return runMist(dataDir(), args, env, input);
    }

    QJsonArray jsonList(const QStringList &args)
    {
        const CliRun r = mist(QStringList{QStringLiteral("-o"), QStringLiteral("json")} + args);
        if (r.code != 0)
            qWarning() << r.describe();
        return QJsonDocument::fromJson(r.out).array();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_prom.listen());
        // The default matcher with the machine's IP (no SSH host): regex-escaped.
        m_prom.matcher = QStringLiteral("instance=~\"10\\\\.0\\\\.0\\\\.5(:[0-9]+)?\"");
        QVERIFY(QDir().mkpath(dataDir()));
        InventoryStore store;
        QVERIFY(store.open(dataDir() + QStringLiteral("/inventory.db")).ok());
        Machine m;
        m.externalId = m.name = QStringLiteral("web1");
        m.state = MachineState::Running;
        m.privateIps = {QStringLiteral("10.0.0.5")};
        Machine other;
        other.externalId = other.name = QStringLiteral("web2");
        other.privateIps = {QStringLiteral("10.0.0.6")};
        const QString added = addServerMachines(store, QStringLiteral("servers"), {m, other});
        QVERIFY2(added.isEmpty(), qPrintable(added));
    }

    void badInput()
    {
        struct Case { QStringList args; int code; QString text; };
        const QVector<Case> cases = {
            {{"add", "p", "--machine", "web1"}, 2, "--url"},
            {{"add", "p", "--url", "http://x"}, 2, "--machine or --cloud"},
            {{"add", "p", "--url", "http://x", "--machine", "web1", "--cloud", "servers"}, 2, "--machine or --cloud"},
            {{"add", "p", "--url", "http://x", "--machine", "web1", "--step", "fast"}, 2, "--step"},
            {{"add", "p", "--url", "http://x", "--machine", "web1", "--query", "no equals"}, 2, "--query"},
            {{"add", "p", "--url", "http://x", "--machine", "web1", "--token-stdin", "--user", "u"}, 2, "either"},
            {{"add", "p", "--url", "http://x", "--machine", "web1", "--user", "u"}, 2, "--password-stdin"},
            {{"add", "p", "--url", "http://x", "--machine", "nosuch"}, 1, "nosuch"},
            {{"add", "p", "--url", "prom:9090", "--machine", "web1"}, 1, "http://"},
            {{"test", "nosuch"}, 1, "No Prometheus source"},
            {{"remove", "nosuch"}, 1, "No Prometheus source"},
            {{"frobnicate"}, 2, "frobnicate"},
        };
        for (const Case &c : cases) {
            const CliRun r = mist(QStringList{QStringLiteral("monitoring"), QStringLiteral("prometheus")} + c.args);
            QVERIFY2(r.code == c.code && r.err.contains(c.text), r.describe() + " for " + c.args.join(QLatin1Char(' ')).toUtf8());
        }
        QVERIFY(!QFile::exists(PrometheusSources::filePath(dataDir())));
        const CliRun help = mist({QStringLiteral("monitoring"), QStringLiteral("--help")});
        QVERIFY2(help.code == 0 && help.out.contains("monitoring prometheus add"), help.describe());
    }

    void addListTestRemove()
    {
        MIST_REQUIRE_KEYCHAIN();
        const QString token = QStringLiteral("cli-token-%1").arg(QDateTime::currentMSecsSinceEpoch());
        m_prom.requiredAuthorization = "Bearer " + token.toUtf8();
        CliRun r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("add"), QStringLiteral("prom"),
                         QStringLiteral("--url"), m_prom.url(), QStringLiteral("--machine"), QStringLiteral("web1"),
                         QStringLiteral("--token-stdin"), QStringLiteral("--step"), QStringLiteral("15s"), QStringLiteral("--query"),
                         QStringLiteral("app.rps=sum(rate(http_requests_total{$match}[$rate]))")},
                        token.toUtf8() + '\n');
        QVERIFY2(r.code == 0 && r.out.contains("Added the Prometheus source prom for machine web1"), r.describe());
        // The token is in the keychain, not in the data folder.
        QVERIFY(filesContaining(dataDir(), token.toUtf8()).isEmpty());
        auto sources = PrometheusSources::load(PrometheusSources::filePath(dataDir()));
        QVERIFY(sources.ok());
        QCOMPARE(sources->sources().size(), 1);
        const PrometheusSource stored = sources->sources().first();
        QCOMPARE(SecretStore(kService).read(stored.secretOwner(), QStringLiteral("token")).value(), token);

        // The same name again is refused.
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("add"), QStringLiteral("prom"),
                  QStringLiteral("--url"), m_prom.url(), QStringLiteral("--cloud"), QStringLiteral("servers")});
        QVERIFY2(r.code == 1 && r.err.contains(QStringLiteral("exists already")), r.describe());

        // A cloud-wide VictoriaMetrics cluster source without auth.
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("add"), QStringLiteral("vm"),
                  QStringLiteral("--url"), m_prom.url() + QStringLiteral("/select/0/prometheus"), QStringLiteral("--cloud"),
                  QStringLiteral("servers"), QStringLiteral("--step"), QStringLiteral("1m")});
        QVERIFY2(r.code == 0, r.describe());

        const QJsonArray list = jsonList({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("list")});
        QCOMPARE(list.size(), 2);
        const QJsonObject prom = list.at(0).toObject();
        QCOMPARE(prom.value(QStringLiteral("name")).toString(), QStringLiteral("prom"));
        QCOMPARE(prom.value(QStringLiteral("auth")).toString(), QStringLiteral("bearer"));
        QCOMPARE(prom.value(QStringLiteral("for")).toString(), QStringLiteral("machine web1"));
        QCOMPARE(prom.value(QStringLiteral("step_s")).toInt(), 15);
        QCOMPARE(prom.value(QStringLiteral("custom_queries")).toInt(), 1);
        QCOMPARE(list.at(1).toObject().value(QStringLiteral("for")).toString(), QStringLiteral("cloud servers"));

        // test: one query_range per series, the token from the keychain, counts per series.
        m_prom.requests.clear();
        const QJsonArray counts = jsonList({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("test"),
                                            QStringLiteral("prom")});
        QVERIFY(!m_prom.requests.isEmpty());
        for (const auto &req : std::as_const(m_prom.requests))
            QCOMPARE(req.authorization, "Bearer " + token.toUtf8());
        QHash<QString, int> points;
        for (const QJsonValue &v : counts) {
            const QJsonObject o = v.toObject();
            points.insert(o.value(QStringLiteral("series")).toString() + QLatin1Char('/') + o.value(QStringLiteral("label")).toString(),
                          o.value(QStringLiteral("points")).toInt());
        }
        QCOMPARE(points.value(QStringLiteral("cpu.percent/")), 41);   // 10 minutes at 15 s, both ends
        QCOMPARE(points.value(QStringLiteral("net.rx_bytes_per_s/eth1")), 41);
        QCOMPARE(points.value(QStringLiteral("app.rps/")), 41);
        QVERIFY(points.contains(QStringLiteral("disk.used_percent//home")));

        // The cloud's source tests with the first machine of the cloud unless told otherwise.
        m_prom.requiredAuthorization.clear();
        m_prom.requests.clear();
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("test"), QStringLiteral("vm"),
                  QStringLiteral("--since"), QStringLiteral("1h")});
        QVERIFY2(r.code == 0 && r.out.contains("cpu.percent"), r.describe());
        QVERIFY(r.err.contains(QStringLiteral("web1")));
        QCOMPARE(m_prom.requests.first().path, QStringLiteral("/select/0/prometheus/api/v1/query_range"));
        QCOMPARE(m_prom.requests.first().step.toDouble(), 60.0);
        // web2 has no series in this Prometheus: a clear failure naming the matcher.
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("test"), QStringLiteral("vm"),
                  QStringLiteral("--machine"), QStringLiteral("web2")});
        QVERIFY2(r.code == 1 && r.err.contains(QStringLiteral("check the matcher")) && r.err.contains(QStringLiteral("10\\\\.0\\\\.0\\\\.6")),
                 r.describe());

        // A server error is the server's words.
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("add"), QStringLiteral("broken"),
                  QStringLiteral("--url"), m_prom.url() + QStringLiteral("/proxy"), QStringLiteral("--machine"), QStringLiteral("web2")});
        QVERIFY2(r.code == 0, r.describe());
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("test"), QStringLiteral("broken")});
        QVERIFY2(r.code == 1 && r.err.contains(QStringLiteral("answered HTTP 502")), r.describe());

        // remove: gone from the file and from the keychain.
        r = mist({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("remove"), QStringLiteral("prom")});
        QVERIFY2(r.code == 0, r.describe());
        const auto after = SecretStore(kService).read(stored.secretOwner(), QStringLiteral("token"));
        QVERIFY(!after.ok() || after.value().isEmpty());
        QCOMPARE(jsonList({QStringLiteral("monitoring"), QStringLiteral("prometheus"), QStringLiteral("list")}).size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestCliPrometheus)
#include "tst_cli_prometheus.moc"
