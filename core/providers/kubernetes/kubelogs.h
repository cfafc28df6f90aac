#pragma once

#include "containers/logstream.h"
#include "providers/kubernetes/kubechannelsocket.h"

#include <QStringList>

namespace mist {

class KubeLogWorker;

// Logs of one or more containers of a pod (GET .../pods/{pod}/log, streamed). With several
// containers there is one request each, merged line by line with "[container] " prefixes.
// The requests run on a worker thread; stop() only posts to it.
class KubeLogStream : public LogStream
{
    Q_OBJECT

public:
    // containers empty: the server's default (a pod with one container).
    KubeLogStream(KubeConnectionSource source, QString ns, QString pod, QStringList containers, LogOptions options,
                  QObject *parent = nullptr);
    ~KubeLogStream() override;

    void start() override;
    void stop() override;

    QString description() const;   // "ns/pod" or "ns/pod/container"

    // The request path for one container (exposed for tests and diagnostics).
    static QString logPath(const QString &ns, const QString &pod, const QString &container, const LogOptions &options);

private:
    void finish(const Status &status);

    KubeConnectionSource m_source;
    QString m_ns;
    QString m_pod;
    QStringList m_containers;
    LogOptions m_options;
    KubeLogWorker *m_worker = nullptr;   // on the worker thread; only posted to
    bool m_finished = false;
};

} // namespace mist
