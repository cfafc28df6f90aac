#include "dockerprovider.h"

#include "providers/docker/dockerclient.h"
#include "providers/docker/dockerexec.h"
#include "providers/docker/dockerexecbackend.h"
#include "providers/docker/dockerlogstream.h"
#include "providers/docker/dockermapping.h"
#include "util/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

namespace mist {

namespace {

bool isContainer(const Machine &m)
{
    return m.kind == MachineKind::Container;
}

QString verb(const QString &action)
{
    if (action == Action::Start) return DockerProvider::tr("start");
    if (action == Action::Stop) return DockerProvider::tr("stop");
    if (action == Action::Restart) return DockerProvider::tr("restart");
    if (action == Action::Pause) return DockerProvider::tr("pause");
    if (action == Action::Unpause) return DockerProvider::tr("unpause");
    if (action == Action::Rename) return DockerProvider::tr("rename");
    if (action == Action::Destroy) return DockerProvider::tr("remove");
    return action;
}

} // namespace

// ---- container access -----------------------------------------------------------------

QString DockerContainerAccess::containerId(const Machine &machine)
{
    const QString id = machine.extra.value(QLatin1String("id")).toString();
    return id.isEmpty() ? machine.externalId : id;
}

bool DockerContainerAccess::canExec(const Machine &machine) const
{
    return isContainer(machine) && machine.state == MachineState::Running;
}

bool DockerContainerAccess::canLog(const Machine &machine) const
{
    return isContainer(machine);
}

TerminalBackend *DockerContainerAccess::createExecBackend(const Credentials &credentials, const Machine &machine,
                                                          const ExecRequest &request)
{
    return new DockerExecBackend(credentials, containerId(machine), machine.name, request);
}

Result<ExecOutput> DockerContainerAccess::exec(const Credentials &credentials, const Machine &machine, const ExecRequest &request)
{
    if (!isContainer(machine))
        return Error{DockerProvider::tr("%1 is not a container.").arg(machine.name), {}};
    auto client = DockerClient::connect(credentials);
    if (!client)
        return client.error();
    return DockerExec::run(*client.value(), containerId(machine), DockerExec::commandFor(request));
}

LogStream *DockerContainerAccess::createLogStream(const Credentials &credentials, const Machine &machine,
                                                  const LogOptions &options)
{
    return new DockerLogStream(credentials, containerId(machine), options);
}

// ---- provider -------------------------------------------------------------------------

ProviderInfo DockerProvider::info() const
{
    ProviderInfo i;
    i.id = QStringLiteral("docker");
    i.title = tr("Docker / Podman");
    i.category = QStringLiteral("Containers");
    i.capabilities = {QStringLiteral("poll"), QStringLiteral("actions"), QStringLiteral("rename"), QStringLiteral("exec"),
                      QStringLiteral("logs")};

    FormField uri{QStringLiteral("uri"), tr("Engine address"), FormField::Type::Url, true, false,
                  DockerEndpoint::defaultUri(),
                  tr("unix:///var/run/docker.sock, tcp://host:2376 (TLS) or ssh://user@host"), {}};
    FormField ca{QStringLiteral("tls_ca"), tr("TLS CA certificate"), FormField::Type::File, false, false, {},
                 tr("tcp:// only: the CA that signed the engine's certificate (ca.pem)"), {}};
    FormField cert{QStringLiteral("tls_cert"), tr("TLS client certificate"), FormField::Type::File, false, false, {},
                   tr("tcp:// only: cert.pem"), {}};
    FormField key{QStringLiteral("tls_key"), tr("TLS client key"), FormField::Type::SecretFile, false, true, {},
                  tr("tcp:// only: key.pem, kept in the keychain"), {}};
    FormField sshKey{QStringLiteral("ssh_key"), tr("SSH key"), FormField::Type::SshKey, false, false, {},
                     tr("ssh:// only; the host needs the docker command (docker system dial-stdio)"), {}};
    FormField identity{QStringLiteral("identity_file"), tr("SSH identity file"), FormField::Type::File, false, false, {},
                       tr("ssh:// only: a private key file, e.g. ~/.ssh/id_ed25519 (the ssh-agent is used too)"), {}};
    i.fields = {uri, ca, cert, key, sshKey, identity};
    return i;
}

Status DockerProvider::validate(const Credentials &credentials) const
{
    if (Status st = Provider::validate(credentials); !st)
        return st;
    auto endpoint = DockerEndpoint::parse(credentials.value(QStringLiteral("uri")));
    if (!endpoint)
        return endpoint.error();
    const bool cert = !credentials.value(QStringLiteral("tls_cert")).isEmpty();
    const bool key = !credentials.value(QStringLiteral("tls_key")).isEmpty();
    if (cert != key)
        return Error{tr("A TLS client certificate needs both the certificate file and its private key."), {}};
    if ((cert || !credentials.value(QStringLiteral("tls_ca")).isEmpty()) && endpoint->kind != DockerEndpoint::Kind::Tcp)
        return Error{tr("TLS certificates are only used with a tcp:// address."), {}};
    return {};
}

PollResult DockerProvider::poll(const Credentials &credentials)
{
    auto client = DockerClient::connect(credentials);
    if (!client)
        return PollResult::failure(client.error());
    DockerClient &api = *client.value();
    auto info = api.getJson(QStringLiteral("/info"), {}, tr("Could not read the engine's information."));
    if (!info)
        return PollResult::failure(info.error());
    QUrlQuery all;
    all.addQueryItem(QStringLiteral("all"), QStringLiteral("1"));
    auto list = api.getJson(QStringLiteral("/containers/json"), all, tr("Could not list the containers."));
    if (!list)
        return PollResult::failure(list.error());
    if (!list->isArray() || !info->isObject())
        return PollResult::failure(Error{tr("The Docker engine's answer is not what its API documents."),
                                         tr("/containers/json is not an array or /info not an object")});

    PollResult result;
    result.machines << DockerMapping::hostMachine(info->object(), api.version(), api.endpoint().toString(), api.isPodman());
    for (const QJsonValue &v : list->array()) {
        const QJsonObject c = v.toObject();
        if (c.value(QLatin1String("Id")).toString().isEmpty())
            continue;   // nothing to key it by
        result.machines << DockerMapping::containerMachine(c);
    }
    result.success = true;
    result.complete = true;
    return result;
}

QStringList DockerProvider::allowedActions(const Machine &machine) const
{
    if (!isContainer(machine))
        return {};
    const QString &s = machine.state;
    if (s == MachineState::Running)
        return {Action::Stop, Action::Restart, Action::Pause, Action::Rename, Action::Destroy};
    if (s == MachineState::Paused)
        return {Action::Unpause, Action::Stop, Action::Rename, Action::Destroy};
    if (s == MachineState::Pending)
        return {Action::Stop, Action::Destroy};
    return {Action::Start, Action::Restart, Action::Rename, Action::Destroy};
}

Status DockerProvider::runAction(const Credentials &credentials, const Machine &machine, const ActionRequest &request)
{
    if (!isContainer(machine))
        return Error{tr("Actions apply to containers, not to the engine host."), machine.name};
    const QString id = DockerContainerAccess::containerId(machine);
    const QString &action = request.action;
    QByteArray method = "POST";
    QString path = QStringLiteral("/containers/%1/%2").arg(id);
    QUrlQuery query;
    if (action == Action::Start || action == Action::Stop || action == Action::Restart || action == Action::Pause
        || action == Action::Unpause) {
        path = path.arg(action);
    } else if (action == Action::Rename) {
        const QString name = request.arguments.value(QStringLiteral("name")).toString().trimmed();
        static const QRegularExpression valid(QStringLiteral("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$"));
        if (!valid.match(name).hasMatch())
            return Error{tr("A container name starts with a letter or digit and holds only letters, digits, \"_\", \".\" and \"-\"."),
                         name};
        path = path.arg(QStringLiteral("rename"));
        query.addQueryItem(QStringLiteral("name"), name);
    } else if (action == Action::Destroy) {
        // The user confirmed removing it for good: a running container is killed first
        // (force); its anonymous volumes are kept (v=0), data is not thrown away silently.
        method = "DELETE";
        path = QStringLiteral("/containers/%1").arg(id);
        query.addQueryItem(QStringLiteral("force"), QStringLiteral("1"));
    } else {
        return Error{tr("Docker containers cannot \"%1\".").arg(action), {}};
    }

    auto client = DockerClient::connect(credentials);
    if (!client)
        return client.error();
    // A stop waits for the container's grace period (10 s by default) before answering.
    auto reply = client.value()->call(method, path, query, nullptr, 120000);
    if (!reply)
        return reply.error();
    if (reply->status() == 304) {
        qCInfo(lcProviderDocker).noquote() << action << machine.name << ": nothing to do, the engine says it already is (HTTP 304)";
        return {};
    }
    if (!reply->isSuccess())
        return DockerClient::errorFor(reply.value(), tr("Could not %1 container %2.").arg(verb(action), machine.name));
    return {};
}

QStringList DockerProvider::defaultLocalSockets()
{
    QStringList out;
    const QString dockerHost = qEnvironmentVariable("DOCKER_HOST");
    if (dockerHost.startsWith(QLatin1String("unix://")))
        out << dockerHost;
    out << QStringLiteral("/var/run/docker.sock");
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty())
        out << runtime + QStringLiteral("/docker.sock") << runtime + QStringLiteral("/podman/podman.sock");
    out << QStringLiteral("/run/podman/podman.sock") << QDir::homePath() + QStringLiteral("/.docker/run/docker.sock")
        << QDir::homePath() + QStringLiteral("/.docker/desktop/docker.sock");
    return out;
}

QStringList DockerProvider::findLocalEndpoints(const QStringList &candidates, int timeoutMs)
{
    QStringList found;
    QSet<QString> seen;
    for (const QString &candidate : candidates) {
        const QString path = candidate.startsWith(QLatin1String("unix://")) ? candidate.mid(7) : candidate;
        const QFileInfo fi(path);
        if (!fi.exists())
            continue;
        const QString canonical = fi.canonicalFilePath();   // /var/run is often /run
        if (seen.contains(canonical))
            continue;
        seen.insert(canonical);
        Credentials c;
        c.config.insert(QStringLiteral("uri"), QStringLiteral("unix://") + path);
        auto client = DockerClient::connect(c, timeoutMs);
        if (!client) {
            qCDebug(lcProviderDocker) << "no engine at" << path << client.error().toString();
            continue;
        }
        found << QStringLiteral("unix://") + path;
    }
    return found;
}

} // namespace mist
