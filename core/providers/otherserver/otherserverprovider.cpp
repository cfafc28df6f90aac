#include "otherserverprovider.h"

#include "providers/ipclassify.h"
#include "providers/otherserver/serverprobe.h"
#include "secrets/secretstore.h"
#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "ssh/sshtargetresolver.h"
#include "util/logging.h"

#include <QDir>
#include <QJsonArray>
#include <QSet>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

namespace mist {

const QString OtherServerProvider::Id = QStringLiteral("other");

namespace {

constexpr int kProbeParallelism = 8;
constexpr std::chrono::seconds kProbeConnectTimeout{8};
constexpr std::chrono::seconds kProbeExecTimeout{20};

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString().trimmed();
}

int port(const QJsonObject &o)
{
    const QJsonValue v = o.value(QLatin1String("port"));
    const int p = v.isString() ? v.toString().toInt() : v.toInt(22);
    return p > 0 ? p : 22;
}

} // namespace

QJsonObject ServerEntry::toJson() const
{
    QJsonObject o{{QStringLiteral("host"), endpoint.host}, {QStringLiteral("port"), endpoint.port},
                  {QStringLiteral("user"), endpoint.user}};
    if (!keyUuid.isEmpty())
        o[QStringLiteral("key")] = keyUuid;
    if (!identityFile.isEmpty())
        o[QStringLiteral("identity_file")] = identityFile;
    if (!proxyJump.isEmpty())
        o[QStringLiteral("proxy_jump")] = proxyJump;
    return o;
}

ServerEntry ServerEntry::fromJson(const QJsonObject &o)
{
    ServerEntry s;
    s.endpoint.host = str(o, "host");
    s.endpoint.port = port(o);
    s.endpoint.user = str(o, "user");
    if (s.endpoint.user.isEmpty())
        s.endpoint.user = QStringLiteral("root");
    s.name = str(o, "name");
    if (s.name.isEmpty())
        s.name = s.endpoint.port == 22 ? s.endpoint.host : s.endpoint.hostPort();
    s.keyUuid = str(o, "key");
    s.identityFile = str(o, "identity_file");
    s.proxyJump = str(o, "proxy_jump");
    return s;
}

ProviderInfo OtherServerProvider::info() const
{
    ProviderInfo i;
    i.id = Id;
    i.title = tr("Other server");
    i.category = tr("Servers");
    i.capabilities = {QStringLiteral("poll"), QStringLiteral("actions"), QStringLiteral("ssh")};
    // Not required in the form: a cloud imported from ~/.ssh/config has a host list instead.
    i.fields = {
        {QStringLiteral("host"), tr("Host"), FormField::Type::Text, false, false, {},
         tr("Host name or IP address, e.g. web1.example.com"), {}},
        {QStringLiteral("port"), tr("Port"), FormField::Type::Integer, false, false, 22, tr("SSH port"), {}},
        {QStringLiteral("user"), tr("User"), FormField::Type::Text, false, false, QStringLiteral("root"),
         tr("The user to log in as"), {}},
        {QStringLiteral("key"), tr("SSH key"), FormField::Type::SshKey, false, false, {},
         tr("A key from Mist's key store (your ssh-agent is tried as well)"), {}},
        {QStringLiteral("identity_file"), tr("Identity file"), FormField::Type::File, false, false, {},
         tr("Or a private key file, e.g. ~/.ssh/id_ed25519"), {}},
        {QStringLiteral("proxy_jump"), tr("Jump host"), FormField::Type::Text, false, false, {},
         tr("ProxyJump: user@bastion:22 (optional, comma-separated for several hops)"), {}},
    };
    return i;
}

QVector<ServerEntry> OtherServerProvider::servers(const QJsonObject &config)
{
    QVector<ServerEntry> out;
    if (!str(config, "host").isEmpty())
        out << ServerEntry::fromJson(config);
    const QJsonArray hosts = config.value(QLatin1String("hosts")).toArray();
    for (const QJsonValue &h : hosts) {
        ServerEntry s = ServerEntry::fromJson(h.toObject());
        if (!s.endpoint.host.isEmpty())
            out << s;
    }
    return out;
}

QJsonObject OtherServerProvider::configWithout(const QJsonObject &config, const QString &name)
{
    QJsonObject out = config;
    if (!str(config, "host").isEmpty() && ServerEntry::fromJson(config).name == name) {
        for (const char *key : {"host", "port", "user", "key", "identity_file", "proxy_jump", "name"})
            out.remove(QLatin1String(key));
        return out;
    }
    QJsonArray kept;
    const QJsonArray hosts = config.value(QLatin1String("hosts")).toArray();
    for (const QJsonValue &h : hosts)
        if (ServerEntry::fromJson(h.toObject()).name != name)
            kept.append(h);
    out[QStringLiteral("hosts")] = kept;
    return out;
}

Status OtherServerProvider::validate(const Credentials &credentials) const
{
    if (Status base = Provider::validate(credentials); !base)
        return base;
    const QVector<ServerEntry> list = servers(credentials.config);
    if (list.isEmpty())
        return Error{tr("Enter the server's host name or IP address."), {}};
    QSet<QString> names;
    for (const ServerEntry &s : list) {
        if (s.endpoint.host.contains(QLatin1Char(' ')) || s.endpoint.host.startsWith(QLatin1Char('-')))
            return Error{tr("\"%1\" is not a valid host name.").arg(s.endpoint.host), {}};
        if (s.endpoint.port < 1 || s.endpoint.port > 65535)
            return Error{tr("The port of %1 must be between 1 and 65535.").arg(s.name), QString::number(s.endpoint.port)};
        if (!s.proxyJump.isEmpty() && s.proxyJump != QLatin1String("none")) {
            if (auto jumps = parseProxyJump(s.proxyJump, s.endpoint.user); !jumps)
                return Error{tr("The jump host of %1 is not valid: %2").arg(s.name, jumps.error().message), s.proxyJump};
        }
        if (names.contains(s.name))
            return Error{tr("Two servers are named \"%1\".").arg(s.name), {}};
        names.insert(s.name);
    }
    return {};
}

Result<SshTarget> OtherServerProvider::targetFor(const ServerEntry &server)
{
    SshSettings settings;
    settings.endpoint = server.endpoint;
    if (!server.proxyJump.isEmpty() && server.proxyJump != QLatin1String("none")) {
        auto jumps = parseProxyJump(server.proxyJump, server.endpoint.user);
        if (!jumps)
            return jumps.error();
        settings.jumps = jumps.value();
    }
    if (!server.identityFile.isEmpty())
        settings.identityFiles << QDir::fromNativeSeparators(server.identityFile);
    if (!server.keyUuid.isEmpty()) {
        // The key's private half is in the keychain under its uuid; the database row is not needed.
        SshKey key;
        key.uuid = server.keyUuid;
        key.name = server.name;
        settings.key = key;
        settings.keyChosen = true;
    }
    SecretStore secrets;
    auto target = SshTargetResolver::target(settings, server.keyUuid.isEmpty() ? nullptr : &secrets);
    if (!target)
        return target;
    // Without the key's row we do not know whether it has a passphrase: read it if there is one.
    if (!server.keyUuid.isEmpty())
        if (auto pass = secrets.read(SshKey::keychainOwnerFor(server.keyUuid), KeychainField::Passphrase))
            target.value().auth.passphrase = pass.value();
    target.value().connectTimeout = kProbeConnectTimeout;
    return target;
}

Machine OtherServerProvider::probeMachine(const ServerEntry &server, const SshResult<ExecResult> &probe, const QDateTime &now)
{
    Machine m;
    m.kind = MachineKind::Machine;
    m.externalId = server.name;
    m.name = server.name;
    m.extra[QStringLiteral("ssh")] = server.toJson();
    // The host goes into the IP columns only when it is a literal address.
    if (QHostAddress address; address.setAddress(server.endpoint.host))
        (isPrivateAddress(address) ? m.privateIps : m.publicIps) << addressText(address);
    if (probe.ok() && probe.value().exitStatus == 0) {
        const ServerProbe info = ServerProbe::parse(QString::fromUtf8(probe.value().out));
        info.applyTo(m, now);
        m.state = MachineState::Running;
        return m;
    }
    QString why;
    if (!probe.ok()) {
        why = probe.error().message;
        // An untrusted key is not "unreachable": the server answered, nobody has vouched for it.
        const bool keyProblem = probe.kind() == SshErrorKind::HostKeyUnknown || probe.kind() == SshErrorKind::HostKeyChanged
                                || probe.kind() == SshErrorKind::AuthFailed;
        m.state = keyProblem ? MachineState::Unknown : MachineState::Unreachable;
        if (probe.kind() == SshErrorKind::HostKeyUnknown)
            why = tr("Its host key is not trusted yet: open a shell to check and accept it.");
    } else {
        why = tr("The probe exited with status %1: %2")
                  .arg(probe.value().exitStatus)
                  .arg(QString::fromUtf8(probe.value().err).trimmed().left(200));
        m.state = MachineState::Unknown;
    }
    m.extra[QStringLiteral("probe_error")] = why;
    return m;
}

PollResult OtherServerProvider::poll(const Credentials &credentials)
{
    const QVector<ServerEntry> list = servers(credentials.config);
    std::shared_ptr<HostKeyVerifier> hostKeys = credentials.hostKeys;
    if (!hostKeys)
        hostKeys = std::make_shared<KnownHostsFileVerifier>();
    const QDateTime now = QDateTime::currentDateTimeUtc();

    QThreadPool pool;
    pool.setMaxThreadCount(kProbeParallelism);
    const QVector<Machine> machines = QtConcurrent::blockingMapped<QVector<Machine>>(
        &pool, list, [hostKeys, now](const ServerEntry &server) {
            auto target = targetFor(server);
            if (!target)
                return probeMachine(server, SshResult<ExecResult>(SshError{SshErrorKind::Other, target.error(), {}, {}, {}}), now);
            SshSession session;
            if (SshStatus c = session.connect(target.value(), *hostKeys); !c)
                return probeMachine(server, SshResult<ExecResult>(c.sshError()), now);
            return probeMachine(server, session.exec(ServerProbe::script(), {}, kProbeExecTimeout), now);
        });

    PollResult r;
    r.success = true;
    r.complete = true;   // every configured server is listed, reachable or not
    r.machines = machines;
    return r;
}

QStringList OtherServerProvider::allowedActions(const Machine &machine) const
{
    QStringList actions{Action::Remove};
    const QJsonObject ssh = machine.extra.value(QLatin1String("ssh")).toObject();
    const bool hasKey = !str(ssh, "key").isEmpty() || !str(ssh, "identity_file").isEmpty();
    if (hasKey && machine.state == MachineState::Running)
        actions.prepend(Action::Reboot);
    return actions;
}

Status OtherServerProvider::runAction(const Credentials &credentials, const Machine &machine, const ActionRequest &request)
{
    if (request.action == Action::Remove)
        return {};   // nothing to do on the server: the app drops it from the cloud's config
    if (request.action != Action::Reboot)
        return Error{tr("\"%1\" is not possible on an other server").arg(Action::title(request.action)), {}};
    const ServerEntry server = ServerEntry::fromJson(machine.extra.value(QLatin1String("ssh")).toObject());
    auto target = targetFor(server);
    if (!target)
        return target.error();
    std::shared_ptr<HostKeyVerifier> hostKeys = credentials.hostKeys ? credentials.hostKeys : std::make_shared<KnownHostsFileVerifier>();
    SshSession session;
    if (SshStatus c = session.connect(target.value(), *hostKeys); !c)
        return c.error();
    // The connection usually drops while the reboot starts; only a refusal is a failure.
    auto r = session.exec(QStringLiteral("if [ \"$(id -u)\" = 0 ]; then (sleep 1; reboot) >/dev/null 2>&1 & "
                                         "else sudo -n sh -c '(sleep 1; reboot) >/dev/null 2>&1 &'; fi"),
                          {}, std::chrono::seconds(15));
    if (r.ok() && r.value().exitStatus != 0)
        return Error{tr("%1 refused to reboot (is the user allowed to run reboot without a password?)").arg(server.name),
                     QString::fromUtf8(r.value().err).trimmed()};
    if (!r.ok() && r.kind() != SshErrorKind::Disconnected)
        return r.error();
    return {};
}

} // namespace mist
