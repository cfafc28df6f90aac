#include "clirunner.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QTest>

namespace mist::test {

QByteArray CliRun::describe() const
{
    return QStringLiteral("exit %1\n--- stdout\n%2--- stderr\n%3").arg(code).arg(QString::fromUtf8(out), err).toUtf8();
}

CliRun runMist(const QString &dataDir, const QStringList &args, const QProcessEnvironment &env, const QByteArray &input,
               int timeoutMs)
{
    return runMistCommand(QStringList{QStringLiteral("--data-dir"), dataDir} + args, env, input, timeoutMs);
}

CliRun runMistCommand(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input,
                      int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(MIST_CLI_BINARY), arguments);
    CliRun r;
    if (!p.waitForStarted(30000)) {
        r.err = QStringLiteral("could not start ") + QStringLiteral(MIST_CLI_BINARY);
        return r;
    }
    p.write(input);
    p.closeWriteChannel();
    QDeadlineTimer deadline(timeoutMs);
    while (p.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(5);
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out: mist ") + arguments.join(QLatin1Char(' '));
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace mist::test
