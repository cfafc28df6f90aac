#pragma once

#include <QString>

#include <atomic>
#include <chrono>
#include <thread>

struct ssh_session_struct;
struct ssh_channel_struct;

namespace mist {

// Bridges a direct-tcpip channel of a jump host's session to one end of a socketpair; the
// next hop's session uses the other end as its socket (SSH_OPTIONS_FD). The pump thread is
// the only user of the jump session while the bridge runs. Internal to core/ssh.
class SshJumpBridge
{
public:
    SshJumpBridge(ssh_session_struct *jumpSession, ssh_channel_struct *channel, int socket,
                  std::chrono::milliseconds keepalive);
    ~SshJumpBridge();   // stops and joins the pump, closes the channel and its socket end
    SshJumpBridge(const SshJumpBridge &) = delete;
    SshJumpBridge &operator=(const SshJumpBridge &) = delete;

    void start();
    void stop();

private:
    void pump();
    void pumpLoop();

    ssh_session_struct *m_session;
    ssh_channel_struct *m_channel;
    int m_socket;
    std::chrono::milliseconds m_keepalive;
    std::atomic_bool m_stop{false};
    std::thread m_thread;
};

} // namespace mist
