#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>
#include <QStringView>
#include <QVector>

namespace mist {

// OpenSSH's host pattern match (ssh_config Host lines, known_hosts): '*' any run of
// characters, '?' exactly one, case-insensitive. No negation here: that is per list.
bool sshPatternMatch(QStringView pattern, QStringView text);

// One host as ~/.ssh/config resolves it.
struct SshHostConfig
{
    QString alias;              // the name given to ssh ("web1")
    QString hostName;           // HostName (tokens expanded), else the alias
    QString user;               // User; empty when the config sets none
    int port = 22;              // Port, else 22
    QStringList identityFiles;  // IdentityFile paths, expanded (~, %d %u %h %r %p %l %n %%), in order
    QString proxyJump;          // ProxyJump as written ("user@host:port,..."); empty when none
};

// A reader of OpenSSH client configuration (ssh_config(5)) for importing hosts: Host blocks
// with * ? and !negation, first obtained value wins (IdentityFile accumulates), Include
// (globs, relative to ~/.ssh, nesting limit), case-insensitive keywords, "key value" and
// "key=value", quoted values. Match blocks are skipped with a warning. Malformed lines are
// warnings naming file:line, never a failure; only an unreadable main file is an error.
class SshConfig
{
public:
    // What the tokens and relative paths refer to; injectable for tests.
    struct Environment
    {
        QString homeDir;        // ~ and %d; relative Include paths are under <homeDir>/.ssh
        QString localUser;      // %u, and %r when the config sets no User
        QString localHostName;  // %l
        static Environment current();
    };

    explicit SshConfig(Environment env = Environment::current());

    // <home>/.ssh/config
    static QString defaultPath(const Environment &env = Environment::current());
    // Reads a config file and what it includes. A file that does not exist or cannot be
    // read is an error (callers that treat a missing ~/.ssh/config as empty check first).
    static Result<SshConfig> fromFile(const QString &path, const Environment &env = Environment::current());
    // Parses text as if read from `fileName` (warnings name it; Include still reads files).
    static SshConfig fromText(const QString &text, const QString &fileName = QStringLiteral("config"),
                              const Environment &env = Environment::current());

    SshHostConfig resolve(const QString &alias) const;
    // Every concrete alias (no wildcard, not negated) named on a Host line, resolved, in
    // the order they first appear.
    QVector<SshHostConfig> importableHosts() const;

    QStringList warnings() const { return m_warnings; }   // "file:line: what is wrong"
    QStringList files() const { return m_files; }         // every file read, main file first

private:
    struct Patterns
    {
        QStringList positive;
        QStringList negative;
        bool matches(const QString &host) const;
    };
    struct Directive
    {
        QString keyword;        // lower case
        QStringList args;
        QString location;       // "file:line"
        QVector<int> patterns;  // indexes into m_patterns; all must match
    };
    struct Context
    {
        QVector<int> patterns;  // conditions inherited from the enclosing Host blocks
        bool never = false;     // inside a Match block (or included from one)
    };

    void parseText(const QString &text, const QString &fileName, const Context &outer, int depth);
    void parseFile(const QString &path, const Context &outer, int depth, const QString &includedFrom);
    void include(const QStringList &args, const Context &context, int depth, const QString &location);
    QStringList glob(const QString &pattern) const;
    QString expandTokens(const QString &text, const SshHostConfig &host) const;
    void warn(const QString &location, const QString &message);

    Environment m_env;
    QVector<Patterns> m_patterns;
    QVector<Directive> m_directives;
    QStringList m_aliases;      // concrete Host aliases in order
    QStringList m_warnings;
    QStringList m_files;
};

} // namespace mist
