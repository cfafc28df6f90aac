#include "kubeexec.h"

#include "providers/kubernetes/kubechannelcodec.h"

#include <QMetaObject>

#include <future>
#include <mutex>
#include <optional>

namespace mist {

Result<ExecOutput> KubeExec::run(const KubeConnectionSource &source, KubeExecTarget target)
{
    target.tty = false;
    target.stdinEnabled = false;
    // Filled on the worker thread (direct connections), read here once the promise is kept.
    struct State
    {
        std::mutex mutex;
        ExecOutput output;
        std::optional<Error> error;
        std::promise<void> done;
        bool finished = false;
        void finish()
        {
            if (!std::exchange(finished, true))
                done.set_value();
        }
    };
    auto state = std::make_shared<State>();
    std::future<void> done = state->done.get_future();

    auto *session = new KubeExecSession(source, std::move(target));
    QObject::connect(session, &KubeExecSession::output, session, [state](int channel, const QByteArray &data) {
        std::lock_guard lock(state->mutex);
        (channel == KubeChannel::Stderr ? state->output.stderrData : state->output.stdoutData) += data;
    }, Qt::DirectConnection);
    QObject::connect(session, &KubeExecSession::exited, session, [state, session](int code) {
        {
            std::lock_guard lock(state->mutex);
            state->output.exitStatus = code;
            state->finish();
        }
        session->shutdown();
    }, Qt::DirectConnection);
    QObject::connect(session, &KubeExecSession::failed, session, [state, session](const Error &e) {
        {
            std::lock_guard lock(state->mutex);
            state->error = e;
            state->finish();
        }
        session->shutdown();
    }, Qt::DirectConnection);
    KubeWorkerThread::start(session, QStringLiteral("kube-exec"));
    QMetaObject::invokeMethod(session, [session] { session->open(0, 0); }, Qt::QueuedConnection);
    done.wait();   // the session always ends: exit status, failure or handshake timeout

    std::lock_guard lock(state->mutex);
    if (state->error)
        return *state->error;
    return state->output;
}

} // namespace mist
