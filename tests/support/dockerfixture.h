#pragma once

#include <QByteArray>
#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QThread>
#include <QVector>

#include <memory>

namespace mist::test {

// A Docker Engine API fixture on a unix socket, answering as the Engine API reference
// (shared/specs/docker/swagger.yaml) documents: /_ping with Api-Version, /version, /info,
// container list/inspect, start/stop/restart/pause/unpause (304 when already there),
// rename (409 on a used name), remove (409 when running without force), exec create/start
// with a hijacked upgraded stream (tty: echoes what is typed and answers "size" with the
// size set through /exec/{id}/resize; no tty: runs "echo"/"fail" with the multiplexed
// framing), exec inspect, and logs (multiplexed frames split across HTTP chunks; follow).
//
// Qt HTTP Server cannot listen on a unix socket in Qt 6.4, so this parses HTTP/1.1 itself
// on a QLocalServer. It runs on its own thread because the code under test blocks.
// Every request is checked (method, path, query, version prefix, headers, body); whatever
// breaks the reference is recorded in violations() and answered with an error.
class DockerFixture
{
public:
    enum class Mode {
        Engine,          // a Docker engine
        Garbage,         // answers every request with non-HTTP bytes
        CloseAtOnce,     // closes every connection without a byte
        NotDocker,       // HTTP, but /_ping is a 404 page
        TruncatedJson,   // /containers/json: valid HTTP, truncated JSON
        CutOff,          // /containers/json: Content-Length promises more than is sent, then close
        GarbageFrames,   // logs and non-tty exec send junk instead of frames
        Silent           // accepts connections, never answers
    };

    struct LogLine
    {
        int stream = 1;   // 1 stdout, 2 stderr
        QString text;     // without the newline
    };

    struct Container
    {
        QString id;        // 64 hex digits
        QString name;      // without "/"
        QString image;
        QString state;     // created, running, paused, exited, dead...
        bool tty = false;
        QMap<QString, QString> labels;
        QString ip;
        int publicPort = 0;   // with privatePort: one published port
        int privatePort = 0;
        qint64 created = 1700000000;
        QVector<LogLine> logs;
    };

    struct Request
    {
        QByteArray method;
        QString path;       // without the version prefix
        QString version;    // "1.43", empty when unversioned
        QString query;
        QByteArray body;
        QMap<QByteArray, QByteArray> headers;   // lower-case names
    };

    explicit DockerFixture(QString apiVersion = QStringLiteral("1.43"));
    ~DockerFixture();

    bool start();   // on a unix socket; false: errorString()
    // On 127.0.0.1 with TLS (PEM files), requiring a client certificate signed by the CA.
    bool startTls(const QString &caFile, const QString &certFile, const QString &keyFile);
    QString errorString() const { return m_error; }
    QString socketPath() const;
    QString uri() const
    {
        return m_tcpPort ? QStringLiteral("tcp://127.0.0.1:%1").arg(m_tcpPort) : QStringLiteral("unix://") + socketPath();
    }
    int tlsFailures() const;   // handshakes the server refused (no or untrusted client certificate)

    void setMode(Mode mode);
    void addContainer(const Container &container);
    Container container(const QString &id) const;   // by full id, empty id when gone
    static QVector<Container> sampleContainers();    // web (running), db (exited), cache (paused), term (running, tty)

    // GET /containers/{id}/stats (stream=false, one-shot from API 1.41): a running container's
    // counters grow with every answer (see stats() in the .cpp for the exact figures); a
    // stopped one gets the engine's all-zero answer. cgroup v2 fields unless set to v1.
    void setStatsCgroupV1(bool v1);
    void setNextStats(const QString &id, const QByteArray &rawBody);   // queued raw answers (bad input)
    void resetStatsCounters(const QString &id);                         // a restart: counters start again

    QVector<Request> requests() const;
    QStringList violations() const;
    QVector<QPair<int, int>> resizes() const;        // (h, w) of every exec resize
    int openConnections() const;
    void clear();

    struct State;
    class Server;

private:
    bool startThread();

    QString m_error;
    quint16 m_tcpPort = 0;
    QTemporaryDir m_dir;
    std::shared_ptr<State> m_state;
    QThread m_thread;
    Server *m_server = nullptr;
};

} // namespace mist::test
