// `mist` against containers and Kubernetes, as a user runs it: kube import/contexts, poll,
// machines, exec (exit status passed through), logs and container actions — the CLI process
// talking to fixture servers (Kubernetes API + streams behind one port, a Docker engine on a
// unix socket) that answer as the vendors document.

#include "clirunner.h"
#include "dockerfixture.h"
#include "kubeapifixture.h"
#include "kubewsfixture.h"
#include "pathrouter.h"
#include "testsupport.h"

#include "inventory/inventorystore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace mist;
using namespace mist::test;

class TestCliContainers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.remove(QStringLiteral("MIST_DATA_DIR"));
        e.remove(QStringLiteral("KUBECONFIG"));
        e.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), QStringLiteral("mist-cli-containers-test"));
        e.insert(QStringLiteral("HOME"), m_tmp.path());
        return e;
    }
    CliRun mist(const QString &dataDir, const QStringList &args) { return runMist(dataDir, args, env()); }

    static QJsonArray machines(const CliRun &r) { return QJsonDocument::fromJson(r.out).array(); }
    static QJsonObject byName(const QJsonArray &rows, const QString &name)
    {
        for (const QJsonValue &v : rows)
            if (v.toObject().value(QStringLiteral("name")).toString() == name)
                return v.toObject();
        return {};
    }

private slots:
    void initTestCase() { MIST_REQUIRE_KEYCHAIN(); }

    void kubernetes()
    {
        KubeApiFixture api;
        api.setToken(KubeWsFixture::token());
        QVERIFY(api.start());
        api.addNode(QStringLiteral("node-a"));
        KubeObjects::PodSpec spec;
        spec.ns = QStringLiteral("shop");
        spec.name = QStringLiteral("cart-5c8d");
        spec.node = QStringLiteral("node-a");
        spec.containers = {QStringLiteral("cart"), QStringLiteral("proxy")};
        spec.ownerKind = QStringLiteral("ReplicaSet");
        spec.ownerName = QStringLiteral("cart-rs");
        api.addPod(spec);
        KubeObjects::PodSpec sibling = spec;   // the same ReplicaSet
        sibling.name = QStringLiteral("cart-9f1a");
        sibling.containers = {QStringLiteral("worker")};
        api.addPod(sibling);
        KubeObjects::PodSpec stranger = spec;   // another owner: not in the workload's logs
        stranger.name = QStringLiteral("audit-1");
        stranger.ownerName = QStringLiteral("audit-rs");
        stranger.containers = {QStringLiteral("auditor")};
        api.addPod(stranger);
        KubeWsFixture streams;
        QVERIFY(streams.listen());
        streams.addPod(spec.ns, spec.name, spec.containers);
        streams.setLogs(spec.ns, spec.name, QStringLiteral("cart"),
                        {QStringLiteral("cart up"), QStringLiteral("order 17 paid")});
        streams.addPod(sibling.ns, sibling.name, sibling.containers);
        streams.setLogs(sibling.ns, sibling.name, QStringLiteral("worker"), {QStringLiteral("job 5 done")});
        streams.addPod(stranger.ns, stranger.name, stranger.containers);
        streams.setLogs(stranger.ns, stranger.name, QStringLiteral("auditor"), {QStringLiteral("audit line")});
        PathRouter router(quint16(api.url().port()), quint16(streams.url().port()),
                          QRegularExpression(QStringLiteral("/(exec|attach|portforward|log)(\\?|$)")));
        QVERIFY(router.listen());

        const QString config = m_tmp.filePath(QStringLiteral("kubeconfig"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("apiVersion: v1\nkind: Config\ncurrent-context: shop\n"
                               "clusters:\n- name: c\n  cluster:\n    server: %1\n"
                               "users:\n- name: u\n  user:\n    token: %2\n"
                               "contexts:\n- name: shop\n  context: {cluster: c, user: u}\n"
                               "- name: other\n  context: {cluster: c, user: u, namespace: x}\n")
                    .arg(router.url(), QString::fromLatin1(KubeWsFixture::token()))
                    .toUtf8());
        f.close();
        const QString data = m_tmp.filePath(QStringLiteral("kube-data"));

        CliRun r = mist(data, {QStringLiteral("kube"), QStringLiteral("contexts"), config, QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, r.describe());
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 2);

        r = mist(data, {QStringLiteral("kube"), QStringLiteral("import"), config, QStringLiteral("--context"), QStringLiteral("shop")});
        QVERIFY2(r.code == 0, r.describe());
        r = mist(data, {QStringLiteral("kube"), QStringLiteral("import"), config, QStringLiteral("--context"), QStringLiteral("shop")});
        QVERIFY2(r.code != 0 && r.err.contains(QLatin1String("shop")), r.describe());   // already there
        r = mist(data, {QStringLiteral("kube"), QStringLiteral("import"), config, QStringLiteral("--context"), QStringLiteral("nope")});
        QVERIFY2(r.code != 0 && r.err.contains(QLatin1String("no context \"nope\"")), r.describe());

        // The token is in the keychain, not in the database.
        QFile db(data + QStringLiteral("/inventory.db"));
        QVERIFY(db.open(QIODevice::ReadOnly));
        QVERIFY(!db.readAll().contains(KubeWsFixture::token()));

        r = mist(data, {QStringLiteral("poll"), QStringLiteral("shop")});
        QVERIFY2(r.code == 0, r.describe());
        r = mist(data, {QStringLiteral("machines"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, r.describe());
        QCOMPARE(byName(machines(r), QStringLiteral("cart-5c8d")).value(QStringLiteral("kind")).toString(), QStringLiteral("pod"));
        QCOMPARE(byName(machines(r), QStringLiteral("proxy")).value(QStringLiteral("kind")).toString(), QStringLiteral("container"));

        // exec: output and exit status passed through, container chosen with -c.
        r = mist(data, {QStringLiteral("exec"), QStringLiteral("cart-5c8d"), QStringLiteral("-c"), QStringLiteral("proxy"),
                        QStringLiteral("--"), QStringLiteral("echo"), QStringLiteral("hi-from-pod")});
        QVERIFY2(r.code == 0 && r.out == "hi-from-pod\n", r.describe());
        bool proxyAsked = false;
        for (const auto &req : streams.requests())
            proxyAsked |= req.values(QStringLiteral("container")) == QLatin1String("proxy");
        QVERIFY(proxyAsked);
        r = mist(data, {QStringLiteral("exec"), QStringLiteral("cart"), QStringLiteral("--"), QStringLiteral("exit"), QStringLiteral("3")});
        QVERIFY2(r.code == 3, r.describe());

        r = mist(data, {QStringLiteral("logs"), QStringLiteral("cart"), QStringLiteral("--tail"), QStringLiteral("1")});
        QVERIFY2(r.code == 0 && r.out == "order 17 paid\n", r.describe());
        // Every pod of the pod's ReplicaSet, merged with a prefix; other owners' pods left out.
        r = mist(data, {QStringLiteral("logs"), QStringLiteral("cart-5c8d"), QStringLiteral("--workload")});
        QVERIFY2(r.code == 0 && r.out.contains("[cart-5c8d/cart] order 17 paid\n")
                     && r.out.contains("[cart-9f1a/worker] job 5 done\n") && !r.out.contains("audit"),
                 r.describe());

        // Node actions reach the API server.
        r = mist(data, {QStringLiteral("cordon"), QStringLiteral("node-a")});
        QVERIFY2(r.code == 0, r.describe());
        QVERIFY(api.node(QStringLiteral("node-a")).value(QStringLiteral("spec")).toObject().value(QStringLiteral("unschedulable")).toBool());
        r = mist(data, {QStringLiteral("scale"), QStringLiteral("cart-5c8d")});
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("--replicas")), r.describe());

        InventoryStore store;
        QVERIFY(store.open(data + QStringLiteral("/inventory.db")));
        AuditQuery q;
        q.text = QStringLiteral("container.exec");
        QVERIFY(!store.audit(q).value().isEmpty());
    }

    void kubeconfigErrors()
    {
        const QString bad = m_tmp.filePath(QStringLiteral("bad.yaml"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("clusters: [\n  - name: x\n");
        f.close();
        const CliRun r = mist(m_tmp.filePath(QStringLiteral("bad-data")), {QStringLiteral("kube"), QStringLiteral("import"), bad});
        QVERIFY2(r.code != 0 && r.err.contains(QLatin1String("line")), r.describe());
    }

    void docker()
    {
        DockerFixture engine;
        QVERIFY2(engine.start(), qPrintable(engine.errorString()));
        for (const auto &c : DockerFixture::sampleContainers())
            engine.addContainer(c);
        const QString data = m_tmp.filePath(QStringLiteral("docker-data"));
        CliRun r = mist(data, {QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("docker"), QStringLiteral("engine"),
                               QStringLiteral("--set"), QStringLiteral("uri=") + engine.uri()});
        QVERIFY2(r.code == 0, r.describe());
        r = mist(data, {QStringLiteral("poll"), QStringLiteral("engine")});
        QVERIFY2(r.code == 0, r.describe());

        r = mist(data, {QStringLiteral("exec"), QStringLiteral("web"), QStringLiteral("--"), QStringLiteral("echo"), QStringLiteral("hello")});
        QVERIFY2(r.code == 0 && r.out == "hello\n", r.describe());
        r = mist(data, {QStringLiteral("exec"), QStringLiteral("web"), QStringLiteral("--"), QStringLiteral("fail")});
        QVERIFY2(r.code == 3, r.describe());

        r = mist(data, {QStringLiteral("logs"), QStringLiteral("web")});
        QVERIFY2(r.code == 0 && r.out.contains("GET /page/5 200") && r.out.contains("warning: slow upstream"), r.describe());

        r = mist(data, {QStringLiteral("restart"), QStringLiteral("web")});
        QVERIFY2(r.code == 0, r.describe());
        bool restarted = false;
        for (const auto &req : engine.requests())
            restarted |= req.method == "POST" && req.path.endsWith(QLatin1String("/restart"));
        QVERIFY(restarted);
        r = mist(data, {QStringLiteral("machines"), QStringLiteral("-o"), QStringLiteral("json")});
        QString host;
        for (const QJsonValue &m : machines(r))
            if (m.toObject().value(QStringLiteral("kind")).toString() == QLatin1String("container-host"))
                host = m.toObject().value(QStringLiteral("name")).toString();
        QVERIFY2(!host.isEmpty(), r.describe());
        r = mist(data, {QStringLiteral("logs"), host});   // the engine's host has no logs of its own
        QVERIFY2(r.code != 0 && r.err.contains(QLatin1String("no logs")), r.describe());
        QVERIFY2(engine.violations().isEmpty(), qPrintable(engine.violations().join(QLatin1Char('\n'))));

        // A TLS engine: the client key file's contents go to the keychain, never to disk.
        const QString key = m_tmp.filePath(QStringLiteral("client-key.pem"));
        QFile keyFile(key);
        QVERIFY(keyFile.open(QIODevice::WriteOnly));
        keyFile.write("-----BEGIN PRIVATE KEY-----\nMIIunmistakablyPrivateKeyBytes\n-----END PRIVATE KEY-----\n");
        keyFile.close();
        const QString cert = QStringLiteral(MIST_TEST_DATA_DIR "/docker/cert.pem");
        r = mist(data, {QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("docker"), QStringLiteral("tls-engine"),
                        QStringLiteral("--set"), QStringLiteral("uri=tcp://127.0.0.1:2376"), QStringLiteral("--set"),
                        QStringLiteral("tls_ca=") + cert, QStringLiteral("--set"), QStringLiteral("tls_cert=") + cert,
                        QStringLiteral("--set"), QStringLiteral("tls_key=") + key});
        QVERIFY2(r.code == 0, r.describe());
        r = mist(data, {QStringLiteral("clouds"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.out.contains("\"secret_fields\": [\"tls_key\"]"), r.describe());
        for (const QString &name : QDir(data).entryList(QDir::Files)) {
            QFile f(data + QLatin1Char('/') + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains("unmistakablyPrivateKeyBytes"), qPrintable(name));
        }
        r = mist(data, {QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("docker"), QStringLiteral("tls-missing"),
                        QStringLiteral("--set"), QStringLiteral("uri=tcp://127.0.0.1:2376"), QStringLiteral("--set"),
                        QStringLiteral("tls_key=") + m_tmp.filePath(QStringLiteral("nope.pem"))});
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("Cannot read")), r.describe());
        QFile huge(m_tmp.filePath(QStringLiteral("huge.pem")));   // never truncated into a broken key
        QVERIFY(huge.open(QIODevice::WriteOnly));
        huge.write(QByteArray(2 << 20, 'k'));
        huge.close();
        r = mist(data, {QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("docker"), QStringLiteral("tls-huge"),
                        QStringLiteral("--set"), QStringLiteral("uri=tcp://127.0.0.1:2376"), QStringLiteral("--set"),
                        QStringLiteral("tls_key=") + huge.fileName()});
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("too large")), r.describe());
    }
};

QTEST_MAIN(TestCliContainers)
#include "tst_cli_containers.moc"
