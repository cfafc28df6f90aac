// The Docker provider against a fixture engine that answers as the Engine API reference
// documents (tests/support/dockerfixture.h) and checks every request it receives.
#include "dockerfixture.h"
#include "testsupport.h"

#include "providers/docker/dockerclient.h"
#include "providers/docker/dockerendpoint.h"
#include "providers/docker/dockerprovider.h"
#include "providers/providerregistry.h"
#include "shell/terminalbackend.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <unistd.h>

#include <memory>

using namespace mist;
using mist::test::DockerFixture;

namespace {

Credentials credentialsFor(const QString &uri)
{
    Credentials c;
    c.config.insert(QStringLiteral("uri"), uri);
    return c;
}

const Machine *find(const QVector<Machine> &machines, const QString &name)
{
    for (const Machine &m : machines)
        if (m.name == name)
            return &m;
    return nullptr;
}

// Collects what a log stream emits until it finishes.
struct LogCollector
{
    QString text;
    std::optional<Status> result;

    explicit LogCollector(LogStream *stream)
    {
        QObject::connect(stream, &LogStream::linesReceived, stream, [this](const QString &lines) { text += lines; });
        QObject::connect(stream, &LogStream::finished, stream, [this](const Status &st) { result = st; });
    }
};

} // namespace

class TestDockerProvider : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<DockerFixture> m_fixture;
    DockerProvider m_provider;

    Credentials creds() const { return credentialsFor(m_fixture->uri()); }

    Machine containerNamed(const QString &name)
    {
        PollResult r = m_provider.poll(creds());
        if (!r.success)
            qWarning() << r.error.toString();
        const Machine *m = find(r.machines, name);
        return m ? *m : Machine{};
    }

    void expectNoViolations()
    {
        QVERIFY2(m_fixture->violations().isEmpty(), qPrintable(m_fixture->violations().join(QLatin1Char('\n'))));
    }

private slots:
    void init()
    {
        m_fixture = std::make_unique<DockerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        for (const auto &c : DockerFixture::sampleContainers())
            m_fixture->addContainer(c);
    }

    void cleanup()
    {
        if (m_fixture && !QTest::currentTestFailed())
            expectNoViolations();
        m_fixture.reset();
    }

    void registered()
    {
        auto p = ProviderRegistry::instance().provider(QStringLiteral("docker"));
        QVERIFY(p);
        QCOMPARE(p->info().title, QStringLiteral("Docker / Podman"));
        QCOMPARE(p->info().category, QStringLiteral("Containers"));
        QVERIFY(p->containerAccess());
        bool keyIsSecretFile = false;
        for (const FormField &f : p->info().fields)
            if (f.id == QLatin1String("tls_key"))
                keyIsSecretFile = f.secret && f.type == FormField::Type::SecretFile;
        QVERIFY(keyIsSecretFile);
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("normalized");
        QTest::newRow("unix") << "unix:///var/run/docker.sock" << true << "unix:///var/run/docker.sock";
        QTest::newRow("path") << "/run/podman/podman.sock" << true << "unix:///run/podman/podman.sock";
        QTest::newRow("empty") << "" << true << "unix:///var/run/docker.sock";
        QTest::newRow("tcp") << "tcp://docker.example.com:2376" << true << "tcp://docker.example.com:2376";
        QTest::newRow("tcp default port") << "tcp://10.0.0.5" << true << "tcp://10.0.0.5:2375";
        QTest::newRow("ssh") << "ssh://deploy@build.example.com" << true << "ssh://deploy@build.example.com:22";
        QTest::newRow("ssh port") << "ssh://me@h:2222" << true << "ssh://me@h:2222";
        QTest::newRow("relative unix") << "unix://docker.sock" << false << "";
        QTest::newRow("scheme") << "ftp://host" << false << "";
        QTest::newRow("no host") << "tcp://:2376" << false << "";
        QTest::newRow("junk") << "tcp://ho st:99999" << false << "";
    }

    void endpoints()
    {
        QFETCH(QString, uri);
        QFETCH(bool, ok);
        QFETCH(QString, normalized);
        auto e = DockerEndpoint::parse(uri);
        QCOMPARE(e.ok(), ok);
        if (ok)
            QCOMPARE(e->toString(), normalized);
        else
            QVERIFY(!e.error().message.isEmpty());
    }

    void validateForm()
    {
        QVERIFY(m_provider.validate(creds()).ok());
        Credentials c = credentialsFor(QStringLiteral("tcp://h:2376"));
        c.config.insert(QStringLiteral("tls_cert"), QStringLiteral("/tmp/cert.pem"));
        QVERIFY(!m_provider.validate(c).ok());   // a certificate without its key
        c.secrets.insert(QStringLiteral("tls_key"), QStringLiteral("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(m_provider.validate(c).ok());
        Credentials unixTls = credentialsFor(QStringLiteral("unix:///var/run/docker.sock"));
        unixTls.config.insert(QStringLiteral("tls_ca"), QStringLiteral("/tmp/ca.pem"));
        QVERIFY(!m_provider.validate(unixTls).ok());
    }

    void pollListsHostAndContainers()
    {
        PollResult r = m_provider.poll(creds());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QVERIFY(r.complete);
        QCOMPARE(r.machines.size(), 5);

        const Machine &host = r.machines.first();
        QCOMPARE(host.kind, MachineKind::ContainerHost);
        QCOMPARE(host.externalId, QStringLiteral("host"));
        QCOMPARE(host.name, QStringLiteral("fixture-host"));
        QCOMPARE(host.cores, 4);
        QCOMPARE(host.memoryMb, qint64(8192));
        QCOMPARE(host.os, QStringLiteral("Debian GNU/Linux 12 (bookworm)"));
        QCOMPARE(host.extra.value(QStringLiteral("engine")).toString(), QStringLiteral("Docker"));
        QCOMPARE(host.extra.value(QStringLiteral("version")).toString(), QStringLiteral("24.0.7"));

        const Machine *web = find(r.machines, QStringLiteral("web"));
        QVERIFY(web);
        QCOMPARE(web->kind, MachineKind::Container);
        QCOMPARE(web->parentExternalId, QStringLiteral("host"));
        QCOMPARE(web->externalId, DockerFixture::sampleContainers().at(0).id);
        QCOMPARE(web->extra.value(QStringLiteral("id")).toString(), web->externalId);
        QCOMPARE(web->image, QStringLiteral("nginx:1.25"));
        QCOMPARE(web->state, MachineState::Running);
        QCOMPARE(web->privateIps, QStringList{QStringLiteral("172.17.0.2")});
        QCOMPARE(web->created, QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC));
        QCOMPARE(web->providerTags.value(QStringLiteral("com.docker.compose.project")), QStringLiteral("shop"));
        QCOMPARE(web->providerTags.value(QStringLiteral("team")), QStringLiteral("frontend"));
        QCOMPARE(web->extra.value(QStringLiteral("ports")).toArray(), QJsonArray{QStringLiteral("0.0.0.0:8080->80/tcp")});
        QCOMPARE(web->extra.value(QStringLiteral("status")).toString(), QStringLiteral("Up 3 minutes"));
        QCOMPARE(web->extra.value(QStringLiteral("command")).toString(), QStringLiteral("/docker-entrypoint.sh"));

        QCOMPARE(find(r.machines, QStringLiteral("db"))->state, MachineState::Stopped);
        QCOMPARE(find(r.machines, QStringLiteral("db"))->extra.value(QStringLiteral("ports")).toArray(),
                 QJsonArray{QStringLiteral("5432/tcp")});
        QCOMPARE(find(r.machines, QStringLiteral("cache"))->state, MachineState::Paused);

        // Negotiated once, then every call carries the engine's version (1.43 < ours).
        const auto requests = m_fixture->requests();
        QCOMPARE(requests.first().path, QStringLiteral("/_ping"));
        for (const auto &req : requests)
            if (req.path != QLatin1String("/_ping"))
                QCOMPARE(req.version, QStringLiteral("1.43"));
    }

    void versionNegotiation_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("used");
        QTest::newRow("older engine") << "1.41" << "1.41";
        QTest::newRow("newer engine") << "1.60" << QString::fromLatin1(DockerClient::OurApiVersion);
        QTest::newRow("same") << QString::fromLatin1(DockerClient::OurApiVersion) << QString::fromLatin1(DockerClient::OurApiVersion);
        QTest::newRow("too old") << "1.12" << "";
    }

    void versionNegotiation()
    {
        QFETCH(QString, server);
        QFETCH(QString, used);
        DockerFixture engine(server);
        QVERIFY(engine.start());
        auto client = DockerClient::connect(credentialsFor(engine.uri()));
        if (used.isEmpty()) {
            QVERIFY(!client);
            QVERIFY2(client.error().message.contains(QStringLiteral("too old")), qPrintable(client.error().message));
            return;
        }
        QVERIFY2(client, qPrintable(client.error().toString()));
        QCOMPARE(client.value()->apiVersion(), used);
        QVERIFY(client.value()->getJson(QStringLiteral("/info")));
        QCOMPARE(engine.requests().last().version, used);
        QVERIFY(engine.violations().isEmpty());
    }

    void allowedActionsByState()
    {
        Machine m;
        m.kind = MachineKind::Container;
        m.state = MachineState::Running;
        QCOMPARE(m_provider.allowedActions(m),
                 (QStringList{Action::Stop, Action::Restart, Action::Pause, Action::Rename, Action::Destroy}));
        m.state = MachineState::Paused;
        QVERIFY(m_provider.allowedActions(m).contains(Action::Unpause));
        QVERIFY(!m_provider.allowedActions(m).contains(Action::Pause));
        m.state = MachineState::Stopped;
        QVERIFY(m_provider.allowedActions(m).contains(Action::Start));
        QVERIFY(!m_provider.allowedActions(m).contains(Action::Stop));
        m.kind = MachineKind::ContainerHost;
        QVERIFY(m_provider.allowedActions(m).isEmpty());
        QVERIFY(Action::isDestructive(Action::Destroy));
    }

    void actions()
    {
        const Machine web = containerNamed(QStringLiteral("web"));
        const QString webId = web.externalId;
        QVERIFY(!webId.isEmpty());
        auto run = [&](const Machine &m, const QString &action, QVariantMap args = {}) {
            return m_provider.runAction(creds(), m, ActionRequest{action, args});
        };

        // Already running: the engine answers 304, which is success.
        QVERIFY(run(web, Action::Start).ok());
        QCOMPARE(m_fixture->requests().last().path, QStringLiteral("/containers/%1/start").arg(webId));
        QCOMPARE(m_fixture->requests().last().method, QByteArray("POST"));

        QVERIFY(run(web, Action::Pause).ok());
        QCOMPARE(m_fixture->container(webId).state, QStringLiteral("paused"));
        QVERIFY(run(web, Action::Unpause).ok());
        QCOMPARE(m_fixture->container(webId).state, QStringLiteral("running"));

        // 409 from the engine: its own words reach the user.
        Status notPaused = run(web, Action::Unpause);
        QVERIFY(!notPaused.ok());
        QVERIFY2(notPaused.error().message.contains(QStringLiteral("is not paused")), qPrintable(notPaused.error().message));

        QVERIFY(run(web, Action::Stop).ok());
        QCOMPARE(m_fixture->container(webId).state, QStringLiteral("exited"));
        QVERIFY(run(web, Action::Stop).ok());   // 304 again
        QVERIFY(run(web, Action::Restart).ok());
        QCOMPARE(m_fixture->container(webId).state, QStringLiteral("running"));

        Status taken = run(web, Action::Rename, {{QStringLiteral("name"), QStringLiteral("db")}});
        QVERIFY(!taken.ok());
        QVERIFY2(taken.error().message.contains(QStringLiteral("already in use")), qPrintable(taken.error().message));
        QVERIFY(taken.error().message.contains(QStringLiteral("web")));
        QCOMPARE(m_fixture->container(webId).name, QStringLiteral("web"));

        QVERIFY(!run(web, Action::Rename, {{QStringLiteral("name"), QStringLiteral("bad name!")}}).ok());
        QVERIFY(run(web, Action::Rename, {{QStringLiteral("name"), QStringLiteral("frontend-1")}}).ok());
        QCOMPARE(m_fixture->container(webId).name, QStringLiteral("frontend-1"));
        QCOMPARE(m_fixture->requests().last().query, QStringLiteral("name=frontend-1"));

        // Remove (confirmed by the user): forced, so a running container goes too.
        QVERIFY(run(web, Action::Destroy).ok());
        QCOMPARE(m_fixture->requests().last().method, QByteArray("DELETE"));
        QCOMPARE(m_fixture->requests().last().query, QStringLiteral("force=1"));
        QVERIFY(m_fixture->container(webId).id.isEmpty());

        // Vanished meanwhile: 404, said plainly.
        Status gone = run(web, Action::Start);
        QVERIFY(!gone.ok());
        QVERIFY2(gone.error().message.contains(QStringLiteral("no longer exists")), qPrintable(gone.error().message));
        QVERIFY(gone.error().detail.contains(QStringLiteral("No such container")));

        Machine host;
        host.kind = MachineKind::ContainerHost;
        QVERIFY(!run(host, Action::Stop).ok());
        QVERIFY(!run(containerNamed(QStringLiteral("db")), Action::Suspend).ok());
    }

    void execCollectsOutputAndExitCode()
    {
        ContainerAccess *access = m_provider.containerAccess();
        const Machine web = containerNamed(QStringLiteral("web"));
        QVERIFY(access->canExec(web));
        QVERIFY(!access->canExec(containerNamed(QStringLiteral("db"))));

        auto echo = access->exec(creds(), web, ExecRequest{{QStringLiteral("echo"), QStringLiteral("hello"), QStringLiteral("world")}, false, {}});
        QVERIFY2(echo, qPrintable(echo.error().toString()));
        QCOMPARE(echo->stdoutData, QByteArray("hello world\n"));
        QCOMPARE(echo->stderrData, QByteArray());
        QCOMPARE(echo->exitStatus, 0);

        auto fail = access->exec(creds(), web, ExecRequest{{QStringLiteral("fail")}, false, {}});
        QVERIFY2(fail, qPrintable(fail.error().toString()));
        QCOMPARE(fail->stdoutData, QByteArray("partial output\n"));
        QCOMPARE(fail->stderrData, QByteArray("boom\n"));
        QCOMPARE(fail->exitStatus, 3);

        // The exec body and the hijack were as documented (the fixture checks), stdin not attached.
        bool sawCreate = false;
        for (const auto &req : m_fixture->requests())
            if (req.path.endsWith(QLatin1String("/exec"))) {
                const QJsonObject body = QJsonDocument::fromJson(req.body).object();
                QCOMPARE(body.value(QStringLiteral("AttachStdin")).toBool(), false);
                QCOMPARE(body.value(QStringLiteral("Tty")).toBool(), false);
                sawCreate = true;
            }
        QVERIFY(sawCreate);

        auto stopped = access->exec(creds(), containerNamed(QStringLiteral("db")), ExecRequest{{QStringLiteral("echo")}, false, {}});
        QVERIFY(!stopped);
        QVERIFY2(stopped.error().message.contains(QStringLiteral("is not running")), qPrintable(stopped.error().message));
    }

    void execTerminalEchoesAndResizes()
    {
        const Machine term = containerNamed(QStringLiteral("term"));
        std::unique_ptr<TerminalBackend> backend(
            m_provider.containerAccess()->createExecBackend(creds(), term, ExecRequest{}));
        QVERIFY(backend);
        QCOMPARE(backend->description(), QStringLiteral("docker: term"));
        QByteArray screen;
        connect(backend.get(), &TerminalBackend::dataReceived, this, [&](const QByteArray &d) { screen += d; });
        QSignalSpy connected(backend.get(), &TerminalBackend::connected);
        QSignalSpy finished(backend.get(), &TerminalBackend::finished);
        QSignalSpy failed(backend.get(), &TerminalBackend::failed);
        backend->start(80, 24);
        QTRY_VERIFY_WITH_TIMEOUT(connected.count() == 1 || failed.count() == 1, 10000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        QTRY_VERIFY(screen.contains("fixture$ "));

        backend->resize(100, 40);
        QTRY_VERIFY(m_fixture->resizes().contains(qMakePair(40, 100)));
        backend->write("size\r");
        QTRY_VERIFY2(screen.contains("rows=40 cols=100"), screen.constData());
        backend->write("hello\r");
        QTRY_VERIFY(screen.contains("you typed: hello"));
        backend->write("exit 5\r");
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.first().first().toInt(), 5);
        QCOMPARE(backend->state(), TerminalBackend::State::Finished);

        // The initial size went with the exec (ConsoleSize [h, w]) and as a resize.
        QCOMPARE(m_fixture->resizes().first(), qMakePair(24, 80));
        const auto requests = m_fixture->requests();
        for (const auto &req : requests)
            if (req.path.endsWith(QLatin1String("/exec"))) {
                const QJsonObject body = QJsonDocument::fromJson(req.body).object();
                QVERIFY(body.value(QStringLiteral("Tty")).toBool());
                QVERIFY(body.value(QStringLiteral("AttachStdin")).toBool());
                QCOMPARE(body.value(QStringLiteral("ConsoleSize")).toArray(), (QJsonArray{24, 80}));
            }
    }

    void execTerminalCloseDoesNotWait()
    {
        const Machine term = containerNamed(QStringLiteral("term"));
        auto *backend = m_provider.containerAccess()->createExecBackend(creds(), term, ExecRequest{});
        QSignalSpy connected(backend, &TerminalBackend::connected);
        backend->start(80, 24);
        QTRY_COMPARE(connected.count(), 1);
        QElapsedTimer t;
        t.start();
        backend->close();
        delete backend;
        QVERIFY(t.elapsed() < 100);
        QTRY_COMPARE_WITH_TIMEOUT(m_fixture->openConnections(), 0, 5000);   // the worker hung up
    }

    void execTerminalFailsOnPausedContainer()
    {
        std::unique_ptr<TerminalBackend> backend(m_provider.containerAccess()->createExecBackend(
            creds(), containerNamed(QStringLiteral("cache")), ExecRequest{}));
        QSignalSpy failed(backend.get(), &TerminalBackend::failed);
        backend->start(80, 24);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        const Error e = failed.first().first().value<Error>();
        QVERIFY2(e.message.contains(QStringLiteral("paused")), qPrintable(e.toString()));
        QCOMPARE(backend->state(), TerminalBackend::State::Failed);
    }

    void logsMultiplexedWithTail()
    {
        LogOptions options;
        options.tailLines = 3;
        options.timestamps = true;
        std::unique_ptr<LogStream> stream(
            m_provider.containerAccess()->createLogStream(creds(), containerNamed(QStringLiteral("web")), options));
        LogCollector logs(stream.get());
        stream->start();
        QTRY_VERIFY_WITH_TIMEOUT(logs.result.has_value(), 10000);
        QVERIFY2(logs.result->ok(), qPrintable(logs.result->error().toString()));
        QCOMPARE(logs.text, QStringLiteral("2024-05-01T10:00:00.000000000Z warning: slow upstream\n"
                                           "2024-05-01T10:00:00.000000000Z GET /page/4 200\n"
                                           "2024-05-01T10:00:00.000000000Z GET /page/5 200\n"));
        const QUrlQuery q(m_fixture->requests().last().query);
        QCOMPARE(q.queryItemValue(QStringLiteral("tail")), QStringLiteral("3"));
        QCOMPARE(q.queryItemValue(QStringLiteral("timestamps")), QStringLiteral("1"));
        QCOMPARE(q.queryItemValue(QStringLiteral("follow")), QStringLiteral("0"));
    }

    void logsAllOfTtyContainer()
    {
        LogOptions options;
        options.tailLines = -1;
        std::unique_ptr<LogStream> stream(
            m_provider.containerAccess()->createLogStream(creds(), containerNamed(QStringLiteral("term")), options));
        LogCollector logs(stream.get());
        stream->start();
        QTRY_VERIFY_WITH_TIMEOUT(logs.result.has_value(), 10000);
        QVERIFY2(logs.result->ok(), qPrintable(logs.result->error().toString()));
        QCOMPARE(logs.text, QStringLiteral("root@term:/# ls\nbin  etc  usr\n"));
        QCOMPARE(QUrlQuery(m_fixture->requests().last().query).queryItemValue(QStringLiteral("tail")), QStringLiteral("all"));
    }

    void logsFollowUntilStopped()
    {
        LogOptions options;
        options.follow = true;
        options.tailLines = 1;
        std::unique_ptr<LogStream> stream(
            m_provider.containerAccess()->createLogStream(creds(), containerNamed(QStringLiteral("web")), options));
        LogCollector logs(stream.get());
        stream->start();
        QTRY_VERIFY_WITH_TIMEOUT(logs.text.contains(QStringLiteral("followed line\n")), 10000);
        QCOMPARE(logs.text, QStringLiteral("GET /page/5 200\nfollowed line\n"));
        QVERIFY(!logs.result.has_value());
        stream->stop();
        QTRY_VERIFY_WITH_TIMEOUT(logs.result.has_value(), 5000);
        QVERIFY(logs.result->ok());
    }

    void logsOfVanishedContainer()
    {
        Machine gone;
        gone.kind = MachineKind::Container;
        gone.name = QStringLiteral("ghost");
        gone.externalId = QString(64, QLatin1Char('9'));
        std::unique_ptr<LogStream> stream(m_provider.containerAccess()->createLogStream(creds(), gone, LogOptions{}));
        LogCollector logs(stream.get());
        stream->start();
        QTRY_VERIFY_WITH_TIMEOUT(logs.result.has_value(), 10000);
        QVERIFY(!logs.result->ok());
        QVERIFY2(logs.result->error().message.contains(QStringLiteral("no longer exists")), qPrintable(logs.result->error().message));
    }

    // ---- bad input ------------------------------------------------------------------

    void badEngines_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("pings");   // a local engine that first start would offer
        QTest::newRow("garbage") << int(DockerFixture::Mode::Garbage) << "does not answer like a Docker engine" << false;
        QTest::newRow("closes") << int(DockerFixture::Mode::CloseAtOnce) << "closed the connection without answering" << false;
        QTest::newRow("http, not docker") << int(DockerFixture::Mode::NotDocker) << "is not a Docker engine" << false;
        QTest::newRow("truncated json") << int(DockerFixture::Mode::TruncatedJson) << "malformed JSON" << true;
        QTest::newRow("cut off") << int(DockerFixture::Mode::CutOff) << "closed the connection in the middle" << true;
    }

    void badEngines()
    {
        QFETCH(int, mode);
        QFETCH(QString, expected);
        QFETCH(bool, pings);
        m_fixture->setMode(DockerFixture::Mode(mode));
        PollResult r = m_provider.poll(creds());
        QVERIFY(!r.success);
        QVERIFY(r.machines.isEmpty());
        QVERIFY2(r.error.message.contains(expected), qPrintable(r.error.toString()));
        QCOMPARE(DockerProvider::findLocalEndpoints({m_fixture->socketPath()}, 2000).isEmpty(), !pings);
    }

    void silentSocketTimesOut()
    {
        m_fixture->setMode(DockerFixture::Mode::Silent);
        QElapsedTimer t;
        t.start();
        auto client = DockerClient::connect(creds(), 1000);
        QVERIFY(!client);
        QVERIFY2(client.error().message.contains(QStringLiteral("did not answer in time")), qPrintable(client.error().toString()));
        QVERIFY(t.elapsed() < 5000);
        QVERIFY(DockerProvider::findLocalEndpoints({m_fixture->socketPath()}, 500).isEmpty());
    }

    void garbageFrames()
    {
        const Machine web = containerNamed(QStringLiteral("web"));
        m_fixture->setMode(DockerFixture::Mode::GarbageFrames);
        std::unique_ptr<LogStream> stream(m_provider.containerAccess()->createLogStream(creds(), web, LogOptions{}));
        LogCollector logs(stream.get());
        stream->start();
        QTRY_VERIFY_WITH_TIMEOUT(logs.result.has_value(), 10000);
        QVERIFY(!logs.result->ok());
        QVERIFY2(logs.result->error().message.contains(QStringLiteral("malformed output stream")),
                 qPrintable(logs.result->error().toString()));

        auto out = m_provider.containerAccess()->exec(creds(), web, ExecRequest{{QStringLiteral("echo")}, false, {}});
        QVERIFY(!out);
        QVERIFY2(out.error().message.contains(QStringLiteral("malformed output stream")), qPrintable(out.error().toString()));
    }

    void socketErrors()
    {
        PollResult missing = m_provider.poll(credentialsFor(QStringLiteral("unix:///nonexistent/mist/docker.sock")));
        QVERIFY(!missing.success);
        QVERIFY2(missing.error.message.contains(QStringLiteral("There is no Docker socket at /nonexistent/mist/docker.sock")),
                 qPrintable(missing.error.toString()));

        QTemporaryDir dir;
        const QString plain = dir.filePath(QStringLiteral("not-a-socket"));
        QFile f(plain);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("hello");
        f.close();
        PollResult file = m_provider.poll(credentialsFor(plain));
        QVERIFY(!file.success);
        QVERIFY2(file.error.message.contains(QStringLiteral("is not a socket")), qPrintable(file.error.toString()));

        if (::geteuid() != 0) {   // root ignores file permissions
            QFile::setPermissions(m_fixture->socketPath(), QFileDevice::Permissions());
            PollResult denied = m_provider.poll(creds());
            QVERIFY(!denied.success);
            QVERIFY2(denied.error.message.contains(QStringLiteral("Permission denied")), qPrintable(denied.error.toString()));
            QFile::setPermissions(m_fixture->socketPath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
    }

    void tlsMaterialErrors()
    {
        Credentials c = credentialsFor(QStringLiteral("tcp://127.0.0.1:1"));
        c.config.insert(QStringLiteral("tls_ca"), QStringLiteral("/nonexistent/ca.pem"));
        PollResult r = m_provider.poll(c);
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QStringLiteral("CA certificate file does not exist")), qPrintable(r.error.toString()));

        // A key that is not a key: clear message, and the secret is not echoed back.
        Credentials k = credentialsFor(QStringLiteral("tcp://127.0.0.1:1"));
        k.config.insert(QStringLiteral("tls_cert"), mist::test::dataFile(QStringLiteral("docker/cert.pem")));
        k.secrets.insert(QStringLiteral("tls_key"), QStringLiteral("not-a-key-SECRET-TEXT"));
        PollResult bad = m_provider.poll(k);
        QVERIFY(!bad.success);
        QVERIFY2(bad.error.message.contains(QStringLiteral("TLS private key")), qPrintable(bad.error.toString()));
        QVERIFY(!bad.error.toString().contains(QStringLiteral("SECRET")));
    }

    void findLocalEndpoints()
    {
        DockerFixture garbage;
        QVERIFY(garbage.start());
        garbage.setMode(DockerFixture::Mode::Garbage);
        const QStringList found = DockerProvider::findLocalEndpoints(
            {QStringLiteral("/nonexistent/docker.sock"), garbage.socketPath(), m_fixture->uri(), m_fixture->socketPath()}, 2000);
        QCOMPARE(found, QStringList{m_fixture->uri()});   // the same socket once
        QVERIFY(!DockerProvider::defaultLocalSockets().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDockerProvider)
#include "tst_dockerprovider.moc"
