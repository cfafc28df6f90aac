// TLS to the API server: the cluster's CA (file or data), client certificates, TLS
// verification failures naming the host and the CA, insecure-skip-tls-verify, a client
// certificate with the wrong key.
#include "kubeapifixture.h"
#include "providers/kubernetes/kubernetesprovider.h"
#include "testsupport.h"

#include <QFile>
#include <QSslSocket>
#include <QTest>

using namespace mist;
using namespace mist::test;

namespace {

QByteArray read(const QString &name)
{
    QFile f(dataFile(QStringLiteral("kube/") + name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestKubeTls : public QObject
{
    Q_OBJECT

    KubeApiFixture *fx = nullptr;
    KubernetesProvider provider;

    PollResult poll(const Credentials &c) { return runOffThread([&] { return provider.poll(c); }); }
    Credentials withClientCert() const
    {
        Credentials c;
        c.config.insert(QStringLiteral("server"), fx->url().toString());
        c.config.insert(QStringLiteral("ca_file"), dataFile(QStringLiteral("kube/ca.crt")));
        c.config.insert(QStringLiteral("client_cert_file"), dataFile(QStringLiteral("kube/client.crt")));
        c.secrets.insert(QStringLiteral("client_key"), QString::fromUtf8(read(QStringLiteral("client.key"))));
        return c;
    }

private slots:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend here");
    }

    void init()
    {
        fx = new KubeApiFixture(this);
        const QSslCertificate cert(read(QStringLiteral("server.crt")));
        const QSslKey key(read(QStringLiteral("server.key")), QSsl::Rsa);
        QVERIFY(!cert.isNull() && !key.isNull());
        QVERIFY(fx->startTls(cert, key, QSslCertificate::fromData(read(QStringLiteral("ca.crt")))));
        fx->setToken("only-for-token-users");
        fx->addNode(QStringLiteral("n1"));
    }
    void cleanup()
    {
        delete fx;
        fx = nullptr;
    }

    void clientCertificate()
    {
        const PollResult r = poll(withClientCert());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(r.machines.size(), 1);
        QCOMPARE(fx->requests().first().clientCertificateCn, QByteArray("dev"));
        QVERIFY(!fx->requests().first().headers.contains("authorization"));
    }

    void caAsData()
    {
        Credentials c = withClientCert();
        c.config.remove(QStringLiteral("ca_file"));
        c.config.insert(QStringLiteral("ca_data"), QString::fromLatin1(read(QStringLiteral("ca.crt")).toBase64()));
        const PollResult r = poll(c);
        QVERIFY2(r.success, qPrintable(r.error.toString()));
    }

    void wrongCa()
    {
        Credentials c = withClientCert();
        c.config.insert(QStringLiteral("ca_file"), dataFile(QStringLiteral("kube/other-ca.crt")));
        const PollResult r = poll(c);
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("127.0.0.1")), qPrintable(r.error.message));
        QVERIFY2(r.error.message.contains(QLatin1String("other-ca.crt")), qPrintable(r.error.message));
        QVERIFY2(r.error.message.contains(QLatin1String("could not be verified")), qPrintable(r.error.message));
        QVERIFY(!r.error.detail.isEmpty());

        c.config.remove(QStringLiteral("ca_file"));   // the system store does not know the test CA either
        const PollResult system = poll(c);
        QVERIFY(!system.success);
        QVERIFY2(system.error.message.contains(QLatin1String("system CAs")), qPrintable(system.error.message));
    }

    void insecureOnlyWhenAsked()
    {
        Credentials c = withClientCert();
        c.config.insert(QStringLiteral("ca_file"), dataFile(QStringLiteral("kube/other-ca.crt")));
        c.config.insert(QStringLiteral("insecure"), true);
        const PollResult r = poll(c);
        QVERIFY2(r.success, qPrintable(r.error.toString()));
    }

    void wrongKeyForCertificate()
    {
        Credentials c = withClientCert();
        c.secrets.insert(QStringLiteral("client_key"), QString::fromUtf8(read(QStringLiteral("other.key"))));
        const PollResult r = poll(c);
        QVERIFY(!r.success);
        QVERIFY2(r.error.message.contains(QLatin1String("do not belong together")), qPrintable(r.error.message));
    }
};

QTEST_GUILESS_MAIN(TestKubeTls)
#include "tst_kubetls.moc"
