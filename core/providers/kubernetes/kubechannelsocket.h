#pragma once

#include "providers/kubernetes/kubeconnection.h"
#include "providers/kubernetes/kubeerrors.h"
#include "util/result.h"

#include <QString>
#include <QStringList>

#include <functional>

class QObject;
class QWebSocket;

namespace mist {

// Where a stream gets its connection. Evaluated on the stream's worker thread, because
// KubeConnection::fromCredentials may run an exec credential plugin (blocking).
using KubeConnectionSource = std::function<Result<KubeConnection>()>;
KubeConnectionSource kubeConnectionSource(KubeConnection connection);
KubeConnectionSource kubeConnectionSource(Credentials credentials);
// Runs the source (an error when there is none).
Result<KubeConnection> resolveKubeConnection(const KubeConnectionSource &source);

// The worker threads of exec sessions, log streams and port forwards. A worker object (no
// parent) is moved to its own thread; the thread ends when the worker is destroyed (the
// worker calls deleteLater() on itself when its owner asks it to stop). The owner never
// waits for the network.
namespace KubeWorkerThread {
void start(QObject *worker, const QString &name);
// Threads still finishing (closed streams): the application waits for them at exit.
bool waitForWorkers(int msecs);
} // namespace KubeWorkerThread

// A WebSocket (child of `parent`, on the caller's thread) opening the channel protocol on an
// API path, with the connection's auth header and TLS configuration.
QWebSocket *openKubeWebSocket(const KubeConnection &connection, const QString &pathAndQuery,
                              const QStringList &subprotocols, QObject *parent);

// Connects the socket's error signal (renamed errorOccurred in Qt 6.5).
void onKubeWebSocketError(QWebSocket *socket, QObject *context, std::function<void()> handler);

// A clear error (kubeError) for a WebSocket whose handshake or connection failed: Qt only
// reports a refused upgrade as text, so the HTTP status is read from that.
Error kubeWebSocketError(const KubeConnection &connection, const KubeOperation &operation, const QWebSocket &socket);

// "/api/v1/namespaces/<ns>/pods/<pod>[/<sub>][?<query>]" with every value percent-encoded
// (including '+', which Go's query parser would read as a space).
QString kubePodPath(const QString &ns, const QString &pod, const QString &sub,
                    const QList<std::pair<QString, QString>> &query);

} // namespace mist
