#pragma once

#include "kubeapiclient.h"
#include "providers/provider.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace mist {

// Where the watches resume: the resourceVersions of the node and pod lists (PollResult::watchCursor).
struct KubeCursor
{
    QString nodes;
    QString pods;
    bool nodesSkipped = false;   // nodes may not be listed (namespace-limited user): watch pods only

    QString toString() const;
    static KubeCursor parse(const QString &text);   // empty fields when the text is not a cursor
};

// Follows node and pod changes (watch=1, allowWatchBookmarks) from a cursor, turning events
// into WatchBatches: a pod's upsert carries its containers, containers that left the pod and
// DELETED objects become removedExternalIds. 410 Gone → Expired; a broken stream is resumed
// from the last resourceVersion, and when that resume fails (no 200 answer) → Failed.
class KubeWatcher
{
public:
    KubeWatcher(KubeApiClient &client, const QString &podsPath, const QString &nodesPath, const KubeCursor &cursor);
    WatchOutcome run(WatchSink &sink);

private:
    struct Stream;
    enum class LineResult { Ok, Expired, Failed };
    LineResult handleLine(Stream &stream, const QByteArray &line);
    void upsertPod(const QJsonObject &pod);
    void removePod(const QJsonObject &pod);
    void addUpsert(const Machine &m);
    void addRemoval(const QString &id);

    KubeApiClient &m_client;
    QString m_podsPath;
    QString m_nodesPath;
    KubeCursor m_cursor;
    QHash<QString, QStringList> m_containersByPod;   // pod uid → container names seen in this watch
    WatchBatch m_batch;
    QHash<QString, int> m_upsertIndex;
    Error m_error;
};

} // namespace mist
