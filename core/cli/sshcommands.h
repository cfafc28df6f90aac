#pragma once

#include "cli/clicontext.h"
#include "ssh/sshsession.h"

#include <QJsonObject>
#include <QStringList>

namespace mist {

// `mist ssh MACHINE` (interactive shell; raw tty, window size follows the terminal) and
// `mist exec MACHINE -- CMD...` (stdin, stdout and stderr passed through). Both use the
// machine's key association / provider defaults, the key store and the app's known hosts,
// and pass the remote exit status through; SSH failures exit with 255 (as ssh does).
class SshCommands
{
public:
    explicit SshCommands(CliContext &ctx);

    int ssh(const QStringList &args);
    int exec(const QStringList &args);

    static QString summary();
    static constexpr int SshFailure = 255;

private:
    struct Connection
    {
        Machine machine;
        SshSession session;
    };

    void addConnectOptions(ArgParser &p);
    // Resolves the machine and connects; on failure reports and returns the exit code.
    std::optional<int> connect(const ArgParser &p, const QString &machineName, Connection &c);
    int sshFailure(const SshError &error, const QString &machine);
    // Pumps stdin -> channel and channel -> stdout/stderr until the remote side ends.
    SshResult<int> pump(SshSession &session, SshChannel &channel, bool tty);
    // Audits the end (with the exit status) and turns the outcome into the exit code.
    int finish(const Machine &m, const QString &action, const QString &okMessage, QJsonObject details,
               const SshResult<int> &status);
    void audit(const Machine &m, const QString &action, bool success, const QString &message, const QJsonObject &details);

    CliContext &m_ctx;
};

} // namespace mist
