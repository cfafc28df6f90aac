#pragma once

#include "containers/logstream.h"
#include "providers/provider.h"

#include <memory>

namespace mist {

// GET /containers/{id}/logs on a worker thread: inspects the container first (a container
// without a tty sends the multiplexed framing), then decodes chunks -> frames -> lines.
// stop() only raises a flag the worker sees within 200 ms; finished() follows.
class DockerLogStream : public LogStream
{
    Q_OBJECT

public:
    DockerLogStream(Credentials credentials, QString containerId, LogOptions options, QObject *parent = nullptr);
    ~DockerLogStream() override;

    void start() override;
    void stop() override;

    struct Shared;

private:
    static void runWorker(const std::shared_ptr<Shared> &shared, const Credentials &credentials, const QString &containerId,
                          const LogOptions &options);
    void reportFinished(const Status &status);

    Credentials m_credentials;
    QString m_containerId;
    LogOptions m_options;
    std::shared_ptr<Shared> m_shared;
    bool m_finished = false;
};

} // namespace mist
