#pragma once

#include "providers/kubernetes/kubeexecsession.h"
#include "shell/terminalbackend.h"

namespace mist {

// An interactive shell/command in a pod's container for a terminal tab, over the exec
// WebSocket (channel protocol, tty). The socket lives on its own worker thread; this object
// only posts to it, so writing, resizing, closing and destroying never wait for the network.
class KubeExecBackend : public TerminalBackend
{
    Q_OBJECT

public:
    KubeExecBackend(KubeConnectionSource source, KubeExecTarget target, QObject *parent = nullptr);
    ~KubeExecBackend() override;

    void start(int cols, int rows) override;
    void write(const QByteArray &data) override;
    void resize(int cols, int rows) override;
    void close() override;
    QString description() const override;   // "ns/pod/container"

    const KubeExecTarget &target() const { return m_target; }
    QString subprotocol() const { return m_subprotocol; }   // known once connected()

private:
    template <typename F>
    void post(F f);
    void stopSession();

    KubeConnectionSource m_source;
    KubeExecTarget m_target;
    KubeExecSession *m_session = nullptr;   // on the worker thread; never touched directly
    QString m_subprotocol;
};

} // namespace mist
