#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace mist::test {

// One run of the built `mist` command.
struct CliRun
{
    int code = -1;        // -2: crashed, -1: did not start or timed out
    QByteArray out;
    QString err;

    QByteArray describe() const;   // for QVERIFY2 messages
};

// Runs `mist --data-dir DATA_DIR ARGS...` with the given environment, feeding `input` on stdin.
// The calling thread's event loop keeps running meanwhile, so fixture servers living on it
// (Kubernetes, Docker) answer the command.
CliRun runMist(const QString &dataDir, const QStringList &args, const QProcessEnvironment &env,
               const QByteArray &input = {}, int timeoutMs = 60000);
// The same with the whole command line given (no --data-dir added).
CliRun runMistCommand(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input = {},
                      int timeoutMs = 60000);

} // namespace mist::test
