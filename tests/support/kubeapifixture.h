#pragma once

#include "kubefixtureobjects.h"
#include "providers/provider.h"
#include "kubefixturehttp.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTest>
#include <QTimer>
#include <QUrl>
#include <QVector>

#include <atomic>
#include <deque>
#include <map>
#include <optional>
#include <thread>

namespace mist::test {

// A Kubernetes API server for tests and benchmarks, answering as the API reference documents:
// discovery (/version, /api, /apis), node/pod lists with limit/continue and resourceVersion,
// watch streams (chunked; ADDED/MODIFIED/DELETED/BOOKMARK, ERROR 410 for a compacted
// version), PATCH/DELETE for pod and node actions, apps/v1 workloads with /scale, errors as
// Status objects, bearer token check. Lives on the thread that creates it (serve it with an
// event loop; call blocking clients from another thread, e.g. with runOffThread()).
class KubeApiFixture : public QObject
{
    Q_OBJECT
public:
    explicit KubeApiFixture(QObject *parent = nullptr);
    ~KubeApiFixture() override;

    bool start();                                                      // plain HTTP
    bool startTls(const QSslCertificate &cert, const QSslKey &key, const QList<QSslCertificate> &clientCa = {});
    void stop();                                                       // "the API server is down"
    QUrl url() const;
    // A "kubernetes" cloud's credentials for this server (server + the token set here).
    mist::Credentials credentials() const;

    // Auth: an empty token accepts everyone; otherwise "Bearer <token>" or a client
    // certificate (TLS with clientCa) is required, else 401.
    void setToken(const QByteArray &token) { m_token = token; }
    // RBAC-like refusal: 403 for this verb ("list", "watch", "get", "patch", "delete") on this resource ("nodes", "pods"…).
    void forbid(const QString &verb, const QString &resource) { m_forbidden << verb + QLatin1Char(' ') + resource; }
    // The next `count` requests whose path?query contains `pathContains` fail with `status` (a Status body).
    void failNext(int status, int count = 1, const QByteArray &retryAfter = {}, const QString &pathContains = {});
    // The next request whose path contains `pathContains` gets this raw body (garbage, truncated JSON…).
    void answerNext(int status, const QByteArray &body, const QString &pathContains = {});

    // Objects. Every change bumps the resourceVersion and reaches open watches.
    void addNode(const QString &name, bool ready = true);
    QString addPod(const KubeObjects::PodSpec &spec);                 // returns the uid
    void addWorkload(const QString &kind, const QString &ns, const QString &name, int replicas,
                     const QString &ownerKind = {}, const QString &ownerName = {});
    void modifyPod(const QString &uid, const QJsonObject &mergePatch);
    void bumpRestarts(const QString &uid);                             // a MODIFIED with restartCount + 1
    void deletePod(const QString &uid);
    void deleteNode(const QString &name);
    // N pods (2 containers each) over M nodes in 10 namespaces, owned by ReplicaSets of Deployments.
    void generate(int pods, int nodes);
    // K MODIFIED pod events per second into open watches (0 stops).
    void setChurn(int eventsPerSecond);

    void sendBookmark();                  // BOOKMARK to watches that asked for them
    void compact();                       // forget history: older versions now answer 410 Gone
    void setWatchGoneAsHttpStatus(bool on) { m_goneAsHttp = on; }   // 410 as HTTP status instead of an ERROR event
    void breakWatches();                  // drop watch connections mid-stream
    void endWatches();                    // end watch streams cleanly (as timeoutSeconds does)
    void sendToWatches(const QByteArray &raw);   // junk for bad-input tests

    // metrics.k8s.io/v1beta1 (metrics-server): off by default, as on a cluster without it (404,
    // no group in /apis). PodMetrics/NodeMetrics as the API documents; every set moves the
    // figures' timestamp 15 s on. A pod or node without figures answers 404 NotFound.
    struct ContainerUsage
    {
        QString container;
        QString cpu;      // quantity: "250m", "12345678n"
        QString memory;   // quantity: "64Mi", "123456Ki"
    };
    void setMetricsServer(bool on) { m_metricsServer = on; }
    void setPodMetrics(const QString &ns, const QString &pod, const QVector<ContainerUsage> &containers);
    void setNodeMetrics(const QString &node, const QString &cpu, const QString &memory);

    QJsonObject pod(const QString &uid) const;
    QJsonObject node(const QString &name) const;
    QJsonObject workload(const QString &kind, const QString &ns, const QString &name) const;
    QStringList podUids() const;
    qint64 resourceVersion() const { return m_rv; }
    int openWatches() const { return int(m_watches.size()); }
    qint64 eventsSent() const { return m_eventsSent; }
    // Time the fixture spent answering requests (benchmarks subtract it from client time).
    qint64 busyMs() const { return m_busyNs / 1000000; }

    const QVector<KubeHttpRequest> &requests() const { return m_requests; }
    void clearRequests() { m_requests.clear(); }
    QVector<KubeHttpRequest> requestsTo(const QString &method, const QString &pathContains) const;

private:
    struct Watch
    {
        QPointer<KubeHttpConnection> connection;
        QString resource;    // "pods" / "nodes"
        QString ns;          // empty: all
        bool bookmarks = false;
    };
    struct Event
    {
        qint64 rv;
        QString resource;
        QString ns;
        QByteArray line;     // the serialized event, newline-terminated
    };
    struct Failure
    {
        int status;
        int count;
        QByteArray retryAfter;
        QString pathContains;
        QByteArray rawBody;   // set: sent as is instead of a Status
    };

    void handle(const KubeHttpRequest &req, KubeHttpConnection &conn);
    bool route(const KubeHttpRequest &req, KubeHttpConnection &conn);
    void list(const KubeHttpRequest &req, KubeHttpConnection &conn, const QString &resource, const QString &ns);
    void watch(const KubeHttpRequest &req, KubeHttpConnection &conn, const QString &resource, const QString &ns);
    void patchObject(const KubeHttpRequest &req, KubeHttpConnection &conn, QJsonObject &object, const QString &resource);
    void sendStatus(KubeHttpConnection &conn, int code, const QString &reason, const QString &message,
                    const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void emitEvent(const QString &type, const QString &resource, const QJsonObject &object);
    QJsonObject stamped(QJsonObject object);
    void churnTick();

    KubeFixtureHttp m_http;
    QByteArray m_token;
    QStringList m_forbidden;
    QVector<Failure> m_failures;
    qint64 m_rv = 1000;
    qint64 m_oldestRv = 1000;             // watches from before this get 410 Gone
    std::map<QString, QJsonObject> m_nodes;   // by name
    std::map<QString, QJsonObject> m_pods;    // by "namespace/name": the list order
    // Serialized objects by resource + key, valid while the object's resourceVersion is the
    // one recorded: lists of 20,000 pods are concatenated, not re-encoded (the benchmark
    // measures the app, and the fixture shares its two cores).
    QHash<QString, std::pair<QString, QByteArray>> m_encoded;
    const QByteArray &encoded(const QString &resource, const QString &key, const QJsonObject &object);
    QHash<QString, QString> m_podKeyByUid;
    std::map<QString, QJsonObject> m_workloads;   // "kind/namespace/name"
    std::deque<Event> m_history;
    std::vector<Watch> m_watches;
    QVector<KubeHttpRequest> m_requests;
    bool m_goneAsHttp = false;
    qint64 m_uidCounter = 0;
    qint64 m_eventsSent = 0;
    qint64 m_busyNs = 0;
    bool routeMetrics(const KubeHttpRequest &req, KubeHttpConnection &conn);
    bool m_metricsServer = false;
    qint64 m_metricsTick = 0;
    std::map<QString, QJsonObject> m_podMetrics;    // "namespace/name"
    std::map<QString, QJsonObject> m_nodeMetrics;   // by name
    QTimer m_churn;
    int m_churnPerTick = 0;
    size_t m_churnCursor = 0;
    QStringList m_churnUids;
};

// Runs a blocking call on another thread while this thread's event loop serves the fixture.
template <typename F>
auto runOffThread(F f) -> decltype(f())
{
    std::optional<decltype(f())> result;
    std::atomic<bool> done{false};
    std::thread worker([&] {
        result.emplace(f());
        done = true;
    });
    while (!done)
        QTest::qWait(5);
    worker.join();
    return std::move(*result);
}

} // namespace mist::test
