#include "sshjump.h"

#include "util/logging.h"

#include <libssh/libssh.h>

#ifndef Q_OS_WIN
#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace mist {

SshJumpBridge::SshJumpBridge(ssh_session_struct *jumpSession, ssh_channel_struct *channel, int socket,
                             std::chrono::milliseconds keepalive)
    : m_session(jumpSession)
    , m_channel(channel)
    , m_socket(socket)
    , m_keepalive(keepalive)
{
}

SshJumpBridge::~SshJumpBridge()
{
    stop();
    if (m_channel) {
        ssh_channel_close(m_channel);
        ssh_channel_free(m_channel);
    }
#ifndef Q_OS_WIN
    if (m_socket >= 0)
        ::close(m_socket);
#endif
}

void SshJumpBridge::start()
{
    m_thread = std::thread([this] { pump(); });
}

void SshJumpBridge::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void SshJumpBridge::pump()
{
    pumpLoop();
#ifndef Q_OS_WIN
    // Whatever ended the loop, the inner session must see the end now, not at its timeout.
    ::shutdown(m_socket, SHUT_RDWR);
#endif
}

void SshJumpBridge::pumpLoop()
{
#ifndef Q_OS_WIN
    using Clock = std::chrono::steady_clock;
    // Data from the channel waits here while the inner session is busy: the socket is
    // non-blocking so neither side can deadlock the other.
    QByteArray toSocket;
    char buf[32 * 1024];
    auto lastTraffic = Clock::now();
    bool socketEof = false;
    while (!m_stop) {
        pollfd fds[2] = {{m_socket, short(POLLIN | (toSocket.isEmpty() ? 0 : POLLOUT)), 0},
                         {ssh_get_fd(m_session), POLLIN, 0}};
        const int n = ::poll(fds, 2, 100);
        if (n < 0 && errno != EINTR)
            break;

        // channel -> socket (libssh may hold data already read: always drain it)
        while (toSocket.size() < 1024 * 1024) {
            const int r = ssh_channel_read_nonblocking(m_channel, buf, sizeof buf, 0);
            if (r == SSH_ERROR) {
                qCDebug(lcSsh) << "jump channel read failed:" << ssh_get_error(m_session);
                return;   // the destructor closes our end: the inner session sees EOF
            }
            if (r <= 0)
                break;
            toSocket.append(buf, r);
            lastTraffic = Clock::now();
        }
        while (!toSocket.isEmpty()) {
            const ssize_t w = ::send(m_socket, toSocket.constData(), size_t(toSocket.size()), MSG_NOSIGNAL);
            if (w > 0) {
                toSocket.remove(0, qsizetype(w));
                continue;
            }
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                break;
            return;   // inner session gone
        }
        if (toSocket.isEmpty() && (ssh_channel_is_eof(m_channel) || ssh_channel_is_closed(m_channel))) {
            ::shutdown(m_socket, SHUT_WR);
            if (socketEof || ssh_channel_is_closed(m_channel))
                return;
        }

        // socket -> channel
        if (!socketEof && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t r = ::recv(m_socket, buf, sizeof buf, 0);
            if (r > 0) {
                qsizetype done = 0;
                while (done < r) {
                    const int w = ssh_channel_write(m_channel, buf + done, uint32_t(r - done));
                    if (w == SSH_ERROR)
                        return;
                    done += w;
                }
                lastTraffic = Clock::now();
            } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                socketEof = true;   // the inner session disconnected
                ssh_channel_send_eof(m_channel);
                return;
            }
        }
        if (m_keepalive.count() > 0 && Clock::now() - lastTraffic > m_keepalive) {
            ssh_send_ignore(m_session, "");
            lastTraffic = Clock::now();
        }
    }
#endif
}

} // namespace mist
