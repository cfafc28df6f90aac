#include "dockerlogstream.h"

#include "providers/docker/dockerclient.h"
#include "providers/docker/dockerframes.h"
#include "providers/docker/dockerworker.h"

#include <QCoreApplication>

namespace mist {

struct DockerLogStream::Shared : DockerWorkerLink<DockerLogStream>
{
};

namespace {

QUrlQuery logQuery(const LogOptions &options)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("stdout"), QStringLiteral("1"));
    q.addQueryItem(QStringLiteral("stderr"), QStringLiteral("1"));
    q.addQueryItem(QStringLiteral("follow"), options.follow ? QStringLiteral("1") : QStringLiteral("0"));
    q.addQueryItem(QStringLiteral("timestamps"), options.timestamps ? QStringLiteral("1") : QStringLiteral("0"));
    q.addQueryItem(QStringLiteral("tail"), options.tailLines < 0 ? QStringLiteral("all") : QString::number(options.tailLines));
    return q;
}

// Turns the body of the logs answer into lines: frames first when the container has no tty.
class LogDecoder
{
public:
    explicit LogDecoder(bool multiplexed) : m_multiplexed(multiplexed) {}

    Result<QString> feed(const QByteArray &bytes)
    {
        if (!m_multiplexed)
            return m_stdout.feed(bytes);
        auto frames = m_frames.feed(bytes);
        if (!frames)
            return frames.error();
        QString lines;
        for (const DockerFrameDecoder::Frame &f : frames.value())
            lines += (f.stream == DockerFrameDecoder::Stderr ? m_stderr : m_stdout).feed(f.payload);
        return lines;
    }
    QString flush() { return m_stdout.flush() + m_stderr.flush(); }

private:
    bool m_multiplexed;
    DockerFrameDecoder m_frames;
    LineAssembler m_stdout;   // one per stream: interleaved frames do not mix partial lines
    LineAssembler m_stderr;
};

} // namespace

void DockerLogStream::runWorker(const std::shared_ptr<Shared> &shared, const Credentials &credentials,
                                const QString &containerId, const LogOptions &options)
{
    auto finish = [&](const Status &st) { shared->post([st](DockerLogStream *o) { o->reportFinished(st); }); };
    const QString what = QCoreApplication::translate("DockerLogStream", "Could not read the container's logs.");
    auto client = DockerClient::connect(credentials);
    if (!client)
        return finish(client.error());
    auto inspect = client.value()->getJson(QStringLiteral("/containers/%1/json").arg(containerId), {}, what);
    if (!inspect)
        return finish(inspect.error());
    const bool tty = inspect->object().value(QLatin1String("Config")).toObject().value(QLatin1String("Tty")).toBool();
    auto connection = client.value()->openStream("GET", QStringLiteral("/containers/%1/logs").arg(containerId),
                                                 logQuery(options), nullptr, false, nullptr);
    if (!connection)
        return finish(Error{what + QLatin1Char(' ') + connection.error().message, connection.error().detail});
    LogDecoder decoder(!tty);
    bool done = false;
    while (!done) {
        if (shared->stopping())
            return finish({});
        QByteArray bytes;
        if (Status st = connection.value()->readSome(bytes, 200, &done); !st)
            return finish(st);
        auto lines = decoder.feed(bytes);
        if (!lines)
            return finish(lines.error());
        if (done)
            lines.value() += decoder.flush();
        if (!lines->isEmpty())
            shared->post([text = lines.value()](DockerLogStream *o) { emit o->linesReceived(text); });
    }
    finish({});
}

DockerLogStream::DockerLogStream(Credentials credentials, QString containerId, LogOptions options, QObject *parent)
    : LogStream(parent)
    , m_credentials(std::move(credentials))
    , m_containerId(std::move(containerId))
    , m_options(std::move(options))
{
}

DockerLogStream::~DockerLogStream()
{
    if (m_shared)
        m_shared->detach();
}

void DockerLogStream::start()
{
    if (m_shared)
        return;
    m_shared = std::make_shared<Shared>();
    m_shared->owner = this;
    DockerWorkers::run([shared = m_shared, credentials = m_credentials, id = m_containerId, options = m_options] {
        runWorker(shared, credentials, id, options);
    });
}

void DockerLogStream::stop()
{
    if (!m_shared) {
        reportFinished({});
        return;
    }
    std::lock_guard lock(m_shared->mutex);
    m_shared->stopRequested = true;
}

void DockerLogStream::reportFinished(const Status &status)
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(status);
}

} // namespace mist
