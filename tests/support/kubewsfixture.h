#pragma once

#include "providers/kubernetes/kubeconnection.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QSize>
#include <QStringList>
#include <QUrl>

class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace mist::test {

// A Kubernetes API server for pod exec, port-forward and logs, answering as the API docs
// describe: exec and portforward are WebSocket upgrades speaking the channel protocol
// (v4/v5.channel.k8s.io), logs are plain HTTP/1.1 (chunked while following), failures are
// Status objects, every request needs the bearer token. Exec runs a tiny fake shell:
//   echo X            stdout "X"            echo X >&2   stderr "X"
//   exit N            ends with exit code N size         prints "<cols>x<rows>" of the last resize
//   cat               echoes stdin until stdin is closed (v5) or the client leaves
//   sleep             waits for the client    fail         a Failure Status that is no exit code
//   junk / text / drop / badstatus            an empty frame + unknown channel / a text frame /
//                                             the TCP connection cut / a Status that is not JSON
// A command that is a shell (sh, bash, the default-shell script) is interactive: a prompt
// "$ ", input echoed as a tty does, one command per line.
// Port-forward echoes what it gets; ports in refusedPorts get an error-channel message.
class KubeWsFixture : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QString method;
        QString path;
        QList<QPair<QString, QString>> query;   // decoded as Go's url.ParseQuery does ('+' = space)
        bool upgrade = false;
        QString values(const QString &key) const;   // all values for key joined by '\n'
    };

    explicit KubeWsFixture(QObject *parent = nullptr);
    ~KubeWsFixture() override;

    // tls: HTTPS/WSS with tests/data/kube/server.crt (signed by tests/data/kube/ca.crt).
    bool listen(bool tls = false);
    QUrl url() const;                       // http(s)://127.0.0.1:<port>
    static QByteArray token() { return "fixture-token-0123456789"; }
    KubeConnection connection() const;      // url(), token(), credential "token of user fixture", the CA when tls

    void setSubprotocols(const QStringList &protocols);   // default v5 and v4
    void setForbidden(bool forbidden) { m_forbidden = forbidden; }
    void addPod(const QString &ns, const QString &pod, const QStringList &containers,
                const QString &phase = QStringLiteral("Running"));
    void removePod(const QString &ns, const QString &pod);
    void setLogs(const QString &ns, const QString &pod, const QString &container, const QStringList &lines,
                 bool previous = false);
    void appendLog(const QString &ns, const QString &pod, const QString &container, const QString &line);
    void endFollows();                      // the containers ended: finish chunked follows
    QSet<quint16> refusedPorts;

    QList<Request> requests() const { return m_requests; }
    QList<QSize> resizes() const { return m_resizes; }
    QByteArray stdinReceived() const { return m_stdin; }
    int openFollows() const { return int(m_follows.size()); }
    int openWebSockets() const { return int(m_sockets.size()); }
    int unknownFrames() const { return m_unknownFrames; }

private:
    struct Pod
    {
        QStringList containers;
        QString phase;
        QHash<QString, QStringList> logs;
        QHash<QString, QStringList> previous;
    };
    struct Follow
    {
        QTcpSocket *socket;
        QString key;   // ns/pod/container
        bool timestamps;
    };
    struct Exec;

    void onHttpData(QTcpSocket *socket);
    void serveLogs(QTcpSocket *socket, const Request &request, Pod &pod, const QString &ns, const QString &podName);
    void onWebSocket();
    void startExec(QWebSocket *ws, const Request &request);
    void startPortForward(QWebSocket *ws, const Request &request);
    void runLine(const std::shared_ptr<Exec> &exec, const QString &line);
    void endExec(const std::shared_ptr<Exec> &exec, int code);
    static void writeStatus(QTcpSocket *socket, int code, const QString &reason, const QString &message);
    static Request parseRequestHead(const QByteArray &head);
    static QString logLine(const QString &line, int index, bool timestamps);

    QTcpServer *m_server = nullptr;
    bool m_tls = false;
    QWebSocketServer *m_wsServer;
    QHash<QString, Pod> m_pods;   // "ns/pod"
    QList<Request> m_requests;
    QList<QSize> m_resizes;
    QByteArray m_stdin;
    QList<Follow> m_follows;
    QSet<QWebSocket *> m_sockets;
    bool m_forbidden = false;
    int m_unknownFrames = 0;
};

} // namespace mist::test
