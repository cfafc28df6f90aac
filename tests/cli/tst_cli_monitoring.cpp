// `mist monitoring` and `mist metrics`, end to end: the real binary against the loopback sshd
// (a machine whose provider defaults point at it) and a machine whose port is closed.

#include "inventory/inventorystore.h"

#include "clirunner.h"
#include "sshtestserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {

// CSV rows (no quoting needed for what these commands print here) as header -> value maps.
QVector<QHash<QString, QString>> csvRows(const QByteArray &text)
{
    QVector<QHash<QString, QString>> out;
    const QList<QByteArray> lines = text.trimmed().split('\n');
    if (lines.isEmpty())
        return out;
    const QStringList header = QString::fromUtf8(lines.first()).trimmed().split(QLatin1Char(','));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList cells = QString::fromUtf8(lines.at(i)).trimmed().split(QLatin1Char(','));
        QHash<QString, QString> row;
        for (qsizetype c = 0; c < header.size(); ++c)
            row.insert(header.at(c), cells.value(c));
        out.append(row);
    }
    return out;
}

} // namespace

class TestCliMonitoring : public QObject
{
    Q_OBJECT

    SshTestServer m_server;
    QTemporaryDir m_tmp;

    QString dataDir() const { return m_tmp.filePath(QStringLiteral("data")); }

    CliRun mist(const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.remove(QStringLiteral("SSH_AUTH_SOCK"));
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), QStringLiteral("mist-cli-monitoring-test"));
        env.insert(QStringLiteral("HOME"), m_tmp.path());
        return runMist(dataDir(), args, env);
    }

private slots:
    void initTestCase()
    {
        MIST_START_SSHD(m_server);
        QVERIFY(QDir().mkpath(dataDir()));
        InventoryStore store;
        QVERIFY(store.open(dataDir() + QStringLiteral("/inventory.db")).ok());
        const QString added = addBoxAndDeadServers(store, m_server);
        QVERIFY2(added.isEmpty(), qPrintable(added));
    }

    void badInput()
    {
        struct Case { QStringList args; int code; QString text; };
        const QVector<Case> cases = {
            {{"monitoring", "enable"}, 2, "name machines"},
            {{"monitoring", "enable", "box", "--interval", "0"}, 2, "interval"},
            {{"monitoring", "enable", "box", "--interval", "ten"}, 2, "interval"},
            {{"monitoring", "enable", "--tag", "novalue"}, 2, "KEY=VALUE"},
            {{"monitoring", "enable", "nosuch"}, 1, "No machine"},
            {{"monitoring", "frobnicate"}, 2, "frobnicate"},
            {{"monitoring", "disable", "--tag", "role=none"}, 1, "role=none"},
            {{"metrics", "box", "cpu.percent", "--since", "5x"}, 2, "not a duration"},
            {{"metrics", "box", "cpu.percent", "--since", "-1h"}, 2, "not a duration"},
            {{"metrics", "nosuch"}, 1, "No machine"},
            {{"metrics"}, 2, "missing the machine"},
            {{"monitoring", "collect"}, 2, "missing the machine"},
            {{"monitoring", "custom", "add", "Bad Name", "box", "--command", "echo 1"}, 2, "not a metric name"},
            {{"monitoring", "custom", "add", "app.q", "box"}, 2, "no command"},
            {{"monitoring", "custom", "add", "app.q", "--command", "echo 1"}, 2, "name a machine"},
            {{"monitoring", "custom", "add", "app.q", "box", "--tag", "a=b", "--command", "echo 1"}, 2, "not both"},
            {{"monitoring", "custom", "add", "app.q", "box", "--command", "echo 1", "--interval", "0"}, 2, "interval"},
            {{"monitoring", "custom", "remove", "nosuch"}, 1, "No custom metric"},
            {{"monitoring", "custom", "frob"}, 2, "frob"},
        };
        for (const Case &c : cases) {
            const CliRun r = mist(c.args);
            QVERIFY2(r.code == c.code, r.describe().constData());
            QVERIFY2(r.err.contains(c.text), r.describe().constData());
        }
    }

    void enableListDisable()
    {
        CliRun r = mist({"monitoring", "enable", "box", "--interval", "5"});
        QVERIFY2(r.code == 0, r.describe().constData());
        QVERIFY(r.out.contains("Monitoring box every 5 s"));
        r = mist({"tag", "dead", "role=web"});
        QVERIFY2(r.code == 0, r.describe().constData());
        r = mist({"monitoring", "enable", "--tag", "role=web"});
        QVERIFY2(r.code == 0, r.describe().constData());

        r = mist({"monitoring", "list", "-o", "json"});
        QVERIFY2(r.code == 0, r.describe().constData());
        const QJsonArray rules = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.at(0)[QStringLiteral("target")].toString(), QStringLiteral("box"));
        QCOMPARE(rules.at(0)[QStringLiteral("interval_s")].toInt(), 5);
        QCOMPARE(rules.at(1)[QStringLiteral("rule")].toString(), QStringLiteral("tag"));
        QCOMPARE(rules.at(1)[QStringLiteral("machines")].toString(), QStringLiteral("dead"));
        QVERIFY(QFile::exists(dataDir() + QStringLiteral("/monitoring.json")));

        // Disabling a machine a tag rule still matches says so.
        r = mist({"monitoring", "enable", "dead"});
        QVERIFY2(r.code == 0, r.describe().constData());
        r = mist({"monitoring", "disable", "dead"});
        QVERIFY2(r.code == 0 && r.err.contains("still monitored through the tag role=web"), r.describe().constData());
        r = mist({"monitoring", "disable", "--tag", "role=web"});
        QVERIFY2(r.code == 0, r.describe().constData());
        r = mist({"monitoring", "list", "-o", "json"});
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 1);
    }

    void customMetrics()
    {
        CliRun r = mist({"monitoring", "custom", "add", "app.queue", "dead", "--command", "echo 7", "--unit", "items",
                         "--interval", "30"});
        QVERIFY2(r.code == 0 && r.out.contains("app.queue every 30 s"), r.describe().constData());
        QVERIFY2(r.err.contains("No machine it applies to is monitored"), r.describe().constData());
        r = mist({"monitoring", "custom", "add", "app.load", "--tag", "role=db", "--command", "cat /proc/loadavg | cut -d' ' -f1"});
        QVERIFY2(r.code == 0, r.describe().constData());
        r = mist({"monitoring", "custom", "list", "-o", "json"});
        QVERIFY2(r.code == 0, r.describe().constData());
        const QJsonArray list = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(0)[QStringLiteral("target")].toString(), QStringLiteral("dead"));
        QCOMPARE(list.at(0)[QStringLiteral("unit")].toString(), QStringLiteral("items"));
        QCOMPARE(list.at(1)[QStringLiteral("target")].toString(), QStringLiteral("role=db"));
        QCOMPARE(list.at(1)[QStringLiteral("interval_s")].toInt(), 60);
        r = mist({"monitoring", "custom", "remove", "app.queue", "dead"});
        QVERIFY2(r.code == 0, r.describe().constData());
        r = mist({"monitoring", "custom", "remove", "app.load"});
        QVERIFY2(r.code == 0, r.describe().constData());
        r = mist({"monitoring", "custom"});
        QVERIFY2(r.code == 0 && r.out.contains("No custom metrics"), r.describe().constData());
    }

    void collectRefusesUnknownHostKey()
    {
        const CliRun r = mist({"monitoring", "collect", "box"});
        QVERIFY2(r.code == 1, r.describe().constData());
        QVERIFY2(r.err.contains(m_server.hostKeyFingerprint()) && r.err.contains("--accept-new-host-key"), r.describe().constData());
        QVERIFY(r.out.isEmpty());
    }

    void collectAndMetrics()
    {
        // Custom metrics of the machine run with the printed read; one printing text is a warning.
        for (const QStringList &add : {QStringList{"monitoring", "custom", "add", "app.answer", "box", "--command", "echo 42"},
                                       QStringList{"monitoring", "custom", "add", "app.text", "box", "--command", "echo hello"}}) {
            const CliRun added = mist(add);
            QVERIFY2(added.code == 0, added.describe().constData());
        }
        CliRun r = mist({"monitoring", "collect", "box", "--accept-new-host-key", "--store", "-o", "csv"});
        QVERIFY2(r.code == 0, r.describe().constData());
        QVERIFY2(r.out.contains("\napp.answer,,42,"), r.out.constData());
        QVERIFY2(r.err.contains("app.text") && r.err.contains("not a number"), r.describe().constData());
        const auto sample = csvRows(r.out);
        int cpuRows = 0;
        bool memTotal = false;
        for (const auto &row : sample) {
            const double v = row.value(QStringLiteral("value")).toDouble();
            if (row.value(QStringLiteral("metric")) == QLatin1String("cpu.percent")) {
                ++cpuRows;
                QVERIFY2(v >= 0 && v <= 100, qPrintable(row.value(QStringLiteral("value"))));
            }
            if (row.value(QStringLiteral("metric")) == QLatin1String("mem.total_bytes"))
                memTotal = v > 1e6;
        }
        QVERIFY2(cpuRows >= 2, r.out.constData());   // total + at least one core
        QVERIFY(memTotal);

        // Series listing.
        r = mist({"metrics", "box", "-o", "csv"});
        QVERIFY2(r.code == 0, r.describe().constData());
        QVERIFY(r.out.startsWith("metric,label,unit,last,last_time"));
        QVERIFY(r.out.contains("\ncpu.percent,"));
        QVERIFY(r.out.contains("\nload.1,"));

        // Values: two samples stored, the total CPU row from the second only (rates need two).
        r = mist({"metrics", "box", "mem.used_bytes", "--since", "30m", "-o", "csv"});
        QVERIFY2(r.code == 0, r.describe().constData());
        auto rows = csvRows(r.out);
        QCOMPARE(rows.size(), 2);
        for (const auto &row : rows) {
            QVERIFY(row.value(QStringLiteral("value")).toDouble() > 1e6);
            QVERIFY(QDateTime::fromString(row.value(QStringLiteral("time")), Qt::ISODateWithMs).isValid()
                    || QDateTime::fromString(row.value(QStringLiteral("time")), Qt::ISODate).isValid());
        }
        r = mist({"metrics", "box", "cpu.percent", "--label", "", "-o", "json"});
        QVERIFY2(r.code == 0, r.describe().constData());
        const QJsonArray cpu = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(cpu.size(), 1);
        QVERIFY(cpu.at(0)[QStringLiteral("value")].toDouble() >= 0 && cpu.at(0)[QStringLiteral("value")].toDouble() <= 100);

        // A second collect adds to the same series; without --store nothing is added.
        QCOMPARE(mist({"monitoring", "collect", "box", "--store", "-o", "json"}).code, 0);
        QCOMPARE(mist({"monitoring", "collect", "box", "-o", "json"}).code, 0);
        r = mist({"metrics", "box", "mem.used_bytes", "-o", "csv"});
        QCOMPARE(csvRows(r.out).size(), 4);

        r = mist({"metrics", "box", "no.such.metric"});
        QVERIFY2(r.code == 1 && r.err.contains("no metric \"no.such.metric\""), r.describe().constData());
        r = mist({"metrics", "box", "cpu.percent", "--label", "cpu999"});
        QVERIFY2(r.code == 1 && r.err.contains("cpu999"), r.describe().constData());
        r = mist({"metrics", "dead"});
        QVERIFY2(r.code == 1 && r.err.contains("No metrics are stored for dead"), r.describe().constData());
    }

    void collectDeadMachine()
    {
        const CliRun r = mist({"monitoring", "collect", "dead", "--accept-new-host-key"});
        QVERIFY2(r.code == 1, r.describe().constData());
        QVERIFY2(!r.err.trimmed().isEmpty() && !r.err.contains("Unexpected internal error"), r.describe().constData());
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliMonitoring)
#include "tst_cli_monitoring.moc"
