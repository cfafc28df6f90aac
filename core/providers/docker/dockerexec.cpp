#include "dockerexec.h"

#include "providers/docker/dockerframes.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QThread>

namespace mist::DockerExec {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("DockerExec", text);
}
} // namespace

QStringList commandFor(const ExecRequest &request)
{
    if (!request.command.isEmpty())
        return request.command;
    return {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
            QStringLiteral("if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi")};
}

Result<QString> create(DockerClient &client, const QString &containerId, const QStringList &command, bool tty, int cols, int rows)
{
    QJsonObject body{{QStringLiteral("AttachStdin"), tty},
                     {QStringLiteral("AttachStdout"), true},
                     {QStringLiteral("AttachStderr"), true},
                     {QStringLiteral("Tty"), tty},
                     {QStringLiteral("Cmd"), QJsonArray::fromStringList(command)}};
    if (tty) {
        body[QStringLiteral("Env")] = QJsonArray{QStringLiteral("TERM=xterm-256color")};
        if (cols > 0 && rows > 0)
            body[QStringLiteral("ConsoleSize")] = QJsonArray{rows, cols};
    }
    auto reply = client.call("POST", QStringLiteral("/containers/%1/exec").arg(containerId), {}, &body);
    if (!reply)
        return reply.error();
    if (!reply->isSuccess())
        return DockerClient::errorFor(reply.value(), tr("Could not run a command in the container."));
    const QString id = QJsonDocument::fromJson(reply->body).object().value(QLatin1String("Id")).toString();
    if (id.isEmpty())
        return Error{tr("The Docker engine did not return an exec id."), QString::fromUtf8(reply->body.left(200))};
    return id;
}

Result<std::unique_ptr<HttpConnection>> start(DockerClient &client, const QString &execId, bool tty, int cols, int rows)
{
    QJsonObject body{{QStringLiteral("Detach"), false}, {QStringLiteral("Tty"), tty}};
    if (tty && cols > 0 && rows > 0)
        body[QStringLiteral("ConsoleSize")] = QJsonArray{rows, cols};
    HttpResponseHead head;
    auto connection = client.openStream("POST", QStringLiteral("/exec/%1/start").arg(execId), {}, &body, true, &head);
    if (!connection)
        return Error{tr("Could not start the command in the container: %1").arg(connection.error().message),
                     connection.error().detail};
    // 101 UPGRADED, or 200 and the raw stream from an engine that ignores the upgrade hint.
    if (head.status != 101 && head.status != 200)
        return Error{tr("The Docker engine did not hand over the exec stream."), QStringLiteral("HTTP %1").arg(head.status)};
    return connection;
}

Status resize(DockerClient &client, const QString &execId, int cols, int rows)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("h"), QString::number(rows));
    q.addQueryItem(QStringLiteral("w"), QString::number(cols));
    auto reply = client.call("POST", QStringLiteral("/exec/%1/resize").arg(execId), q);
    if (!reply)
        return reply.error();
    if (!reply->isSuccess())
        return DockerClient::errorFor(reply.value(), tr("Could not resize the terminal."));
    return {};
}

Result<int> exitCode(DockerClient &client, const QString &execId)
{
    // The stream ends a moment before the engine records the exit: ask again for up to a second.
    for (int attempt = 0;; ++attempt) {
        auto doc = client.getJson(QStringLiteral("/exec/%1/json").arg(execId), {}, tr("Could not read the command's exit status."));
        if (!doc)
            return doc.error();
        const QJsonObject o = doc->object();
        const QJsonValue code = o.value(QLatin1String("ExitCode"));
        if (!o.value(QLatin1String("Running")).toBool() && code.isDouble())
            return code.toInt();
        if (attempt >= 10)
            return -1;
        QThread::msleep(100);
    }
}

Result<ExecOutput> run(DockerClient &client, const QString &containerId, const QStringList &command,
                       std::chrono::milliseconds timeout, std::function<bool()> stop)
{
    auto execId = create(client, containerId, command, false);
    if (!execId)
        return execId.error();
    auto connection = start(client, execId.value(), false);
    if (!connection)
        return connection.error();
    ExecOutput output;
    DockerFrameDecoder frames;
    QDeadlineTimer deadline(timeout);
    while (!connection.value()->rawClosed()) {
        if (deadline.hasExpired())
            return Error{tr("The command did not finish in time."), command.join(QLatin1Char(' '))};
        if (stop && stop())
            return Error{tr("Cancelled."), {}};
        QByteArray raw;
        if (Status st = connection.value()->readRaw(raw, 200); !st)
            return st.error();
        auto decoded = frames.feed(raw);
        if (!decoded)
            return decoded.error();
        for (const DockerFrameDecoder::Frame &f : decoded.value())
            (f.stream == DockerFrameDecoder::Stderr ? output.stderrData : output.stdoutData) += f.payload;
    }
    if (!frames.atFrameBoundary())
        return Error{tr("The command's output ended in the middle of a frame."), {}};
    auto code = exitCode(client, execId.value());
    if (!code)
        return code.error();
    output.exitStatus = code.value();
    return output;
}

} // namespace mist::DockerExec
