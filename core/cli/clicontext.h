#pragma once

#include "cli/argparser.h"
#include "cli/outputwriter.h"
#include "cli/terminal.h"
#include "inventory/cloud.h"
#include "inventory/inventorystore.h"
#include "inventory/machine.h"
#include "secrets/secretstore.h"
#include "util/datalocation.h"
#include "util/result.h"

#include <QHash>
#include <QSettings>
#include <QString>
#include <QTextStream>

#include <memory>
#include <optional>

namespace mist {

namespace ExitCode {
inline constexpr int Ok = 0;
inline constexpr int Failure = 1;   // something went wrong at run time
inline constexpr int Usage = 2;     // the command line itself is wrong
} // namespace ExitCode

// What every command shares: the streams, the global options, and the inventory, opened
// on first use so `mist --help` or `mist clouds providers` never touch the data folder.
class CliContext
{
public:
    CliContext(QTextStream &out, QTextStream &err);
    ~CliContext();
    CliContext(const CliContext &) = delete;
    CliContext &operator=(const CliContext &) = delete;

    QTextStream &out() { return m_out; }
    QTextStream &err() { return m_err; }
    Terminal &terminal() { return m_terminal; }

    // A parser for `mist <command>` that also knows the global options.
    static ArgParser parser(const QString &command, const QString &synopsis, const QString &description);
    static void addGlobalOptions(ArgParser &parser);
    // Removes and returns the first word that is neither an option nor the value of a
    // global option ("mist -o json clouds list" -> "clouds"); empty when there is none.
    static QString takeCommandWord(QStringList &args);
    // Parses and applies global options. A value means "stop and exit with it": a usage
    // error was reported, or --help/--version was answered.
    std::optional<int> parse(ArgParser &parser, const QStringList &args);
    std::optional<int> applyGlobalOptions(const ArgParser &parser);

    OutputFormat format() const { return m_format; }
    OutputWriter writer() { return OutputWriter(m_format, m_out); }

    // Resolves the data folder, opens the inventory and seeds it on first use.
    Status open();
    // The clouds named (by name or id), each once, in the order given; the first unknown
    // name is the error.
    Result<QVector<Cloud>> cloudsNamed(const QStringList &names);

    InventoryStore &store() { return *m_store; }
    SecretStore &secrets() { return m_secrets; }
    QSettings *settings() { return m_settings.get(); }

    // Clouds by id, read once per command (names for listings).
    Result<QHash<qint64, Cloud>> cloudsById();

    // Stores a new cloud: its secrets in the keychain first (a cloud must never exist in the
    // inventory without them), then the cloud; the keychain is cleaned up if that fails.
    Result<Cloud> addCloud(Cloud cloud, const QHash<QString, QString> &secrets, const QString &actor);

    // An audit entry by the CLI about one machine; a failure to write it is a warning only.
    void auditMachine(const Machine &machine, const QString &action, bool success, const QString &message,
                      const QJsonObject &details);

    // Reports and returns the exit code, so commands can `return ctx.fail(...)`.
    int fail(const Error &error);
    int fail(const QString &message, const QString &detail = {});
    int usageError(const ArgParser &parser, const QString &message);
    int usageError(const QString &command, const QString &message);
    void warn(const Error &error);

    static QString versionText();

private:
    QTextStream &m_out;
    QTextStream &m_err;
    Terminal m_terminal;
    OutputFormat m_format = OutputFormat::Table;
    QString m_dataDir;
    std::unique_ptr<InventoryStore> m_store;
    std::unique_ptr<QSettings> m_settings;
    SecretStore m_secrets;
    bool m_opened = false;
};

} // namespace mist
