#include "kubewatch.h"

#include "kubemachines.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeWatcher", text);
}

constexpr int kMaxLine = 64 * 1024 * 1024;   // one event; more without a newline is junk

} // namespace

QString KubeCursor::toString() const
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("nodes"), nodes}, {QStringLiteral("pods"), pods},
                                                             {QStringLiteral("nodesSkipped"), nodesSkipped}})
                                 .toJson(QJsonDocument::Compact));
}

KubeCursor KubeCursor::parse(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    return KubeCursor{o.value(QStringLiteral("nodes")).toString(), o.value(QStringLiteral("pods")).toString(),
                      o.value(QStringLiteral("nodesSkipped")).toBool()};
}

struct KubeWatcher::Stream
{
    QString kind;   // "nodes" or "pods"
    QString path;
    QString *resourceVersion = nullptr;
    QPointer<QNetworkReply> reply;
    QByteArray buffer;
    bool resumedWithoutProgress = false;   // set on a break, cleared once the resumed stream answers 200
    QElapsedTimer openedAt;
};

KubeWatcher::KubeWatcher(KubeApiClient &client, const QString &podsPath, const QString &nodesPath, const KubeCursor &cursor)
    : m_client(client), m_podsPath(podsPath), m_nodesPath(nodesPath), m_cursor(cursor)
{
}

void KubeWatcher::addUpsert(const Machine &m)
{
    m_batch.removedExternalIds.removeAll(m.externalId);
    if (auto it = m_upsertIndex.constFind(m.externalId); it != m_upsertIndex.constEnd()) {
        m_batch.upserts[*it] = m;
        return;
    }
    m_upsertIndex.insert(m.externalId, int(m_batch.upserts.size()));
    m_batch.upserts << m;
}

void KubeWatcher::addRemoval(const QString &id)
{
    if (auto it = m_upsertIndex.constFind(id); it != m_upsertIndex.constEnd()) {
        m_batch.upserts.removeAt(*it);
        m_upsertIndex.clear();
        for (int i = 0; i < m_batch.upserts.size(); ++i)
            m_upsertIndex.insert(m_batch.upserts[i].externalId, i);
    }
    if (!m_batch.removedExternalIds.contains(id))
        m_batch.removedExternalIds << id;
}

void KubeWatcher::upsertPod(const QJsonObject &pod)
{
    const QString uid = pod.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("uid")).toString();
    addUpsert(KubeMachines::fromPod(pod));
    for (const Machine &c : KubeMachines::containersOf(pod))
        addUpsert(c);
    const QStringList now = KubeMachines::containerNames(pod);
    for (const QString &old : m_containersByPod.value(uid))
        if (!now.contains(old))
            addRemoval(KubeMachines::containerId(uid, old));
    m_containersByPod.insert(uid, now);
}

void KubeWatcher::removePod(const QJsonObject &pod)
{
    const QString uid = pod.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("uid")).toString();
    QStringList names = KubeMachines::containerNames(pod);
    for (const QString &old : m_containersByPod.take(uid))
        if (!names.contains(old))
            names << old;
    for (const QString &c : names)
        addRemoval(KubeMachines::containerId(uid, c));
    addRemoval(KubeMachines::podId(uid));
}

KubeWatcher::LineResult KubeWatcher::handleLine(Stream &stream, const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return LineResult::Ok;
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &perr);
    const QJsonObject event = doc.object();
    const QString type = event.value(QStringLiteral("type")).toString();
    const QJsonObject object = event.value(QStringLiteral("object")).toObject();
    if (!doc.isObject() || type.isEmpty() || object.isEmpty()) {
        m_error = Error{tr("The API server sent a watch event for %1 that Mist cannot read.").arg(stream.kind),
                        (perr.error != QJsonParseError::NoError ? perr.errorString() + QStringLiteral(": ") : QString())
                            + QString::fromUtf8(line.left(120))};
        return LineResult::Failed;
    }
    if (type == QLatin1String("ERROR")) {
        const int code = object.value(QStringLiteral("code")).toInt();
        if (code == 410)
            return LineResult::Expired;
        m_error = Error{tr("The watch of %1 ended with an error from the API server.").arg(stream.kind),
                        QStringLiteral("%1: %2").arg(code).arg(object.value(QStringLiteral("message")).toString())};
        return LineResult::Failed;
    }
    const QString rv = object.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("resourceVersion")).toString();
    if (!rv.isEmpty())
        *stream.resourceVersion = rv;
    if (type == QLatin1String("BOOKMARK"))
        return LineResult::Ok;
    const bool deleted = type == QLatin1String("DELETED");
    if (stream.kind == QLatin1String("pods")) {
        if (deleted)
            removePod(object);
        else
            upsertPod(object);
    } else if (deleted) {
        addRemoval(KubeMachines::nodeId(object.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString()));
    } else {
        addUpsert(KubeMachines::fromNode(object));
    }
    return LineResult::Ok;
}

WatchOutcome KubeWatcher::run(WatchSink &sink)
{
    Stream streams[2];
    streams[0].kind = QStringLiteral("nodes");
    streams[0].path = m_nodesPath;
    streams[0].resourceVersion = &m_cursor.nodes;
    streams[1].kind = QStringLiteral("pods");
    streams[1].path = m_podsPath;
    streams[1].resourceVersion = &m_cursor.pods;

    QEventLoop loop;
    QObject context;
    WatchOutcome outcome;
    bool done = false;
    auto finish = [&](WatchOutcome::End end, Error error = {}) {
        if (done)
            return;
        done = true;
        outcome.end = end;
        outcome.error = std::move(error);
        loop.quit();
    };

    std::function<void(Stream &)> open;
    auto onData = [&](Stream &s) {
        if (!s.reply)
            return;
        s.buffer += s.reply->readAll();
        qsizetype start = 0;
        for (qsizetype nl = s.buffer.indexOf('\n', start); nl >= 0 && !done; nl = s.buffer.indexOf('\n', start)) {
            const LineResult r = handleLine(s, s.buffer.mid(start, nl - start));
            start = nl + 1;
            if (r == LineResult::Expired)
                finish(WatchOutcome::End::Expired);
            else if (r == LineResult::Failed)
                finish(WatchOutcome::End::Failed, m_error);
        }
        s.buffer.remove(0, start);
        if (s.buffer.size() > kMaxLine)
            finish(WatchOutcome::End::Failed,
                   Error{tr("The API server sent a watch event for %1 that Mist cannot read.").arg(s.kind), tr("line too long")});
        if (!m_batch.isEmpty()) {
            sink.deliver(std::move(m_batch));
            m_batch = {};
            m_upsertIndex.clear();
        }
    };
    auto onFinished = [&](Stream &s) {
        if (!s.reply || done)
            return;
        onData(s);
        QNetworkReply *r = s.reply;
        s.reply = nullptr;
        r->deleteLater();
        if (done)
            return;
        const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 410)
            return finish(WatchOutcome::End::Expired);
        if (status >= 400 || (status == 0 && r->error() != QNetworkReply::NoError && s.resumedWithoutProgress)) {
            KubeFailure f{status, r->error(), r->errorString(), {}, r->readAll()};
            return finish(WatchOutcome::End::Failed, kubeError(m_client.connection(), KubeOperation{tr("watch"), s.kind}, f));
        }
        if (r->error() != QNetworkReply::NoError) {
            if (s.resumedWithoutProgress)
                return finish(WatchOutcome::End::Failed,
                              Error{tr("The watch of %1 broke twice in a row.").arg(s.kind), r->errorString()});
            s.resumedWithoutProgress = true;   // resume once; an event in between clears this
        }
        qCInfo(lcProviderKube) << "watch of" << s.kind << "ended (" << r->errorString() << "), resuming at" << *s.resourceVersion;
        // A stream that ends right after it opened is not resumed in a tight loop.
        const int delay = s.openedAt.isValid() && s.openedAt.elapsed() < 1000 ? 1000 : 0;
        QTimer::singleShot(delay, &context, [&s, &open, &done] {
            if (!done)
                open(s);
        });
    };
    open = [&](Stream &s) {
        QString query = QStringLiteral("watch=1&allowWatchBookmarks=true&timeoutSeconds=290");
        if (!s.resourceVersion->isEmpty())
            query += QStringLiteral("&resourceVersion=") + QString::fromLatin1(QUrl::toPercentEncoding(*s.resourceVersion));
        QNetworkRequest req = m_client.connection().request(s.path + QLatin1Char('?') + query);
        req.setTransferTimeout(300000);
        s.buffer.clear();
        s.reply = m_client.network()->get(req);
        QObject::connect(s.reply, &QNetworkReply::metaDataChanged, &context, [&s] {
            if (s.reply && s.reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200) {
                s.resumedWithoutProgress = false;   // the resume worked: a later break is a new break
                s.openedAt.start();
            }
        });
        QObject::connect(s.reply, &QNetworkReply::readyRead, &context, [&s, &onData] { onData(s); });
        QObject::connect(s.reply, &QNetworkReply::finished, &context, [&s, &onFinished] { onFinished(s); });
    };

    for (Stream &s : streams)
        if (!s.path.isEmpty())
            open(s);
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &context, [&] {
        if (sink.stopRequested())
            finish(WatchOutcome::End::Stopped);
    });
    tick.start(200);
    if (!sink.stopRequested())
        loop.exec();
    else
        outcome.end = WatchOutcome::End::Stopped;
    QObject::disconnect(&context, nullptr, nullptr, nullptr);
    for (Stream &s : streams) {
        if (s.reply) {
            s.reply->disconnect(&context);
            s.reply->abort();
            s.reply->deleteLater();
        }
    }
    return outcome;
}

} // namespace mist
