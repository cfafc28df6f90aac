// ssh://user@host through Mist's SSH layer against a real sshd on loopback: the provider
// runs `docker system dial-stdio` on the host. Where the host has no reachable engine (this
// sandbox) the remote command's own error must reach the user; where it has one, the poll
// must list it.
#include "sshtestserver.h"

#include "providers/docker/dockerprovider.h"
#include "ssh/hostkeys.h"

#include <QTest>

using namespace mist;
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
