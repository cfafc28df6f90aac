#include "localptybackend.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <vector>

#ifndef Q_OS_WIN
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#endif

namespace mist {

namespace {
QString loginShell()
{
    const QString shell = qEnvironmentVariable("SHELL");
    return !shell.isEmpty() && QFileInfo(shell).isExecutable() ? shell : QStringLiteral("/bin/sh");
}
} // namespace

LocalPtyBackend::LocalPtyBackend(QObject *parent)
    : TerminalBackend(parent)
    , m_program(loginShell())
    , m_arguments{QStringLiteral("-l")}
{
}

LocalPtyBackend::~LocalPtyBackend()
{
#ifndef Q_OS_WIN
    if (m_pid > 0)
        ::kill(pid_t(m_pid), SIGHUP);
    reap(false);   // no signals from a destructor
#endif
}

void LocalPtyBackend::setProgram(const QString &program, const QStringList &arguments)
{
    m_program = program;
    m_arguments = arguments;
}

QString LocalPtyBackend::description() const
{
    return tr("Local shell (%1)").arg(m_program);
}

void LocalPtyBackend::start(int cols, int rows)
{
#ifdef Q_OS_WIN
    Q_UNUSED(cols)
    Q_UNUSED(rows)
    setState(State::Failed);
    emit failed(Error{tr("A local shell is not supported on Windows yet"), {}});
#else
    if (m_master >= 0)
        return;
    winsize ws{};
    ws.ws_col = (unsigned short)qMax(1, cols);
    ws.ws_row = (unsigned short)qMax(1, rows);
    // Everything the child needs is prepared before fork(): after it only async-signal-safe calls.
    const QByteArray program = QFile::encodeName(m_program);
    QList<QByteArray> argStore{program};
    for (const QString &a : std::as_const(m_arguments))
        argStore << a.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &a : argStore)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    // The PATH lookup happens here too (execvp may allocate); execve is async-signal-safe.
    QString found = m_program.contains(QLatin1Char('/')) ? m_program : QStandardPaths::findExecutable(m_program);
    if (found.isEmpty()) {
        setState(State::Failed);
        emit failed(Error{tr("Cannot start a local shell: %1 was not found").arg(m_program), {}});
        return;
    }
    const QByteArray path = QFile::encodeName(found);
    // The environment too: setenv() allocates, which a forked child of a threaded process must not.
    QList<QByteArray> envStore;
    for (char **e = environ; *e; ++e) {
        const QByteArray entry(*e);
        if (!entry.startsWith("TERM=") && !entry.startsWith("COLORTERM="))
            envStore << entry;
    }
    envStore << QByteArrayLiteral("TERM=xterm-256color") << QByteArrayLiteral("COLORTERM=truecolor");
    std::vector<char *> envp;
    for (QByteArray &e : envStore)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    // Signals stay blocked across fork() until the child has reset the parent's handlers:
    // a SIGHUP from close() must never run our handlers in the not-yet-exec'd child.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; ++sig)
            ::signal(sig, SIG_DFL);
        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
        ::execve(path.constData(), argv.data(), envp.data());
        ::_exit(127);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) {
        setState(State::Failed);
        emit failed(Error{tr("Cannot start a local shell"), QString::fromLocal8Bit(std::strerror(errno))});
        return;
    }
    m_master = master;
    m_pid = pid;
    ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL, 0) | O_NONBLOCK);
    ::fcntl(m_master, F_SETFD, FD_CLOEXEC);
    m_readNotifier = new QSocketNotifier(qintptr(m_master), QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &LocalPtyBackend::onReadable);
    m_writeNotifier = new QSocketNotifier(qintptr(m_master), QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &LocalPtyBackend::onWritable);
    setState(State::Connected);
    emit connected();
#endif
}

void LocalPtyBackend::onReadable()
{
#ifndef Q_OS_WIN
    char buf[64 * 1024];
    QByteArray data;
    for (;;) {
        const ssize_t n = ::read(m_master, buf, sizeof buf);
        if (n > 0) {
            data.append(buf, n);
            if (data.size() >= 1024 * 1024)
                break;   // let the view paint; the notifier fires again
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (!data.isEmpty())
            emit dataReceived(data);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        // EOF or EIO: the last process holding the pty's other side has gone.
        reap(true);
        return;
    }
    emit dataReceived(data);
#endif
}

void LocalPtyBackend::write(const QByteArray &data)
{
    if (m_master < 0 || data.isEmpty())
        return;
    m_pending += data;
    onWritable();
}

void LocalPtyBackend::onWritable()
{
#ifndef Q_OS_WIN
    while (!m_pending.isEmpty()) {
        const ssize_t n = ::write(m_master, m_pending.constData(), size_t(m_pending.size()));
        if (n > 0) {
            m_pending.remove(0, qsizetype(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;   // EAGAIN: wait for the notifier; other errors: the read side reports the end
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(!m_pending.isEmpty());
#endif
}

void LocalPtyBackend::resize(int cols, int rows)
{
#ifndef Q_OS_WIN
    if (m_master < 0)
        return;
    winsize ws{};
    ws.ws_col = (unsigned short)qMax(1, cols);
    ws.ws_row = (unsigned short)qMax(1, rows);
    ::ioctl(m_master, TIOCSWINSZ, &ws);   // the kernel sends SIGWINCH to the foreground group
#else
    Q_UNUSED(cols)
    Q_UNUSED(rows)
#endif
}

void LocalPtyBackend::reap(bool report)
{
#ifndef Q_OS_WIN
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_master >= 0) {
        ::close(m_master);
        m_master = -1;
    }
    int exitStatus = -1;
    if (m_pid > 0) {
        int status = 0;
        pid_t r = 0;
        // The shell normally is gone already; give it a moment after SIGHUP, then insist.
        for (int i = 0; i < 50 && (r = ::waitpid(pid_t(m_pid), &status, WNOHANG)) == 0; ++i)
            ::usleep(10000);
        if (r == 0) {
            ::kill(pid_t(m_pid), SIGKILL);
            r = ::waitpid(pid_t(m_pid), &status, 0);
        }
        if (r > 0 && WIFEXITED(status))
            exitStatus = WEXITSTATUS(status);
        m_pid = -1;
    }
    m_pending.clear();
    if (report) {
        setState(State::Finished);
        emit finished(exitStatus);
    }
#else
    Q_UNUSED(report)
#endif
}

void LocalPtyBackend::close()
{
#ifndef Q_OS_WIN
    if (m_pid > 0)
        ::kill(pid_t(m_pid), SIGHUP);
    if (m_master >= 0 || m_pid > 0)
        reap(state() == State::Connected);
#endif
}

} // namespace mist
