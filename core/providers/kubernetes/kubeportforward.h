#pragma once

#include "providers/kubernetes/kubechannelsocket.h"
#include "util/result.h"

#include <QObject>
#include <QString>

namespace mist {

class KubePortForwardWorker;

// Forwards 127.0.0.1:<localPort> to <remotePort> of a pod: every accepted TCP connection gets
// its own port-forward WebSocket (channel protocol: data channel 0, error channel 1). The
// listener and the sockets run on a worker thread; this object only posts to it, so close()
// and destruction never wait for the network.
class KubePortForward : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Starting, Listening, Closed, Failed };
    Q_ENUM(State)

    // localPort 0: any free port (known from listening()).
    KubePortForward(KubeConnectionSource source, QString ns, QString pod, quint16 remotePort, quint16 localPort = 0,
                    QObject *parent = nullptr);
    ~KubePortForward() override;

    void start();
    void close();   // stops listening and drops every connection; closed() follows

    State state() const { return m_state; }
    QString ns() const { return m_ns; }
    QString pod() const { return m_pod; }
    quint16 remotePort() const { return m_remotePort; }
    quint16 localPort() const { return m_localPort; }   // the bound port once listening
    int connectionCount() const { return m_connections; }
    QString description() const;   // "127.0.0.1:8080 → default/web-1:80"

signals:
    void listening(quint16 localPort);
    void connectionCountChanged(int count);
    // One forwarded connection failed (pod gone, port refused in the pod, access denied);
    // the forward keeps listening.
    void connectionFailed(const mist::Error &error);
    void failed(const mist::Error &error);   // could not listen (or no connection to the cluster)
    void closed();
    void stateChanged(mist::KubePortForward::State state);

private:
    void setState(State state);
    void stopWorker();

    KubeConnectionSource m_source;
    QString m_ns;
    QString m_pod;
    quint16 m_remotePort;
    quint16 m_localPort;
    State m_state = State::Idle;
    int m_connections = 0;
    KubePortForwardWorker *m_worker = nullptr;   // on the worker thread; only posted to
};

} // namespace mist
