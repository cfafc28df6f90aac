#include "kubelogs.h"

#include "providers/kubernetes/kubeapiclient.h"

#include "providers/kubernetes/kubelogsworker.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace mist {

namespace {

constexpr int NonFollowTimeoutMs = 60000;

} // namespace

QString KubeLogStream::logPath(const QString &ns, const QString &pod, const QString &container, const LogOptions &options)
{
    QList<std::pair<QString, QString>> query;
    if (!container.isEmpty())
        query.append({QStringLiteral("container"), container});
    if (options.follow)
        query.append({QStringLiteral("follow"), QStringLiteral("true")});
    if (options.tailLines >= 0)
        query.append({QStringLiteral("tailLines"), QString::number(options.tailLines)});
    if (options.timestamps)
        query.append({QStringLiteral("timestamps"), QStringLiteral("true")});
    if (options.previous)
        query.append({QStringLiteral("previous"), QStringLiteral("true")});
    return kubePodPath(ns, pod, QStringLiteral("log"), query);
}

KubeLogStream::KubeLogStream(KubeConnectionSource source, QString ns, QString pod, QStringList containers,
                             LogOptions options, QObject *parent)
    : LogStream(parent)
    , m_source(std::move(source))
    , m_ns(std::move(ns))
    , m_pod(std::move(pod))
    , m_containers(std::move(containers))
    , m_options(std::move(options))
{
}

KubeLogStream::~KubeLogStream()
{
    if (m_worker) {
        KubeLogWorker *w = m_worker;
        QMetaObject::invokeMethod(w, [w] { w->shutdown(); }, Qt::QueuedConnection);
    }
}

QString KubeLogStream::description() const
{
    QString d = m_ns + QLatin1Char('/') + m_pod;
    if (m_containers.size() == 1)
        d += QLatin1Char('/') + m_containers.first();
    return d;
}

void KubeLogStream::start()
{
    if (m_worker || m_finished)
        return;
    m_worker = new KubeLogWorker(m_source, m_ns, m_pod, m_containers, m_options);
    connect(m_worker, &KubeLogWorker::lines, this, [this](const QString &text) {
        if (!m_finished)
            emit linesReceived(text);
    });
    connect(m_worker, &KubeLogWorker::done, this, &KubeLogStream::finish);
    KubeWorkerThread::start(m_worker, QStringLiteral("kube-logs"));
    KubeLogWorker *w = m_worker;
    QMetaObject::invokeMethod(w, [w] { w->open(); }, Qt::QueuedConnection);
}

void KubeLogStream::stop()
{
    if (m_finished)
        return;
    if (m_worker) {
        KubeLogWorker *w = std::exchange(m_worker, nullptr);
        QMetaObject::invokeMethod(w, [w] { w->shutdown(); }, Qt::QueuedConnection);
    }
    // Queued, so a slot that deletes the stream on finished() never runs inside stop().
    QMetaObject::invokeMethod(this, [this] { finish({}); }, Qt::QueuedConnection);
}

void KubeLogStream::finish(const Status &status)
{
    if (std::exchange(m_finished, true))
        return;
    if (m_worker) {
        KubeLogWorker *w = std::exchange(m_worker, nullptr);
        QMetaObject::invokeMethod(w, [w] { w->shutdown(); }, Qt::QueuedConnection);
    }
    emit finished(status);
}

KubeLogWorker::KubeLogWorker(KubeConnectionSource source, QString ns, QString pod, QStringList containers,
                             LogOptions options)
    : m_source(std::move(source))
    , m_ns(std::move(ns))
    , m_pod(std::move(pod))
    , m_containers(std::move(containers))
    , m_options(std::move(options))
{
}

KubeLogWorker::~KubeLogWorker() = default;

KubeOperation KubeLogWorker::operation(const QString &podName, const QString &container) const
{
    const QString pod = tr("pod %1/%2").arg(m_ns, podName);
    return {tr("read the logs of"), container.isEmpty() ? pod : tr("container %1 of %2").arg(container, pod)};
}

Result<QVector<KubeLogWorker::Target>> KubeLogWorker::workloadTargets() const
{
    KubeApiClient client(m_connection);
    Result<KubeList> pods = client.list(QStringLiteral("/api/v1/namespaces/%1/pods").arg(m_ns),
                                        KubeOperation{tr("list"), tr("pods in namespace %1").arg(m_ns)});
    if (!pods)
        return pods.error();
    const auto ownerOf = [](const QJsonObject &pod) {
        for (const QJsonValue &ref : pod.value(QLatin1String("metadata")).toObject().value(QLatin1String("ownerReferences")).toArray())
            if (ref.toObject().value(QLatin1String("controller")).toBool())
                return ref.toObject().value(QLatin1String("kind")).toString() + QLatin1Char('/')
                       + ref.toObject().value(QLatin1String("name")).toString();
        return QString();
    };
    const auto nameOf = [](const QJsonObject &pod) {
        return pod.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString();
    };
    QString owner;
    for (const QJsonValue &v : std::as_const(pods.value().items))
        if (nameOf(v.toObject()) == m_pod)
            owner = ownerOf(v.toObject());
    QVector<Target> targets;
    for (const QJsonValue &v : std::as_const(pods.value().items)) {
        const QJsonObject pod = v.toObject();
        if (nameOf(pod) != m_pod && (owner.isEmpty() || ownerOf(pod) != owner))
            continue;
        for (const QJsonValue &c : pod.value(QLatin1String("spec")).toObject().value(QLatin1String("containers")).toArray())
            targets << Target{nameOf(pod), c.toObject().value(QLatin1String("name")).toString()};
    }
    if (targets.isEmpty())
        return Error{tr("Pod %1/%2 no longer exists.").arg(m_ns, m_pod), {}};
    return targets;
}

void KubeLogWorker::open()
{
    Result<KubeConnection> conn = resolveKubeConnection(m_source);
    if (!conn) {
        emit done(conn.error());
        return;
    }
    m_connection = std::move(conn).value();
    QVector<Target> targets;
    if (m_options.workload) {
        Result<QVector<Target>> all = workloadTargets();
        if (!all) {
            emit done(all.error());
            return;
        }
        targets = all.value();
    } else {
        for (const QString &container : m_containers.isEmpty() ? QStringList{QString()} : m_containers)
            targets << Target{m_pod, container};
    }
    m_prefixed = targets.size() > 1;
    m_nam = new QNetworkAccessManager(this);
    for (const Target &target : std::as_const(targets)) {
        QNetworkRequest request =
            m_connection.request(KubeLogStream::logPath(m_ns, target.pod, target.container, m_options));
        request.setRawHeader("Accept", "text/plain, application/json");
        if (!m_options.follow)
            request.setTransferTimeout(NonFollowTimeoutMs);
        QNetworkReply *reply = m_nam->get(request);
        m_sources.insert(reply, Source{target.pod, target.container, {}, {}, false});
        ++m_running;
        ++m_total;
        connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onReadyRead(reply); });
        connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
    }
}

void KubeLogWorker::onReadyRead(QNetworkReply *reply)
{
    auto it = m_sources.find(reply);
    if (it == m_sources.end())
        return;
    const QByteArray data = reply->readAll();
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() >= 300) {
        it->errorBody += data.left(64 * 1024 - it->errorBody.size());
        return;
    }
    it->partial += data;
    const qsizetype lastNewline = it->partial.lastIndexOf('\n');
    if (lastNewline < 0)
        return;
    const QByteArray complete = it->partial.left(lastNewline + 1);
    it->partial.remove(0, lastNewline + 1);
    emitLines(*it, complete);
}

void KubeLogWorker::emitLines(const Source &source, const QByteArray &complete)
{
    if (complete.isEmpty())
        return;
    QString text = QString::fromUtf8(complete);
    if (m_prefixed) {
        const QString before = prefix(source);
        QStringList lines = text.split(QLatin1Char('\n'));
        lines.removeLast();   // the empty piece after the final '\n'
        text.clear();
        for (const QString &line : std::as_const(lines))
            text += before + line + QLatin1Char('\n');
    }
    emit lines(text);
}

QString KubeLogWorker::prefix(const Source &source) const
{
    return QLatin1Char('[') + (m_options.workload ? source.pod + QLatin1Char('/') : QString()) + source.container
         + QStringLiteral("] ");
}

void KubeLogWorker::onFinished(QNetworkReply *reply)
{
    auto it = m_sources.find(reply);
    if (it == m_sources.end() || it->finished)
        return;
    onReadyRead(reply);
    it->finished = true;
    --m_running;
    const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::NoError && http < 300) {
        if (!it->partial.isEmpty())
            emitLines(*it, std::exchange(it->partial, {}) + '\n');
    } else {
        const Error e = kubeError(m_connection, operation(it->pod, it->container),
                                  KubeFailure{http, reply->error(), reply->errorString(), {}, it->errorBody});
        qCInfo(lcKubeStreams).noquote() << "logs failed:" << e.toString();
        m_errors.append(e);
        if (m_prefixed)   // the other sources' lines still count
            emit lines(prefix(*it) + e.toString() + QLatin1Char('\n'));
    }
    m_sources.erase(it);
    reply->deleteLater();
    if (m_running > 0)
        return;
    // Merged: a failure only when no container gave logs at all.
    if (!m_errors.isEmpty() && m_errors.size() == m_total)
        emit done(m_errors.first());
    else
        emit done({});
}

void KubeLogWorker::shutdown()
{
    for (auto it = m_sources.begin(); it != m_sources.end(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
    }
    deleteLater();
}

} // namespace mist
