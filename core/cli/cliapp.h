#pragma once

#include <QStringList>
#include <QTextStream>

namespace mist {

// The `mist` command line: global options, dispatch to the command groups, exit codes
// (0 success, 1 run-time error, 2 usage error). Output goes to the given streams so the
// whole tool runs in-process too.
class CliApp
{
public:
    CliApp(QTextStream &out, QTextStream &err);

    // args without the program name.
    int run(const QStringList &args);

    static QString helpText();

private:
    QTextStream &m_out;
    QTextStream &m_err;
};

} // namespace mist
