#pragma once

#include "cli/clicontext.h"
#include "keys/sshkey.h"

#include <QStringList>

#include <memory>

namespace mist {

class KeyService;

// `mist keys ...`: list, generate, import, show, rename, delete, default. Private keys go
// to the OS keychain only; the inventory holds name, type, fingerprint and public key.
class KeyCommands
{
public:
    explicit KeyCommands(CliContext &ctx);
    ~KeyCommands();

    int run(QStringList args);
    static QString summary();   // the lines for `mist --help`

private:
    int list(const QStringList &args);
    int generate(const QStringList &args);
    int import(const QStringList &args);
    int show(const QStringList &args);
    int rename(const QStringList &args);
    int remove(const QStringList &args);
    int setDefault(const QStringList &args);
    int groupHelp(const QStringList &args);

    // One positional (or two for rename); a usage error code otherwise.
    std::optional<int> expectPositionals(const ArgParser &p, const QStringList &names);
    std::optional<QString> readPassphrase(const QString &prompt, bool confirmOnTerminal);
    void printKeys(const QVector<SshKey> &keys, bool single = false);
    // Parses, checks the positionals, opens the inventory and makes m_keys; a value is the
    // exit code to stop with.
    std::optional<int> prepare(ArgParser &p, const QStringList &args, const QStringList &positionals);
    // The end of a command that changed a key: `sentence` in table format, the record otherwise.
    int finish(const Result<SshKey> &key, const QString &sentence);

    CliContext &m_ctx;
    std::unique_ptr<KeyService> m_keys;
};

} // namespace mist
