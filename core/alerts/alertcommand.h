#pragma once

#include "util/result.h"

#include <QPointer>
#include <QString>

#include <chrono>

namespace mist {

class StoreService;

// What a rule's command printed and how it ended.
struct AlertCommandOutcome
{
    int exitStatus = -1;
    QString summary;   // "exit 0: first lines of output", for the history and the audit log
};

// Runs an alert's shell command on a machine over SSH: the machine's SSH settings from the
// store thread (SshTargetResolver), its key from the keychain, host keys through
// StoreServiceHostKeyVerifier without `ask` (an unknown key is refused: trust the machine once
// with a shell first). Blocking: a worker thread, never the GUI thread. An Error when the
// command could not run; once it ran, the outcome (success = exitStatus 0) is the caller's call.
class AlertCommand
{
public:
    static Result<AlertCommandOutcome> run(QPointer<StoreService> store, qint64 machineId, const QString &command,
                                           const QString &auditActor, std::chrono::milliseconds timeout);
    // The first `maxLines` lines (at most `maxChars`) of stdout, else stderr.
    static QString firstLines(const QByteArray &out, const QByteArray &err, int maxLines = 5, int maxChars = 400);
};

} // namespace mist
