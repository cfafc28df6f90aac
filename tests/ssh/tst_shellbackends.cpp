// The terminal backends end to end: SshShellBackend against the loopback sshd (worker
// thread, pty, resize, close, failures) and LocalPtyBackend on a real pty.

#include "inventory/inventorystore.h"
#include "shell/localptybackend.h"
#include "shell/sshshellbackend.h"
#include "sshtestserver.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace mist;
using namespace mist::test;
using namespace std::chrono_literals;

namespace {

// Collects everything a backend prints.
struct Collector
{
    QByteArray data;
    explicit Collector(TerminalBackend *b)
    {
        QObject::connect(b, &TerminalBackend::dataReceived, b, [this](const QByteArray &d) { data += d; });
    }
    bool waitFor(const QByteArray &needle, int ms = 10000)
    {
        return QTest::qWaitFor([&] { return data.contains(needle); }, ms);
    }
};

// Accepts every unknown key; shared with the worker thread, touches no database.
class AcceptAll : public HostKeyVerifier
{
public:
    HostKeyCheck check(const HostKeyInfo &) override { return HostKeyCheck::unknown(); }
    bool decideUnknown(const HostKeyInfo &info) override
    {
        seen = info.fingerprint;
        return accept;
    }
    Status remember(const HostKeyInfo &, bool) override { return {}; }
    bool accept = true;
    QString seen;
};

} // namespace

class TestShellBackends : public QObject
{
    Q_OBJECT

    SshTestServer m_server;

    SshTarget target() const { return m_server.target(); }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<mist::Error>();
        MIST_START_SSHD(m_server);
    }

    void sshShellRoundTripAndResize()
    {
        auto verifier = std::make_shared<AcceptAll>();
        SshShellBackend shell(target(), verifier);
        QCOMPARE(shell.description(), QStringLiteral("%1@127.0.0.1:%2").arg(m_server.user()).arg(m_server.port()));
        QSignalSpy connected(&shell, &TerminalBackend::connected);
        QSignalSpy finished(&shell, &TerminalBackend::finished);
        Collector out(&shell);
        shell.start(80, 24);
        QCOMPARE(shell.state(), TerminalBackend::State::Connecting);
        // Typed before the connection is up: queued, not lost.
        shell.write("echo hel''lo; stty size\n");
        QVERIFY(connected.wait(10000));
        QCOMPARE(shell.state(), TerminalBackend::State::Connected);
        QCOMPARE(shell.keyFingerprint(), m_server.clientKeyFingerprint());
        QCOMPARE(shell.hostKey().fingerprint, m_server.hostKeyFingerprint());
        QCOMPARE(verifier->seen, m_server.hostKeyFingerprint());
        QVERIFY2(out.waitFor("hello"), out.data.constData());
        QVERIFY2(out.waitFor("24 80"), out.data.constData());

        shell.resize(100, 30);
        shell.write("stty size\n");
        QVERIFY2(out.waitFor("30 100"), out.data.constData());

        shell.write("exit 5\n");
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toInt(), 5);
        QCOMPARE(shell.state(), TerminalBackend::State::Finished);
    }

    void sshShellBinaryGarbage()
    {
        SshShellBackend shell(target(), std::make_shared<AcceptAll>());
        Collector out(&shell);
        shell.start(80, 24);
        shell.write("head -c 100000 /dev/urandom; echo; echo still''alive\n");
        QVERIFY2(out.waitFor("stillalive", 20000), "the shell survived binary output");
        QVERIFY(out.data.size() > 50000);
    }

    void closeIsImmediate()
    {
        auto shell = std::make_unique<SshShellBackend>(target(), std::make_shared<AcceptAll>());
        QSignalSpy connected(shell.get(), &TerminalBackend::connected);
        QSignalSpy finished(shell.get(), &TerminalBackend::finished);
        shell->start(80, 24);
        QVERIFY(connected.wait(10000));
        QElapsedTimer t;
        t.start();
        shell->close();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(shell->state(), TerminalBackend::State::Finished);
        shell.reset();   // never waits for the network
        QVERIFY(t.elapsed() < 500);
        QVERIFY(SshShellBackend::waitForWorkers(10000));
    }

    void hostKeyRejected()
    {
        auto verifier = std::make_shared<AcceptAll>();
        verifier->accept = false;
        SshShellBackend shell(target(), verifier);
        QSignalSpy failed(&shell, &TerminalBackend::failed);
        shell.start(80, 24);
        QVERIFY(failed.wait(10000));
        QCOMPARE(shell.state(), TerminalBackend::State::Failed);
        QCOMPARE(shell.lastSshError().kind, SshErrorKind::HostKeyUnknown);
        QVERIFY(failed.first().first().value<mist::Error>().message.contains(m_server.hostKeyFingerprint()));
    }

    void serverDiesMidSession()
    {
        SshTestServer server;
        MIST_START_SSHD(server);
        SshTarget t = target();
        t.endpoint.port = server.port();
        t.auth.privateKey = server.clientPrivateKey();
        SshShellBackend shell(t, std::make_shared<AcceptAll>());
        QSignalSpy connected(&shell, &TerminalBackend::connected);
        QSignalSpy failed(&shell, &TerminalBackend::failed);
        QSignalSpy finished(&shell, &TerminalBackend::finished);
        shell.start(80, 24);
        QVERIFY(connected.wait(10000));
        server.killAll();
        QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty() || !finished.isEmpty(); }, 10000));
        if (!failed.isEmpty())
            QCOMPARE(shell.lastSshError().kind, SshErrorKind::Disconnected);
    }

    void silentServer()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        SshTarget t = target();
        t.endpoint.port = silent.serverPort();
        t.connectTimeout = 1s;
        SshShellBackend shell(t, std::make_shared<AcceptAll>());
        QSignalSpy failed(&shell, &TerminalBackend::failed);
        shell.start(80, 24);
        QVERIFY(failed.wait(5000));
        QCOMPARE(shell.lastSshError().kind, SshErrorKind::Timeout);
    }

    void localPtyRoundTrip()
    {
        LocalPtyBackend pty;
        pty.setProgram(QStringLiteral("/bin/sh"), {});
        QSignalSpy connected(&pty, &TerminalBackend::connected);
        QSignalSpy finished(&pty, &TerminalBackend::finished);
        Collector out(&pty);
        pty.start(80, 24);
        QCOMPARE(connected.size(), 1);
        QVERIFY(pty.processId() > 0);
        pty.write("echo hel''lo; echo $TERM; stty size\n");
        QVERIFY2(out.waitFor("hello"), out.data.constData());
        QVERIFY2(out.waitFor("xterm-256color"), out.data.constData());
        QVERIFY2(out.waitFor("24 80"), out.data.constData());
        pty.resize(120, 50);
        pty.write("stty size\n");
        QVERIFY2(out.waitFor("50 120"), out.data.constData());
        pty.write("exit 3\n");
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toInt(), 3);
    }

    void localPtyCloseHangsUp()
    {
        LocalPtyBackend pty;
        pty.setProgram(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("sleep 60")});
        QSignalSpy finished(&pty, &TerminalBackend::finished);
        pty.start(80, 24);
        const qint64 pid = pty.processId();
        QVERIFY(pid > 0);
        QElapsedTimer t;
        t.start();
        pty.close();
        QVERIFY(t.elapsed() < 2000);
        QCOMPARE(finished.size(), 1);
        QVERIFY(::kill(pid_t(pid), 0) != 0);   // reaped, not a zombie
    }
};

QTEST_GUILESS_MAIN(TestShellBackends)
#include "tst_shellbackends.moc"
