#include "dockerexecbackend.h"

#include "providers/docker/dockerclient.h"
#include "providers/docker/dockerexec.h"
#include "providers/docker/dockerworker.h"
#include "util/logging.h"

#include <optional>

namespace mist {

struct DockerExecBackend::Shared : DockerWorkerLink<DockerExecBackend>
{
    QByteArray pending;                        // typed, not yet sent
    std::optional<std::pair<int, int>> size;   // cols, rows
};

void DockerExecBackend::runWorker(const std::shared_ptr<Shared> &shared, const Credentials &credentials,
                                  const QString &containerId, const ExecRequest &request, int cols, int rows)
{
    auto fail = [&](const Error &e) { shared->post([e](DockerExecBackend *o) { o->reportFailure(e); }); };
    auto client = DockerClient::connect(credentials);
    if (!client)
        return fail(client.error());
    DockerClient &api = *client.value();
    auto execId = DockerExec::create(api, containerId, DockerExec::commandFor(request), true, cols, rows);
    if (!execId)
        return fail(execId.error());
    auto started = DockerExec::start(api, execId.value(), true, cols, rows);
    if (!started)
        return fail(started.error());
    HttpConnection &stream = *started.value();
    shared->post([](DockerExecBackend *o) { o->reportConnected(); });
    // Older engines ignore ConsoleSize: say the size once more now that the exec runs.
    if (Status st = DockerExec::resize(api, execId.value(), cols, rows); !st)
        qCDebug(lcProviderDocker) << "initial exec resize:" << st.error().toString();

    while (!stream.rawClosed()) {
        QByteArray toSend;
        std::optional<std::pair<int, int>> size;
        {
            std::lock_guard lock(shared->mutex);
            if (shared->stopRequested || !shared->owner)
                return;   // the hijacked connection closes with `started`: the shell gets a hangup
            toSend.swap(shared->pending);
            size.swap(shared->size);
        }
        if (size)
            if (Status st = DockerExec::resize(api, execId.value(), size->first, size->second); !st)
                qCWarning(lcProviderDocker) << "exec resize failed:" << st.error().toString();
        if (!toSend.isEmpty())
            if (Status st = stream.writeRaw(toSend); !st)
                return fail(st.error());
        QByteArray out;
        if (Status st = stream.readRaw(out, 20); !st)
            return fail(st.error());
        if (!out.isEmpty())
            shared->post([out](DockerExecBackend *o) { emit o->dataReceived(out); });
    }
    auto code = DockerExec::exitCode(api, execId.value());
    const int status = code ? code.value() : -1;
    shared->post([status](DockerExecBackend *o) { o->reportFinished(status); });
}

DockerExecBackend::DockerExecBackend(Credentials credentials, QString containerId, QString containerName,
                                     ExecRequest request, QObject *parent)
    : TerminalBackend(parent)
    , m_credentials(std::move(credentials))
    , m_containerId(std::move(containerId))
    , m_containerName(std::move(containerName))
    , m_request(std::move(request))
{
}

DockerExecBackend::~DockerExecBackend()
{
    if (m_shared)
        m_shared->detach();
}

QString DockerExecBackend::description() const
{
    return QStringLiteral("docker: ") + (m_containerName.isEmpty() ? m_containerId.left(12) : m_containerName);
}

void DockerExecBackend::start(int cols, int rows)
{
    if (m_shared)
        return;
    m_shared = std::make_shared<Shared>();
    m_shared->owner = this;
    setState(State::Connecting);
    DockerWorkers::run([shared = m_shared, credentials = m_credentials, id = m_containerId, request = m_request, cols, rows] {
        runWorker(shared, credentials, id, request, cols, rows);
    });
}

void DockerExecBackend::write(const QByteArray &data)
{
    if (!m_shared || data.isEmpty())
        return;
    std::lock_guard lock(m_shared->mutex);
    m_shared->pending += data;
}

void DockerExecBackend::resize(int cols, int rows)
{
    if (!m_shared || cols <= 0 || rows <= 0)
        return;
    std::lock_guard lock(m_shared->mutex);
    m_shared->size = std::make_pair(cols, rows);
}

void DockerExecBackend::close()
{
    if (!m_shared)
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        if (m_shared->stopRequested)
            return;
        m_shared->stopRequested = true;
    }
    if (state() == State::Connected || state() == State::Connecting) {
        setState(State::Finished);
        emit finished(-1);
    }
}

void DockerExecBackend::reportConnected()
{
    if (state() != State::Connecting)
        return;
    setState(State::Connected);
    emit connected();
}

void DockerExecBackend::reportFailure(const Error &error)
{
    if (state() == State::Finished || state() == State::Failed)
        return;
    setState(State::Failed);
    emit failed(error);
}

void DockerExecBackend::reportFinished(int exitStatus)
{
    if (state() == State::Finished || state() == State::Failed)
        return;
    setState(State::Finished);
    emit finished(exitStatus);
}

} // namespace mist
