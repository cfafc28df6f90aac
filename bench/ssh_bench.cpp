// SSH round trip on the loopback sshd (the test harness's SshTestServer): connect + key auth
// + exec `true` + disconnect, 50 times; also exec alone on one session and the same through
// a ProxyJump hop. Prints median and p95 per case.

#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "sshtestserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

using namespace mist;

namespace {

class TrustAll : public HostKeyVerifier
{
public:
    HostKeyCheck check(const HostKeyInfo &) override { return HostKeyCheck::known(QStringLiteral("bench")); }
    bool decideUnknown(const HostKeyInfo &) override { return true; }
    Status remember(const HostKeyInfo &, bool) override { return {}; }
};

struct Stats
{
    double median = 0;
    double p95 = 0;
    double min = 0;
    int failures = 0;
};

template <typename F>
Stats measure(int runs, F &&f)
{
    QVector<double> ms;
    Stats s;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        if (!f()) {
            ++s.failures;
            continue;
        }
        ms << double(t.nsecsElapsed()) / 1e6;
    }
    if (ms.isEmpty())
        return s;
    std::sort(ms.begin(), ms.end());
    s.min = ms.first();
    s.median = ms.at(ms.size() / 2);
    s.p95 = ms.at(std::min<qsizetype>(ms.size() - 1, qsizetype(ms.size() * 0.95)));
    return s;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? qMax(1, atoi(argv[1])) : 50;
    QTextStream out(stdout);
    const QString skip = test::SshTestServer::notRunnableReason();
    if (!skip.isEmpty()) {
        out << "ssh_bench: " << skip << '\n';
        return 1;
    }
    test::SshTestServer server;
    if (!server.start()) {
        out << "ssh_bench: sshd did not start: " << server.errorString() << '\n';
        return 1;
    }
    const SshTarget target = server.target();
    TrustAll trust;
    QString lastError;

    auto roundTrip = [&](const SshTarget &t) {
        SshSession s;
        if (SshStatus st = s.connect(t, trust); !st) {
            lastError = st.error().toString();
            return false;
        }
        auto r = s.exec(QStringLiteral("true"));
        if (!r || r->exitStatus != 0) {
            lastError = r ? QStringLiteral("exit %1").arg(r->exitStatus) : r.error().toString();
            return false;
        }
        return true;
    };

    const Stats full = measure(runs, [&] { return roundTrip(target); });

    SshSession persistent;
    Stats execOnly;
    if (persistent.connect(target, trust)) {
        execOnly = measure(runs, [&] {
            auto r = persistent.exec(QStringLiteral("true"));
            return r && r->exitStatus == 0;
        });
    }
    persistent.disconnect();

    SshTarget jumped = target;
    jumped.jumps = {target.endpoint};
    const Stats viaJump = measure(runs, [&] { return roundTrip(jumped); });

    out << QStringLiteral("SSH on loopback sshd (OpenSSH, ed25519 keys), %1 runs each\n\n").arg(runs);
    out << QStringLiteral("| case | median ms | p95 ms | min ms | failures |\n| --- | ---: | ---: | ---: | ---: |\n");
    auto row = [&](const QString &name, const Stats &s) {
        out << QStringLiteral("| %1 | %2 | %3 | %4 | %5 |\n")
                   .arg(name)
                   .arg(s.median, 0, 'f', 1)
                   .arg(s.p95, 0, 'f', 1)
                   .arg(s.min, 0, 'f', 1)
                   .arg(s.failures);
    };
    row(QStringLiteral("connect + auth + exec `true`"), full);
    row(QStringLiteral("exec `true` on an open session"), execOnly);
    row(QStringLiteral("connect via ProxyJump + auth + exec `true`"), viaJump);
    if (!lastError.isEmpty())
        out << "\nlast error: " << lastError << '\n';
    out.flush();
    return full.failures + execOnly.failures + viaJump.failures == 0 ? 0 : 1;
}
