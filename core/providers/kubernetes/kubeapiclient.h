#pragma once

#include "kubeconnection.h"
#include "kubeerrors.h"
#include "util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <memory>

class QNetworkAccessManager;

namespace mist {

// A complete listing: every page's items plus the list's resourceVersion (where a watch resumes).
struct KubeList
{
    QJsonArray items;
    QString resourceVersion;
};

// Blocking Kubernetes API client for worker threads: each call runs a local event loop.
// Retries 429 (honouring Retry-After) and 5xx/transient failures with backoff; turns every
// other failure into a clear Error (see kubeerrors.h). One instance per thread.
class KubeApiClient
{
public:
    enum class PatchType { Merge, StrategicMerge };

    struct RetryPolicy
    {
        int maxRetries = 3;          // per request, for 429 and 5xx
        int baseDelayMs = 500;       // 5xx backoff: base, 2×base, 4×base…
        int maxRetryAfterSec = 30;   // a longer Retry-After fails at once instead of blocking
    };

    explicit KubeApiClient(KubeConnection connection);
    ~KubeApiClient();

    Result<QJsonObject> get(const QString &path, const KubeOperation &op);
    Result<QJsonObject> patch(const QString &path, const QJsonObject &body, PatchType type, const KubeOperation &op);
    Result<QJsonObject> remove(const QString &path, const KubeOperation &op);
    // Every page of a list (limit + continue); restarts once when the continue token expires.
    Result<KubeList> list(const QString &path, const KubeOperation &op, int pageSize = 500);

    const KubeConnection &connection() const { return m_connection; }
    QNetworkAccessManager *network() const { return m_network.get(); }
    void setRetryPolicy(const RetryPolicy &policy) { m_retry = policy; }

private:
    Result<QJsonObject> send(const QByteArray &method, const QString &path, const QByteArray &body,
                             const QByteArray &contentType, const KubeOperation &op, KubeFailure *lastFailure = nullptr);

    KubeConnection m_connection;
    std::unique_ptr<QNetworkAccessManager> m_network;
    RetryPolicy m_retry;
};

} // namespace mist
