#pragma once

#include "monitoring/metricsample.h"
#include "monitoring/ratecalculator.h"

#include <QString>

#include <chrono>
#include <optional>

namespace mist {

class SshSession;

// Collects one MetricSampleSet per call from a Linux machine: over an open SshSession (one
// exec of LinuxCollectScript per sample on the same long-lived session) or, for "This computer",
// from the local files. Keeps the previous snapshot for rates, so keep one collector per
// machine. Blocking: call from one worker thread (the session's thread), never the GUI thread.
class LinuxCollector
{
public:
    // `session` must be connected and outlive the collector.
    explicit LinuxCollector(SshSession &session);
    // Reads `procRoot` (default /proc) and runs `df -kP` locally.
    explicit LinuxCollector(const QString &procRoot = QStringLiteral("/proc"));

    // An Error only when nothing could be read (exec failed, nothing parseable); parts that
    // failed alone are in MetricSampleSet::warnings. The first call has no rates yet.
    Result<MetricSampleSet> collect();
    // Forgets the baseline (after a reconnect the next sample has gauges only).
    void reset() { m_previous.reset(); }

    std::chrono::milliseconds execTimeout{15000};

private:
    Result<QByteArray> readRemote();
    QByteArray readLocal() const;

    SshSession *m_session = nullptr;
    QString m_procRoot;
    std::optional<LinuxSnapshot> m_previous;
};

} // namespace mist
