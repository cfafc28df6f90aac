#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QThreadStorage>

#include <memory>

namespace mist {

// Connections whose Qt objects belong to the thread that made them (a DockerClient's sockets,
// a KubeApiClient's QNetworkAccessManager), shared by the collectors of one cloud that run on
// that thread. Collection rounds run on any thread of a pool, so each thread keeps its own:
// an entry is created, used and destroyed on one thread (when dropped, idle for 5 minutes,
// or when the thread ends), never touched from another. Rounds on one thread run one after
// the other, so a connection is used by one collector at a time.
template <typename T>
class ThreadConnections
{
public:
    // This thread's connection for `key`, or null. Drops idle entries of this thread.
    static std::shared_ptr<T> find(const QString &key)
    {
        QHash<QString, Entry> &map = entries();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (auto it = map.begin(); it != map.end();) {
            if (now - it->lastUsedMs > kIdleMs && it.key() != key)
                it = map.erase(it);
            else
                ++it;
        }
        auto it = map.find(key);
        if (it == map.end())
            return nullptr;
        it->lastUsedMs = now;
        return it->connection;
    }
    static void put(const QString &key, std::shared_ptr<T> connection)
    {
        entries().insert(key, Entry{std::move(connection), QDateTime::currentMSecsSinceEpoch()});
    }
    // After a failure: the next round connects again.
    static void drop(const QString &key) { entries().remove(key); }
    static int count() { return int(entries().size()); }

private:
    static constexpr qint64 kIdleMs = 5 * 60 * 1000;
    struct Entry
    {
        std::shared_ptr<T> connection;
        qint64 lastUsedMs = 0;
    };
    static QHash<QString, Entry> &entries()
    {
        // Deleted on its thread when the thread ends (for the main thread: with the
        // QCoreApplication), before the thread's event dispatcher goes.
        static QThreadStorage<QHash<QString, Entry> *> storage;
        if (!storage.hasLocalData())
            storage.setLocalData(new QHash<QString, Entry>);
        return *storage.localData();
    }
};

} // namespace mist
