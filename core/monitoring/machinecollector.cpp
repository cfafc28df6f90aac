#include "machinecollector.h"

#include "ssh/sshsession.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>

namespace mist {

MachineCollector::MachineCollector()
    : m_collector(std::make_unique<LinuxCollector>())
{
}

MachineCollector::MachineCollector(TargetFunction target, std::shared_ptr<HostKeyVerifier> verifier)
    : m_target(std::move(target))
    , m_verifier(std::move(verifier))
{
}

MachineCollector::~MachineCollector()
{
    disconnect();
}

bool MachineCollector::isConnected() const
{
    return isLocal() || (m_session && m_session->isConnected());
}

void MachineCollector::disconnect()
{
    m_collector.reset();   // holds a reference to the session
    m_session.reset();
}

Status MachineCollector::connect()
{
    Result<SshTarget> target = m_target();
    if (!target)
        return target.error();
    auto session = std::make_unique<SshSession>();
    if (SshStatus st = session->connect(target.value(), *m_verifier); !st) {
        m_lastSshError = st.sshError();
        return st.error();
    }
    m_lastSshError.reset();
    m_session = std::move(session);
    m_collector = std::make_unique<LinuxCollector>(*m_session);
    qCInfo(lcMonitoring) << "monitoring session open to" << target.value().endpoint.userHost();
    return {};
}

Result<MetricSampleSet> MachineCollector::collect()
{
    if (!isLocal() && !isConnected()) {
        disconnect();
        if (Status s = connect(); !s)
            return s.error();
    }
    Result<MetricSampleSet> r = m_collector->collect();
    if (!r && !isLocal())
        disconnect();   // broken or hung (exec timeout): a fresh session next time
    if (r)
        collectCustom(r.value());
    return r;
}

void MachineCollector::setCustomMetrics(const QVector<CustomMetric> &metrics)
{
    QMutexLocker lock(&m_customMutex);
    m_custom = metrics;
}

void MachineCollector::collectCustom(MetricSampleSet &set)
{
    QVector<CustomMetric> metrics;
    {
        QMutexLocker lock(&m_customMutex);
        metrics = m_custom;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const CustomMetric &m : std::as_const(metrics)) {
        // Half a second of slack: a 60 s metric on a 10 s machine runs every sixth round.
        if (now - m_customLastRun.value(m.name, 0) < qint64(m.intervalSeconds) * 1000 - 500)
            continue;
        m_customLastRun.insert(m.name, now);
        const auto timeout = std::chrono::seconds(std::clamp(m.intervalSeconds, 5, 60));
        // Only This computer runs commands here: a remote machine without a session gets an
        // error, never its command run on the user's own computer.
        Result<QVector<MetricPoint>> points = isLocal() ? CustomMetricParser::runLocal(m, timeout)
                                              : m_session ? CustomMetricParser::run(*m_session, m, timeout)
                                                          : Result<QVector<MetricPoint>>(Error{QCoreApplication::translate("MachineCollector", "Not connected over SSH"), m.name});
        if (points)
            set.points += points.value();
        else
            set.warnings.append(points.error());
    }
}

Result<QVector<MetricSampleSet>> MachineCollector::collectRound()
{
    Result<MetricSampleSet> r = collect();
    if (!r)
        return r.error();
    return QVector<MetricSampleSet>{r.value()};
}

bool MachineCollector::failureNeedsUser() const
{
    return m_lastSshError
           && (m_lastSshError->kind == SshErrorKind::HostKeyUnknown || m_lastSshError->kind == SshErrorKind::HostKeyChanged);
}

} // namespace mist
