// tcp:// with TLS client certificates (as `dockerd --tlsverify` wants them): the fixture
// engine on 127.0.0.1 behind QSslServer, certificates made by openssl for each run.
#include "dockerfixture.h"

#include "providers/docker/dockerprovider.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace mist;
using mist::test::DockerFixture;

class TestDockerTls : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    DockerProvider m_provider;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    bool openssl(const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.start(QStringLiteral("openssl"), args);
        return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    // <name>.pem + <name>-key.pem signed by <ca> (or self-signed when ca is empty).
    bool makeCert(const QString &name, const QString &cn, const QString &ca, const QString &extensions)
    {
        const QString key = name + QStringLiteral("-key.pem"), cert = name + QStringLiteral(".pem");
        if (ca.isEmpty())
            return openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                            QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=") + cn});
        QFile ext(path(name + QStringLiteral(".ext")));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write(extensions.toUtf8());
        ext.close();
        return openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                        QStringLiteral("-keyout"), key, QStringLiteral("-out"), name + QStringLiteral(".csr"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=") + cn})
            && openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), name + QStringLiteral(".csr"),
                        QStringLiteral("-CA"), ca + QStringLiteral(".pem"), QStringLiteral("-CAkey"), ca + QStringLiteral("-key.pem"),
                        QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("2"),
                        QStringLiteral("-extfile"), name + QStringLiteral(".ext")});
    }

    QString read(const QString &name)
    {
        QFile f(path(name));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    Credentials creds(const DockerFixture &engine, const QString &ca, const QString &client)
    {
        Credentials c;
        c.config.insert(QStringLiteral("uri"), engine.uri());
        c.config.insert(QStringLiteral("tls_ca"), path(ca + QStringLiteral(".pem")));
        if (!client.isEmpty()) {
            c.config.insert(QStringLiteral("tls_cert"), path(client + QStringLiteral(".pem")));
            c.secrets.insert(QStringLiteral("tls_key"), read(client + QStringLiteral("-key.pem")));
        }
        return c;
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("openssl is needed to make the test certificates");
        QVERIFY(m_dir.isValid());
        QVERIFY(makeCert(QStringLiteral("ca"), QStringLiteral("Mist test CA"), {}, {}));
        QVERIFY(makeCert(QStringLiteral("other-ca"), QStringLiteral("Some other CA"), {}, {}));
        QVERIFY(makeCert(QStringLiteral("server"), QStringLiteral("127.0.0.1"), QStringLiteral("ca"),
                         QStringLiteral("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")));
        QVERIFY(makeCert(QStringLiteral("client"), QStringLiteral("mist"), QStringLiteral("ca"),
                         QStringLiteral("extendedKeyUsage=clientAuth\n")));
        QVERIFY(makeCert(QStringLiteral("stranger"), QStringLiteral("stranger"), QStringLiteral("other-ca"),
                         QStringLiteral("extendedKeyUsage=clientAuth\n")));
    }

    void pollsOverTlsWithClientCertificate()
    {
        DockerFixture engine;
        QVERIFY2(engine.startTls(path(QStringLiteral("ca.pem")), path(QStringLiteral("server.pem")),
                                 path(QStringLiteral("server-key.pem"))),
                 qPrintable(engine.errorString()));
        for (const auto &c : DockerFixture::sampleContainers())
            engine.addContainer(c);
        PollResult r = m_provider.poll(creds(engine, QStringLiteral("ca"), QStringLiteral("client")));
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(r.machines.size(), 5);
        QCOMPARE(r.machines.first().extra.value(QStringLiteral("endpoint")).toString(), engine.uri());
        QCOMPARE(engine.requests().first().headers.value("host"), engine.uri().mid(6).toUtf8());
        QVERIFY2(engine.violations().isEmpty(), qPrintable(engine.violations().join(QLatin1Char('\n'))));

        // A shell over TLS too: the hijack works on an encrypted stream.
        Machine web;
        for (const Machine &m : r.machines)
            if (m.name == QLatin1String("web"))
                web = m;
        auto out = m_provider.containerAccess()->exec(creds(engine, QStringLiteral("ca"), QStringLiteral("client")), web,
                                                      ExecRequest{{QStringLiteral("echo"), QStringLiteral("over tls")}, false, {}});
        QVERIFY2(out, qPrintable(out.error().toString()));
        QCOMPARE(out->stdoutData, QByteArray("over tls\n"));
    }

    void untrustedServer()
    {
        DockerFixture engine;
        QVERIFY(engine.startTls(path(QStringLiteral("ca.pem")), path(QStringLiteral("server.pem")), path(QStringLiteral("server-key.pem"))));
        PollResult r = m_provider.poll(creds(engine, QStringLiteral("other-ca"), QStringLiteral("client")));
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QStringLiteral("could not be verified with the CA in ") + path(QStringLiteral("other-ca.pem"))),
                 qPrintable(r.error.toString()));
        QVERIFY(r.error.message.contains(QStringLiteral("127.0.0.1")));
    }

    void refusedClientCertificate_data()
    {
        QTest::addColumn<QString>("client");
        QTest::newRow("none") << QString();
        QTest::newRow("signed by another CA") << QStringLiteral("stranger");
    }

    void refusedClientCertificate()
    {
        QFETCH(QString, client);
        DockerFixture engine;
        QVERIFY(engine.startTls(path(QStringLiteral("ca.pem")), path(QStringLiteral("server.pem")), path(QStringLiteral("server-key.pem"))));
        PollResult r = m_provider.poll(creds(engine, QStringLiteral("ca"), client));
        QVERIFY(!r.success);
        QVERIFY(!r.error.message.isEmpty());
        QVERIFY(engine.requests().isEmpty());   // nothing got through
        const QString key = client.isEmpty() ? QString() : read(client + QStringLiteral("-key.pem"));
        QVERIFY(key.isEmpty() || !r.error.toString().contains(key.mid(40, 40)));   // the key never shows
    }

    void certificateAndKeyDoNotMatch()
    {
        DockerFixture engine;
        QVERIFY(engine.startTls(path(QStringLiteral("ca.pem")), path(QStringLiteral("server.pem")), path(QStringLiteral("server-key.pem"))));
        Credentials c = creds(engine, QStringLiteral("ca"), QStringLiteral("client"));
        c.secrets.insert(QStringLiteral("tls_key"), read(QStringLiteral("stranger-key.pem")));
        PollResult r = m_provider.poll(c);
        QVERIFY(!r.success);
        QVERIFY2(!r.error.message.isEmpty(), qPrintable(r.error.toString()));
        QVERIFY(engine.requests().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDockerTls)
#include "tst_dockertls.moc"
