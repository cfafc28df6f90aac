// Kubernetes exec, logs and port-forward against a fixture API server (tests/support/
// kubewsfixture) speaking the channel protocol over real WebSockets and HTTP/1.1 on loopback.

#include "kubewsfixture.h"
#include "testsupport.h"
#include "providers/kubernetes/kubecontaineraccess.h"
#include "providers/kubernetes/kubeexec.h"
#include "providers/kubernetes/kubeexecbackend.h"
#include "providers/kubernetes/kubelogs.h"
#include "providers/kubernetes/kubeportforward.h"
#include "providers/kubernetes/kubeportforwardlist.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtConcurrent>
#include <QTest>

using namespace mist;
using mist::test::KubeWsFixture;

namespace {

// Collects what a terminal backend reports.
struct Terminal
{
    explicit Terminal(TerminalBackend *b)
        : backend(b)
    {
        QObject::connect(b, &TerminalBackend::dataReceived, b, [this](const QByteArray &d) { data += d; });
        QObject::connect(b, &TerminalBackend::finished, b, [this](int s) { exitStatus = s; ended = true; });
        QObject::connect(b, &TerminalBackend::failed, b, [this](const Error &e) { error = e; ended = true; failed = true; });
    }
    TerminalBackend *backend;
    QByteArray data;
    int exitStatus = -2;
    bool ended = false;
    bool failed = false;
    Error error;
};

struct Logs
{
    explicit Logs(LogStream *s)
    {
        QObject::connect(s, &LogStream::linesReceived, s, [this](const QString &l) { text += l; ++batches; });
        QObject::connect(s, &LogStream::finished, s, [this](const Status &st) {
            ++finishedCount;
            ok = st.ok();
            error = st.error();
        });
    }
    QString text;
    int batches = 0;
    int finishedCount = 0;
    bool ok = false;
    Error error;
};

// Blocking calls run on a pool thread while this thread keeps serving the fixture.
template <typename F>
auto offThread(F f)
{
    auto future = QtConcurrent::run(std::move(f));
    QElapsedTimer t;
    t.start();
    while (!future.isFinished() && t.elapsed() < 60000)
        QTest::qWait(5);
    if (!future.isFinished())
        qFatal("a blocking exec did not end");
    return future.result();
}

Machine podMachine(const QString &ns, const QString &pod, const QStringList &containers, const QString &state)
{
    Machine m;
    m.kind = MachineKind::Pod;
    m.name = pod;
    m.state = state;
    m.externalId = QStringLiteral("pod/uid-") + pod;
    m.extra = {{QStringLiteral("namespace"), ns}, {QStringLiteral("pod"), pod},
               {QStringLiteral("containers"), QJsonArray::fromStringList(containers)}};
    return m;
}

} // namespace

class TestKubeStreams : public QObject
{
    Q_OBJECT

    KubeWsFixture *m_fx = nullptr;

    KubeExecTarget target(const QStringList &command = {}, bool tty = true) const
    {
        KubeExecTarget t;
        t.ns = QStringLiteral("default");
        t.pod = QStringLiteral("web-1");
        t.container = QStringLiteral("app");
        t.command = command;
        t.tty = tty;
        return t;
    }

    Result<ExecOutput> runBlocking(const QString &script, const KubeConnection &c)
    {
        const KubeExecTarget t = target({QStringLiteral("sh"), QStringLiteral("-c"), script}, false);
        return offThread([c, t] { return KubeExec::run(kubeConnectionSource(c), t); });
    }

    // An exec command whose session ends in failure; the failure is returned.
    Error execFailure(const QString &script)
    {
        auto r = runBlocking(script, m_fx->connection());
        if (r.ok())
            return {QStringLiteral("unexpected success"), {}};
        return r.error();
    }

private slots:
    void init()
    {
        m_fx = new KubeWsFixture(this);
        QVERIFY(m_fx->listen());
        m_fx->addPod(QStringLiteral("default"), QStringLiteral("web-1"), {QStringLiteral("app"), QStringLiteral("sidecar")});
        m_fx->addPod(QStringLiteral("default"), QStringLiteral("solo"), {QStringLiteral("main")});
    }

    void cleanup()
    {
        delete m_fx;
        m_fx = nullptr;
    }

    void cleanupTestCase()
    {
        QVERIFY(KubeWorkerThread::waitForWorkers(5000));
    }

    void interactiveShell()
    {
        KubeExecBackend backend(kubeConnectionSource(m_fx->connection()), target());
        Terminal t(&backend);
        QSignalSpy connected(&backend, &TerminalBackend::connected);
        backend.start(80, 24);
        QCOMPARE(backend.state(), TerminalBackend::State::Connecting);
        QTRY_COMPARE(connected.size(), 1);
        QCOMPARE(backend.state(), TerminalBackend::State::Connected);
        QCOMPARE(backend.subprotocol(), QStringLiteral("v5.channel.k8s.io"));
        QTRY_VERIFY(t.data.contains("$ "));
        QTRY_COMPARE(m_fx->resizes().value(0), QSize(80, 24));   // the initial size, sent on connect

        backend.write("echo hello kube\r");
        QTRY_VERIFY2(t.data.contains("hello kube\r\n"), t.data.constData());
        backend.resize(120, 40);
        QTRY_COMPARE(m_fx->resizes().last(), QSize(120, 40));
        backend.write("size\r");
        QTRY_VERIFY2(t.data.contains("120x40"), t.data.constData());
        backend.write("exit 3\r");
        QTRY_VERIFY(t.ended);
        QVERIFY(!t.failed);
        QCOMPARE(t.exitStatus, 3);
        QCOMPARE(backend.state(), TerminalBackend::State::Finished);

        const KubeWsFixture::Request r = m_fx->requests().last();
        QCOMPARE(r.path, QStringLiteral("/api/v1/namespaces/default/pods/web-1/exec"));
        QVERIFY(r.upgrade);
        QCOMPARE(r.values(QStringLiteral("container")), QStringLiteral("app"));
        QCOMPARE(r.values(QStringLiteral("stdin")), QStringLiteral("true"));
        QCOMPARE(r.values(QStringLiteral("tty")), QStringLiteral("true"));
        QCOMPARE(r.values(QStringLiteral("command")).split(QLatin1Char('\n')), KubeExecTarget::defaultShell());
    }

    void interactiveOnV4()
    {
        m_fx->setSubprotocols({QStringLiteral("v4.channel.k8s.io")});
        KubeExecBackend backend(kubeConnectionSource(m_fx->connection()), target({QStringLiteral("/bin/bash")}));
        Terminal t(&backend);
        backend.start(100, 30);
        QTRY_COMPARE(backend.state(), TerminalBackend::State::Connected);
        QCOMPARE(backend.subprotocol(), QStringLiteral("v4.channel.k8s.io"));
        backend.write("echo one\recho two\r");   // typed ahead in one write
        backend.write("exit 0\r");
        QTRY_VERIFY(t.ended);
        QCOMPARE(t.exitStatus, 0);
        QVERIFY2(t.data.contains("one\r\n") && t.data.contains("two\r\n"), t.data.constData());
        QCOMPARE(m_fx->resizes().value(0), QSize(100, 30));
    }

    void inputBeforeConnected()
    {
        KubeExecBackend backend(kubeConnectionSource(m_fx->connection()), target({QStringLiteral("sh")}));
        Terminal t(&backend);
        backend.start(80, 24);
        backend.write("echo early\r");   // still connecting: queued on the worker
        QTRY_VERIFY2(t.data.contains("early\r\n"), t.data.constData());
        backend.close();
        QVERIFY(t.ended);
        QCOMPARE(t.exitStatus, -1);
    }

    void blockingExec()
    {
        auto r = runBlocking(QStringLiteral("echo out; echo err >&2; echo a+b & c=d; exit 2"), m_fx->connection());
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->stdoutData, QByteArray("out\na+b & c=d\n"));   // '+' and '&' survive the query string
        QCOMPARE(r->stderrData, QByteArray("err\n"));
        QCOMPARE(r->exitStatus, 2);
        const KubeWsFixture::Request req = m_fx->requests().last();
        QCOMPARE(req.values(QStringLiteral("tty")), QStringLiteral("false"));
        QCOMPARE(req.values(QStringLiteral("stdin")), QStringLiteral("false"));
        QCOMPARE(req.values(QStringLiteral("stderr")), QStringLiteral("true"));

        auto ok = runBlocking(QStringLiteral("echo fine"), m_fx->connection());
        QVERIFY(ok.ok());
        QCOMPARE(ok->exitStatus, 0);
        auto missing = runBlocking(QStringLiteral("nosuchtool"), m_fx->connection());
        QVERIFY(missing.ok());
        QCOMPARE(missing->exitStatus, 127);
        QVERIFY(missing->stderrData.contains("nosuchtool: not found"));
    }

    void containerAccess()
    {
        KubeContainerAccess access;
        const Machine running = podMachine(QStringLiteral("default"), QStringLiteral("web-1"),
                                           {QStringLiteral("app"), QStringLiteral("sidecar")}, MachineState::Running);
        Machine pending = running;
        pending.state = MachineState::Pending;
        Machine container = running;
        container.kind = MachineKind::Container;
        container.extra.insert(QStringLiteral("container"), QStringLiteral("sidecar"));
        Machine node;
        node.kind = MachineKind::Node;
        node.state = MachineState::Running;
        QVERIFY(access.canExec(running));
        QVERIFY(!access.canExec(pending));
        QVERIFY(access.canLog(pending));
        QVERIFY(access.canExec(container));
        QVERIFY(!access.canExec(node));
        QVERIFY(!access.canLog(node));

        QCOMPARE(KubeContainerAccess::execTarget(running, {})->container, QStringLiteral("app"));
        QCOMPARE(KubeContainerAccess::execTarget(container, {})->container, QStringLiteral("sidecar"));
        ExecRequest pick;
        pick.container = QStringLiteral("sidecar");
        QCOMPARE(KubeContainerAccess::execTarget(running, pick)->container, QStringLiteral("sidecar"));
        QVERIFY(!KubeContainerAccess::execTarget(node, {}));
        LogOptions all;
        all.allContainers = true;
        QCOMPARE(KubeContainerAccess::logContainers(running, all), QStringList({QStringLiteral("app"), QStringLiteral("sidecar")}));
        QCOMPARE(KubeContainerAccess::logContainers(container, all), QStringList({QStringLiteral("sidecar")}));

        // Through the credentials a cloud stores (the connection is built on the worker).
        Credentials creds;
        creds.config.insert(QStringLiteral("server"), m_fx->url().toString());
        creds.secrets.insert(QStringLiteral("token"), QString::fromLatin1(KubeWsFixture::token()));
        ExecRequest req;
        req.command = {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo via credentials; exit 4")};
        auto r = offThread([&] { return access.exec(creds, container, req); });
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->stdoutData, QByteArray("via credentials\n"));
        QCOMPARE(r->exitStatus, 4);
        QCOMPARE(m_fx->requests().last().values(QStringLiteral("container")), QStringLiteral("sidecar"));

        std::unique_ptr<TerminalBackend> shell(access.createExecBackend(creds, running, {}));
        Terminal t(shell.get());
        shell->start(80, 24);
        QTRY_COMPARE(shell->state(), TerminalBackend::State::Connected);
        shell->write("exit 0\r");
        QTRY_VERIFY(t.ended);
        QCOMPARE(t.exitStatus, 0);

        // Not a pod: the backend reports it instead of connecting anywhere.
        std::unique_ptr<TerminalBackend> bad(access.createExecBackend(creds, node, {}));
        Terminal tb(bad.get());
        bad->start(80, 24);
        QTRY_VERIFY(tb.ended);
        QVERIFY(tb.failed);
        QVERIFY2(tb.error.message.contains(QStringLiteral("not a Kubernetes pod")), qPrintable(tb.error.message));
    }

    void execErrors()
    {
        // 403 on the upgrade: which credential, which verb.
        m_fx->setForbidden(true);
        Error e = execFailure(QStringLiteral("echo x"));
        QVERIFY2(e.message.contains(QStringLiteral("403")) && e.message.contains(QStringLiteral("token of user fixture"))
                     && e.message.contains(QStringLiteral("exec into")),
                 qPrintable(e.toString()));
        m_fx->setForbidden(false);

        // Wrong token: 401.
        KubeConnection wrong = m_fx->connection();
        wrong.bearerToken = "nope";
        auto r = runBlocking(QStringLiteral("echo x"), wrong);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("401")), qPrintable(r.error().toString()));

        // A vanished pod: 404.
        KubeExecTarget gone = target({QStringLiteral("sh")}, false);
        gone.pod = QStringLiteral("gone-7f9");
        const KubeConnection conn = m_fx->connection();
        auto g = offThread([conn, gone] { return KubeExec::run(kubeConnectionSource(conn), gone); });
        QVERIFY(!g.ok());
        QVERIFY2(g.error().message.contains(QStringLiteral("does not exist")), qPrintable(g.error().toString()));

        // Bad frames, a Status that is not JSON, a failure that is no exit code, a cut connection.
        QTest::ignoreMessage(QtWarningMsg, "empty exec frame from \"default/web-1/app\"");
        e = execFailure(QStringLiteral("junk"));
        QVERIFY2(e.detail.contains(QStringLiteral("unknown channel 9")), qPrintable(e.toString()));
        e = execFailure(QStringLiteral("text"));
        QVERIFY2(e.message.contains(QStringLiteral("cannot read")), qPrintable(e.toString()));
        e = execFailure(QStringLiteral("badstatus"));
        QVERIFY2(e.detail.contains(QStringLiteral("unreadable exit status")), qPrintable(e.toString()));
        e = execFailure(QStringLiteral("fail"));
        QVERIFY2(e.message.contains(QStringLiteral("failed to run")) && e.detail.contains(QStringLiteral("container not found")),
                 qPrintable(e.toString()));
        e = execFailure(QStringLiteral("drop"));
        QVERIFY2(e.message.contains(QStringLiteral("lost")), qPrintable(e.toString()));

        // No API server at all.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        KubeConnection down = m_fx->connection();
        down.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
        closed.close();
        auto d = runBlocking(QStringLiteral("echo x"), down);
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.contains(QStringLiteral("not reachable")), qPrintable(d.error().toString()));

        // A server that does not speak the channel protocol at all (no subprotocol agreed).
        m_fx->setSubprotocols({QStringLiteral("base64.channel.k8s.io")});
        e = execFailure(QStringLiteral("echo x"));
        QVERIFY2(e.message.contains(QStringLiteral("protocol")), qPrintable(e.toString()));
    }

    void overTls()
    {
        KubeWsFixture tls;
        QVERIFY(tls.listen(true));
        tls.addPod(QStringLiteral("default"), QStringLiteral("web-1"), {QStringLiteral("app")});
        tls.setLogs(QStringLiteral("default"), QStringLiteral("web-1"), QStringLiteral("app"), {QStringLiteral("secure log")});
        const KubeConnection c = tls.connection();
        QCOMPARE(c.server.scheme(), QStringLiteral("https"));
        auto r = runBlocking(QStringLiteral("echo secure"), c);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->stdoutData, QByteArray("secure\n"));

        KubeLogStream s(kubeConnectionSource(c), QStringLiteral("default"), QStringLiteral("web-1"), {QStringLiteral("app")}, {});
        Logs l(&s);
        s.start();
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY2(l.ok, qPrintable(l.error.toString()));
        QCOMPARE(l.text, QStringLiteral("secure log\n"));

        // A CA that did not sign the server's certificate: which host, which CA.
        KubeConnection wrongCa = c;
        wrongCa.ssl.setCaCertificates(QSslCertificate::fromPath(test::dataFile(QStringLiteral("kube/other-ca.crt"))));
        wrongCa.caDescription = QStringLiteral("the CA file other-ca.crt");
        auto bad = runBlocking(QStringLiteral("echo secure"), wrongCa);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.contains(QStringLiteral("TLS certificate"))
                     && bad.error().message.contains(QStringLiteral("other-ca.crt"))
                     && bad.error().message.contains(QStringLiteral("127.0.0.1")),
                 qPrintable(bad.error().toString()));
        KubeLogStream badLogs(kubeConnectionSource(wrongCa), QStringLiteral("default"), QStringLiteral("web-1"),
                              {QStringLiteral("app")}, {});
        Logs bl(&badLogs);
        badLogs.start();
        QTRY_COMPARE(bl.finishedCount, 1);
        QVERIFY(!bl.ok);
        QVERIFY2(bl.error.message.contains(QStringLiteral("other-ca.crt")), qPrintable(bl.error.toString()));
    }

    void interactiveFailureReported()
    {
        KubeExecBackend backend(kubeConnectionSource(m_fx->connection()), target({QStringLiteral("sh")}));
        Terminal t(&backend);
        backend.start(80, 24);
        QTRY_COMPARE(backend.state(), TerminalBackend::State::Connected);
        backend.write("drop\r");
        QTRY_VERIFY(t.ended);
        QVERIFY(t.failed);
        QCOMPARE(backend.state(), TerminalBackend::State::Failed);
        QVERIFY2(t.error.message.contains(QStringLiteral("lost")), qPrintable(t.error.toString()));
    }

    void closeAndDestroyNeverBlock()
    {
        // An API server that accepts the connection and never answers the upgrade.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        KubeConnection c = m_fx->connection();
        c.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        QElapsedTimer timer;
        timer.start();
        {
            auto *backend = new KubeExecBackend(kubeConnectionSource(c), target());
            Terminal t(backend);
            backend->start(80, 24);
            QTest::qWait(50);
            backend->close();
            QVERIFY(t.ended);
            QCOMPARE(t.exitStatus, -1);
            QCOMPARE(backend->state(), TerminalBackend::State::Finished);
            delete backend;
        }
        {
            auto *backend = new KubeExecBackend(kubeConnectionSource(c), target());
            backend->start(80, 24);
            QTest::qWait(50);
            delete backend;   // while connecting
        }
        {
            KubeExecBackend running(kubeConnectionSource(m_fx->connection()), target({QStringLiteral("sleep")}, false));
            running.start(80, 24);
            QTRY_COMPARE(running.state(), TerminalBackend::State::Connected);
        }   // destroyed while connected
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
        QTRY_COMPARE(m_fx->openWebSockets(), 0);   // the worker closed its socket on its own
    }

    void logsTailTimestamps()
    {
        QStringList lines;
        for (int i = 1; i <= 10; ++i)
            lines << QStringLiteral("line %1 ü").arg(i);
        m_fx->setLogs(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), lines);
        LogOptions o;
        o.tailLines = 3;
        o.timestamps = true;
        KubeLogStream s(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("solo"),
                        {QStringLiteral("main")}, o);
        Logs l(&s);
        s.start();
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY2(l.ok, qPrintable(l.error.toString()));
        QCOMPARE(l.text, QStringLiteral("2026-01-01T00:00:07.000000000Z line 8 ü\n"
                                        "2026-01-01T00:00:08.000000000Z line 9 ü\n"
                                        "2026-01-01T00:00:09.000000000Z line 10 ü\n"));
        const KubeWsFixture::Request r = m_fx->requests().last();
        QCOMPARE(r.path, QStringLiteral("/api/v1/namespaces/default/pods/solo/log"));
        QCOMPARE(r.values(QStringLiteral("tailLines")), QStringLiteral("3"));
        QCOMPARE(r.values(QStringLiteral("container")), QStringLiteral("main"));
        QVERIFY(r.values(QStringLiteral("follow")).isEmpty());
    }

    void logsPrevious()
    {
        m_fx->setLogs(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), {QStringLiteral("panic: boom")}, true);
        LogOptions o;
        o.previous = true;
        KubeLogStream s(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("solo"),
                        {QStringLiteral("main")}, o);
        Logs l(&s);
        s.start();
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY(l.ok);
        QCOMPARE(l.text, QStringLiteral("panic: boom\n"));
        QCOMPARE(m_fx->requests().last().values(QStringLiteral("previous")), QStringLiteral("true"));

        // No previous instance: the server's Status message reaches the user.
        KubeLogStream none(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("web-1"),
                           {QStringLiteral("app")}, o);
        Logs n(&none);
        none.start();
        QTRY_COMPARE(n.finishedCount, 1);
        QVERIFY(!n.ok);
        QVERIFY(n.text.isEmpty());   // the error body is not shown as log lines
        QVERIFY2(n.error.detail.contains(QStringLiteral("previous terminated container")), qPrintable(n.error.toString()));
    }

    void logsFollowThenStop()
    {
        m_fx->setLogs(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), {QStringLiteral("old")});
        LogOptions o;
        o.follow = true;
        auto *s = new KubeLogStream(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"),
                                    QStringLiteral("solo"), {QStringLiteral("main")}, o);
        Logs l(s);
        s->start();
        QTRY_COMPARE(l.text, QStringLiteral("old\n"));
        QTRY_COMPARE(m_fx->openFollows(), 1);
        m_fx->appendLog(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), QStringLiteral("new 1"));
        m_fx->appendLog(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), QStringLiteral("new 2"));
        QTRY_COMPARE(l.text, QStringLiteral("old\nnew 1\nnew 2\n"));
        QCOMPARE(l.finishedCount, 0);
        QElapsedTimer timer;
        timer.start();
        s->stop();
        QVERIFY(timer.elapsed() < 100);
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY(l.ok);
        QTRY_COMPARE(m_fx->openFollows(), 0);   // the request really ended
        m_fx->appendLog(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), QStringLiteral("late"));
        QTest::qWait(50);
        QCOMPARE(l.finishedCount, 1);
        QVERIFY(!l.text.contains(QStringLiteral("late")));
        delete s;
    }

    void logsFollowEndsWithContainer()
    {
        LogOptions o;
        o.follow = true;
        KubeLogStream s(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("solo"),
                        {QStringLiteral("main")}, o);
        Logs l(&s);
        s.start();
        QTRY_COMPARE(m_fx->openFollows(), 1);
        m_fx->appendLog(QStringLiteral("default"), QStringLiteral("solo"), QStringLiteral("main"), QStringLiteral("bye"));
        m_fx->endFollows();
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY(l.ok);
        QCOMPARE(l.text, QStringLiteral("bye\n"));
    }

    void logsMergedContainers()
    {
        m_fx->setLogs(QStringLiteral("default"), QStringLiteral("web-1"), QStringLiteral("app"), {QStringLiteral("a1"), QStringLiteral("a2")});
        m_fx->setLogs(QStringLiteral("default"), QStringLiteral("web-1"), QStringLiteral("sidecar"), {QStringLiteral("s1")});
        KubeContainerAccess access;
        Credentials creds;
        creds.config.insert(QStringLiteral("server"), m_fx->url().toString());
        creds.secrets.insert(QStringLiteral("token"), QString::fromLatin1(KubeWsFixture::token()));
        LogOptions o;
        o.allContainers = true;
        std::unique_ptr<LogStream> s(access.createLogStream(
            creds, podMachine(QStringLiteral("default"), QStringLiteral("web-1"), {QStringLiteral("app"), QStringLiteral("sidecar")}, MachineState::Running), o));
        Logs l(s.get());
        s->start();
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY(l.ok);
        QStringList got = l.text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(got.size(), 3);
        QVERIFY(got.indexOf(QStringLiteral("[app] a1")) < got.indexOf(QStringLiteral("[app] a2")));
        QVERIFY(got.contains(QStringLiteral("[sidecar] s1")));

        // One container without a previous instance: its error is a prefixed line, the rest count.
        m_fx->setLogs(QStringLiteral("default"), QStringLiteral("web-1"), QStringLiteral("app"), {QStringLiteral("crashed")}, true);
        o.previous = true;
        std::unique_ptr<LogStream> p(access.createLogStream(
            creds, podMachine(QStringLiteral("default"), QStringLiteral("web-1"), {QStringLiteral("app"), QStringLiteral("sidecar")}, MachineState::Running), o));
        Logs lp(p.get());
        p->start();
        QTRY_COMPARE(lp.finishedCount, 1);
        QVERIFY(lp.ok);
        QVERIFY2(lp.text.contains(QStringLiteral("[app] crashed\n")), qPrintable(lp.text));
        QVERIFY2(lp.text.contains(QStringLiteral("[sidecar] ")) && lp.text.contains(QStringLiteral("previous terminated container")),
                 qPrintable(lp.text));
    }

    void logsErrors()
    {
        m_fx->setForbidden(true);
        KubeLogStream s(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("solo"), {}, {});
        Logs l(&s);
        s.start();
        QTRY_COMPARE(l.finishedCount, 1);
        QVERIFY(!l.ok);
        QVERIFY2(l.error.message.contains(QStringLiteral("403")) && l.error.detail.contains(QStringLiteral("pods/log")),
                 qPrintable(l.error.toString()));
        m_fx->setForbidden(false);

        // A pod with two containers and none named: the server's own explanation.
        KubeLogStream two(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("web-1"), {}, {});
        Logs lt(&two);
        two.start();
        QTRY_COMPARE(lt.finishedCount, 1);
        QVERIFY(!lt.ok);
        QVERIFY2(lt.error.detail.contains(QStringLiteral("a container name must be specified")), qPrintable(lt.error.toString()));

        KubeLogStream gone(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("gone"), {}, {});
        Logs lg(&gone);
        gone.start();
        QTRY_COMPARE(lg.finishedCount, 1);
        QVERIFY2(lg.error.message.contains(QStringLiteral("does not exist")), qPrintable(lg.error.toString()));
    }

    void portForwardEcho()
    {
        KubePortForwardList list;
        auto *fwd = new KubePortForward(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"),
                                        QStringLiteral("web-1"), 8080);
        QSignalSpy listen(fwd, &KubePortForward::listening);
        QSignalSpy removed(&list, &KubePortForwardList::removed);
        list.add(fwd);
        QTRY_COMPARE(listen.size(), 1);
        QCOMPARE(fwd->state(), KubePortForward::State::Listening);
        const quint16 port = fwd->localPort();
        QVERIFY(port > 0);
        QVERIFY(fwd->description().contains(QStringLiteral("default/web-1:8080")));

        QTcpSocket a;
        QTcpSocket b;
        a.connectToHost(QHostAddress::LocalHost, port);
        b.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(a.waitForConnected(2000) && b.waitForConnected(2000));
        a.write("ping from a");
        b.write("ping from b");
        QByteArray gotA, gotB;
        QTRY_COMPARE((gotA += a.readAll()), QByteArray("ping from a"));
        QTRY_COMPARE((gotB += b.readAll()), QByteArray("ping from b"));
        QTRY_COMPARE(fwd->connectionCount(), 2);
        QCOMPARE(m_fx->requests().last().values(QStringLiteral("ports")), QStringLiteral("8080"));

        const QByteArray big(200 * 1024, 'x');
        a.write(big);
        QByteArray echoed;
        QTRY_COMPARE((echoed += a.readAll()).size(), big.size());
        QCOMPARE(echoed, big);

        b.disconnectFromHost();
        QTRY_COMPARE(fwd->connectionCount(), 1);

        list.close(fwd);
        QCOMPARE(removed.size(), 1);
        QTRY_COMPARE(a.state(), QAbstractSocket::UnconnectedState);
        QTcpSocket late;
        late.connectToHost(QHostAddress::LocalHost, port);
        QTRY_COMPARE(late.state(), QAbstractSocket::UnconnectedState);   // no longer listening
        QVERIFY(list.forwards().isEmpty());
    }

    void portForwardErrors()
    {
        m_fx->refusedPorts.insert(5432);
        KubePortForward fwd(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("web-1"), 5432);
        QSignalSpy connFailed(&fwd, &KubePortForward::connectionFailed);
        fwd.start();
        QTRY_COMPARE(fwd.state(), KubePortForward::State::Listening);
        QTcpSocket c;
        c.connectToHost(QHostAddress::LocalHost, fwd.localPort());
        QVERIFY(c.waitForConnected(2000));
        QTRY_COMPARE(connFailed.size(), 1);
        Error e = connFailed.first().first().value<Error>();
        QVERIFY2(e.message.contains(QStringLiteral("refused")) && e.detail.contains(QStringLiteral("connection refused")),
                 qPrintable(e.toString()));
        QTRY_COMPARE(c.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(fwd.state(), KubePortForward::State::Listening);   // other connections may still work

        // The pod is deleted while the forward listens: the next connection says so.
        m_fx->addPod(QStringLiteral("default"), QStringLiteral("short-lived"), {QStringLiteral("app")});
        KubePortForward later(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("short-lived"), 80);
        QSignalSpy laterFailed(&later, &KubePortForward::connectionFailed);
        later.start();
        QTRY_COMPARE(later.state(), KubePortForward::State::Listening);
        m_fx->removePod(QStringLiteral("default"), QStringLiteral("short-lived"));
        QTcpSocket g;
        g.connectToHost(QHostAddress::LocalHost, later.localPort());
        QVERIFY(g.waitForConnected(2000));
        QTRY_COMPARE(laterFailed.size(), 1);
        e = laterFailed.first().first().value<Error>();
        QVERIFY2(e.message.contains(QStringLiteral("does not exist")), qPrintable(e.toString()));
        QTRY_COMPARE(g.state(), QAbstractSocket::UnconnectedState);

        // A pod that is gone, or not running, is refused before anything listens.
        KubePortForward gone(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("gone"), 80);
        QSignalSpy goneFailed(&gone, &KubePortForward::failed);
        gone.start();
        QTRY_COMPARE(goneFailed.size(), 1);
        QCOMPARE(gone.state(), KubePortForward::State::Failed);
        QVERIFY2(goneFailed.first().first().value<Error>().message.contains(QStringLiteral("does not exist")),
                 qPrintable(goneFailed.first().first().value<Error>().toString()));
        m_fx->addPod(QStringLiteral("default"), QStringLiteral("done"), {QStringLiteral("app")}, QStringLiteral("Succeeded"));
        KubePortForward done(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("done"), 80);
        QSignalSpy doneFailed(&done, &KubePortForward::failed);
        done.start();
        QTRY_COMPARE(doneFailed.size(), 1);
        QVERIFY2(doneFailed.first().first().value<Error>().message.contains(QStringLiteral("not running")),
                 qPrintable(doneFailed.first().first().value<Error>().toString()));

        // The local port is taken.
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        KubePortForward busy(kubeConnectionSource(m_fx->connection()), QStringLiteral("default"), QStringLiteral("web-1"), 80,
                             taken.serverPort());
        QSignalSpy busyFailed(&busy, &KubePortForward::failed);
        busy.start();
        QTRY_COMPARE(busyFailed.size(), 1);
        QCOMPARE(busy.state(), KubePortForward::State::Failed);
        QVERIFY2(busyFailed.first().first().value<Error>().message.contains(QStringLiteral("Could not listen")),
                 qPrintable(busyFailed.first().first().value<Error>().toString()));
    }
};

QTEST_GUILESS_MAIN(TestKubeStreams)
#include "tst_kubestreams.moc"
