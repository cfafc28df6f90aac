#include "sshshellbackend.h"

#include "ssh/sshsession.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMetaObject>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#ifndef Q_OS_WIN
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#endif

namespace mist {

namespace {

std::mutex g_workersMutex;
std::condition_variable g_workersDone;
int g_workers = 0;

struct ConnectInfo
{
    QString authMethod;
    QString keyFingerprint;
    HostKeyInfo hostKey;
};

} // namespace

// What the owner and the worker share. `owner` is cleared by the owner's destructor under
// the mutex, so the worker posts to a live object or to nobody.
struct SshShellBackend::Shared
{
    std::mutex mutex;
    SshShellBackend *owner = nullptr;
    QByteArray pending;
    std::optional<std::pair<int, int>> size;
    bool closeRequested = false;
    int wake[2] = {-1, -1};

    Shared()
    {
#ifndef Q_OS_WIN
        if (::pipe(wake) == 0) {
            for (int fd : wake) {
                ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
                ::fcntl(fd, F_SETFD, FD_CLOEXEC);
            }
        }
#endif
    }
    ~Shared()
    {
#ifndef Q_OS_WIN
        for (int fd : wake)
            if (fd >= 0)
                ::close(fd);
#endif
    }

    void poke()
    {
#ifndef Q_OS_WIN
        if (wake[1] >= 0) {
            const char c = 1;
            [[maybe_unused]] ssize_t n = ::write(wake[1], &c, 1);
        }
#endif
    }

    // Runs f(owner) on the owner's thread, if the owner still exists by then.
    template <typename F>
    void post(F f)
    {
        std::lock_guard lock(mutex);
        if (!owner)
            return;
        SshShellBackend *o = owner;
        QMetaObject::invokeMethod(o, [o, f = std::move(f)]() mutable { f(o); }, Qt::QueuedConnection);
    }

    bool stopping()
    {
        std::lock_guard lock(mutex);
        return closeRequested || !owner;
    }
};

void SshShellBackend::runWorker(std::shared_ptr<Shared> shared, SshTarget target,
                                std::shared_ptr<HostKeyVerifier> verifier, int cols, int rows)
{
    auto fail = [&](const SshError &e) {
        shared->post([e](SshShellBackend *o) { o->reportFailure(e); });
    };
    SshSession session;
    if (SshStatus st = session.connect(target, *verifier); !st) {
        fail(st.sshError());
        return;
    }
    if (shared->stopping())
        return;
    auto opened = session.openShell(cols, rows, true);
    if (!opened) {
        fail(opened.sshError());
        return;
    }
    std::unique_ptr<SshChannel> ch = std::move(opened).value();
    const ConnectInfo info{session.authMethod(), session.authKeyFingerprint(), session.hostKey()};
    shared->post([info](SshShellBackend *o) { o->reportConnected(info.authMethod, info.keyFingerprint, info.hostKey); });

    QElapsedTimer idle;
    idle.start();
    const int keepaliveMs = int(target.keepaliveInterval.count());
    for (;;) {
        QByteArray toSend;
        std::optional<std::pair<int, int>> size;
        {
            std::lock_guard lock(shared->mutex);
            if (shared->closeRequested || !shared->owner)
                break;
            toSend.swap(shared->pending);
            size.swap(shared->size);
        }
        if (size) {
            if (SshStatus st = ch->resize(size->first, size->second); !st) {
                fail(st.sshError());
                return;
            }
        }
        if (!toSend.isEmpty()) {
            if (SshStatus st = ch->write(toSend); !st) {
                fail(st.sshError());
                return;
            }
            idle.restart();
        }
        QByteArray out, err;
#ifndef Q_OS_WIN
        pollfd fds[2] = {{session.socketFd(), POLLIN, 0}, {shared->wake[0], POLLIN, 0}};
        const int timeout = keepaliveMs > 0 ? qBound(10, int(keepaliveMs - idle.elapsed()), 1000) : 1000;
        ::poll(fds, 2, timeout);
        if (fds[1].revents & POLLIN) {
            char drain[256];
            while (::read(shared->wake[0], drain, sizeof drain) > 0) {
            }
        }
        SshStatus st = ch->read(out, err, 0);
#else
        SshStatus st = ch->read(out, err, 20);
#endif
        if (!st) {
            fail(st.sshError());
            return;
        }
        out += err;   // a pty merges them anyway
        if (!out.isEmpty()) {
            idle.restart();
            shared->post([out](SshShellBackend *o) { emit o->dataReceived(out); });
        }
        if (ch->isEof()) {
            const int status = ch->exitStatus();
            shared->post([status](SshShellBackend *o) { o->reportFinished(status); });
            return;
        }
        if (keepaliveMs > 0 && idle.elapsed() >= keepaliveMs) {
            if (SshStatus k = session.keepalive(); !k) {
                fail(k.sshError());
                return;
            }
            idle.restart();
        }
    }
    // Closed by the user: end the shell politely; the session's destructor disconnects.
    static_cast<void>(ch->sendEof());   // best effort: we are leaving either way
    ch->close();
}

SshShellBackend::SshShellBackend(SshTarget target, std::shared_ptr<HostKeyVerifier> verifier, QObject *parent)
    : TerminalBackend(parent)
    , m_target(std::move(target))
    , m_verifier(std::move(verifier))
{
}

SshShellBackend::~SshShellBackend()
{
    if (m_shared) {
        std::lock_guard lock(m_shared->mutex);
        m_shared->owner = nullptr;
        m_shared->closeRequested = true;
    }
    if (m_shared)
        m_shared->poke();
}

QString SshShellBackend::description() const
{
    return m_target.endpoint.userHost();
}

void SshShellBackend::start(int cols, int rows)
{
    if (m_shared || !m_verifier)
        return;
    m_shared = std::make_shared<Shared>();
    m_shared->owner = this;
    setState(State::Connecting);
    {
        std::lock_guard lock(g_workersMutex);
        ++g_workers;
    }
    std::thread([shared = m_shared, target = m_target, verifier = m_verifier, cols, rows]() mutable {
        runWorker(std::move(shared), std::move(target), std::move(verifier), cols, rows);
        std::lock_guard lock(g_workersMutex);
        --g_workers;
        g_workersDone.notify_all();
    }).detach();
}

void SshShellBackend::write(const QByteArray &data)
{
    if (!m_shared || data.isEmpty())
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->pending += data;
    }
    m_shared->poke();
}

void SshShellBackend::resize(int cols, int rows)
{
    if (!m_shared)
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->size = std::make_pair(cols, rows);
    }
    m_shared->poke();
}

void SshShellBackend::close()
{
    if (!m_shared)
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        if (m_shared->closeRequested)
            return;
        m_shared->closeRequested = true;
    }
    m_shared->poke();
    if (state() == State::Connected || state() == State::Connecting) {
        setState(State::Finished);
        emit finished(-1);
    }
}

void SshShellBackend::reportConnected(const QString &authMethod, const QString &keyFingerprint, const HostKeyInfo &hostKey)
{
    if (state() != State::Connecting)
        return;
    m_authMethod = authMethod;
    m_keyFingerprint = keyFingerprint;
    m_hostKey = hostKey;
    setState(State::Connected);
    emit connected();
}

void SshShellBackend::reportFailure(const SshError &error)
{
    if (state() == State::Finished)
        return;
    m_lastError = error;
    setState(State::Failed);
    emit failed(error.error);
}

void SshShellBackend::reportFinished(int exitStatus)
{
    if (state() == State::Finished)
        return;
    setState(State::Finished);
    emit finished(exitStatus);
}

bool SshShellBackend::waitForWorkers(int msecs)
{
    std::unique_lock lock(g_workersMutex);
    return g_workersDone.wait_for(lock, std::chrono::milliseconds(msecs), [] { return g_workers == 0; });
}

} // namespace mist
