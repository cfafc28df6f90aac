// KubernetesProvider against the fixture API server: listing with pagination into the
// node > pod > container tree, the namespace filter, actions as the API receives them, and
// the errors a user meets (401/403/404/409/429/5xx, server down, garbage answers).
#include "kubeapifixture.h"
#include "providers/kubernetes/kubernetesprovider.h"
#include "providers/kubernetes/kubewatch.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace mist;
using namespace mist::test;

namespace {

const Machine *find(const QVector<Machine> &machines, const QString &externalId)
{
    for (const Machine &m : machines)
        if (m.externalId == externalId)
            return &m;
    return nullptr;
}

QString jwtExpiredAt(qint64 exp)
{
    const QByteArray payload = QJsonDocument(QJsonObject{{QStringLiteral("exp"), exp}, {QStringLiteral("sub"), QStringLiteral("u")}})
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QStringLiteral("eyJhbGciOiJSUzI1NiJ9.%1.c2ln").arg(QString::fromLatin1(payload));
}

} // namespace

class TestKubeProvider : public QObject
{
    Q_OBJECT

    KubeApiFixture *fx = nullptr;
    KubernetesProvider provider;
    QString webPod, dbPod, pendingPod, barePod;

    PollResult poll(const Credentials &c) { return runOffThread([&] { return provider.poll(c); }); }
    Status act(const Machine &m, const QString &action, const QVariantMap &args = {})
    {
        return runOffThread([&] { return provider.runAction(fx->credentials(), m, ActionRequest{action, args}); });
    }
    Machine polled(const QString &externalId)
    {
        const PollResult r = poll(fx->credentials());
        const Machine *m = find(r.machines, externalId);
        return m ? *m : Machine();
    }

private slots:
    void init()
    {
        fx = new KubeApiFixture(this);
        QVERIFY(fx->start());
        fx->setToken("good-token");
        fx->addNode(QStringLiteral("n1"));
        fx->addNode(QStringLiteral("n2"), false);
        fx->addWorkload(QStringLiteral("Deployment"), QStringLiteral("shop"), QStringLiteral("web"), 2);
        fx->addWorkload(QStringLiteral("ReplicaSet"), QStringLiteral("shop"), QStringLiteral("web-6d4cf"), 2,
                        QStringLiteral("Deployment"), QStringLiteral("web"));
        fx->addWorkload(QStringLiteral("StatefulSet"), QStringLiteral("shop"), QStringLiteral("db"), 1);
        KubeObjects::PodSpec web;
        web.ns = QStringLiteral("shop");
        web.name = QStringLiteral("web-6d4cf-x1");
        web.node = QStringLiteral("n1");
        web.containers = {QStringLiteral("app"), QStringLiteral("proxy")};
        web.ownerKind = QStringLiteral("ReplicaSet");
        web.ownerName = QStringLiteral("web-6d4cf");
        web.ip = QStringLiteral("10.1.0.5");
        webPod = fx->addPod(web);
        KubeObjects::PodSpec db{QStringLiteral("shop"), QStringLiteral("db-0"), QStringLiteral("n2"), {QStringLiteral("postgres")},
                                QStringLiteral("StatefulSet"), QStringLiteral("db"), QStringLiteral("Running"), QStringLiteral("10.1.0.6")};
        dbPod = fx->addPod(db);
        KubeObjects::PodSpec pending{QStringLiteral("team-a"), QStringLiteral("waiting"), {}, {QStringLiteral("job")}, {}, {},
                                     QStringLiteral("Pending"), {}};
        pendingPod = fx->addPod(pending);
        KubeObjects::PodSpec bare{QStringLiteral("team-a"), QStringLiteral("bare"), QStringLiteral("n1"), {QStringLiteral("c")}, {}, {},
                                  QStringLiteral("Running"), QStringLiteral("10.1.0.9")};
        barePod = fx->addPod(bare);
    }

    void cleanup()
    {
        delete fx;
        fx = nullptr;
    }

    void info()
    {
        const ProviderInfo i = provider.info();
        QCOMPARE(i.id, QStringLiteral("kubernetes"));
        QCOMPARE(i.category, QStringLiteral("Containers"));
        QStringList ids;
        for (const FormField &f : i.fields)
            ids << f.id;
        QCOMPARE(ids, (QStringList{QStringLiteral("server"), QStringLiteral("token"), QStringLiteral("ca_file"),
                                   QStringLiteral("insecure"), QStringLiteral("namespace")}));
        QVERIFY(i.fields[1].secret);
        QVERIFY(!provider.validate(Credentials{}).ok());
        Credentials bad;
        bad.config.insert(QStringLiteral("server"), QStringLiteral("not a url"));
        QVERIFY(!provider.validate(bad).ok());
        QVERIFY(provider.validate(fx->credentials()).ok());
    }

    void treeShape()
    {
        const PollResult r = poll(fx->credentials());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QVERIFY(r.complete);
        QCOMPARE(r.machines.size(), 2 + 4 + 5);   // nodes, pods, containers

        const Machine *n1 = find(r.machines, QStringLiteral("node/n1"));
        QVERIFY(n1);
        QCOMPARE(n1->kind, MachineKind::Node);
        QCOMPARE(n1->state, MachineState::Running);
        QCOMPARE(n1->privateIps, QStringList{QStringLiteral("192.168.0.1")});
        QCOMPARE(n1->cores, 4);
        QCOMPARE(n1->memoryMb, 16384);
        QCOMPARE(find(r.machines, QStringLiteral("node/n2"))->state, MachineState::Error);   // NotReady

        const Machine *pod = find(r.machines, QStringLiteral("pod/") + webPod);
        QVERIFY(pod);
        QCOMPARE(pod->kind, MachineKind::Pod);
        QCOMPARE(pod->name, QStringLiteral("web-6d4cf-x1"));
        QCOMPARE(pod->parentExternalId, QStringLiteral("node/n1"));
        QCOMPARE(pod->location, QStringLiteral("ns/shop"));
        QCOMPARE(pod->state, MachineState::Running);
        QCOMPARE(pod->privateIps, QStringList{QStringLiteral("10.1.0.5")});
        QCOMPARE(pod->extra.value(QStringLiteral("namespace")).toString(), QStringLiteral("shop"));
        QCOMPARE(pod->extra.value(QStringLiteral("node")).toString(), QStringLiteral("n1"));
        QCOMPARE(pod->extra.value(QStringLiteral("phase")).toString(), QStringLiteral("Running"));
        QCOMPARE(pod->extra.value(QStringLiteral("restarts")).toInt(), 0);
        QCOMPARE(pod->extra.value(QStringLiteral("containers")).toArray().size(), 2);
        QCOMPARE(pod->extra.value(QStringLiteral("owner")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("ReplicaSet"));
        QCOMPARE(pod->providerTags.value(QStringLiteral("app")), QStringLiteral("web-6d4cf"));

        const Machine *proxy = find(r.machines, QStringLiteral("pod/%1/proxy").arg(webPod));
        QVERIFY(proxy);
        QCOMPARE(proxy->kind, MachineKind::Container);
        QCOMPARE(proxy->parentExternalId, QStringLiteral("pod/") + webPod);
        QCOMPARE(proxy->image, QStringLiteral("registry.example/proxy:1.0"));
        QCOMPARE(proxy->state, MachineState::Running);
        QCOMPARE(proxy->extra.value(QStringLiteral("container")).toString(), QStringLiteral("proxy"));
        QCOMPARE(proxy->extra.value(QStringLiteral("pod")).toString(), QStringLiteral("web-6d4cf-x1"));
        QCOMPARE(proxy->extra.value(QStringLiteral("ready")).toBool(), true);
        QCOMPARE(proxy->extra.value(QStringLiteral("requests")).toObject().value(QStringLiteral("cpu")).toString(), QStringLiteral("100m"));
        QCOMPARE(proxy->extra.value(QStringLiteral("limits")).toObject().value(QStringLiteral("memory")).toString(), QStringLiteral("256Mi"));

        const Machine *pending = find(r.machines, QStringLiteral("pod/") + pendingPod);
        QVERIFY(pending->parentExternalId.isEmpty());
        QCOMPARE(pending->state, MachineState::Pending);
        QCOMPARE(find(r.machines, QStringLiteral("pod/%1/job").arg(pendingPod))->state, MachineState::Pending);

        const KubeCursor cursor = KubeCursor::parse(r.watchCursor);
        QCOMPARE(cursor.pods, QString::number(fx->resourceVersion()));
        QCOMPARE(cursor.nodes, QString::number(fx->resourceVersion()));
        QCOMPARE(fx->requests().first().headers.value("authorization"), QByteArray("Bearer good-token"));
    }

    void pagination()
    {
        fx->generate(1200, 3);
        fx->clearRequests();
        const PollResult r = poll(fx->credentials());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        const auto pages = fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/pods"));
        QCOMPARE(pages.size(), 3);   // 1204 pods, 500 a page
        QCOMPARE(pages[0].query.queryItemValue(QStringLiteral("limit")), QStringLiteral("500"));
        QVERIFY(!pages[0].query.hasQueryItem(QStringLiteral("continue")));
        QVERIFY(pages[1].query.hasQueryItem(QStringLiteral("continue")));
        QVERIFY(pages[2].query.hasQueryItem(QStringLiteral("continue")));
        int pods = 0, containers = 0, nodes = 0;
        QSet<QString> ids;
        for (const Machine &m : r.machines) {
            ids.insert(m.externalId);
            pods += m.kind == MachineKind::Pod;
            containers += m.kind == MachineKind::Container;
            nodes += m.kind == MachineKind::Node;
        }
        QCOMPARE(pods, 1204);
        QCOMPARE(containers, 2400 + 5);
        QCOMPARE(nodes, 5);
        QCOMPARE(ids.size(), r.machines.size());   // no page read twice
    }

    void twentyThousandPods()
    {
        fx->generate(20000, 200);
        QElapsedTimer t;
        t.start();
        const qint64 busyBefore = fx->busyMs();
        const PollResult r = poll(fx->credentials());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(r.machines.size(), 202 + 20004 + 40005);
        qInfo() << "listed 20,000 pods (60,211 records) in" << t.elapsed() << "ms, of which the fixture server"
                << fx->busyMs() - busyBefore << "ms";
    }

    void continueTokenExpiredRelists()
    {
        fx->generate(600, 1);
        // The second page's snapshot is gone: the client lists again from the start once.
        fx->answerNext(410, QJsonDocument(KubeObjects::status(410, QStringLiteral("Expired"), QStringLiteral("continue too old")))
                                .toJson(QJsonDocument::Compact),
                       QStringLiteral("continue="));
        fx->clearRequests();
        const PollResult r = poll(fx->credentials());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/pods")).size(), 4);   // 1, 2 (410), 1, 2
        int pods = 0;
        for (const Machine &m : r.machines)
            pods += m.kind == MachineKind::Pod;
        QCOMPARE(pods, 604);
    }

    void namespaceFilter()
    {
        Credentials c = fx->credentials();
        c.config.insert(QStringLiteral("namespace"), QStringLiteral("team-a"));
        fx->clearRequests();
        PollResult r = poll(c);
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/namespaces/team-a/pods")).size(), 1);
        QVERIFY(find(r.machines, QStringLiteral("pod/") + barePod));
        QVERIFY(!find(r.machines, QStringLiteral("pod/") + webPod));

        // A namespace-limited user that may not list nodes still sees its pods.
        fx->forbid(QStringLiteral("list"), QStringLiteral("nodes"));
        r = poll(c);
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QVERIFY(!r.error.message.isEmpty());   // the warning says why nodes are missing
        const Machine *bare = find(r.machines, QStringLiteral("pod/") + barePod);
        QVERIFY(bare && bare->parentExternalId.isEmpty());
        QVERIFY(KubeCursor::parse(r.watchCursor).nodesSkipped);
        // Without a namespace filter the same refusal is an error.
        r = poll(fx->credentials());
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("may not list nodes")), qPrintable(r.error.message));
    }

    void allowedActions()
    {
        const PollResult r = poll(fx->credentials());
        QCOMPARE(provider.allowedActions(*find(r.machines, QStringLiteral("node/n1"))), QStringList{Action::Cordon});
        QCOMPARE(provider.allowedActions(*find(r.machines, QStringLiteral("pod/") + webPod)),
                 (QStringList{Action::Destroy, Action::Scale, Action::RolloutRestart}));
        QCOMPARE(provider.allowedActions(*find(r.machines, QStringLiteral("pod/") + barePod)), QStringList{Action::Destroy});
        QVERIFY(provider.allowedActions(*find(r.machines, QStringLiteral("pod/%1/app").arg(webPod))).isEmpty());
    }

    void deletePod()
    {
        const Machine pod = polled(QStringLiteral("pod/") + webPod);
        fx->clearRequests();
        QVERIFY(act(pod, Action::Destroy).ok());
        const auto dels = fx->requestsTo(QStringLiteral("DELETE"), QStringLiteral("/pods/"));
        QCOMPARE(dels.size(), 1);
        QCOMPARE(dels[0].path, QStringLiteral("/api/v1/namespaces/shop/pods/web-6d4cf-x1"));
        QVERIFY(fx->pod(webPod).isEmpty());
        // The pod vanished meanwhile: 404 reads as such.
        const Status again = act(pod, Action::Destroy);
        QVERIFY(!again.ok());
        QVERIFY2(again.error().message.contains(QLatin1String("does not exist")), qPrintable(again.error().message));
        QVERIFY(again.error().message.contains(QLatin1String("web-6d4cf-x1")));
    }

    void cordonUncordon()
    {
        Machine node = polled(QStringLiteral("node/n1"));
        fx->clearRequests();
        QVERIFY(act(node, Action::Cordon).ok());
        const auto patches = fx->requestsTo(QStringLiteral("PATCH"), QStringLiteral("/api/v1/nodes/n1"));
        QCOMPARE(patches.size(), 1);
        QCOMPARE(patches[0].headers.value("content-type"), QByteArray("application/strategic-merge-patch+json"));
        QCOMPARE(QJsonDocument::fromJson(patches[0].body).object(),
                 (QJsonObject{{QStringLiteral("spec"), QJsonObject{{QStringLiteral("unschedulable"), true}}}}));
        QVERIFY(fx->node(QStringLiteral("n1")).value(QStringLiteral("spec")).toObject().value(QStringLiteral("unschedulable")).toBool());
        node = polled(QStringLiteral("node/n1"));
        QVERIFY(node.extra.value(QStringLiteral("unschedulable")).toBool());
        QCOMPARE(provider.allowedActions(node), QStringList{Action::Uncordon});
        QVERIFY(!act(node, Action::Cordon).ok());   // not allowed now
        QVERIFY(act(node, Action::Uncordon).ok());
        QVERIFY(!fx->node(QStringLiteral("n1")).value(QStringLiteral("spec")).toObject().value(QStringLiteral("unschedulable")).toBool());
    }

    void scaleDeploymentThroughReplicaSet()
    {
        const Machine pod = polled(QStringLiteral("pod/") + webPod);
        fx->clearRequests();
        QVERIFY(act(pod, Action::Scale, {{QStringLiteral("replicas"), 5}}).ok());
        QCOMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/replicasets/web-6d4cf")).size(), 1);
        const auto patches = fx->requestsTo(QStringLiteral("PATCH"), QStringLiteral("/scale"));
        QCOMPARE(patches.size(), 1);
        QCOMPARE(patches[0].path, QStringLiteral("/apis/apps/v1/namespaces/shop/deployments/web/scale"));
        QCOMPARE(patches[0].headers.value("content-type"), QByteArray("application/merge-patch+json"));
        QCOMPARE(fx->workload(QStringLiteral("Deployment"), QStringLiteral("shop"), QStringLiteral("web"))
                     .value(QStringLiteral("spec")).toObject().value(QStringLiteral("replicas")).toInt(), 5);

        const Status bad = act(pod, Action::Scale, {{QStringLiteral("replicas"), QStringLiteral("many")}});
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.contains(QLatin1String("replicas")));
    }

    void scaleStatefulSet()
    {
        const Machine pod = polled(QStringLiteral("pod/") + dbPod);
        QVERIFY(act(pod, Action::Scale, {{QStringLiteral("replicas"), 3}}).ok());
        QCOMPARE(fx->workload(QStringLiteral("StatefulSet"), QStringLiteral("shop"), QStringLiteral("db"))
                     .value(QStringLiteral("spec")).toObject().value(QStringLiteral("replicas")).toInt(), 3);
    }

    void rolloutRestart()
    {
        const Machine pod = polled(QStringLiteral("pod/") + webPod);
        fx->clearRequests();
        QVERIFY(act(pod, Action::RolloutRestart).ok());
        const auto patches = fx->requestsTo(QStringLiteral("PATCH"), QStringLiteral("/deployments/web"));
        QCOMPARE(patches.size(), 1);
        QCOMPARE(patches[0].headers.value("content-type"), QByteArray("application/strategic-merge-patch+json"));
        const QString restartedAt = fx->workload(QStringLiteral("Deployment"), QStringLiteral("shop"), QStringLiteral("web"))
                                        .value(QStringLiteral("spec")).toObject().value(QStringLiteral("template")).toObject()
                                        .value(QStringLiteral("metadata")).toObject().value(QStringLiteral("annotations")).toObject()
                                        .value(QStringLiteral("kubectl.kubernetes.io/restartedAt")).toString();
        QVERIFY(QDateTime::fromString(restartedAt, Qt::ISODate).isValid());
    }

    void conflict()
    {
        const Machine node = polled(QStringLiteral("node/n1"));
        fx->failNext(409, 1, {}, QStringLiteral("/nodes/n1"));
        const Status s = act(node, Action::Cordon);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(QLatin1String("409")), qPrintable(s.error().message));
        QVERIFY(s.error().detail.contains(QLatin1String("object has been modified")));
    }

    void unauthorized()
    {
        Credentials c = fx->credentials();
        c.secrets.insert(QStringLiteral("token"), QStringLiteral("wrong-token"));
        const PollResult r = poll(c);
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("401")) && r.error.message.contains(QLatin1String("token")),
                 qPrintable(r.error.message));
        QVERIFY(!r.error.toString().contains(QLatin1String("wrong-token")));   // never the secret

        c.secrets.insert(QStringLiteral("token"), jwtExpiredAt(QDateTime::currentSecsSinceEpoch() - 3600));
        const PollResult expired = poll(c);
        QVERIFY(!expired.success);
        QVERIFY2(expired.error.message.contains(QLatin1String("expired")), qPrintable(expired.error.message));
    }

    void forbidden()
    {
        fx->forbid(QStringLiteral("list"), QStringLiteral("pods"));
        Credentials c = fx->credentials();
        c.config.insert(QStringLiteral("user"), QStringLiteral("ci-bot"));
        const PollResult r = poll(c);
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("token of user ci-bot may not list pods in all namespaces")),
                 qPrintable(r.error.message));
        QVERIFY(r.error.detail.contains(QLatin1String("403")));
    }

    void throttledThenServed()
    {
        fx->failNext(429, 1, "1", QStringLiteral("/api/v1/nodes"));
        fx->clearRequests();
        QElapsedTimer t;
        t.start();
        const PollResult r = poll(fx->credentials());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QVERIFY(t.elapsed() >= 950);   // Retry-After honoured
        QCOMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/nodes")).size(), 2);

        fx->failNext(429, 1, "3600", QStringLiteral("/api/v1/nodes"));
        const PollResult tooLong = poll(fx->credentials());
        QVERIFY(!tooLong.success);
        QVERIFY2(tooLong.error.message.contains(QLatin1String("429")), qPrintable(tooLong.error.message));
    }

    void serverErrorsRetried()
    {
        fx->failNext(503, 2, {}, QStringLiteral("/api/v1/pods"));
        fx->clearRequests();
        PollResult r = poll(fx->credentials());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(fx->requestsTo(QStringLiteral("GET"), QStringLiteral("/api/v1/pods")).size(), 3);

        fx->failNext(500, 10, {}, QStringLiteral("/api/v1/pods"));
        r = poll(fx->credentials());
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("internal error")), qPrintable(r.error.message));
    }

    void garbageAnswers()
    {
        fx->answerNext(200, "{\"kind\":\"PodList\",\"items\":[{\"metadata\":", QStringLiteral("/api/v1/pods"));
        PollResult r = poll(fx->credentials());
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("not JSON")), qPrintable(r.error.message));
        fx->answerNext(200, "<html>proxy error</html>", QStringLiteral("/api/v1/nodes"));
        r = poll(fx->credentials());
        QVERIFY(!r.success);
        // Items of the wrong shape are tolerated, not a crash.
        fx->answerNext(200, R"({"kind":"NodeList","metadata":{},"items":[1,"x",{"metadata":{"name":7}}]})", QStringLiteral("/api/v1/nodes"));
        r = poll(fx->credentials());
        QVERIFY(r.success);
    }

    void serverDown()
    {
        const Machine node = polled(QStringLiteral("node/n1"));
        fx->stop();
        const PollResult r = poll(fx->credentials());
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("not reachable")) && r.error.message.contains(QLatin1String("127.0.0.1")),
                 qPrintable(r.error.message));
        QVERIFY(!act(node, Action::Cordon).ok());
    }
};

QTEST_GUILESS_MAIN(TestKubeProvider)
#include "tst_kubeprovider.moc"
