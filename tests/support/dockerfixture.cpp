#include "dockerfixture.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QSslKey>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QMutexLocker>
#include <QPointer>
#include <QRegularExpression>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QtEndian>

namespace mist::test {

struct DockerFixture::State
{
    mutable QRecursiveMutex mutex;   // answers are built under it and read the version again
    QString apiVersion;
    Mode mode = Mode::Engine;
    QVector<Container> containers;
    QVector<Request> requests;
    QStringList violations;
    QVector<QPair<int, int>> resizes;
    int connections = 0;
    int tlsFailures = 0;

    struct Exec
    {
        QString id;
        QString containerId;
        QStringList cmd;
        bool tty = false;
        bool running = false;
        bool started = false;
        int exitCode = 0;
    };
    QHash<QString, Exec> execs;
    int nextExec = 1;

    // /containers/{id}/stats
    QHash<QString, int> statsCalls;              // answers given per container id: the counters' step
    QHash<QString, QList<QByteArray>> nextStats; // raw bodies queued by setNextStats()
    bool statsCgroupV1 = false;
};

namespace {

QByteArray frame(int stream, const QByteArray &payload)
{
    QByteArray h(8, '\0');
    h[0] = char(stream);
    qToBigEndian<quint32>(quint32(payload.size()), reinterpret_cast<uchar *>(h.data()) + 4);
    return h + payload;
}

QByteArray reasonFor(int status)
{
    switch (status) {
    case 101: return "UPGRADED";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 409: return "Conflict";
    default: return "Internal Server Error";
    }
}

bool isTrue(const QString &v)
{
    return v == QLatin1String("1") || v == QLatin1String("true") || v == QLatin1String("True");
}

} // namespace

// Lives on the fixture's thread; all socket work happens there.
class DockerFixture::Server : public QObject
{
public:
    Server(std::shared_ptr<State> state, QString path) : m_state(std::move(state)), m_path(std::move(path)) {}

    bool listen(QString *error)
    {
        m_server = new QLocalServer(this);
        QLocalServer::removeServer(m_path);
        if (!m_server->listen(m_path)) {
            *error = m_server->errorString();
            return false;
        }
        connect(m_server, &QLocalServer::newConnection, this, [this] {
            while (QIODevice *s = m_server->nextPendingConnection())
                accept(s);
        });
        return true;
    }

    bool listenTls(const QSslConfiguration &config, quint16 *port, QString *error)
    {
        m_tls = new QSslServer(this);
        m_tls->setSslConfiguration(config);
        if (!m_tls->listen(QHostAddress::LocalHost, 0)) {
            *error = m_tls->errorString();
            return false;
        }
        *port = m_tls->serverPort();
        connect(m_tls, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *s = m_tls->nextPendingConnection())
                accept(s);
        });
        connect(m_tls, &QSslServer::errorOccurred, this, [this](QSslSocket *, QAbstractSocket::SocketError) {
            QMutexLocker l(&m_state->mutex);
            ++m_state->tlsFailures;
        });
        return true;
    }

    static void hangUp(QIODevice *s)
    {
        if (auto *local = qobject_cast<QLocalSocket *>(s))
            local->disconnectFromServer();
        else if (auto *tcp = qobject_cast<QAbstractSocket *>(s))
            tcp->disconnectFromHost();
    }

    void shutdown()
    {
        for (QIODevice *s : m_conns.keys()) {
            if (auto *local = qobject_cast<QLocalSocket *>(s))
                local->abort();
            else if (auto *tcp = qobject_cast<QAbstractSocket *>(s))
                tcp->abort();
        }
        delete m_server;
        m_server = nullptr;
        delete m_tls;
        m_tls = nullptr;
    }

private:
    struct Conn
    {
        QByteArray buffer;
        bool hijacked = false;
        QString execId;
        QByteArray line;   // tty: the line being typed
    };

    std::shared_ptr<State> m_state;
    QString m_path;
    QLocalServer *m_server = nullptr;
    QSslServer *m_tls = nullptr;
    QHash<QIODevice *, Conn> m_conns;

    Mode mode() const
    {
        QMutexLocker l(&m_state->mutex);
        return m_state->mode;
    }

    void violation(const QString &what)
    {
        QMutexLocker l(&m_state->mutex);
        m_state->violations << what;
    }

    void accept(QIODevice *s)
    {
        {
            QMutexLocker l(&m_state->mutex);
            ++m_state->connections;
        }
        const auto gone = [this, s] {
            s->deleteLater();
            if (!m_conns.remove(s))
                return;
            QMutexLocker l(&m_state->mutex);
            --m_state->connections;
        };
        if (auto *local = qobject_cast<QLocalSocket *>(s))
            connect(local, &QLocalSocket::disconnected, this, gone);
        else if (auto *tcp = qobject_cast<QAbstractSocket *>(s))
            connect(tcp, &QAbstractSocket::disconnected, this, gone);
        m_conns.insert(s, Conn{});
        if (mode() == Mode::CloseAtOnce) {
            hangUp(s);
            return;
        }
        connect(s, &QIODevice::readyRead, this, [this, s] { onRead(s); });
        if (s->bytesAvailable() > 0)
            QMetaObject::invokeMethod(this, [this, s] { onRead(s); }, Qt::QueuedConnection);
    }

    void onRead(QIODevice *s)
    {
        auto it = m_conns.find(s);
        if (it == m_conns.end())
            return;
        it->buffer += s->readAll();
        if (mode() == Mode::Silent)
            return;
        if (mode() == Mode::Garbage) {
            it->buffer.clear();
            s->write("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nProtocol mismatch.\n");
            hangUp(s);
            return;
        }
        while (it != m_conns.end() && !it->buffer.isEmpty()) {
            if (it->hijacked) {
                typed(s, *it);
                return;
            }
            const qsizetype end = it->buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            Request r;
            const QList<QByteArray> lines = it->buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            for (int i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const int colon = line.indexOf(':');
                if (colon > 0)
                    r.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
            }
            const qint64 length = r.headers.value("content-length", "0").toLongLong();
            if (it->buffer.size() < end + 4 + length)
                return;
            r.body = it->buffer.mid(end + 4, length);
            it->buffer.remove(0, end + 4 + length);
            r.method = first.value(0);
            const QString target = QString::fromUtf8(first.value(1));
            if (first.size() != 3 || first.value(2) != "HTTP/1.1")
                violation(QStringLiteral("bad request line: %1").arg(QString::fromUtf8(lines.value(0))));
            if (!r.headers.contains("host"))
                violation(QStringLiteral("no Host header: %1").arg(target));
            r.path = target.section(QLatin1Char('?'), 0, 0);
            r.query = target.section(QLatin1Char('?'), 1);
            static const QRegularExpression versioned(QStringLiteral("^/v([0-9]+\\.[0-9]+)(/.*)$"));
            if (const auto m = versioned.match(r.path); m.hasMatch()) {
                r.version = m.captured(1);
                r.path = m.captured(2);
            }
            {
                QMutexLocker l(&m_state->mutex);
                m_state->requests << r;
            }
            handle(s, *it, r);
            it = m_conns.find(s);
        }
    }

    // ---- answers ---------------------------------------------------------------------

    void reply(QIODevice *s, int status, const QByteArray &body = {}, const QByteArray &type = "application/json",
               const QList<QByteArray> &extra = {})
    {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonFor(status) + "\r\n";
        out += "Api-Version: " + apiVersion().toLatin1() + "\r\nServer: Docker/24.0.7 (linux)\r\n";
        if (!body.isEmpty())
            out += "Content-Type: " + type + "\r\n";
        for (const QByteArray &h : extra)
            out += h + "\r\n";
        if (status != 204 && status != 304)
            out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        out += "\r\n" + body;
        s->write(out);
    }

    void json(QIODevice *s, int status, const QJsonValue &v)
    {
        const QByteArray body = v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
        reply(s, status, body + '\n');
    }

    void message(QIODevice *s, int status, const QString &text)
    {
        json(s, status, QJsonObject{{QStringLiteral("message"), text}});
    }

    QString apiVersion() const
    {
        QMutexLocker l(&m_state->mutex);
        return m_state->apiVersion;
    }

    // Finds a container by full id, unique id prefix or name (as the engine does).
    int findContainer(const QString &ref) const
    {
        for (int i = 0; i < m_state->containers.size(); ++i) {
            const Container &c = m_state->containers.at(i);
            if (c.id == ref || c.name == ref || (ref.size() >= 4 && c.id.startsWith(ref)))
                return i;
        }
        return -1;
    }

    static QJsonObject summary(const Container &c)
    {
        QJsonObject labels;
        for (auto it = c.labels.begin(); it != c.labels.end(); ++it)
            labels.insert(it.key(), it.value());
        QJsonArray ports;
        if (c.privatePort)
            ports.append(c.publicPort ? QJsonObject{{QStringLiteral("IP"), QStringLiteral("0.0.0.0")},
                                                    {QStringLiteral("PrivatePort"), c.privatePort},
                                                    {QStringLiteral("PublicPort"), c.publicPort},
                                                    {QStringLiteral("Type"), QStringLiteral("tcp")}}
                                      : QJsonObject{{QStringLiteral("PrivatePort"), c.privatePort},
                                                    {QStringLiteral("Type"), QStringLiteral("tcp")}});
        const bool up = c.state == QLatin1String("running") || c.state == QLatin1String("paused");
        return QJsonObject{
            {QStringLiteral("Id"), c.id},
            {QStringLiteral("Names"), QJsonArray{QLatin1Char('/') + c.name}},
            {QStringLiteral("Image"), c.image},
            {QStringLiteral("ImageID"), QStringLiteral("sha256:") + QString(64, QLatin1Char('e'))},
            {QStringLiteral("Command"), QStringLiteral("/docker-entrypoint.sh")},
            {QStringLiteral("Created"), c.created},
            {QStringLiteral("Ports"), ports},
            {QStringLiteral("Labels"), labels},
            {QStringLiteral("State"), c.state},
            {QStringLiteral("Status"), up ? QStringLiteral("Up 3 minutes") : QStringLiteral("Exited (0) 2 hours ago")},
            {QStringLiteral("HostConfig"), QJsonObject{{QStringLiteral("NetworkMode"), QStringLiteral("bridge")}}},
            {QStringLiteral("NetworkSettings"),
             QJsonObject{{QStringLiteral("Networks"),
                          QJsonObject{{QStringLiteral("bridge"),
                                       QJsonObject{{QStringLiteral("IPAddress"), up ? c.ip : QString()},
                                                   {QStringLiteral("Gateway"), QStringLiteral("172.17.0.1")},
                                                   {QStringLiteral("GlobalIPv6Address"), QString()}}}}}}},
            {QStringLiteral("Mounts"), QJsonArray{}},
        };
    }

    void handle(QIODevice *s, Conn &conn, const Request &r)
    {
        const Mode m = mode();
        const QString p = r.path;
        const QUrlQuery q(r.query);

        if (p == QLatin1String("/_ping")) {
            if (m == Mode::NotDocker)
                return reply(s, 404, "<html><body>404 page not found</body></html>", "text/html");
            if (r.method != "GET" && r.method != "HEAD")
                violation(QStringLiteral("/_ping with %1").arg(QString::fromLatin1(r.method)));
            return reply(s, 200, r.method == "HEAD" ? QByteArray() : QByteArray("OK"), "text/plain; charset=utf-8",
                         {"Docker-Experimental: false", "Cache-Control: no-cache, no-store, must-revalidate", "Pragma: no-cache"});
        }
        // Everything else carries the negotiated version (unversioned calls are deprecated).
        if (r.version.isEmpty()) {
            violation(QStringLiteral("unversioned %1 %2").arg(QString::fromLatin1(r.method), p));
        } else if (versionGreater(r.version, apiVersion())) {
            return message(s, 400, QStringLiteral("client version %1 is too new. Maximum supported API version is %2")
                                       .arg(r.version, apiVersion()));
        }
        if (r.method != "POST" && r.method != "HEAD" && !r.body.isEmpty())
            violation(QStringLiteral("%1 %2 with a body").arg(QString::fromLatin1(r.method), p));

        if (p == QLatin1String("/version") && r.method == "GET")
            return json(s, 200, QJsonObject{
                {QStringLiteral("Platform"), QJsonObject{{QStringLiteral("Name"), QStringLiteral("Docker Engine - Community")}}},
                {QStringLiteral("Components"), QJsonArray{QJsonObject{{QStringLiteral("Name"), QStringLiteral("Engine")},
                                                                      {QStringLiteral("Version"), QStringLiteral("24.0.7")}}}},
                {QStringLiteral("Version"), QStringLiteral("24.0.7")},
                {QStringLiteral("ApiVersion"), apiVersion()},
                {QStringLiteral("MinAPIVersion"), QStringLiteral("1.12")},
                {QStringLiteral("Os"), QStringLiteral("linux")},
                {QStringLiteral("Arch"), QStringLiteral("amd64")},
                {QStringLiteral("KernelVersion"), QStringLiteral("6.1.0-13-amd64")}});
        if (p == QLatin1String("/info") && r.method == "GET") {
            QMutexLocker l(&m_state->mutex);
            const qsizetype n = m_state->containers.size();
            l.unlock();
            return json(s, 200, QJsonObject{
                {QStringLiteral("ID"), QStringLiteral("7TRN:IPZB:QYBB:VPBQ:UWYJ:KLK2:4FJW:OXJF")},
                {QStringLiteral("Containers"), int(n)},
                {QStringLiteral("Images"), 5},
                {QStringLiteral("Driver"), QStringLiteral("overlay2")},
                {QStringLiteral("Name"), QStringLiteral("fixture-host")},
                {QStringLiteral("OperatingSystem"), QStringLiteral("Debian GNU/Linux 12 (bookworm)")},
                {QStringLiteral("KernelVersion"), QStringLiteral("6.1.0-13-amd64")},
                {QStringLiteral("Architecture"), QStringLiteral("x86_64")},
                {QStringLiteral("NCPU"), 4},
                {QStringLiteral("MemTotal"), 8.0 * 1024 * 1024 * 1024},
                {QStringLiteral("ServerVersion"), QStringLiteral("24.0.7")}});
        }
        if (p == QLatin1String("/containers/json") && r.method == "GET") {
            if (!isTrue(q.queryItemValue(QStringLiteral("all"))))
                violation(QStringLiteral("/containers/json without all=1 misses stopped containers"));
            if (m == Mode::TruncatedJson)
                return reply(s, 200, "[{\"Id\":\"abc\",\"Names\":[\"/web\"],\"Sta");
            if (m == Mode::CutOff) {
                s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n[{\"Id\":\"abc\"");
                hangUp(s);
                return;
            }
            QJsonArray list;
            QMutexLocker l(&m_state->mutex);
            for (const Container &c : m_state->containers)
                list.append(summary(c));
            l.unlock();
            return json(s, 200, list);
        }

        static const QRegularExpression containerRe(QStringLiteral("^/containers/([^/]+)(/[a-z]+)?$"));
        static const QRegularExpression execRe(QStringLiteral("^/exec/([^/]+)/(start|resize|json)$"));
        if (const auto cm = containerRe.match(p); cm.hasMatch())
            return containerCall(s, r, cm.captured(1), cm.captured(2), q);
        if (const auto em = execRe.match(p); em.hasMatch())
            return execCall(s, conn, r, em.captured(1), em.captured(2), q);
        violation(QStringLiteral("unknown endpoint %1 %2").arg(QString::fromLatin1(r.method), p));
        message(s, 404, QStringLiteral("page not found"));
    }

    static bool versionGreater(const QString &a, const QString &b)
    {
        const QStringList x = a.split(QLatin1Char('.')), y = b.split(QLatin1Char('.'));
        return std::make_pair(x.value(0).toInt(), x.value(1).toInt()) > std::make_pair(y.value(0).toInt(), y.value(1).toInt());
    }

    void containerCall(QIODevice *s, const Request &r, const QString &ref, const QString &op, const QUrlQuery &q)
    {
        QMutexLocker l(&m_state->mutex);
        const int i = findContainer(ref);
        if (i < 0) {
            l.unlock();
            return message(s, 404, QStringLiteral("No such container: %1").arg(ref));
        }
        Container &c = m_state->containers[i];
        const bool postOp = op == QLatin1String("/start") || op == QLatin1String("/stop") || op == QLatin1String("/restart")
            || op == QLatin1String("/pause") || op == QLatin1String("/unpause") || op == QLatin1String("/rename");
        if (postOp && r.method != "POST") {
            l.unlock();
            violation(QStringLiteral("%1 %2 must be POST").arg(QString::fromLatin1(r.method), op));
            return message(s, 404, QStringLiteral("page not found"));
        }
        if (postOp && !r.body.isEmpty())
            violation(QStringLiteral("%1 sent a body").arg(op));
        const QString shortId = c.id.left(12);
        if (op == QLatin1String("/start")) {
            if (c.state == QLatin1String("running") || c.state == QLatin1String("paused"))
                return reply(s, 304);
            c.state = QStringLiteral("running");
            return reply(s, 204);
        }
        if (op == QLatin1String("/stop")) {
            if (c.state != QLatin1String("running") && c.state != QLatin1String("paused"))
                return reply(s, 304);
            c.state = QStringLiteral("exited");
            return reply(s, 204);
        }
        if (op == QLatin1String("/restart")) {
            c.state = QStringLiteral("running");
            return reply(s, 204);
        }
        if (op == QLatin1String("/pause")) {
            if (c.state != QLatin1String("running"))
                return message(s, 409, QStringLiteral("Container %1 is not running").arg(shortId));
            c.state = QStringLiteral("paused");
            return reply(s, 204);
        }
        if (op == QLatin1String("/unpause")) {
            if (c.state != QLatin1String("paused"))
                return message(s, 409, QStringLiteral("Container %1 is not paused").arg(shortId));
            c.state = QStringLiteral("running");
            return reply(s, 204);
        }
        if (op == QLatin1String("/rename")) {
            QString name = q.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded);
            if (name.startsWith(QLatin1Char('/')))
                name.remove(0, 1);
            if (name.isEmpty()) {
                l.unlock();
                violation(QStringLiteral("rename without name"));
                return message(s, 400, QStringLiteral("name is required"));
            }
            for (const Container &other : std::as_const(m_state->containers))
                if (other.name == name && other.id != c.id)
                    return message(s, 409, QStringLiteral("Conflict. The container name \"/%1\" is already in use by container \"%2\". "
                                                          "You have to remove (or rename) that container to be able to reuse that name.")
                                               .arg(name, other.id));
            c.name = name;
            return reply(s, 204);
        }
        if (op.isEmpty() && r.method == "DELETE") {
            if (c.state == QLatin1String("running") && !isTrue(q.queryItemValue(QStringLiteral("force"))))
                return message(s, 409, QStringLiteral("You cannot remove a running container %1. Stop the container before "
                                                      "attempting removal or force remove").arg(c.id));
            m_state->containers.removeAt(i);
            return reply(s, 204);
        }
        if (op == QLatin1String("/json") && r.method == "GET") {
            QJsonObject o = summary(c);
            o.remove(QStringLiteral("Names"));
            o[QStringLiteral("Name")] = QLatin1Char('/') + c.name;
            o[QStringLiteral("State")] = QJsonObject{{QStringLiteral("Status"), c.state},
                                                     {QStringLiteral("Running"), c.state == QLatin1String("running")},
                                                     {QStringLiteral("Paused"), c.state == QLatin1String("paused")}};
            o[QStringLiteral("Config")] = QJsonObject{{QStringLiteral("Tty"), c.tty}, {QStringLiteral("Image"), c.image}};
            return json(s, 200, o);
        }
        if (op == QLatin1String("/exec") && r.method == "POST") {
            const QJsonObject body = QJsonDocument::fromJson(r.body).object();
            const QJsonArray cmd = body.value(QLatin1String("Cmd")).toArray();
            if (!r.headers.value("content-type").startsWith("application/json") || cmd.isEmpty()
                || !body.value(QLatin1String("AttachStdout")).toBool() || !body.value(QLatin1String("Tty")).isBool()) {
                l.unlock();
                violation(QStringLiteral("exec create: bad body %1").arg(QString::fromUtf8(r.body)));
                return message(s, 400, QStringLiteral("bad exec config"));
            }
            if (c.state == QLatin1String("paused"))
                return message(s, 409, QStringLiteral("Container %1 is paused, unpause the container before exec").arg(c.id));
            if (c.state != QLatin1String("running"))
                return message(s, 409, QStringLiteral("Container %1 is not running").arg(c.id));
            State::Exec e;
            e.id = QStringLiteral("%1").arg(m_state->nextExec++, 64, 16, QLatin1Char('f'));
            e.containerId = c.id;
            for (const QJsonValue &v : cmd)
                e.cmd << v.toString();
            e.tty = body.value(QLatin1String("Tty")).toBool();
            m_state->execs.insert(e.id, e);
            return json(s, 201, QJsonObject{{QStringLiteral("Id"), e.id}});
        }
        if (op == QLatin1String("/logs") && r.method == "GET") {
            const Container copy = c;
            l.unlock();
            return logs(s, copy, q);
        }
        if (op == QLatin1String("/stats") && r.method == "GET")
            return stats(s, r, c, q);
        l.unlock();
        violation(QStringLiteral("unknown container endpoint %1 %2").arg(QString::fromLatin1(r.method), op));
        message(s, 404, QStringLiteral("page not found"));
    }

    // ContainerStatsResponse as the spec documents it. Answer k of a running container: the
    // engine's clock 10 s after answer k-1, CPU 0.8 of 4 CPUs (20 %), memory 100 MiB + k MiB
    // of which 20 MiB inactive file cache (limit 512 MiB), eth0 1000 B/s in and 500 B/s out,
    // disk 8:0 4096 B/s read and 8192 B/s written. A stopped container gets the engine's
    // all-zero answer. Called with the state locked.
    void stats(QIODevice *s, const Request &r, const Container &c, const QUrlQuery &q)
    {
        const QString stream = q.queryItemValue(QStringLiteral("stream"));
        const bool oneShot = isTrue(q.queryItemValue(QStringLiteral("one-shot")));
        if (stream.isEmpty() || isTrue(stream))
            violation(QStringLiteral("stats without stream=false (the fixture does not stream stats)"));
        if (oneShot && versionGreater(QStringLiteral("1.41"), r.version))
            violation(QStringLiteral("stats one-shot needs API 1.41, asked with %1").arg(r.version));
        if (!m_state->nextStats.value(c.id).isEmpty()) {
            const QByteArray body = m_state->nextStats[c.id].takeFirst();
            return reply(s, 200, body);
        }
        const bool up = c.state == QLatin1String("running") || c.state == QLatin1String("paused");
        const qint64 k = up ? m_state->statsCalls[c.id]++ : 0;
        const double mib = 1024.0 * 1024.0;
        auto cpu = [&](qint64 step) {
            return QJsonObject{{QStringLiteral("cpu_usage"), QJsonObject{{QStringLiteral("total_usage"), up ? step * 8e9 : 0.0},
                                                                         {QStringLiteral("usage_in_kernelmode"), up ? step * 2e9 : 0.0},
                                                                         {QStringLiteral("usage_in_usermode"), up ? step * 6e9 : 0.0}}},
                               {QStringLiteral("system_cpu_usage"), up ? 1e15 + step * 4e10 : 0.0},
                               {QStringLiteral("online_cpus"), up ? 4 : 0},
                               {QStringLiteral("throttling_data"), QJsonObject{{QStringLiteral("periods"), 0},
                                                                               {QStringLiteral("throttled_periods"), 0},
                                                                               {QStringLiteral("throttled_time"), 0}}}};
        };
        const QString read = up ? QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).addSecs(10 * k).toString(Qt::ISODate)
                                      .replace(QLatin1Char('Z'), QStringLiteral(".165243637Z"))
                                : QStringLiteral("0001-01-01T00:00:00Z");
        QJsonObject o{{QStringLiteral("id"), c.id}, {QStringLiteral("name"), QLatin1Char('/') + c.name},
                      {QStringLiteral("read"), read}, {QStringLiteral("cpu_stats"), cpu(k)},
                      {QStringLiteral("precpu_stats"), oneShot || !up ? QJsonObject{{QStringLiteral("cpu_usage"), QJsonObject{{QStringLiteral("total_usage"), 0}}},
                                                                                    {QStringLiteral("throttling_data"), QJsonObject{}}}
                                                                      : cpu(std::max<qint64>(0, k - 1))},
                      {QStringLiteral("preread"), QStringLiteral("0001-01-01T00:00:00Z")},
                      {QStringLiteral("num_procs"), 0}, {QStringLiteral("storage_stats"), QJsonObject{}},
                      {QStringLiteral("pids_stats"), up ? QJsonObject{{QStringLiteral("current"), 5}} : QJsonObject{}}};
        if (!up) {
            o.insert(QStringLiteral("memory_stats"), QJsonObject{});
            o.insert(QStringLiteral("blkio_stats"), QJsonObject{{QStringLiteral("io_service_bytes_recursive"), QJsonValue::Null}});
            return json(s, 200, o);
        }
        const bool v1 = m_state->statsCgroupV1;
        const QJsonObject memStats = v1 ? QJsonObject{{QStringLiteral("cache"), 20 * mib}, {QStringLiteral("rss"), 70 * mib},
                                                      {QStringLiteral("total_inactive_file"), 20 * mib}}
                                        : QJsonObject{{QStringLiteral("anon"), 70 * mib}, {QStringLiteral("file"), 25 * mib},
                                                      {QStringLiteral("inactive_file"), 20 * mib}};
        o.insert(QStringLiteral("memory_stats"), QJsonObject{{QStringLiteral("usage"), (100.0 + double(k)) * mib},
                                                             {QStringLiteral("limit"), 512 * mib},
                                                             {QStringLiteral("stats"), memStats}});
        o.insert(QStringLiteral("networks"),
                 QJsonObject{{QStringLiteral("eth0"), QJsonObject{{QStringLiteral("rx_bytes"), 10000.0 * double(k)},
                                                                  {QStringLiteral("rx_packets"), 10 * k},
                                                                  {QStringLiteral("tx_bytes"), 5000.0 * double(k)},
                                                                  {QStringLiteral("tx_packets"), 5 * k}}}});
        auto entry = [](const char *op, double value) {
            return QJsonObject{{QStringLiteral("major"), 8}, {QStringLiteral("minor"), 0},
                               {QStringLiteral("op"), QLatin1String(op)}, {QStringLiteral("value"), value}};
        };
        const double rd = 40960.0 * double(k), wr = 81920.0 * double(k);
        const QJsonArray io = v1 ? QJsonArray{entry("Read", rd), entry("Write", wr), entry("Sync", wr), entry("Async", rd),
                                              entry("Discard", 0), entry("Total", rd + wr)}
                                 : QJsonArray{entry("read", rd), entry("write", wr)};
        o.insert(QStringLiteral("blkio_stats"), QJsonObject{{QStringLiteral("io_service_bytes_recursive"), io}});
        json(s, 200, o);
    }

    void logs(QIODevice *s, const Container &c, const QUrlQuery &q)
    {
        const bool out = isTrue(q.queryItemValue(QStringLiteral("stdout")));
        const bool err = isTrue(q.queryItemValue(QStringLiteral("stderr")));
        if (!out && !err) {
            violation(QStringLiteral("logs without stdout or stderr"));
            return message(s, 400, QStringLiteral("Bad parameters: you must choose at least one stream"));
        }
        const QString tail = q.queryItemValue(QStringLiteral("tail"));
        bool tailOk = false;
        int n = tail.toInt(&tailOk);
        if (tail != QLatin1String("all") && !tail.isEmpty() && (!tailOk || n < 0))
            violation(QStringLiteral("logs tail=%1").arg(tail));
        QVector<LogLine> lines;
        for (const LogLine &line : c.logs)
            if ((line.stream == 1 && out) || (line.stream == 2 && err))
                lines << line;
        if (tailOk && n < lines.size())
            lines = lines.mid(lines.size() - n);
        const bool ts = isTrue(q.queryItemValue(QStringLiteral("timestamps")));
        QByteArray body;
        for (const LogLine &line : lines)
            body += encodeLine(c.tty, line, ts);
        if (mode() == Mode::GarbageFrames && !c.tty)
            body = "\x07\x01\x02\x03garbage, not a frame header\n";
        // Chunked (as the engine streams logs), in 7-byte chunks: frames span chunk boundaries.
        s->write("HTTP/1.1 200 OK\r\nApi-Version: " + apiVersion().toLatin1() + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (qsizetype pos = 0; pos < body.size(); pos += 7) {
            const QByteArray part = body.mid(pos, 7);
            s->write(QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n");
        }
        if (!isTrue(q.queryItemValue(QStringLiteral("follow")))) {
            s->write("0\r\n\r\n");
            return;
        }
        // Follow: one more line a moment later, then the stream stays open until the client goes.
        QPointer<QIODevice> guard(s);
        const QByteArray later = encodeLine(c.tty, {1, QStringLiteral("followed line")}, ts);
        QTimer::singleShot(150, this, [guard, later] {
            if (guard)
                guard->write(QByteArray::number(later.size(), 16) + "\r\n" + later + "\r\n");
        });
    }

    static QByteArray encodeLine(bool tty, const LogLine &line, bool timestamps)
    {
        QByteArray text = line.text.toUtf8() + '\n';
        if (timestamps)
            text = "2024-05-01T10:00:00.000000000Z " + text;
        return tty ? text : frame(line.stream, text);
    }

    void execCall(QIODevice *s, Conn &conn, const Request &r, const QString &id, const QString &op, const QUrlQuery &q)
    {
        QMutexLocker l(&m_state->mutex);
        auto it = m_state->execs.find(id);
        if (it == m_state->execs.end()) {
            l.unlock();
            return message(s, 404, QStringLiteral("No such exec instance: %1").arg(id));
        }
        if (op == QLatin1String("json") && r.method == "GET") {
            const QJsonObject o{{QStringLiteral("ID"), it->id},
                                {QStringLiteral("Running"), it->running},
                                {QStringLiteral("ExitCode"), it->exitCode},
                                {QStringLiteral("ContainerID"), it->containerId},
                                {QStringLiteral("ProcessConfig"), QJsonObject{{QStringLiteral("tty"), it->tty}}}};
            l.unlock();
            return json(s, 200, o);
        }
        if (op == QLatin1String("resize") && r.method == "POST") {
            bool hOk = false, wOk = false;
            const int h = q.queryItemValue(QStringLiteral("h")).toInt(&hOk);
            const int w = q.queryItemValue(QStringLiteral("w")).toInt(&wOk);
            if (!hOk || !wOk || h <= 0 || w <= 0) {
                l.unlock();
                violation(QStringLiteral("exec resize with h=%1 w=%2").arg(q.queryItemValue(QStringLiteral("h")),
                                                                          q.queryItemValue(QStringLiteral("w"))));
                return message(s, 400, QStringLiteral("bad size"));
            }
            m_state->resizes << qMakePair(h, w);
            l.unlock();
            return reply(s, 200);
        }
        if (op == QLatin1String("start") && r.method == "POST") {
            const QJsonObject body = QJsonDocument::fromJson(r.body).object();
            State::Exec e = *it;
            if (e.started) {
                l.unlock();
                return message(s, 409, QStringLiteral("Exec %1 has already started").arg(id));
            }
            it->started = true;
            it->running = true;
            l.unlock();
            if (body.value(QLatin1String("Detach")).toBool() || body.value(QLatin1String("Tty")).toBool() != e.tty)
                violation(QStringLiteral("exec start body %1 for tty=%2").arg(QString::fromUtf8(r.body)).arg(e.tty));
            if (r.headers.value("connection").toLower() != "upgrade" || r.headers.value("upgrade") != "tcp")
                violation(QStringLiteral("exec start without the upgrade headers"));
            s->write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker." + QByteArray(e.tty ? "raw" : "multiplexed")
                     + "-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            if (e.tty) {
                conn.hijacked = true;
                conn.execId = id;
                s->write("fixture$ ");
                return;
            }
            runCommand(s, e);
            return;
        }
        l.unlock();
        violation(QStringLiteral("unknown exec endpoint %1 %2").arg(QString::fromLatin1(r.method), op));
        message(s, 404, QStringLiteral("page not found"));
    }

    // Non-tty exec: "echo ARGS" and "fail" (stderr + exit 3); anything else exits 127.
    void runCommand(QIODevice *s, const State::Exec &e)
    {
        int code = 0;
        QByteArray out;
        if (mode() == Mode::GarbageFrames) {
            out = "\x09\x09\x09\x09\x09\x09\x09\x09junk";
        } else if (e.cmd.value(0) == QLatin1String("echo")) {
            out = frame(1, e.cmd.mid(1).join(QLatin1Char(' ')).toUtf8() + '\n');
        } else if (e.cmd.value(0) == QLatin1String("fail")) {
            out = frame(1, "partial output\n") + frame(2, "boom\n");
            code = 3;
        } else {
            out = frame(2, "fixture: " + e.cmd.value(0).toUtf8() + ": not found\n");
            code = 127;
        }
        finishExec(e.id, code);
        s->write(out);
        hangUp(s);
    }

    void finishExec(const QString &id, int code)
    {
        QMutexLocker l(&m_state->mutex);
        auto it = m_state->execs.find(id);
        if (it != m_state->execs.end()) {
            it->running = false;
            it->exitCode = code;
        }
    }

    // A tty exec: echo what is typed (a terminal would), run "size" and "exit [N]" lines.
    void typed(QIODevice *s, Conn &conn)
    {
        const QByteArray in = conn.buffer;
        conn.buffer.clear();
        for (char ch : in) {
            if (ch != '\r' && ch != '\n') {
                conn.line += ch;
                s->write(QByteArray(1, ch));
                continue;
            }
            s->write("\r\n");
            const QByteArray line = conn.line.trimmed();
            conn.line.clear();
            if (line == "size") {
                QMutexLocker l(&m_state->mutex);
                const auto last = m_state->resizes.isEmpty() ? qMakePair(0, 0) : m_state->resizes.last();
                l.unlock();
                s->write("rows=" + QByteArray::number(last.first) + " cols=" + QByteArray::number(last.second) + "\r\n");
            } else if (line == "exit" || line.startsWith("exit ")) {
                finishExec(conn.execId, line.mid(5).toInt());
                hangUp(s);
                return;
            } else if (!line.isEmpty()) {
                s->write("you typed: " + line + "\r\n");
            }
            s->write("fixture$ ");
        }
    }
};

DockerFixture::DockerFixture(QString apiVersion)
    : m_state(std::make_shared<State>())
{
    m_state->apiVersion = std::move(apiVersion);
    m_thread.setObjectName(QStringLiteral("docker-fixture"));
}

DockerFixture::~DockerFixture()
{
    if (m_server) {
        QMetaObject::invokeMethod(m_server, [this] { m_server->shutdown(); delete m_server; }, Qt::BlockingQueuedConnection);
        m_server = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
}

QString DockerFixture::socketPath() const
{
    return m_dir.filePath(QStringLiteral("docker.sock"));
}

bool DockerFixture::startThread()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    m_thread.start();
    m_server = new Server(m_state, socketPath());
    m_server->moveToThread(&m_thread);
    return true;
}

bool DockerFixture::start()
{
    bool ok = startThread();
    if (ok)
        QMetaObject::invokeMethod(m_server, [&] { ok = m_server->listen(&m_error); }, Qt::BlockingQueuedConnection);
    return ok;
}

bool DockerFixture::startTls(const QString &caFile, const QString &certFile, const QString &keyFile)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(caFile));
    const QList<QSslCertificate> cert = QSslCertificate::fromPath(certFile);
    QFile key(keyFile);
    if (cert.isEmpty() || !key.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read the server certificate or key");
        return false;
    }
    config.setLocalCertificate(cert.first());
    config.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa));
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);   // the engine wants a client certificate (--tlsverify)
    bool ok = startThread();
    if (ok)
        QMetaObject::invokeMethod(m_server, [&] { ok = m_server->listenTls(config, &m_tcpPort, &m_error); },
                                  Qt::BlockingQueuedConnection);
    return ok;
}

int DockerFixture::tlsFailures() const
{
    QMutexLocker l(&m_state->mutex);
    return m_state->tlsFailures;
}

void DockerFixture::setMode(Mode mode)
{
    QMutexLocker l(&m_state->mutex);
    m_state->mode = mode;
}

void DockerFixture::addContainer(const Container &container)
{
    QMutexLocker l(&m_state->mutex);
    m_state->containers << container;
}

DockerFixture::Container DockerFixture::container(const QString &id) const
{
    QMutexLocker l(&m_state->mutex);
    for (const Container &c : m_state->containers)
        if (c.id == id)
            return c;
    return {};
}

QVector<DockerFixture::Container> DockerFixture::sampleContainers()
{
    Container web;
    web.id = QString(32, QLatin1Char('a')) + QString(32, QLatin1Char('1'));
    web.name = QStringLiteral("web");
    web.image = QStringLiteral("nginx:1.25");
    web.state = QStringLiteral("running");
    web.labels = {{QStringLiteral("com.docker.compose.project"), QStringLiteral("shop")},
                  {QStringLiteral("team"), QStringLiteral("frontend")}};
    web.ip = QStringLiteral("172.17.0.2");
    web.privatePort = 80;
    web.publicPort = 8080;
    for (int i = 1; i <= 5; ++i)
        web.logs << LogLine{1, QStringLiteral("GET /page/%1 200").arg(i)};
    web.logs.insert(3, LogLine{2, QStringLiteral("warning: slow upstream")});

    Container db;
    db.id = QString(64, QLatin1Char('b'));
    db.name = QStringLiteral("db");
    db.image = QStringLiteral("postgres:16");
    db.state = QStringLiteral("exited");
    db.privatePort = 5432;

    Container cache;
    cache.id = QString(64, QLatin1Char('c'));
    cache.name = QStringLiteral("cache");
    cache.image = QStringLiteral("redis:7");
    cache.state = QStringLiteral("paused");
    cache.ip = QStringLiteral("172.17.0.3");

    Container term;
    term.id = QString(64, QLatin1Char('d'));
    term.name = QStringLiteral("term");
    term.image = QStringLiteral("debian:12");
    term.state = QStringLiteral("running");
    term.tty = true;
    term.ip = QStringLiteral("172.17.0.4");
    term.logs << LogLine{1, QStringLiteral("root@term:/# ls")} << LogLine{1, QStringLiteral("bin  etc  usr")};
    return {web, db, cache, term};
}

QVector<DockerFixture::Request> DockerFixture::requests() const
{
    QMutexLocker l(&m_state->mutex);
    return m_state->requests;
}

QStringList DockerFixture::violations() const
{
    QMutexLocker l(&m_state->mutex);
    return m_state->violations;
}

QVector<QPair<int, int>> DockerFixture::resizes() const
{
    QMutexLocker l(&m_state->mutex);
    return m_state->resizes;
}

int DockerFixture::openConnections() const
{
    QMutexLocker l(&m_state->mutex);
    return m_state->connections;
}

void DockerFixture::setStatsCgroupV1(bool v1)
{
    QMutexLocker l(&m_state->mutex);
    m_state->statsCgroupV1 = v1;
}

void DockerFixture::setNextStats(const QString &id, const QByteArray &rawBody)
{
    QMutexLocker l(&m_state->mutex);
    m_state->nextStats[id] << rawBody;
}

void DockerFixture::resetStatsCounters(const QString &id)
{
    QMutexLocker l(&m_state->mutex);
    m_state->statsCalls.remove(id);
}

void DockerFixture::clear()
{
    QMutexLocker l(&m_state->mutex);
    m_state->requests.clear();
    m_state->violations.clear();
    m_state->resizes.clear();
}

} // namespace mist::test
