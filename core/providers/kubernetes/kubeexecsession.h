#pragma once

#include "providers/kubernetes/kubechannelsocket.h"
#include "util/result.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

class QTimer;
class QWebSocket;

namespace mist {

// Which command runs where.
struct KubeExecTarget
{
    QString ns;
    QString pod;
    QString container;     // empty: the pod's only/default container (the server decides)
    QStringList command;   // empty: defaultShell()
    bool tty = true;
    bool stdinEnabled = true;

    QString path() const;            // the exec API path with its query
    QString description() const;     // "ns/pod/container"
    // bash when the image has it, else sh (with TERM set, which exec does not do).
    static QStringList defaultShell();
};

// One exec over the channel protocol. Lives on a KubeWorkerThread: every method runs there
// (the owner posts to it), every signal is emitted there. Dies only through shutdown().
class KubeExecSession : public QObject
{
    Q_OBJECT

public:
    KubeExecSession(KubeConnectionSource source, KubeExecTarget target);
    ~KubeExecSession() override;

    void open(int cols, int rows);
    void send(const QByteArray &data);   // stdin; queued until connected
    void resize(int cols, int rows);
    void closeStdin();                    // v5 only; ignored on v4
    void shutdown();                      // aborts and deletes this object

    static constexpr int HandshakeTimeoutMs = 30000;

signals:
    void connected(const QString &subprotocol);
    void output(int channel, const QByteArray &data);   // KubeChannel::Stdout / Stderr
    void exited(int exitCode);                          // from the error channel's Status
    void failed(const mist::Error &error);

private:
    void onConnected();
    void onMessage(const QByteArray &message);
    void onDisconnected();
    void fail(const Error &error);
    void sendResize();
    KubeOperation operation() const;

    KubeConnectionSource m_source;
    KubeExecTarget m_target;
    KubeConnection m_connection;
    QWebSocket *m_socket = nullptr;
    QTimer *m_handshakeTimer = nullptr;
    QByteArray m_pending;
    int m_cols = 80;
    int m_rows = 24;
    bool m_connected = false;
    bool m_done = false;
    bool m_closeStdinPending = false;
};

} // namespace mist
