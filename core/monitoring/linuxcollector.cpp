#include "monitoring/linuxcollector.h"

#include "monitoring/collectscript.h"
#include "ssh/sshsession.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>

namespace mist {

namespace {

qint64 monotonicNowMs()
{
    // QElapsedTimer's clock is monotonic and shared by the process: its msecsSinceReference
    // is a steady time base across collect() calls.
    QElapsedTimer t;
    t.start();
    return t.msecsSinceReference();
}

} // namespace

LinuxCollector::LinuxCollector(SshSession &session) : m_session(&session) {}

LinuxCollector::LinuxCollector(const QString &procRoot) : m_procRoot(procRoot) {}

Result<QByteArray> LinuxCollector::readRemote()
{
    auto r = m_session->exec(LinuxCollectScript::command(), {}, execTimeout);
    if (!r)
        return r.error();
    if (r->out.isEmpty())
        return Error{QCoreApplication::translate("LinuxCollector", "The machine sent no metrics."),
                     QString::fromUtf8(r->err.left(200))};
    return r->out;
}

// Builds the same combined text the script prints, so both ways share one parser.
QByteArray LinuxCollector::readLocal() const
{
    QByteArray out;
    for (const char *name : {"stat", "loadavg", "meminfo", "net/dev", "diskstats", "uptime"}) {
        out += "\n@@MIST@@ ";
        out += name;
        out += '\n';
        QFile f(m_procRoot + QLatin1Char('/') + QLatin1String(name));
        if (f.open(QIODevice::ReadOnly))
            out += f.read(4 << 20);   // proc files report size 0: read to EOF, bounded
    }
    out += "\n@@MIST@@ df\n";
    QProcess df;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    df.setProcessEnvironment(env);
    df.start(QStringLiteral("df"), {QStringLiteral("-kP")});
    if (df.waitForFinished(5000))
        out += df.readAllStandardOutput();
    else
        df.kill();
    df.waitForFinished(1000);
    out += "\n@@MIST@@ end\n";
    return out;
}

Result<MetricSampleSet> LinuxCollector::collect()
{
    QByteArray text;
    if (m_session) {
        auto r = readRemote();
        if (!r)
            return r.error();
        text = std::move(r).value();
    } else {
        text = readLocal();
    }
    LinuxSnapshot snap = LinuxCollectScript::parse(text);
    snap.timestampMs = QDateTime::currentMSecsSinceEpoch();
    snap.monotonicMs = monotonicNowMs();
    if (!snap.stat && !snap.loadAvg && !snap.memInfo && !snap.netDev && !snap.diskStats && !snap.uptime && !snap.df) {
        const QString detail = snap.errors.isEmpty() ? QString() : snap.errors.first().toString();
        return Error{QCoreApplication::translate("LinuxCollector", "The machine's metrics could not be read (is it Linux?)."), detail};
    }
    for (const Error &e : std::as_const(snap.errors))
        qCDebug(lcMonitoring) << "part missing:" << e.toString();
    MetricSampleSet set = RateCalculator::compute(m_previous ? &*m_previous : nullptr, snap);
    m_previous = std::move(snap);
    return set;
}

} // namespace mist
