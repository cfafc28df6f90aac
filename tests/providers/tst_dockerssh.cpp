// ssh://user@host through Mist's SSH layer against a real sshd on loopback: the provider
// runs `docker system dial-stdio` on the host. Where the host has no reachable engine (this
// sandbox) the remote command's own error must reach the user; where it has one, the poll
// must list it.
#include "dockerfixture.h"
#include "sshtestserver.h"

#include "providers/docker/dockerprovider.h"
#include "ssh/hostkeys.h"

#include <QStandardPaths>
#include <QTest>

using namespace mist;
using mist::test::DockerFixture;
using mist::test::PinnedHostKey;
using mist::test::SshTestServer;

class TestDockerSsh : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<SshTestServer> m_server;
    DockerProvider m_provider;

    Credentials creds(const QString &identityFile)
    {
        Credentials c;
        c.config.insert(QStringLiteral("uri"), QStringLiteral("ssh://%1@%2:%3").arg(m_server->user(), m_server->host()).arg(m_server->port()));
        c.config.insert(QStringLiteral("identity_file"), identityFile);
        c.hostKeys = std::make_shared<PinnedHostKey>(m_server->hostKeyFingerprint());
        return c;
    }

private slots:
    void initTestCase()
    {
        if (const QString why = SshTestServer::notRunnableReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        m_server = std::make_unique<SshTestServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }

    void pollThroughSsh()
    {
        qunsetenv("SSH_AUTH_SOCK");   // only the identity file
        PollResult r = m_provider.poll(creds(m_server->clientKeyPath()));
        if (r.success) {   // the host runs an engine the docker CLI reaches
            QCOMPARE(r.machines.first().kind, MachineKind::ContainerHost);
            return;
        }
        // No engine behind it: what the remote side said, not a hang or a parse error.
        const QString text = r.error.toString();
        QVERIFY2(text.contains(QStringLiteral("dial-stdio")) || text.contains(QStringLiteral("not installed")), qPrintable(text));
        QVERIFY2(!r.error.detail.isEmpty(), qPrintable(text));
        qInfo() << "as the user sees it:" << text;
    }

    // The whole path: SSH, `docker system dial-stdio` on the far side, the Engine API through it.
    // Needs a docker CLI on this host (the remote end here); the engine is the fixture.
    void pollAndActThroughSshToAnEngine()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("docker")).isEmpty())
            QSKIP("no docker CLI on this host to run `docker system dial-stdio`");
        qunsetenv("SSH_AUTH_SOCK");
        DockerFixture engine;
        QVERIFY2(engine.start(), qPrintable(engine.errorString()));
        for (const auto &c : DockerFixture::sampleContainers())
            engine.addContainer(c);
        SshTestServer::Options options;
        options.environment << QStringLiteral("DOCKER_HOST=") + engine.uri();
        SshTestServer server(options);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Credentials c;
        c.config.insert(QStringLiteral("uri"), QStringLiteral("ssh://%1@%2:%3").arg(server.user(), server.host()).arg(server.port()));
        c.config.insert(QStringLiteral("identity_file"), server.clientKeyPath());
        c.hostKeys = std::make_shared<PinnedHostKey>(server.hostKeyFingerprint());
        const PollResult r = m_provider.poll(c);
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        Machine web;
        for (const Machine &m : r.machines)
            if (m.name == QLatin1String("web"))
                web = m;
        QCOMPARE(web.kind, MachineKind::Container);
        QVERIFY(m_provider.runAction(c, web, ActionRequest{Action::Restart, {}}).ok());
        bool restarted = false;
        for (const auto &req : engine.requests())
            restarted |= req.method == "POST" && req.path.endsWith(QLatin1String("/restart"));
        QVERIFY(restarted);
        QVERIFY2(engine.violations().isEmpty(), qPrintable(engine.violations().join(QLatin1Char('\n'))));
    }

    void refusedKey()
    {
        qunsetenv("SSH_AUTH_SOCK");
        PollResult r = m_provider.poll(creds(QStringLiteral("/nonexistent/id_ed25519")));
        QVERIFY(!r.success);
        QVERIFY(!r.error.message.isEmpty());
        qInfo() << "as the user sees it:" << r.error.toString();
    }

    void unknownHostKeyIsRefused()
    {
        Credentials c = creds(m_server->clientKeyPath());
        c.hostKeys = std::make_shared<PinnedHostKey>(QStringLiteral("SHA256:somethingelse"));
        PollResult r = m_provider.poll(c);
        QVERIFY(!r.success);
        qInfo() << "as the user sees it:" << r.error.toString();
    }
};

QTEST_GUILESS_MAIN(TestDockerSsh)
#include "tst_dockerssh.moc"
