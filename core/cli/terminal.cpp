#include "terminal.h"

#include <QCoreApplication>

#include <cerrno>
#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#include <windows.h>
#else
#include <termios.h>
#include <unistd.h>
#endif

namespace mist {

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

namespace {

// Turns terminal echo off for its lifetime (restored even on early return).
class EchoOff
{
public:
    EchoOff()
    {
#ifdef Q_OS_WIN
        m_handle = GetStdHandle(STD_INPUT_HANDLE);
        if (GetConsoleMode(m_handle, &m_mode))
            m_active = SetConsoleMode(m_handle, m_mode & ~DWORD(ENABLE_ECHO_INPUT)) != 0;
#else
        if (tcgetattr(STDIN_FILENO, &m_saved) == 0) {
            termios silent = m_saved;
            silent.c_lflag &= ~tcflag_t(ECHO);
            m_active = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0;
        }
#endif
    }
    ~EchoOff()
    {
        if (!m_active)
            return;
#ifdef Q_OS_WIN
        SetConsoleMode(m_handle, m_mode);
#else
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
#endif
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;

private:
    bool m_active = false;
#ifdef Q_OS_WIN
    HANDLE m_handle = nullptr;
    DWORD m_mode = 0;
#else
    termios m_saved{};
#endif
};

} // namespace

Terminal::Terminal(QTextStream &err)
    : m_err(err)
{
}

bool Terminal::stdinIsInteractive() const
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stdin)) != 0;
#else
    return isatty(STDIN_FILENO) == 1;
#endif
}

std::optional<QString> Terminal::readLine()
{
    // Unbuffered, so a later read (the next secret) gets the next line and not nothing.
    if (!m_stdin.isOpen() && !m_stdin.open(stdin, QIODevice::ReadOnly | QIODevice::Unbuffered))
        return std::nullopt;
    QByteArray line;
    char c = 0;
    bool any = false;
    while (m_stdin.getChar(&c)) {
        any = true;
        if (c == '\n')
            break;
        line += c;
    }
    if (!any)
        return std::nullopt;
    if (line.endsWith('\r'))
        line.chop(1);
    return QString::fromUtf8(line);
}

std::optional<QString> Terminal::readSecret(const QString &prompt)
{
    if (!stdinIsInteractive())
        return readLine();
    m_err << prompt;
    m_err.flush();
    std::optional<QString> line;
    {
        EchoOff off;
        line = readLine();
    }
    m_err << '\n';   // the user's Enter was not echoed
    m_err.flush();
    return line;
}

bool Terminal::confirm(const QString &question)
{
    m_err << question << ' ' << QCoreApplication::translate("Terminal", "[y/N]") << ' ';
    m_err.flush();
    const std::optional<QString> answer = readLine();
    if (!answer)
        return false;
    const QString a = answer->trimmed().toLower();
    return a == QLatin1String("y") || a == QLatin1String("yes")
           || a == QCoreApplication::translate("Terminal", "y") || a == QCoreApplication::translate("Terminal", "yes");
}

} // namespace mist
