#pragma once

#include "monitoring/linuxcollector.h"
#include "monitoring/metriccollector.h"
#include "monitoring/metricsample.h"
#include "ssh/hostkeys.h"
#include "ssh/sshtypes.h"

#include <QHash>
#include <QMutex>

#include <functional>
#include <memory>

namespace mist {

class SshSession;

// One monitored machine's collection state: ONE long-lived SshSession (connected on first
// use and again after it broke) and the LinuxCollector that keeps the rate baseline; or, for
// "This computer", the local /proc. Blocking: one thread at a time (a collection worker or
// the CLI), never the GUI thread.
class MachineCollector : public MetricCollector
{
public:
    // Builds the target (store + keychain: blocking). Called before each (re)connect.
    using TargetFunction = std::function<Result<SshTarget>()>;

    MachineCollector();   // "This computer"
    MachineCollector(TargetFunction target, std::shared_ptr<HostKeyVerifier> verifier);
    ~MachineCollector() override;
    MachineCollector(const MachineCollector &) = delete;
    MachineCollector &operator=(const MachineCollector &) = delete;

    // One sample; connects first when needed. On an SSH failure the session is dropped so
    // the next call reconnects (the first sample after that has gauges only).
    Result<MetricSampleSet> collect();
    Result<QVector<MetricSampleSet>> collectRound() override;
    bool failureNeedsUser() const override;
    // Run after the /proc read when due (each at its own interval); a failing or non-numeric
    // command becomes a warning of the sample set, the other metrics are kept.
    void setCustomMetrics(const QVector<CustomMetric> &metrics) override;
    bool isLocal() const { return !m_target; }
    bool isConnected() const;
    // The last connect's SSH error kind (host key unknown/changed need the user, not a retry).
    std::optional<SshError> lastSshError() const { return m_lastSshError; }
    void disconnect();

private:
    Status connect();

    TargetFunction m_target;
    std::shared_ptr<HostKeyVerifier> m_verifier;
    std::unique_ptr<SshSession> m_session;
    std::unique_ptr<LinuxCollector> m_collector;
    std::optional<SshError> m_lastSshError;
    mutable QMutex m_customMutex;
    QVector<CustomMetric> m_custom;          // guarded by m_customMutex
    QHash<QString, qint64> m_customLastRun;  // name -> ms; collection thread only
    void collectCustom(MetricSampleSet &set);
};

} // namespace mist
