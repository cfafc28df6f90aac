#include "kubeexecbackend.h"

#include <QMetaObject>

namespace mist {

KubeExecBackend::KubeExecBackend(KubeConnectionSource source, KubeExecTarget target, QObject *parent)
    : TerminalBackend(parent)
    , m_source(std::move(source))
    , m_target(std::move(target))
{
}

KubeExecBackend::~KubeExecBackend()
{
    stopSession();
}

template <typename F>
void KubeExecBackend::post(F f)
{
    if (!m_session)
        return;
    KubeExecSession *s = m_session;
    QMetaObject::invokeMethod(s, [s, f = std::move(f)] { f(s); }, Qt::QueuedConnection);
}

void KubeExecBackend::stopSession()
{
    post([](KubeExecSession *s) { s->shutdown(); });
    m_session = nullptr;
}

void KubeExecBackend::start(int cols, int rows)
{
    if (m_session || state() != State::Idle)
        return;
    m_session = new KubeExecSession(m_source, m_target);
    connect(m_session, &KubeExecSession::connected, this, [this](const QString &protocol) {
        if (state() != State::Connecting)
            return;
        m_subprotocol = protocol;
        setState(State::Connected);
        emit connected();
    });
    connect(m_session, &KubeExecSession::output, this, [this](int, const QByteArray &data) {
        if (state() == State::Connected)
            emit dataReceived(data);
    });
    connect(m_session, &KubeExecSession::exited, this, [this](int code) {
        if (state() != State::Connected && state() != State::Connecting)
            return;
        setState(State::Finished);
        emit finished(code);
    });
    connect(m_session, &KubeExecSession::failed, this, [this](const Error &error) {
        if (state() != State::Connected && state() != State::Connecting)
            return;
        setState(State::Failed);
        emit failed(error);
    });
    setState(State::Connecting);
    KubeWorkerThread::start(m_session, QStringLiteral("kube-exec"));
    post([cols, rows](KubeExecSession *s) { s->open(cols, rows); });
}

void KubeExecBackend::write(const QByteArray &data)
{
    if (data.isEmpty())
        return;
    post([data](KubeExecSession *s) { s->send(data); });
}

void KubeExecBackend::resize(int cols, int rows)
{
    post([cols, rows](KubeExecSession *s) { s->resize(cols, rows); });
}

void KubeExecBackend::close()
{
    if (!m_session)
        return;
    stopSession();
    if (state() == State::Connected || state() == State::Connecting) {
        setState(State::Finished);
        emit finished(-1);
    }
}

QString KubeExecBackend::description() const
{
    return m_target.description();
}

} // namespace mist
