#include "machinecollector.h"

#include "ssh/sshsession.h"
#include "util/logging.h"

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
    return r;
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
