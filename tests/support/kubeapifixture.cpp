#include "kubeapifixture.h"

#include <QDateTime>

#include <QJsonArray>
#include <QJsonDocument>

namespace mist::test {

namespace {

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString keyOf(const QJsonObject &o)
{
    const QJsonObject m = o.value(QStringLiteral("metadata")).toObject();
    return m.value(QStringLiteral("namespace")).toString() + QLatin1Char('/') + m.value(QStringLiteral("name")).toString();
}

QString kindOf(const QString &resource)
{
    return resource == QLatin1String("nodes") ? QStringLiteral("Node") : QStringLiteral("Pod");
}

QJsonObject withRv(QJsonObject o, qint64 rv)
{
    QJsonObject meta = o.value(QStringLiteral("metadata")).toObject();
    meta.insert(QStringLiteral("resourceVersion"), QString::number(rv));
    o.insert(QStringLiteral("metadata"), meta);
    return o;
}

QString workloadKind(const QString &resource)
{
    if (resource == QLatin1String("deployments")) return QStringLiteral("Deployment");
    if (resource == QLatin1String("replicasets")) return QStringLiteral("ReplicaSet");
    if (resource == QLatin1String("statefulsets")) return QStringLiteral("StatefulSet");
    if (resource == QLatin1String("daemonsets")) return QStringLiteral("DaemonSet");
    return {};
}

} // namespace

KubeApiFixture::KubeApiFixture(QObject *parent)
    : QObject(parent), m_http([this](const KubeHttpRequest &r, KubeHttpConnection &c) { handle(r, c); })
{
    connect(&m_churn, &QTimer::timeout, this, &KubeApiFixture::churnTick);
}

KubeApiFixture::~KubeApiFixture() = default;

bool KubeApiFixture::start()
{
    return m_http.listen();
}

bool KubeApiFixture::startTls(const QSslCertificate &cert, const QSslKey &key, const QList<QSslCertificate> &clientCa)
{
    return m_http.listenTls(cert, key, clientCa);
}

void KubeApiFixture::stop()
{
    m_http.close();
    m_watches.clear();
}

QUrl KubeApiFixture::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(m_http.tls() ? QStringLiteral("https") : QStringLiteral("http")).arg(m_http.port()));
}

mist::Credentials KubeApiFixture::credentials() const
{
    mist::Credentials c;
    c.config.insert(QStringLiteral("server"), url().toString());
    if (!m_token.isEmpty())
        c.secrets.insert(QStringLiteral("token"), QString::fromUtf8(m_token));
    return c;
}

void KubeApiFixture::failNext(int status, int count, const QByteArray &retryAfter, const QString &pathContains)
{
    m_failures << Failure{status, count, retryAfter, pathContains, {}};
}

void KubeApiFixture::answerNext(int status, const QByteArray &body, const QString &pathContains)
{
    m_failures << Failure{status, 1, {}, pathContains, body};
}

QVector<KubeHttpRequest> KubeApiFixture::requestsTo(const QString &method, const QString &pathContains) const
{
    QVector<KubeHttpRequest> out;
    for (const KubeHttpRequest &r : m_requests)
        if (QString::fromLatin1(r.method) == method && r.path.contains(pathContains))
            out << r;
    return out;
}

QJsonObject KubeApiFixture::stamped(QJsonObject object)
{
    return withRv(std::move(object), ++m_rv);
}

void KubeApiFixture::emitEvent(const QString &type, const QString &resource, const QJsonObject &object)
{
    QJsonObject full = object;
    full.insert(QStringLiteral("kind"), kindOf(resource));
    full.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
    const QString ns = object.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("namespace")).toString();
    Event e{m_rv, resource, ns, json(QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("object"), full}}) + '\n'};
    for (const Watch &w : m_watches) {
        if (w.connection && w.connection->streaming() && w.resource == resource && (w.ns.isEmpty() || w.ns == ns)) {
            w.connection->writeChunk(e.line);
            ++m_eventsSent;
        }
    }
    m_history.push_back(std::move(e));
    while (m_history.size() > 200000) {   // like etcd compaction: old versions become 410 Gone
        m_oldestRv = m_history.front().rv;
        m_history.pop_front();
    }
}

void KubeApiFixture::addNode(const QString &name, bool ready)
{
    const QJsonObject n = stamped(KubeObjects::node(name, int(m_nodes.size()), ready));
    m_nodes[name] = n;
    emitEvent(QStringLiteral("ADDED"), QStringLiteral("nodes"), n);
}

QString KubeApiFixture::addPod(const KubeObjects::PodSpec &spec)
{
    const QString uid = QStringLiteral("00000000-0000-4000-8000-%1").arg(++m_uidCounter, 12, 10, QLatin1Char('0'));
    const QJsonObject p = stamped(KubeObjects::pod(spec, uid));
    m_pods[keyOf(p)] = p;
    m_podKeyByUid.insert(uid, keyOf(p));
    emitEvent(QStringLiteral("ADDED"), QStringLiteral("pods"), p);
    return uid;
}

void KubeApiFixture::addWorkload(const QString &kind, const QString &ns, const QString &name, int replicas,
                                 const QString &ownerKind, const QString &ownerName)
{
    m_workloads[kind + QLatin1Char('/') + ns + QLatin1Char('/') + name] =
        stamped(KubeObjects::workload(kind, ns, name, replicas, ownerKind, ownerName));
}

void KubeApiFixture::modifyPod(const QString &uid, const QJsonObject &patch)
{
    auto it = m_pods.find(m_podKeyByUid.value(uid));
    if (it == m_pods.end())
        return;
    it->second = stamped(KubeObjects::mergePatch(it->second, patch));
    emitEvent(QStringLiteral("MODIFIED"), QStringLiteral("pods"), it->second);
}

void KubeApiFixture::bumpRestarts(const QString &uid)
{
    auto it = m_pods.find(m_podKeyByUid.value(uid));
    if (it == m_pods.end())
        return;
    QJsonObject status = it->second.value(QStringLiteral("status")).toObject();
    QJsonArray statuses = status.value(QStringLiteral("containerStatuses")).toArray();
    if (statuses.isEmpty())
        return;
    QJsonObject first = statuses.at(0).toObject();
    first.insert(QStringLiteral("restartCount"), first.value(QStringLiteral("restartCount")).toInt() + 1);
    statuses.replace(0, first);
    status.insert(QStringLiteral("containerStatuses"), statuses);
    it->second.insert(QStringLiteral("status"), status);
    it->second = stamped(it->second);
    emitEvent(QStringLiteral("MODIFIED"), QStringLiteral("pods"), it->second);
}

void KubeApiFixture::deletePod(const QString &uid)
{
    auto it = m_pods.find(m_podKeyByUid.take(uid));
    if (it == m_pods.end())
        return;
    const QJsonObject last = stamped(it->second);
    m_pods.erase(it);
    emitEvent(QStringLiteral("DELETED"), QStringLiteral("pods"), last);
}

void KubeApiFixture::deleteNode(const QString &name)
{
    auto it = m_nodes.find(name);
    if (it == m_nodes.end())
        return;
    const QJsonObject last = stamped(it->second);
    m_nodes.erase(it);
    emitEvent(QStringLiteral("DELETED"), QStringLiteral("nodes"), last);
}

void KubeApiFixture::generate(int pods, int nodes)
{
    // Bulk: no history (as if compacted afterwards), so 20,000 pods cost no event lines.
    const int firstNode = int(m_nodes.size());
    for (int n = 0; n < nodes; ++n) {
        const QString name = QStringLiteral("node-%1").arg(firstNode + n, 4, 10, QLatin1Char('0'));
        m_nodes[name] = stamped(KubeObjects::node(name, firstNode + n));
    }
    for (int i = 0; i < pods; ++i) {
        KubeObjects::PodSpec spec;
        spec.ns = QStringLiteral("ns-%1").arg(i % 10);
        const int app = i / 10;
        const QString deployment = QStringLiteral("web-%1").arg(app);
        spec.ownerKind = QStringLiteral("ReplicaSet");
        spec.ownerName = deployment + QStringLiteral("-7d9f8");
        spec.name = QStringLiteral("%1-%2").arg(spec.ownerName).arg(i);
        spec.node = nodes > 0 ? QStringLiteral("node-%1").arg(firstNode + i % nodes, 4, 10, QLatin1Char('0')) : QString();
        spec.containers = {QStringLiteral("app"), QStringLiteral("sidecar")};
        spec.ip = QStringLiteral("10.%1.%2.%3").arg((i >> 16) & 255).arg((i >> 8) & 255).arg(i & 255);
        const QString uid = QStringLiteral("00000000-0000-4000-8000-%1").arg(++m_uidCounter, 12, 10, QLatin1Char('0'));
        const QJsonObject p = stamped(KubeObjects::pod(spec, uid));
        m_pods[keyOf(p)] = p;
        m_podKeyByUid.insert(uid, keyOf(p));
        const QString rsKey = QStringLiteral("ReplicaSet/%1/%2").arg(spec.ns, spec.ownerName);
        if (m_workloads.find(rsKey) == m_workloads.end()) {
            addWorkload(QStringLiteral("ReplicaSet"), spec.ns, spec.ownerName, 10, QStringLiteral("Deployment"), deployment);
            addWorkload(QStringLiteral("Deployment"), spec.ns, deployment, 10);
        }
    }
    m_oldestRv = m_rv;
    // Encoded now, as an API server has its objects stored: listing them is then only I/O.
    for (const auto &[key, object] : m_nodes)
        encoded(QStringLiteral("nodes"), key, object);
    for (const auto &[key, object] : m_pods)
        encoded(QStringLiteral("pods"), key, object);
}

void KubeApiFixture::setChurn(int eventsPerSecond)
{
    m_churn.stop();
    if (eventsPerSecond <= 0)
        return;
    m_churnUids = m_podKeyByUid.keys();
    m_churnPerTick = qMax(1, eventsPerSecond / 50);
    m_churn.start(20);
}

void KubeApiFixture::churnTick()
{
    for (int i = 0; i < m_churnPerTick && !m_churnUids.isEmpty(); ++i)
        bumpRestarts(m_churnUids.at(int(m_churnCursor++ % size_t(m_churnUids.size()))));
}

void KubeApiFixture::sendBookmark()
{
    for (const Watch &w : m_watches) {
        if (!w.connection || !w.connection->streaming() || !w.bookmarks)
            continue;
        const QJsonObject object{{QStringLiteral("kind"), kindOf(w.resource)},
                                 {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                                 {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("resourceVersion"), QString::number(m_rv)}}}};
        w.connection->writeChunk(json(QJsonObject{{QStringLiteral("type"), QStringLiteral("BOOKMARK")}, {QStringLiteral("object"), object}}) + '\n');
    }
}

void KubeApiFixture::compact()
{
    m_history.clear();
    m_oldestRv = m_rv;
}

void KubeApiFixture::breakWatches()
{
    for (const Watch &w : m_watches)
        if (w.connection)
            w.connection->abort();
    m_watches.clear();
}

void KubeApiFixture::endWatches()
{
    for (const Watch &w : m_watches)
        if (w.connection)
            w.connection->endStream();
    m_watches.clear();
}

void KubeApiFixture::sendToWatches(const QByteArray &raw)
{
    for (const Watch &w : m_watches)
        if (w.connection && w.connection->streaming())
            w.connection->writeChunk(raw);
}

QJsonObject KubeApiFixture::pod(const QString &uid) const
{
    auto it = m_pods.find(m_podKeyByUid.value(uid));
    return it == m_pods.end() ? QJsonObject() : it->second;
}

QJsonObject KubeApiFixture::node(const QString &name) const
{
    auto it = m_nodes.find(name);
    return it == m_nodes.end() ? QJsonObject() : it->second;
}

QJsonObject KubeApiFixture::workload(const QString &kind, const QString &ns, const QString &name) const
{
    auto it = m_workloads.find(kind + QLatin1Char('/') + ns + QLatin1Char('/') + name);
    return it == m_workloads.end() ? QJsonObject() : it->second;
}

QStringList KubeApiFixture::podUids() const
{
    return m_podKeyByUid.keys();
}

void KubeApiFixture::sendStatus(KubeHttpConnection &conn, int code, const QString &reason, const QString &message,
                                const QList<QPair<QByteArray, QByteArray>> &headers)
{
    conn.respond(code, json(KubeObjects::status(code, reason, message)), headers);
}

void KubeApiFixture::handle(const KubeHttpRequest &req, KubeHttpConnection &conn)
{
    QElapsedTimer busy;
    busy.start();
    struct AddBusy
    {
        QElapsedTimer &t;
        qint64 &total;
        ~AddBusy() { total += t.nsecsElapsed(); }
    } addBusy{busy, m_busyNs};
    m_requests << req;
    if (!m_token.isEmpty() && req.headers.value("authorization") != "Bearer " + m_token && req.clientCertificateCn.isEmpty())
        return sendStatus(conn, 401, QStringLiteral("Unauthorized"), QStringLiteral("Unauthorized"));
    const QString target = req.path + QLatin1Char('?') + req.query.toString(QUrl::FullyEncoded);
    for (int i = 0; i < m_failures.size(); ++i) {
        Failure &f = m_failures[i];
        if (!target.contains(f.pathContains))
            continue;
        const int status = f.status;
        if (!f.rawBody.isEmpty()) {
            const QByteArray body = f.rawBody;
            m_failures.removeAt(i);
            return conn.respond(status, body);
        }
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!f.retryAfter.isEmpty())
            headers << qMakePair(QByteArrayLiteral("Retry-After"), f.retryAfter);
        if (--f.count <= 0)
            m_failures.removeAt(i);
        const QString reason = status == 429 ? QStringLiteral("TooManyRequests")
                             : status == 409 ? QStringLiteral("Conflict")
                             : status == 404 ? QStringLiteral("NotFound")
                                             : QStringLiteral("InternalError");
        const QString message = status == 409 ? QStringLiteral("Operation cannot be fulfilled on pods: the object has been modified")
                              : status == 429 ? QStringLiteral("Too many requests, please try again later.")
                                              : QStringLiteral("injected failure %1").arg(status);
        return sendStatus(conn, status, reason, message, headers);
    }
    if (!route(req, conn))
        sendStatus(conn, 404, QStringLiteral("NotFound"), QStringLiteral("the server could not find the requested resource"));
}

bool KubeApiFixture::route(const KubeHttpRequest &req, KubeHttpConnection &conn)
{
    const QStringList s = req.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const bool get = req.method == "GET";
    const bool isWatch = req.query.queryItemValue(QStringLiteral("watch")) == QLatin1String("1")
                      || req.query.queryItemValue(QStringLiteral("watch")) == QLatin1String("true");
    auto forbidden = [&](const QString &verb, const QString &resource, const QString &ns) {
        if (!m_forbidden.contains(verb + QLatin1Char(' ') + resource))
            return false;
        sendStatus(conn, 403, QStringLiteral("Forbidden"),
                   QStringLiteral("%1 is forbidden: User \"system:serviceaccount:default:test\" cannot %2 resource \"%1\" in API group \"\" %3")
                       .arg(resource, verb, ns.isEmpty() ? QStringLiteral("at the cluster scope") : QStringLiteral("in the namespace \"%1\"").arg(ns)));
        return true;
    };
    auto collection = [&](const QString &resource, const QString &ns) {
        const QString verb = isWatch ? QStringLiteral("watch") : QStringLiteral("list");
        if (!forbidden(verb, resource, ns))
            isWatch ? watch(req, conn, resource, ns) : list(req, conn, resource, ns);
        return true;
    };

    if (get && s == QStringList{QStringLiteral("version")}) {
        conn.respond(200, json(QJsonObject{{QStringLiteral("major"), QStringLiteral("1")}, {QStringLiteral("minor"), QStringLiteral("33")},
                                           {QStringLiteral("gitVersion"), QStringLiteral("v1.33.0")},
                                           {QStringLiteral("platform"), QStringLiteral("linux/amd64")}}));
        return true;
    }
    if (get && s == QStringList{QStringLiteral("api")}) {
        conn.respond(200, json(QJsonObject{{QStringLiteral("kind"), QStringLiteral("APIVersions")},
                                           {QStringLiteral("versions"), QJsonArray{QStringLiteral("v1")}},
                                           {QStringLiteral("serverAddressByClientCIDRs"),
                                            QJsonArray{QJsonObject{{QStringLiteral("clientCIDR"), QStringLiteral("0.0.0.0/0")},
                                                                   {QStringLiteral("serverAddress"), url().authority()}}}}}));
        return true;
    }
    if (get && s == QStringList{QStringLiteral("apis")}) {
        const QJsonObject v{{QStringLiteral("groupVersion"), QStringLiteral("apps/v1")}, {QStringLiteral("version"), QStringLiteral("v1")}};
        QJsonArray groups{QJsonObject{{QStringLiteral("name"), QStringLiteral("apps")},
                                      {QStringLiteral("versions"), QJsonArray{v}},
                                      {QStringLiteral("preferredVersion"), v}}};
        if (m_metricsServer) {
            const QJsonObject mv{{QStringLiteral("groupVersion"), QStringLiteral("metrics.k8s.io/v1beta1")},
                                 {QStringLiteral("version"), QStringLiteral("v1beta1")}};
            groups.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("metrics.k8s.io")},
                                      {QStringLiteral("versions"), QJsonArray{mv}},
                                      {QStringLiteral("preferredVersion"), mv}});
        }
        conn.respond(200, json(QJsonObject{{QStringLiteral("kind"), QStringLiteral("APIGroupList")}, {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                                           {QStringLiteral("groups"), groups}}));
        return true;
    }
    if (s.value(0) == QLatin1String("apis") && s.value(1) == QLatin1String("metrics.k8s.io"))
        return routeMetrics(req, conn);
    if (s.size() < 3 || !(s.value(0) == QLatin1String("api") || (s.value(0) == QLatin1String("apis") && s.value(1) == QLatin1String("apps"))))
        return false;

    if (s.value(0) == QLatin1String("api")) {
        if (s.value(1) != QLatin1String("v1"))
            return false;
        if (get && s.size() == 3 && (s[2] == QLatin1String("nodes") || s[2] == QLatin1String("pods")))
            return collection(s[2], {});
        if (s.size() == 4 && s[2] == QLatin1String("nodes")) {
            auto it = m_nodes.find(s[3]);
            const QString verb = get ? QStringLiteral("get") : req.method == "PATCH" ? QStringLiteral("patch") : QStringLiteral("delete");
            if (forbidden(verb, QStringLiteral("nodes"), {}))
                return true;
            if (it == m_nodes.end()) {
                sendStatus(conn, 404, QStringLiteral("NotFound"), QStringLiteral("nodes \"%1\" not found").arg(s[3]));
                return true;
            }
            if (get)
                conn.respond(200, json(it->second));
            else if (req.method == "PATCH")
                patchObject(req, conn, it->second, QStringLiteral("nodes"));
            else
                sendStatus(conn, 405, QStringLiteral("MethodNotAllowed"), QStringLiteral("not supported by the fixture"));
            return true;
        }
        if (s.size() >= 5 && s[2] == QLatin1String("namespaces") && s[4] == QLatin1String("pods")) {
            const QString ns = s[3];
            if (get && s.size() == 5)
                return collection(QStringLiteral("pods"), ns);
            if (s.size() != 6)
                return false;
            const QString verb = get ? QStringLiteral("get") : req.method == "PATCH" ? QStringLiteral("patch") : QStringLiteral("delete");
            if (forbidden(verb, QStringLiteral("pods"), ns))
                return true;
            auto it = m_pods.find(ns + QLatin1Char('/') + s[5]);
            if (it == m_pods.end()) {
                sendStatus(conn, 404, QStringLiteral("NotFound"), QStringLiteral("pods \"%1\" not found").arg(s[5]));
                return true;
            }
            if (get) {
                conn.respond(200, json(it->second));
            } else if (req.method == "DELETE") {
                const QJsonObject last = stamped(it->second);
                m_podKeyByUid.remove(last.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("uid")).toString());
                m_pods.erase(it);
                emitEvent(QStringLiteral("DELETED"), QStringLiteral("pods"), last);
                conn.respond(200, json(last));
            } else if (req.method == "PATCH") {
                patchObject(req, conn, it->second, QStringLiteral("pods"));
            } else {
                return false;
            }
            return true;
        }
        return false;
    }

    // /apis/apps/v1/namespaces/{ns}/{resource}/{name}[/scale]
    if (s.value(2) != QLatin1String("v1") || s.size() < 7 || s[3] != QLatin1String("namespaces"))
        return false;
    const QString ns = s[4], resource = s[5], name = s[6];
    const QString kind = workloadKind(resource);
    auto it = m_workloads.find(kind + QLatin1Char('/') + ns + QLatin1Char('/') + name);
    const bool scale = s.size() == 8 && s[7] == QLatin1String("scale");
    const QString verb = get ? QStringLiteral("get") : QStringLiteral("patch");
    if (forbidden(verb, scale ? resource + QStringLiteral("/scale") : resource, ns))
        return true;
    if (kind.isEmpty() || it == m_workloads.end() || s.size() > 8 || (s.size() == 8 && !scale)) {
        sendStatus(conn, 404, QStringLiteral("NotFound"), QStringLiteral("%1.apps \"%2\" not found").arg(resource, name));
        return true;
    }
    if (!scale) {
        if (get)
            conn.respond(200, json(it->second));
        else if (req.method == "PATCH")
            patchObject(req, conn, it->second, resource);
        else
            return false;
        return true;
    }
    auto scaleObject = [&] {
        const int replicas = it->second.value(QStringLiteral("spec")).toObject().value(QStringLiteral("replicas")).toInt();
        return QJsonObject{{QStringLiteral("kind"), QStringLiteral("Scale")}, {QStringLiteral("apiVersion"), QStringLiteral("autoscaling/v1")},
                           {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("namespace"), ns}}},
                           {QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), replicas}}},
                           {QStringLiteral("status"), QJsonObject{{QStringLiteral("replicas"), replicas}}}};
    };
    if (get) {
        conn.respond(200, json(scaleObject()));
        return true;
    }
    if (req.method != "PATCH")
        return false;
    QJsonObject scaleNow = scaleObject();
    patchObject(req, conn, scaleNow, QStringLiteral("scale"));
    if (conn.streaming())
        return true;
    QJsonObject spec = it->second.value(QStringLiteral("spec")).toObject();
    spec.insert(QStringLiteral("replicas"), scaleNow.value(QStringLiteral("spec")).toObject().value(QStringLiteral("replicas")));
    it->second.insert(QStringLiteral("spec"), spec);
    it->second = stamped(it->second);
    return true;
}

namespace {
QJsonObject metricsObject(const QString &kind, const QString &ns, const QString &name, qint64 tick)
{
    QJsonObject meta{{QStringLiteral("name"), name},
                     {QStringLiteral("creationTimestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    if (!ns.isEmpty())
        meta.insert(QStringLiteral("namespace"), ns);
    return QJsonObject{{QStringLiteral("kind"), kind},
                       {QStringLiteral("apiVersion"), QStringLiteral("metrics.k8s.io/v1beta1")},
                       {QStringLiteral("metadata"), meta},
                       {QStringLiteral("timestamp"),
                        QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).addSecs(15 * tick).toString(Qt::ISODate)},
                       {QStringLiteral("window"), QStringLiteral("15.012s")}};
}
} // namespace

void KubeApiFixture::setPodMetrics(const QString &ns, const QString &pod, const QVector<ContainerUsage> &containers)
{
    QJsonObject o = metricsObject(QStringLiteral("PodMetrics"), ns, pod, ++m_metricsTick);
    QJsonArray list;
    for (const ContainerUsage &c : containers)
        list.append(QJsonObject{{QStringLiteral("name"), c.container},
                                {QStringLiteral("usage"), QJsonObject{{QStringLiteral("cpu"), c.cpu}, {QStringLiteral("memory"), c.memory}}}});
    o.insert(QStringLiteral("containers"), list);
    m_podMetrics[ns + QLatin1Char('/') + pod] = o;
}

void KubeApiFixture::setNodeMetrics(const QString &node, const QString &cpu, const QString &memory)
{
    QJsonObject o = metricsObject(QStringLiteral("NodeMetrics"), {}, node, ++m_metricsTick);
    o.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("cpu"), cpu}, {QStringLiteral("memory"), memory}});
    m_nodeMetrics[node] = o;
}

// /apis/metrics.k8s.io/v1beta1/nodes/{name}, /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods/{name}
bool KubeApiFixture::routeMetrics(const KubeHttpRequest &req, KubeHttpConnection &conn)
{
    const QStringList s = req.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!m_metricsServer || req.method != "GET" || s.value(2) != QLatin1String("v1beta1"))
        return false;   // the generic 404 of a server without the group
    if (s.size() == 5 && s[3] == QLatin1String("nodes")) {
        auto it = m_nodeMetrics.find(s[4]);
        if (it == m_nodeMetrics.end())
            sendStatus(conn, 404, QStringLiteral("NotFound"), QStringLiteral("nodemetrics.metrics.k8s.io \"%1\" not found").arg(s[4]));
        else
            conn.respond(200, json(it->second));
        return true;
    }
    if (s.size() == 7 && s[3] == QLatin1String("namespaces") && s[5] == QLatin1String("pods")) {
        auto it = m_podMetrics.find(s[4] + QLatin1Char('/') + s[6]);
        if (it == m_podMetrics.end())
            sendStatus(conn, 404, QStringLiteral("NotFound"), QStringLiteral("podmetrics.metrics.k8s.io \"%1/%2\" not found").arg(s[4], s[6]));
        else
            conn.respond(200, json(it->second));
        return true;
    }
    return false;
}

void KubeApiFixture::patchObject(const KubeHttpRequest &req, KubeHttpConnection &conn, QJsonObject &object, const QString &resource)
{
    const QByteArray type = req.headers.value("content-type").split(';').value(0).trimmed();
    if (type != "application/merge-patch+json" && type != "application/strategic-merge-patch+json")
        return sendStatus(conn, 415, QStringLiteral("UnsupportedMediaType"),
                          QStringLiteral("the body of the request was in an unknown format - accepted media types include: "
                                         "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
    if (!doc.isObject())
        return sendStatus(conn, 400, QStringLiteral("BadRequest"), QStringLiteral("error decoding patch: %1").arg(err.errorString()));
    object = stamped(KubeObjects::mergePatch(object, doc.object()));
    if (resource == QLatin1String("pods") || resource == QLatin1String("nodes"))
        emitEvent(QStringLiteral("MODIFIED"), resource, object);
    conn.respond(200, json(object));
}

void KubeApiFixture::list(const KubeHttpRequest &req, KubeHttpConnection &conn, const QString &resource, const QString &ns)
{
    const std::map<QString, QJsonObject> &objects = resource == QLatin1String("nodes") ? m_nodes : m_pods;
    const int limit = req.query.queryItemValue(QStringLiteral("limit")).toInt();
    qint64 listRv = m_rv;
    QString after;
    const QString cont = req.query.queryItemValue(QStringLiteral("continue"), QUrl::FullyDecoded);
    if (!cont.isEmpty()) {
        const QString token = QString::fromUtf8(QByteArray::fromBase64(cont.toLatin1(), QByteArray::Base64UrlEncoding));
        listRv = token.section(QLatin1Char('|'), 0, 0).toLongLong();
        after = token.section(QLatin1Char('|'), 1);
        if (listRv < m_oldestRv)
            return sendStatus(conn, 410, QStringLiteral("Expired"),
                              QStringLiteral("The provided continue parameter is too old to display a consistent list result. "
                                             "You can start a new list without the continue parameter."));
    }
    auto it = after.isEmpty() ? (ns.isEmpty() ? objects.begin() : objects.lower_bound(ns + QLatin1Char('/')))
                              : objects.upper_bound(after);
    QByteArray items;
    int count = 0;
    QString last;
    for (; it != objects.end(); ++it) {
        if (!ns.isEmpty() && !it->first.startsWith(ns + QLatin1Char('/')))
            break;
        if (limit > 0 && count >= limit)
            break;
        if (count++ > 0)
            items += ',';
        items += encoded(resource, it->first, it->second);
        last = it->first;
    }
    QJsonObject meta{{QStringLiteral("resourceVersion"), QString::number(listRv)}};
    if (it != objects.end() && (ns.isEmpty() || it->first.startsWith(ns + QLatin1Char('/'))))
        meta.insert(QStringLiteral("continue"),
                    QString::fromLatin1(QStringLiteral("%1|%2").arg(listRv).arg(last).toUtf8().toBase64(QByteArray::Base64UrlEncoding)));
    QByteArray head = json(QJsonObject{{QStringLiteral("kind"), kindOf(resource) + QStringLiteral("List")},
                                       {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                                       {QStringLiteral("metadata"), meta}});
    head.chop(1);   // the closing brace: the items follow
    conn.respond(200, head + ",\"items\":[" + items + "]}");
}

const QByteArray &KubeApiFixture::encoded(const QString &resource, const QString &key, const QJsonObject &object)
{
    const QString rv = object.value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion")).toString();
    std::pair<QString, QByteArray> &slot = m_encoded[resource + QLatin1Char('|') + key];
    if (slot.second.isEmpty() || slot.first != rv)
        slot = {rv, json(object)};
    return slot.second;
}

void KubeApiFixture::watch(const KubeHttpRequest &req, KubeHttpConnection &conn, const QString &resource, const QString &ns)
{
    const QString rvText = req.query.queryItemValue(QStringLiteral("resourceVersion"));
    const qint64 rv = rvText.toLongLong();
    if (!rvText.isEmpty() && rvText != QLatin1String("0") && rv < m_oldestRv) {
        const QString message = QStringLiteral("too old resource version: %1 (%2)").arg(rv).arg(m_oldestRv);
        if (m_goneAsHttp)
            return sendStatus(conn, 410, QStringLiteral("Expired"), message);
        conn.beginStream();
        conn.writeChunk(json(QJsonObject{{QStringLiteral("type"), QStringLiteral("ERROR")},
                                         {QStringLiteral("object"), KubeObjects::status(410, QStringLiteral("Expired"), message)}}) + '\n');
        conn.endStream();
        return;
    }
    conn.beginStream();
    if (rvText.isEmpty() || rvText == QLatin1String("0")) {
        const auto &objects = resource == QLatin1String("nodes") ? m_nodes : m_pods;
        for (const auto &[key, object] : objects) {
            if (!ns.isEmpty() && !key.startsWith(ns + QLatin1Char('/')))
                continue;
            QJsonObject full = object;
            full.insert(QStringLiteral("kind"), kindOf(resource));
            conn.writeChunk(json(QJsonObject{{QStringLiteral("type"), QStringLiteral("ADDED")}, {QStringLiteral("object"), full}}) + '\n');
        }
    } else {
        for (const Event &e : m_history)
            if (e.rv > rv && e.resource == resource && (ns.isEmpty() || e.ns == ns))
                conn.writeChunk(e.line);
    }
    m_watches.erase(std::remove_if(m_watches.begin(), m_watches.end(),
                                   [](const Watch &w) { return !w.connection || !w.connection->streaming(); }),
                    m_watches.end());
    m_watches.push_back(Watch{&conn, resource, ns, req.query.queryItemValue(QStringLiteral("allowWatchBookmarks")) == QLatin1String("true")});
    const int timeout = req.query.queryItemValue(QStringLiteral("timeoutSeconds")).toInt();
    if (timeout > 0) {
        QPointer<KubeHttpConnection> guard(&conn);
        QTimer::singleShot(timeout * 1000, this, [guard] {
            if (guard)
                guard->endStream();
        });
    }
}

} // namespace mist::test
