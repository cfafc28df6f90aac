#include "sshtestserver.h"

#include "ssh/hostkeys.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonObject>
#include <QVector>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mist::test {

namespace {

const QString kSshd = QStringLiteral("/usr/sbin/sshd");

QString keygen()
{
    return QStandardPaths::findExecutable(QStringLiteral("ssh-keygen"));
}

int freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

QStringList pubFields(const QString &pubPath)
{
    QFile f(pubPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// Every process below `root` (sshd forks one per connection and those call setsid(), so a
// process group does not reach them; the parent links in /proc do).
QVector<pid_t> descendants(pid_t root)
{
    QHash<pid_t, QVector<pid_t>> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const pid_t pid = pid_t(e.toInt(&ok));
        if (!ok)
            continue;
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const qsizetype close = stat.lastIndexOf(')');   // the name may hold spaces and parens
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() > 1)
            children[pid_t(fields.at(1).toInt())] << pid;
    }
    QVector<pid_t> out;
    QVector<pid_t> todo{root};
    while (!todo.isEmpty()) {
        const pid_t p = todo.takeLast();
        for (pid_t c : children.value(p)) {
            out << c;
            todo << c;
        }
    }
    return out;
}

} // namespace

SshTestServer::SshTestServer()
    : SshTestServer(Options{})
{
}

SshTestServer::SshTestServer(Options options)
    : m_options(options)
{
}

SshTestServer::~SshTestServer()
{
    killAll();
}

QString SshTestServer::notRunnableReason()
{
    if (!QFileInfo(kSshd).isExecutable())
        return QStringLiteral("OpenSSH server not installed (%1 missing): install openssh-server").arg(kSshd);
    if (keygen().isEmpty())
        return QStringLiteral("ssh-keygen not found: install openssh-client");
    return {};
}

QString SshTestServer::user() const
{
    const passwd *pw = ::getpwuid(::getuid());
    return pw ? QString::fromLocal8Bit(pw->pw_name) : qEnvironmentVariable("USER");
}

mist::SshTarget SshTestServer::target() const
{
    mist::SshTarget t;
    t.endpoint = {host(), m_port, user()};
    t.auth.privateKey = clientPrivateKey();
    t.auth.useAgent = false;
    t.connectTimeout = std::chrono::seconds(5);
    return t;
}

QString SshTestServer::clientKeyPath() const
{
    return m_dir.filePath(QStringLiteral("client_ed25519"));
}

QByteArray SshTestServer::clientPrivateKey() const
{
    QFile f(clientKeyPath());
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString SshTestServer::clientKeyFingerprint() const
{
    return publicKeyFingerprint(clientKeyPath() + QStringLiteral(".pub"));
}

QString SshTestServer::hostKeyType() const
{
    return pubFields(m_dir.filePath(QStringLiteral("host_ed25519.pub"))).value(0);
}

QString SshTestServer::hostKeyFingerprint() const
{
    return publicKeyFingerprint(m_dir.filePath(QStringLiteral("host_ed25519.pub")));
}

QString SshTestServer::hostPublicKey() const
{
    return publicKeyBase64(m_dir.filePath(QStringLiteral("host_ed25519.pub")));
}

QString SshTestServer::publicKeyBase64(const QString &pubPath)
{
    return pubFields(pubPath).value(1);
}

QString SshTestServer::publicKeyFingerprint(const QString &pubPath)
{
    const QString b64 = publicKeyBase64(pubPath);
    return b64.isEmpty() ? QString() : mist::sshFingerprint(QByteArray::fromBase64(b64.toLatin1()));
}

bool SshTestServer::generateKey(const QString &path, const QString &type, const QString &passphrase, QString *error)
{
    QFile::remove(path);
    QFile::remove(path + QStringLiteral(".pub"));
    QProcess p;
    p.start(keygen(), {QStringLiteral("-q"), QStringLiteral("-t"), type, QStringLiteral("-N"), passphrase,
                       QStringLiteral("-C"), QStringLiteral("mist-test"), QStringLiteral("-f"), path});
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("ssh-keygen failed: ") + QString::fromLocal8Bit(p.readAllStandardError());
        return false;
    }
    return true;
}

QString SshTestServer::logText()
{
    QByteArray log;
    for (const QString &name : {QStringLiteral("sshd.stderr"), QStringLiteral("sshd.log")}) {
        QFile f(m_dir.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            log += f.readAll();
    }
    return QString::fromLocal8Bit(log.right(20000));
}

bool SshTestServer::writeConfig()
{
    QFile f(m_dir.filePath(QStringLiteral("sshd_config")));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const bool root = ::getuid() == 0;
    QString c;
    c += QStringLiteral("Port %1\nListenAddress 127.0.0.1\n").arg(m_port);
    c += QStringLiteral("HostKey %1\n").arg(m_dir.filePath(QStringLiteral("host_ed25519")));
    c += QStringLiteral("PidFile %1\n").arg(m_dir.filePath(QStringLiteral("sshd.pid")));
    c += QStringLiteral("AuthorizedKeysFile %1\n").arg(m_dir.filePath(QStringLiteral("authorized_keys")));
    c += QStringLiteral("PubkeyAuthentication yes\n");
    c += QStringLiteral("PasswordAuthentication %1\n").arg(m_options.passwordAuthentication ? QStringLiteral("yes") : QStringLiteral("no"));
    c += QStringLiteral("KbdInteractiveAuthentication no\n");
    if (root)
        c += QStringLiteral("PermitRootLogin %1\n").arg(m_options.passwordAuthentication ? QStringLiteral("yes") : QStringLiteral("prohibit-password"));
    c += QStringLiteral("UsePAM no\nStrictModes no\nAllowTcpForwarding yes\nPermitTTY yes\n"
                        "MaxStartups 100\nMaxSessions 100\nLoginGraceTime 30\nLogLevel INFO\n"
                        "Subsystem sftp internal-sftp\n");
    // Sessions get a HOME of their own (an empty folder here): the account's real dotfiles
    // (a slow or lock-waiting ~/.bashrc, which bash sources even for commands run by sshd)
    // must not decide whether the tests pass.
    QDir().mkpath(m_dir.filePath(QStringLiteral("home")));
    // One SetEnv line: sshd takes the first line that sets a keyword.
    c += QStringLiteral("SetEnv HOME=%1 %2\n").arg(m_dir.filePath(QStringLiteral("home")), m_options.environment.join(QLatin1Char(' ')));
    return f.write(c.toUtf8()) > 0;
}

bool SshTestServer::start()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    const QString reason = notRunnableReason();
    if (!reason.isEmpty()) {
        m_error = reason;
        return false;
    }
    if (::getuid() == 0 && !QFileInfo::exists(QStringLiteral("/run/sshd"))) {
        // Privilege separation needs its empty directory (packages create it at boot).
        if (::mkdir("/run/sshd", 0755) != 0 && !QFileInfo::exists(QStringLiteral("/run/sshd"))) {
            m_error = QStringLiteral("cannot create /run/sshd");
            return false;
        }
    }
    QString error;
    if (!generateKey(m_dir.filePath(QStringLiteral("host_ed25519")), QStringLiteral("ed25519"), {}, &error)
        || !generateKey(clientKeyPath(), QStringLiteral("ed25519"), {}, &error)) {
        m_error = error;
        return false;
    }
    QFile::remove(m_dir.filePath(QStringLiteral("authorized_keys")));
    if (!QFile::copy(clientKeyPath() + QStringLiteral(".pub"), m_dir.filePath(QStringLiteral("authorized_keys")))) {
        m_error = QStringLiteral("cannot write authorized_keys");
        return false;
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
        m_port = freePort();
        if (m_port > 0 && writeConfig() && launch())
            return true;
    }
    return false;
}

bool SshTestServer::launch()
{
    stopProcess();
    m_process = std::make_unique<QProcess>();
    // Its own process group, so killAll() also reaches the per-connection children.
    m_process->setChildProcessModifier([] { ::setpgid(0, 0); });
    // Logs go to a file: a pipe nobody drains (no event loop, e.g. the benchmark) would fill
    // up and stall sshd after a hundred connections.
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(m_dir.filePath(QStringLiteral("sshd.stderr")), QIODevice::Append);
    m_process->start(kSshd, {QStringLiteral("-D"), QStringLiteral("-E"), m_dir.filePath(QStringLiteral("sshd.log")),
                             QStringLiteral("-f"), m_dir.filePath(QStringLiteral("sshd_config"))});
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(kSshd, m_process->errorString());
        return false;
    }
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 15000) {
        if (m_process->state() != QProcess::Running) {
            m_error = QStringLiteral("sshd exited: ") + logText();
            return false;
        }
        QTcpSocket probe;
        probe.connectToHost(host(), quint16(m_port));
        if (probe.waitForConnected(500)) {
            // A full banner means sshd is serving, not just a socket in the backlog.
            if (probe.waitForReadyRead(2000) && probe.readAll().startsWith("SSH-"))
                return true;
        }
        m_process->waitForFinished(50);
    }
    m_error = QStringLiteral("sshd did not accept connections on port %1: %2").arg(m_port).arg(logText());
    return false;
}

bool SshTestServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

void SshTestServer::stopProcess()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        const qint64 pid = m_process->processId();
        if (pid > 0) {
            for (pid_t child : descendants(pid_t(pid)))
                ::kill(child, SIGKILL);
            ::kill(-pid_t(pid), SIGKILL);
        }
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

void SshTestServer::killAll()
{
    stopProcess();
}

bool SshTestServer::restart()
{
    stopProcess();
    // The port may linger a moment in the kernel; launch() retries until the banner shows.
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (launch())
            return true;
        QThread::msleep(200);
    }
    return false;
}

bool SshTestServer::rotateHostKey()
{
    QString error;
    if (!generateKey(m_dir.filePath(QStringLiteral("host_ed25519")), QStringLiteral("ed25519"), {}, &error)) {
        m_error = error;
        return false;
    }
    return restart();
}

QString addServerMachines(mist::InventoryStore &store, const QString &cloudName, const QVector<mist::Machine> &machines)
{
    mist::Cloud c;
    c.name = cloudName;
    c.provider = QStringLiteral("other");
    auto cloud = store.addCloud(c, QStringLiteral("test"));
    if (!cloud)
        return cloud.error().toString();
    mist::PollResult poll;
    poll.success = poll.complete = true;
    poll.machines = machines;
    auto applied = store.applyPoll(cloud->id, poll, QDateTime::currentDateTimeUtc());
    return applied ? QString() : applied.error().toString();
}

QString addBoxAndDeadServers(mist::InventoryStore &store, const SshTestServer &server)
{
    mist::Machine box;
    box.externalId = box.name = QStringLiteral("box");
    box.state = QStringLiteral("running");
    box.extra.insert(QStringLiteral("ssh"), QJsonObject{{QStringLiteral("host"), server.host()},
                                                         {QStringLiteral("port"), server.port()},
                                                         {QStringLiteral("user"), server.user()},
                                                         {QStringLiteral("identity_file"), server.clientKeyPath()}});
    mist::Machine dead = box;
    dead.externalId = dead.name = QStringLiteral("dead");
    QTcpServer closed;   // a port nobody listens on once closed
    if (!closed.listen(QHostAddress::LocalHost, 0))
        return closed.errorString();
    QJsonObject deadSsh = box.extra.value(QStringLiteral("ssh")).toObject();
    deadSsh.insert(QStringLiteral("port"), closed.serverPort());
    closed.close();
    dead.extra.insert(QStringLiteral("ssh"), deadSsh);
    return addServerMachines(store, QStringLiteral("servers"), {box, dead});
}

} // namespace mist::test
