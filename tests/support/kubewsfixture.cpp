#include "kubewsfixture.h"

#include "testsupport.h"

#include <QDateTime>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

namespace mist::test {

namespace {

QByteArray frame(quint8 channel, const QByteArray &payload)
{
    return QByteArray(1, char(channel)) + payload;
}

QByteArray statusJson(int exitCode)
{
    QJsonObject o{{QStringLiteral("metadata"), QJsonObject()}};
    if (exitCode == 0) {
        o.insert(QStringLiteral("status"), QStringLiteral("Success"));
    } else {
        o.insert(QStringLiteral("status"), QStringLiteral("Failure"));
        o.insert(QStringLiteral("message"),
                 QStringLiteral("command terminated with non-zero exit code: exit status %1").arg(exitCode));
        o.insert(QStringLiteral("reason"), QStringLiteral("NonZeroExitCode"));
        o.insert(QStringLiteral("details"),
                 QJsonObject{{QStringLiteral("causes"),
                              QJsonArray{QJsonObject{{QStringLiteral("reason"), QStringLiteral("ExitCode")},
                                                     {QStringLiteral("message"), QString::number(exitCode)}}}}});
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString decodeGoQuery(QByteArray s)
{
    s.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(s));
}

bool isShell(const QStringList &command)
{
    static const QStringList shells{QStringLiteral("sh"), QStringLiteral("/bin/sh"), QStringLiteral("bash"),
                                    QStringLiteral("/bin/bash")};
    if (command.size() == 1 && shells.contains(command.first()))
        return true;
    return command.size() == 3 && command.at(1) == QLatin1String("-c") && command.at(2).contains(QLatin1String("exec bash"));
}

} // namespace

struct KubeWsFixture::Exec
{
    QWebSocket *ws = nullptr;
    bool tty = false;
    bool interactive = false;
    bool cat = false;
    bool ended = false;
    QByteArray line;
    int lastCode = 0;
    QSize size{0, 0};
    void out(const QString &text, quint8 channel = 1)
    {
        QString t = text + QLatin1Char('\n');
        if (tty)
            t.replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
        ws->sendBinaryMessage(frame(channel, t.toUtf8()));
    }
};

QString KubeWsFixture::Request::values(const QString &key) const
{
    QStringList v;
    for (const auto &[k, value] : query)
        if (k == key)
            v << value;
    return v.join(QLatin1Char('\n'));
}

KubeWsFixture::KubeWsFixture(QObject *parent)
    : QObject(parent)
    , m_wsServer(new QWebSocketServer(QStringLiteral("kube-fixture"), QWebSocketServer::NonSecureMode, this))
{
    setSubprotocols({QStringLiteral("v5.channel.k8s.io"), QStringLiteral("v4.channel.k8s.io")});
    connect(m_wsServer, &QWebSocketServer::newConnection, this, &KubeWsFixture::onWebSocket);
}

KubeWsFixture::~KubeWsFixture() = default;

bool KubeWsFixture::listen(bool tls)
{
    m_tls = tls;
    if (tls) {
        auto *server = new QSslServer(this);
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        QFile cert(dataFile(QStringLiteral("kube/server.crt")));
        QFile key(dataFile(QStringLiteral("kube/server.key")));
        if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
            return false;
        ssl.setLocalCertificate(QSslCertificate(&cert, QSsl::Pem));
        ssl.setPrivateKey(QSslKey(&key, QSsl::Rsa, QSsl::Pem));
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        server->setSslConfiguration(ssl);
        m_server = server;
    } else {
        m_server = new QTcpServer(this);
    }
    // With TLS, connections are pending once the handshake is done: the bytes read are plain.
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *s = m_server->nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, this, [this, s] { onHttpData(s); });
            if (s->bytesAvailable() > 0)
                onHttpData(s);
        }
    });
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QUrl KubeWsFixture::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http")).arg(m_server->serverPort()));
}

KubeConnection KubeWsFixture::connection() const
{
    KubeConnection c;
    c.server = url();
    c.bearerToken = token();
    c.defaultNamespace = QStringLiteral("default");
    c.credentialName = QStringLiteral("token of user fixture");
    c.ssl = QSslConfiguration::defaultConfiguration();
    if (m_tls) {
        c.ssl.setCaCertificates(QSslCertificate::fromPath(dataFile(QStringLiteral("kube/ca.crt"))));
        c.caDescription = QStringLiteral("the CA file ca.crt");
    }
    return c;
}

void KubeWsFixture::setSubprotocols(const QStringList &protocols)
{
    m_wsServer->setSupportedSubprotocols(protocols);
}

void KubeWsFixture::addPod(const QString &ns, const QString &pod, const QStringList &containers, const QString &phase)
{
    Pod &p = m_pods[ns + QLatin1Char('/') + pod];
    p.containers = containers;
    p.phase = phase;
}

void KubeWsFixture::removePod(const QString &ns, const QString &pod)
{
    m_pods.remove(ns + QLatin1Char('/') + pod);
}

void KubeWsFixture::setLogs(const QString &ns, const QString &pod, const QString &container, const QStringList &lines,
                            bool previous)
{
    Pod &p = m_pods[ns + QLatin1Char('/') + pod];
    (previous ? p.previous : p.logs)[container] = lines;
}

QString KubeWsFixture::logLine(const QString &line, int index, bool timestamps)
{
    if (!timestamps)
        return line + QLatin1Char('\n');
    const QDateTime t = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).addSecs(index);
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QStringLiteral(".000000000Z ") + line + QLatin1Char('\n');
}

void KubeWsFixture::appendLog(const QString &ns, const QString &pod, const QString &container, const QString &line)
{
    const QString key = ns + QLatin1Char('/') + pod + QLatin1Char('/') + container;
    QStringList &lines = m_pods[ns + QLatin1Char('/') + pod].logs[container];
    lines << line;
    for (const Follow &f : std::as_const(m_follows)) {
        if (f.key != key)
            continue;
        const QByteArray chunk = logLine(line, int(lines.size() - 1), f.timestamps).toUtf8();
        f.socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
    }
}

void KubeWsFixture::endFollows()
{
    for (const Follow &f : std::as_const(m_follows)) {
        f.socket->write("0\r\n\r\n");
        f.socket->disconnectFromHost();
    }
    m_follows.clear();
}

KubeWsFixture::Request KubeWsFixture::parseRequestHead(const QByteArray &head)
{
    Request r;
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    r.method = QString::fromLatin1(first.value(0));
    const QByteArray target = first.value(1);
    const qsizetype q = target.indexOf('?');
    r.path = QString::fromUtf8(QByteArray::fromPercentEncoding(target.left(q < 0 ? target.size() : q)));
    if (q >= 0) {
        for (const QByteArray &item : target.mid(q + 1).split('&')) {
            const qsizetype eq = item.indexOf('=');
            r.query.append({decodeGoQuery(item.left(eq < 0 ? item.size() : eq)), eq < 0 ? QString() : decodeGoQuery(item.mid(eq + 1))});
        }
    }
    for (const QByteArray &line : lines)
        if (line.toLower().startsWith("upgrade:") && line.toLower().contains("websocket"))
            r.upgrade = true;
    return r;
}

void KubeWsFixture::writeStatus(QTcpSocket *socket, int code, const QString &reason, const QString &message)
{
    const QJsonObject o{{QStringLiteral("kind"), QStringLiteral("Status")},
                        {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                        {QStringLiteral("metadata"), QJsonObject()},
                        {QStringLiteral("status"), QStringLiteral("Failure")},
                        {QStringLiteral("message"), message},
                        {QStringLiteral("reason"), reason},
                        {QStringLiteral("code"), code}};
    const QByteArray body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(code) + ' ' + reason.toLatin1()
                  + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                  + "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

void KubeWsFixture::onHttpData(QTcpSocket *socket)
{
    // Peek only: an upgrade hands the untouched bytes to the WebSocket server.
    const QByteArray peeked = socket->peek(socket->bytesAvailable());
    const qsizetype end = peeked.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    const QByteArray head = peeked.left(end);
    const Request request = parseRequestHead(head);
    m_requests.append(request);

    static const QRegularExpression authRe(QStringLiteral("(?im)^authorization:\\s*Bearer\\s+(\\S+)\\s*$"));
    const QRegularExpressionMatch auth = authRe.match(QString::fromLatin1(head));
    if (!auth.hasMatch() || auth.captured(1).toLatin1() != token()) {
        writeStatus(socket, 401, QStringLiteral("Unauthorized"), QStringLiteral("Unauthorized"));
        return;
    }
    static const QRegularExpression pathRe(QStringLiteral("^/api/v1/namespaces/([^/]+)/pods/([^/]+)(?:/(exec|portforward|log))?$"));
    const QRegularExpressionMatch m = pathRe.match(request.path);
    if (!m.hasMatch()) {
        writeStatus(socket, 404, QStringLiteral("NotFound"), QStringLiteral("the server could not find the requested resource"));
        return;
    }
    const QString sub = m.captured(3);
    if (m_forbidden) {
        writeStatus(socket, 403, QStringLiteral("Forbidden"),
                    QStringLiteral("pods \"%1\" is forbidden: User \"system:serviceaccount:default:viewer\" cannot create "
                                   "resource \"pods/%2\" in API group \"\" in the namespace \"%3\"")
                        .arg(m.captured(2), sub, m.captured(1)));
        return;
    }
    auto pod = m_pods.find(m.captured(1) + QLatin1Char('/') + m.captured(2));
    if (pod == m_pods.end()) {
        writeStatus(socket, 404, QStringLiteral("NotFound"), QStringLiteral("pods \"%1\" not found").arg(m.captured(2)));
        return;
    }
    if (sub.isEmpty()) {   // GET the pod itself
        const QJsonObject o{{QStringLiteral("kind"), QStringLiteral("Pod")},
                            {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), m.captured(2)},
                                                                     {QStringLiteral("namespace"), m.captured(1)}}},
                            {QStringLiteral("status"), QJsonObject{{QStringLiteral("phase"), pod->phase}}}};
        const QByteArray body = QJsonDocument(o).toJson(QJsonDocument::Compact);
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
        return;
    }
    const QString container = request.values(QStringLiteral("container"));
    if (!container.isEmpty() && !pod->containers.contains(container)) {
        writeStatus(socket, 400, QStringLiteral("BadRequest"),
                    QStringLiteral("container %1 is not valid for pod %2").arg(container, m.captured(2)));
        return;
    }
    if (sub == QLatin1String("log")) {
        socket->read(end + 4);
        serveLogs(socket, request, *pod, m.captured(1), m.captured(2));
        return;
    }
    if (!request.upgrade) {
        writeStatus(socket, 400, QStringLiteral("BadRequest"), QStringLiteral("Upgrade request required"));
        return;
    }
    m_wsServer->handleConnection(socket);
}

void KubeWsFixture::serveLogs(QTcpSocket *socket, const Request &request, Pod &pod, const QString &ns,
                              const QString &podName)
{
    QString container = request.values(QStringLiteral("container"));
    if (container.isEmpty()) {
        if (pod.containers.size() != 1) {
            writeStatus(socket, 400, QStringLiteral("BadRequest"),
                        QStringLiteral("a container name must be specified for pod %1, choose one of: [%2]")
                            .arg(podName, pod.containers.join(QLatin1Char(' '))));
            return;
        }
        container = pod.containers.first();
    }
    const bool previous = request.values(QStringLiteral("previous")) == QLatin1String("true");
    const bool follow = request.values(QStringLiteral("follow")) == QLatin1String("true");
    const bool timestamps = request.values(QStringLiteral("timestamps")) == QLatin1String("true");
    if (previous && !pod.previous.contains(container)) {
        writeStatus(socket, 400, QStringLiteral("BadRequest"),
                    QStringLiteral("previous terminated container \"%1\" in pod \"%2\" not found").arg(container, podName));
        return;
    }
    const QStringList lines = (previous ? pod.previous : pod.logs).value(container);
    qsizetype first = 0;
    bool tailOk = false;
    const int tail = request.values(QStringLiteral("tailLines")).toInt(&tailOk);
    if (tailOk && tail >= 0)
        first = qMax<qsizetype>(0, lines.size() - tail);
    QByteArray body;
    for (qsizetype i = first; i < lines.size(); ++i)
        body += logLine(lines.at(i), int(i), timestamps).toUtf8();
    if (!follow || previous) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
        return;
    }
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
    if (!body.isEmpty())
        socket->write(QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n");
    m_follows.append({socket, ns + QLatin1Char('/') + podName + QLatin1Char('/') + container, timestamps});
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_follows.removeIf([socket](const Follow &f) { return f.socket == socket; });
        socket->deleteLater();
    });
}

void KubeWsFixture::onWebSocket()
{
    while (QWebSocket *ws = m_wsServer->nextPendingConnection()) {
        ws->setParent(this);
        m_sockets.insert(ws);
        connect(ws, &QWebSocket::disconnected, this, [this, ws] {
            m_sockets.remove(ws);
            ws->deleteLater();
        });
        const Request request = parseRequestHead("GET " + ws->requestUrl().toString(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::FullyEncoded).toUtf8() + " HTTP/1.1");
        if (request.path.endsWith(QLatin1String("/exec")))
            startExec(ws, request);
        else
            startPortForward(ws, request);
    }
}

void KubeWsFixture::startExec(QWebSocket *ws, const Request &request)
{
    auto exec = std::make_shared<Exec>();
    exec->ws = ws;
    exec->tty = request.values(QStringLiteral("tty")) == QLatin1String("true");
    const QStringList command = request.values(QStringLiteral("command")).split(QLatin1Char('\n'));
    exec->interactive = isShell(command);
    ws->sendBinaryMessage(frame(1, {}));   // as the API server does: "the stream is open"
    connect(ws, &QWebSocket::binaryMessageReceived, this, [this, exec](const QByteArray &message) {
        if (exec->ended || message.isEmpty())
            return;
        const quint8 channel = quint8(message.at(0));
        const QByteArray payload = message.mid(1);
        if (channel == 4) {
            const QJsonObject o = QJsonDocument::fromJson(payload).object();
            exec->size = QSize(o.value(QStringLiteral("Width")).toInt(), o.value(QStringLiteral("Height")).toInt());
            m_resizes.append(exec->size);
        } else if (channel == 255) {
            if (payload == QByteArray(1, '\0') && exec->cat)
                endExec(exec, 0);
        } else if (channel == 0) {
            m_stdin += payload;
            if (exec->cat) {
                exec->ws->sendBinaryMessage(frame(1, payload));
                return;
            }
            if (!exec->interactive)
                return;
            for (char c : payload) {
                if (exec->tty)   // the tty's echo
                    exec->ws->sendBinaryMessage(frame(1, c == '\r' ? QByteArray("\r\n") : QByteArray(1, c)));
                if (c == '\r' || c == '\n') {
                    const QString line = QString::fromUtf8(std::exchange(exec->line, {}));
                    runLine(exec, line);
                    if (exec->ended)
                        return;
                    exec->ws->sendBinaryMessage(frame(1, "$ "));
                } else {
                    exec->line += c;
                }
            }
        } else {
            ++m_unknownFrames;
        }
    });
    if (exec->interactive) {
        ws->sendBinaryMessage(frame(1, "$ "));
        return;
    }
    const QString script = command.size() >= 3 && command.at(1) == QLatin1String("-c") ? command.at(2) : command.join(QLatin1Char(' '));
    runLine(exec, script);
    if (!exec->ended && !exec->cat && script.trimmed() != QLatin1String("sleep"))
        endExec(exec, exec->lastCode);
}

void KubeWsFixture::runLine(const std::shared_ptr<Exec> &exec, const QString &line)
{
    for (const QString &raw : line.split(QLatin1Char(';'))) {
        if (exec->ended)
            return;
        const QString cmd = raw.trimmed();
        if (cmd.isEmpty() || cmd == QLatin1String("sleep"))
            continue;
        if (cmd.startsWith(QLatin1String("echo "))) {
            QString text = cmd.mid(5);
            if (text.endsWith(QLatin1String(">&2")))
                exec->out(text.chopped(3).trimmed(), 2);
            else
                exec->out(text);
            exec->lastCode = 0;
        } else if (cmd.startsWith(QLatin1String("exit"))) {
            endExec(exec, cmd.mid(4).trimmed().toInt());
        } else if (cmd == QLatin1String("size")) {
            exec->out(QStringLiteral("%1x%2").arg(exec->size.width()).arg(exec->size.height()));
        } else if (cmd == QLatin1String("cat")) {
            exec->cat = true;
        } else if (cmd == QLatin1String("fail")) {
            exec->ended = true;
            exec->ws->sendBinaryMessage(frame(3, R"j({"metadata":{},"status":"Failure","message":"container not found (\"app\")","reason":"InternalError"})j"));
            exec->ws->close();
        } else if (cmd == QLatin1String("junk")) {
            exec->ws->sendBinaryMessage(QByteArray());
            exec->ws->sendBinaryMessage(frame(9, "what"));
        } else if (cmd == QLatin1String("text")) {
            exec->ws->sendTextMessage(QStringLiteral("hello"));
        } else if (cmd == QLatin1String("drop")) {
            exec->ended = true;
            exec->ws->sendBinaryMessage(frame(1, "partial"));
            exec->ws->flush();
            exec->ws->abort();
        } else if (cmd == QLatin1String("badstatus")) {
            exec->ended = true;
            exec->ws->sendBinaryMessage(frame(3, "{not json"));
            exec->ws->close();
        } else {
            exec->out(QStringLiteral("sh: %1: not found").arg(cmd.section(QLatin1Char(' '), 0, 0)), 2);
            exec->lastCode = 127;
        }
    }
}

void KubeWsFixture::endExec(const std::shared_ptr<Exec> &exec, int code)
{
    if (exec->ended)
        return;
    exec->ended = true;
    exec->ws->sendBinaryMessage(frame(3, statusJson(code)));
    exec->ws->close();
}

void KubeWsFixture::startPortForward(QWebSocket *ws, const Request &request)
{
    const quint16 port = quint16(request.values(QStringLiteral("ports")).toUInt());
    QByteArray prefix;
    prefix.append(char(port & 0xff)).append(char(port >> 8));   // little endian
    ws->sendBinaryMessage(frame(0, prefix));
    ws->sendBinaryMessage(frame(1, prefix));
    if (refusedPorts.contains(port)) {
        ws->sendBinaryMessage(frame(1, QStringLiteral("an error occurred forwarding %1 -> %1: error forwarding port %1 to pod "
                                                      "fixture: dial tcp4 127.0.0.1:%1: connect: connection refused")
                                           .arg(port)
                                           .toUtf8()));
        ws->close();
        return;
    }
    connect(ws, &QWebSocket::binaryMessageReceived, this, [this, ws](const QByteArray &message) {
        if (message.isEmpty() || message.at(0) != 0) {
            ++m_unknownFrames;
            return;
        }
        ws->sendBinaryMessage(message);   // echo on the data channel
    });
}

} // namespace mist::test
