#pragma once

#include "containers/logstream.h"
#include "providers/kubernetes/kubechannelsocket.h"

#include <QHash>
#include <QObject>
#include <QStringList>

class QNetworkAccessManager;
class QNetworkReply;

namespace mist {

// The network side of a KubeLogStream, on its worker thread: one streamed GET per container
// (of the pod, or of every pod of its workload), cut into whole lines. Dies only through shutdown().
class KubeLogWorker : public QObject
{
    Q_OBJECT

public:
    KubeLogWorker(KubeConnectionSource source, QString ns, QString pod, QStringList containers, LogOptions options);
    ~KubeLogWorker() override;

    void open();
    void shutdown();   // aborts the requests and deletes this object

signals:
    void lines(const QString &text);
    void done(const mist::Status &status);

private:
    struct Target
    {
        QString pod;
        QString container;   // empty: the server's default
    };
    struct Source
    {
        QString pod;
        QString container;
        QByteArray partial;      // bytes after the last '\n'
        QByteArray errorBody;    // the Status body of an HTTP error
        bool finished = false;
    };
    void onReadyRead(QNetworkReply *reply);
    void onFinished(QNetworkReply *reply);
    void emitLines(const Source &source, const QByteArray &complete);
    QString prefix(const Source &source) const;
    KubeOperation operation(const QString &pod, const QString &container) const;
    // The pods of m_pod's owner (itself alone when it has none), with their containers.
    Result<QVector<Target>> workloadTargets() const;

    KubeConnectionSource m_source;
    QString m_ns;
    QString m_pod;
    QStringList m_containers;
    LogOptions m_options;
    KubeConnection m_connection;
    QNetworkAccessManager *m_nam = nullptr;
    QHash<QNetworkReply *, Source> m_sources;
    QList<Error> m_errors;
    int m_running = 0;
    int m_total = 0;
    bool m_prefixed = false;   // several sources merged: each line says where it is from
};

} // namespace mist
