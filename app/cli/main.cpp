// mist: the command line over the same core and inventory as the desktop app. Thin on
// purpose; the commands live in mistcore (core/cli) where they are testable.

#include "cli/cliapp.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The desktop app's names, so both find the same data folder and keychain entries.
    QCoreApplication::setOrganizationName(QStringLiteral("Mist Desktop"));
    QCoreApplication::setApplicationName(QStringLiteral("mist-desktop"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MIST_VERSION));

    // stderr is for the messages a person reads: the commands report every error
    // themselves, so the core's logs stay off unless QT_LOGGING_RULES (which takes
    // precedence) asks for them.
    QLoggingCategory::setFilterRules(QStringLiteral("mist.*.debug=false\nmist.*.info=false\n"
                                                    "mist.core.*.warning=false\nmist.provider.*.warning=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    const int code = mist::CliApp(out, err).run(args);
    out.flush();
    err.flush();
    return code;
}
