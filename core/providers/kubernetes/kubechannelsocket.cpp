#include "kubechannelsocket.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <condition_variable>
#include <mutex>

namespace mist {

namespace {

std::mutex g_workersMutex;
std::condition_variable g_workersDone;
int g_workers = 0;

} // namespace

KubeConnectionSource kubeConnectionSource(KubeConnection connection)
{
    return [connection]() -> Result<KubeConnection> { return connection; };
}

KubeConnectionSource kubeConnectionSource(Credentials credentials)
{
    return [credentials]() { return KubeConnection::fromCredentials(credentials); };
}

Result<KubeConnection> resolveKubeConnection(const KubeConnectionSource &source)
{
    if (!source)
        return Error{QCoreApplication::translate("KubeStreams", "No connection to the cluster is configured."), {}};
    return source();
}

void KubeWorkerThread::start(QObject *worker, const QString &name)
{
    auto *thread = new QThread;
    thread->setObjectName(name);
    worker->moveToThread(thread);
    {
        std::lock_guard lock(g_workersMutex);
        ++g_workers;
    }
    // destroyed() is emitted on the worker's thread: quit that thread's loop from there.
    QObject::connect(worker, &QObject::destroyed, thread, [thread] { thread->quit(); }, Qt::DirectConnection);
    QObject::connect(thread, &QThread::finished, thread, [] {
        std::lock_guard lock(g_workersMutex);
        --g_workers;
        g_workersDone.notify_all();
    }, Qt::DirectConnection);
    // Deleted by the application thread's loop: the starting thread may have none (a pool
    // thread running a blocking exec).
    if (QCoreApplication *app = QCoreApplication::instance())
        thread->moveToThread(app->thread());
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

bool KubeWorkerThread::waitForWorkers(int msecs)
{
    std::unique_lock lock(g_workersMutex);
    return g_workersDone.wait_for(lock, std::chrono::milliseconds(msecs), [] { return g_workers == 0; });
}

QWebSocket *openKubeWebSocket(const KubeConnection &connection, const QString &pathAndQuery,
                              const QStringList &subprotocols, QObject *parent)
{
    QNetworkRequest request = connection.request(pathAndQuery);
    QUrl url = request.url();
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    request.setUrl(url);
    request.setRawHeader("Accept", "*/*");
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, parent);
    if (url.scheme() == QLatin1String("wss"))
        socket->setSslConfiguration(connection.ssl);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(subprotocols);
    socket->open(request, options);
    return socket;
}

void onKubeWebSocketError(QWebSocket *socket, QObject *context, std::function<void()> handler)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    QObject::connect(socket, &QWebSocket::errorOccurred, context, [handler](QAbstractSocket::SocketError) { handler(); });
#else
    QObject::connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), context,
                     [handler](QAbstractSocket::SocketError) { handler(); });
#endif
}

Error kubeWebSocketError(const KubeConnection &connection, const KubeOperation &operation, const QWebSocket &socket)
{
    KubeFailure failure;
    failure.networkText = socket.errorString();
    // "QWebSocketPrivate::processHandshake: Unhandled http status code: 403 (Forbidden)."
    static const QRegularExpression statusRe(QStringLiteral("status code: (\\d{3})"));
    const QRegularExpressionMatch m = statusRe.match(failure.networkText);
    if (m.hasMatch()) {
        failure.httpStatus = m.captured(1).toInt();
        failure.body = failure.networkText.toUtf8();
        return kubeError(connection, operation, failure);
    }
    switch (socket.error()) {
    case QAbstractSocket::SslHandshakeFailedError:
        failure.network = QNetworkReply::SslHandshakeFailedError;
        break;
    case QAbstractSocket::ConnectionRefusedError:
        failure.network = QNetworkReply::ConnectionRefusedError;
        break;
    case QAbstractSocket::HostNotFoundError:
        failure.network = QNetworkReply::HostNotFoundError;
        break;
    case QAbstractSocket::RemoteHostClosedError:
        failure.network = QNetworkReply::RemoteHostClosedError;
        break;
    default:
        failure.network = QNetworkReply::UnknownNetworkError;
    }
    return kubeError(connection, operation, failure);
}

QString kubePodPath(const QString &ns, const QString &pod, const QString &sub,
                    const QList<std::pair<QString, QString>> &query)
{
    QString path = QStringLiteral("/api/v1/namespaces/%1/pods/%2")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(ns)), QString::fromLatin1(QUrl::toPercentEncoding(pod)));
    if (!sub.isEmpty())
        path += QLatin1Char('/') + sub;
    QStringList items;
    for (const auto &[key, value] : query)
        items << QString::fromLatin1(QUrl::toPercentEncoding(key)) + QLatin1Char('=')
                     + QString::fromLatin1(QUrl::toPercentEncoding(value));
    if (!items.isEmpty())
        path += QLatin1Char('?') + items.join(QLatin1Char('&'));
    return path;
}

} // namespace mist
