#pragma once

#include "cli/clicontext.h"
#include "providers/provider.h"

#include <QStringList>

namespace mist {

// `mist clouds ...`: list, add, remove, rename, enable, disable, providers.
class CloudCommands
{
public:
    explicit CloudCommands(CliContext &ctx);

    int run(QStringList args);
    static QString summary();   // the lines for `mist --help`

private:
    int list(const QStringList &args);
    int add(const QStringList &args);
    int remove(const QStringList &args);
    int rename(const QStringList &args);
    int setEnabled(const QStringList &args, bool enabled);
    int providers(const QStringList &args);
    int groupHelp(const QStringList &args);

    // Reads the --secret fields from stdin, in the order given.
    Result<QHash<QString, QString>> readSecrets(const QString &cloudName, const QStringList &fields,
                                                const ProviderInfo &info);
    void printClouds(const QVector<Cloud> &clouds);

    CliContext &m_ctx;
};

} // namespace mist
