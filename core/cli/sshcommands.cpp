#include "sshcommands.h"

#include "cli/containercommands.h"

#include "ssh/hostkeys.h"
#include "ssh/sshtargetresolver.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>

#ifndef Q_OS_WIN
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#endif

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SshCommands", text);
}

const QString kActor = QStringLiteral("cli");

// The CLI's host-key policy: unknown keys only with --accept-new-host-key; a changed key
// only when the user names the new fingerprint with --replace-host-key (explicit replace).
class CliHostKeyVerifier : public StoreHostKeyVerifier
{
public:
    CliHostKeyVerifier(InventoryStore &store, bool acceptNew, QString replaceWith)
        : StoreHostKeyVerifier(store, acceptNew ? Policy::AcceptUnknown : Policy::RejectUnknown)
        , m_replaceWith(std::move(replaceWith))
    {
    }

    HostKeyCheck check(const HostKeyInfo &info) override
    {
        HostKeyCheck c = StoreHostKeyVerifier::check(info);
        if (c.outcome == HostKeyCheck::Outcome::Changed && !m_replaceWith.isEmpty() && info.fingerprint == m_replaceWith) {
            if (Status s = replaceHostKey(info); s)
                return HostKeyCheck::known(c.source);
        }
        return c;
    }

private:
    QString m_replaceWith;
};

#ifndef Q_OS_WIN
int g_winchPipe[2] = {-1, -1};

void onWinch(int)
{
    const char c = 1;
    [[maybe_unused]] ssize_t n = ::write(g_winchPipe[1], &c, 1);
}

// Raw mode on the controlling terminal for the time of the shell; restored on every exit path.
class RawTty
{
public:
    RawTty()
    {
        if (::tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return;
        termios raw = m_saved;
        ::cfmakeraw(&raw);
        m_active = ::tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
    }
    ~RawTty()
    {
        if (m_active)
            ::tcsetattr(STDIN_FILENO, TCSADRAIN, &m_saved);
    }

private:
    termios m_saved{};
    bool m_active = false;
};

std::pair<int, int> terminalSize()
{
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
        return {ws.ws_col, ws.ws_row};
    return {80, 24};
}
#endif

} // namespace

SshCommands::SshCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString SshCommands::summary()
{
    return tr("  ssh MACHINE [-l USER] [-p PORT]     Open a shell on a machine over SSH\n"
              "  exec MACHINE -- COMMAND...          Run a command on a machine over SSH\n");
}

void SshCommands::addConnectOptions(ArgParser &p)
{
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    p.addOption({QStringLiteral("--accept-new-host-key")}, {},
                tr("Trust the machine's host key if it is not known yet (it is remembered and audited)."));
    p.addOption({QStringLiteral("--replace-host-key")}, tr("FINGERPRINT"),
                tr("The host key changed and you know why: trust the new key with this SHA256 fingerprint."));
    p.addOption({QStringLiteral("-l"), QStringLiteral("--login")}, tr("USER"), tr("Log in as USER instead of the machine's SSH user."));
    p.addOption({QStringLiteral("-p"), QStringLiteral("--port")}, tr("PORT"), tr("Connect to PORT instead of the machine's SSH port."));
    p.addNote(tr("The user, port, key and jump hosts come from the machine's key association (see\n"
                 "'mist keys'), else from its provider, else root, 22, the default key and ssh-agent.\n"
                 "Host keys: the app's known hosts and ~/.ssh/known_hosts; an unknown key is refused\n"
                 "unless --accept-new-host-key, a changed key always unless --replace-host-key.\n"
                 "Exit status: the remote command's; 255 when SSH itself failed; 2 wrong usage."));
}

void SshCommands::audit(const Machine &m, const QString &action, bool success, const QString &message, const QJsonObject &details)
{
    m_ctx.auditMachine(m, action, success, message, details);
}

int SshCommands::sshFailure(const SshError &error, const QString &machine)
{
    m_ctx.warn(error.error);
    if (error.kind == SshErrorKind::HostKeyUnknown && error.hostKey)
        m_ctx.err() << tr("mist: check the fingerprint %1 with the machine's owner, then re-run with "
                          "--accept-new-host-key to trust it.")
                           .arg(error.hostKey->fingerprint)
                    << '\n';
    else if (error.kind == SshErrorKind::HostKeyChanged && error.hostKey)
        m_ctx.err() << tr("mist: only if you know why the key of \"%1\" changed, re-run with --replace-host-key %2")
                           .arg(machine, error.hostKey->fingerprint)
                    << '\n';
    m_ctx.err().flush();
    return SshFailure;
}

std::optional<int> SshCommands::connect(const ArgParser &p, const QString &machineName, Connection &c)
{
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<Machine> m = m_ctx.store().findMachine(machineName);
    if (!m)
        return m_ctx.fail(m.error());
    c.machine = m.value();
    Result<SshSettings> settings = SshTargetResolver::settings(m_ctx.store(), c.machine);
    if (!settings)
        return m_ctx.fail(settings.error());
    if (p.isSet(QStringLiteral("login")))
        settings.value().endpoint.user = p.value(QStringLiteral("login"));
    if (p.isSet(QStringLiteral("port"))) {
        bool ok = false;
        const int port = p.value(QStringLiteral("port")).toInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return m_ctx.usageError(p, tr("the port must be a number from 1 to 65535"));
        settings.value().endpoint.port = port;
    }
    Result<SshTarget> target = SshTargetResolver::target(settings.value(), &m_ctx.secrets());
    if (!target)
        return m_ctx.fail(target.error());
    SshTarget t = target.value();
    if (m_ctx.terminal().stdinIsInteractive())
        t.auth.passwordPrompt = [this](const QString &prompt) { return m_ctx.terminal().readSecret(prompt); };

    CliHostKeyVerifier verifier(m_ctx.store(), p.isSet(QStringLiteral("accept-new-host-key")),
                                p.value(QStringLiteral("replace-host-key")));
    verifier.setAuditContext(kActor, c.machine.id, c.machine.name);
    qCInfo(lcCli) << "ssh to" << t.endpoint.userHost() << "for" << c.machine.name;
    if (SshStatus st = c.session.connect(t, verifier); !st)
        return sshFailure(st.sshError(), c.machine.name);
    return std::nullopt;
}

SshResult<int> SshCommands::pump(SshSession &session, SshChannel &channel, bool tty)
{
#ifdef Q_OS_WIN
    Q_UNUSED(session)
    Q_UNUSED(channel)
    Q_UNUSED(tty)
    return SshError{SshErrorKind::Other, Error{tr("This command is not supported on Windows yet"), {}}, {}, {}, {}};
#else
    if (tty && g_winchPipe[0] < 0 && ::pipe(g_winchPipe) == 0) {
        for (int fd : g_winchPipe)
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
        struct sigaction sa{};
        sa.sa_handler = onWinch;
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGWINCH, &sa, nullptr);
    }
    bool stdinOpen = true;
    QElapsedTimer idle;
    idle.start();
    const qint64 keepaliveMs = session.target().keepaliveInterval.count();
    char buf[32 * 1024];
    for (;;) {
        pollfd fds[3] = {{stdinOpen ? STDIN_FILENO : -1, POLLIN, 0},
                         {session.socketFd(), POLLIN, 0},
                         {tty ? g_winchPipe[0] : -1, POLLIN, 0}};
        const int n = ::poll(fds, 3, 1000);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[2].revents & POLLIN) {
            while (::read(g_winchPipe[0], buf, sizeof buf) > 0) {
            }
            const auto [cols, rows] = terminalSize();
            if (SshStatus st = channel.resize(cols, rows); !st)
                return st.sshError();
        }
        if (stdinOpen && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t r = ::read(STDIN_FILENO, buf, sizeof buf);
            if (r > 0) {
                if (SshStatus st = channel.write(QByteArray(buf, int(r))); !st)
                    return st.sshError();
                idle.restart();
            } else if (r == 0 || errno != EINTR) {
                stdinOpen = false;   // end of input: the remote side gets EOF, output continues
                if (SshStatus st = channel.sendEof(); !st)
                    return st.sshError();
            }
        }
        QByteArray out, err;
        if (SshStatus st = channel.read(out, err, 0); !st)
            return st.sshError();
        if (!out.isEmpty() && !writeAll(STDOUT_FILENO, out))
            break;   // our stdout is gone (a closed pipe): stop like ssh does
        if (!err.isEmpty())
            writeAll(STDERR_FILENO, err);
        if (!out.isEmpty() || !err.isEmpty())
            idle.restart();
        if (channel.isEof())
            return channel.exitStatus();
        if (keepaliveMs > 0 && idle.elapsed() > keepaliveMs) {
            if (SshStatus st = session.keepalive(); !st)
                return st.sshError();
            idle.restart();
        }
    }
    return -1;
#endif
}

int SshCommands::ssh(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("ssh"), tr("MACHINE [options]"),
                                     tr("Open an interactive shell on a machine over SSH. With a terminal on standard\n"
                                        "input the remote side gets a pty (TERM=xterm-256color) that follows the window\n"
                                        "size; otherwise standard input is fed to the remote shell."));
    addConnectOptions(p);
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, p.positionals().isEmpty() ? tr("missing the machine")
                                                             : tr("unexpected argument \"%1\"").arg(p.positionals().at(1)));
    Connection c;
    if (auto code = connect(p, p.positionals().first(), c))
        return *code;

    const bool tty = m_ctx.terminal().stdinIsInteractive();
#ifndef Q_OS_WIN
    const auto [cols, rows] = tty ? terminalSize() : std::pair<int, int>{80, 24};
#else
    const int cols = 80, rows = 24;
#endif
    auto shell = c.session.openShell(cols, rows, tty);
    if (!shell)
        return sshFailure(shell.sshError(), c.machine.name);
    const QString user = c.session.target().endpoint.user;
    const QString keyFp = c.session.authKeyFingerprint();
    audit(c.machine, QStringLiteral("ssh.shell_opened"), true, tr("Shell opened as %1").arg(user),
          {{QStringLiteral("user"), user}, {QStringLiteral("key_fingerprint"), keyFp}});
    m_ctx.out().flush();
    QElapsedTimer clock;
    clock.start();
    SshResult<int> status = [&] {
#ifndef Q_OS_WIN
        std::optional<RawTty> raw;
        if (tty)
            raw.emplace();
#endif
        return pump(c.session, *shell.value(), tty);
    }();
    shell.value().reset();
    const qint64 duration = clock.elapsed() / 1000;
    const QJsonObject details{{QStringLiteral("user"), user},
                              {QStringLiteral("key_fingerprint"), keyFp},
                              {QStringLiteral("duration_s"), duration}};
    return finish(c.machine, QStringLiteral("ssh.shell_closed"), tr("Shell closed after %1 s").arg(duration), details, status);
}

int SshCommands::finish(const Machine &m, const QString &action, const QString &okMessage, QJsonObject details,
                        const SshResult<int> &status)
{
    if (status)
        details.insert(QStringLiteral("exit_status"), status.value());
    audit(m, action, status.ok(), status ? okMessage : status.error().toString(), details);
    if (!status)
        return sshFailure(status.sshError(), m.name);
    return status.value() < 0 ? SshFailure : status.value();
}

int SshCommands::exec(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("exec"), tr("MACHINE [options] -- COMMAND..."),
                                     tr("Run a command on a machine over SSH. Standard input goes to the command,\n"
                                        "its standard output and error come back apart; the exit status is the\n"
                                        "command's. The words of COMMAND are joined with spaces (as ssh does)."));
    addConnectOptions(p);
    p.addOption({QStringLiteral("-c"), QStringLiteral("--container")}, QStringLiteral("NAME"),
                tr("Kubernetes pods: which container (default: the first)."));
    p.addPositional(QStringLiteral("COMMAND"), tr("The command line to run (after --)"));
    p.addNote(tr("Containers (Docker) and pods (Kubernetes) run the command through their runtime's API, not\n"
                 "SSH; their COMMAND words are passed as they are, without a shell."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    QStringList words = p.positionals();
    if (words.isEmpty())
        return m_ctx.usageError(p, tr("missing the machine"));
    const QString machineName = words.takeFirst();
    const QString command = words.join(QLatin1Char(' '));
    if (command.trimmed().isEmpty())
        return m_ctx.usageError(p, tr("missing the command (put it after --)"));

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    if (Result<Machine> m = m_ctx.store().findMachine(machineName); m && ContainerCommands::isContainer(m.value()))
        return ContainerCommands(m_ctx).exec(m.value(), words, p.value(QStringLiteral("container")));

    Connection c;
    if (auto code = connect(p, machineName, c))
        return *code;
    auto channel = c.session.openExec(command);
    SshResult<int> status = channel ? pump(c.session, *channel.value(), false) : SshResult<int>(channel.sshError());
    const QJsonObject details{{QStringLiteral("command"), command}, {QStringLiteral("user"), c.session.target().endpoint.user}};
    return finish(c.machine, QStringLiteral("ssh.exec"), status ? tr("Command exited with %1").arg(status.value()) : QString(),
                  details, status);
}

} // namespace mist
