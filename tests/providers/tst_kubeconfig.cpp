// Kubeconfig import (yaml-cpp) and turning a context into a connection: tokens, client
// certificates as data and as files, several contexts and files, exec credential plugins,
// malformed input.
#include "providers/kubernetes/kubeconfig.h"
#include "providers/kubernetes/kubeconnection.h"
#include "providers/kubernetes/kubecredentialplugin.h"
#include "testsupport.h"

#include <QFile>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

using namespace mist;

class TestKubeconfig : public QObject
{
    Q_OBJECT

private:
    static QString kube(const QString &name) { return test::dataFile(QStringLiteral("kube/") + name); }

private slots:
    void severalContexts()
    {
        auto r = KubeconfigReader::readFiles({kube(QStringLiteral("several-contexts.yaml"))});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->currentContext, QStringLiteral("dev"));
        QCOMPARE(r->contexts.size(), 3);   // "broken" names a missing cluster
        QCOMPARE(r->warnings.size(), 1);
        QVERIFY(r->warnings.first().contains(QLatin1String("no-such-cluster")));

        const KubeContextImport *admin = r->context(QStringLiteral("prod-admin"));
        QVERIFY(admin);
        QCOMPARE(admin->server, QStringLiteral("https://127.0.0.1:6443"));
        QCOMPARE(admin->secrets.value(QStringLiteral("token")), QStringLiteral("sekrit-admin-token"));
        QVERIFY(!admin->config.contains(QStringLiteral("token")));
        QVERIFY(!QJsonDocument(admin->config).toJson().contains("sekrit"));
        QVERIFY(!admin->config.value(QStringLiteral("ca_data")).toString().isEmpty());
        QCOMPARE(admin->config.value(QStringLiteral("context")).toString(), QStringLiteral("prod-admin"));
        QVERIFY(!admin->current);

        const KubeContextImport *dev = r->context(QStringLiteral("dev"));
        QVERIFY(dev && dev->current);
        QCOMPARE(dev->namespaceName, QStringLiteral("team-a"));
        QCOMPARE(dev->config.value(QStringLiteral("namespace")).toString(), QStringLiteral("team-a"));
        QVERIFY(!dev->config.value(QStringLiteral("client_cert_data")).toString().isEmpty());
        QVERIFY(dev->secrets.value(QStringLiteral("client_key")).startsWith(QLatin1String("-----BEGIN")));
        QVERIFY(!QJsonDocument(dev->config).toJson().contains("PRIVATE KEY"));

        const KubeContextImport *lab = r->context(QStringLiteral("lab"));
        QVERIFY(lab && lab->insecure);
        QVERIFY(lab->config.value(QStringLiteral("insecure")).toBool());
        QVERIFY(!lab->warnings.isEmpty());
        QVERIFY(lab->warnings.first().contains(QLatin1String("insecure-skip-tls-verify")));
        QVERIFY(!admin->config.value(QStringLiteral("insecure")).toBool());
    }

    void connectionFromCertificateData()
    {
        auto r = KubeconfigReader::readFiles({kube(QStringLiteral("several-contexts.yaml"))});
        QVERIFY(r.ok());
        auto c = KubeConnection::fromCredentials(r->context(QStringLiteral("dev"))->credentials());
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QVERIFY(c->bearerToken.isEmpty());
        QVERIFY(!c->ssl.localCertificate().isNull());
        QVERIFY(!c->ssl.privateKey().isNull());
        QCOMPARE(c->ssl.caCertificates().size(), 1);
        QCOMPARE(c->defaultNamespace, QStringLiteral("team-a"));
        QVERIFY(c->credentialName.contains(QLatin1String("client certificate")));
        QVERIFY(c->credentialName.contains(QLatin1String("developer")));

        auto admin = KubeConnection::fromCredentials(r->context(QStringLiteral("prod-admin"))->credentials());
        QVERIFY(admin.ok());
        QCOMPARE(admin->bearerToken, QByteArray("sekrit-admin-token"));
        QCOMPARE(admin->defaultNamespace, QStringLiteral("default"));
        const QNetworkRequest req = admin->request(QStringLiteral("/api/v1/pods?limit=5"));
        QCOMPARE(req.url().toString(), QStringLiteral("https://127.0.0.1:6443/api/v1/pods?limit=5"));
        QCOMPARE(req.rawHeader("Authorization"), QByteArray("Bearer sekrit-admin-token"));
        QCOMPARE(req.sslConfiguration().peerVerifyMode(), QSslSocket::AutoVerifyPeer);

        auto lab = KubeConnection::fromCredentials(r->context(QStringLiteral("lab"))->credentials());
        QVERIFY(lab.ok());
        QVERIFY(lab->insecure);
        QCOMPARE(lab->ssl.peerVerifyMode(), QSslSocket::VerifyNone);
        QCOMPARE(lab->request(QStringLiteral("/version")).url().toString(), QStringLiteral("https://lab.example.com:6443/version"));
    }

    void filesRelativeToTheKubeconfig()
    {
        auto r = KubeconfigReader::readFiles({kube(QStringLiteral("files.yaml"))});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        const KubeContextImport *files = r->context(QStringLiteral("files"));
        QVERIFY(files);
        QCOMPARE(files->config.value(QStringLiteral("ca_file")).toString(), kube(QStringLiteral("ca.crt")));
        QCOMPARE(files->config.value(QStringLiteral("client_cert_file")).toString(), kube(QStringLiteral("client.crt")));
        // The key file's contents are a secret, not a path in the config.
        QFile key(kube(QStringLiteral("client.key")));
        QVERIFY(key.open(QIODevice::ReadOnly));
        QCOMPARE(files->secrets.value(QStringLiteral("client_key")).toUtf8(), key.readAll());
        QVERIFY(!files->config.contains(QStringLiteral("client_key_file")));
        auto c = KubeConnection::fromCredentials(files->credentials());
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QVERIFY(c->caDescription.contains(kube(QStringLiteral("ca.crt"))));

        const KubeContextImport *tf = r->context(QStringLiteral("token-file"));
        QVERIFY(tf);
        QCOMPARE(tf->config.value(QStringLiteral("token_file")).toString(), kube(QStringLiteral("token.txt")));
        auto t = KubeConnection::fromCredentials(tf->credentials());
        QVERIFY(t.ok());
        QCOMPARE(t->bearerToken, QByteArray("token-from-file"));
    }

    void severalFilesFirstWins()
    {
        auto r = KubeconfigReader::readFiles({kube(QStringLiteral("merge-a.yaml")), kube(QStringLiteral("merge-b.yaml"))});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->currentContext, QStringLiteral("shared"));
        QCOMPARE(r->contexts.size(), 2);
        const KubeContextImport *shared = r->context(QStringLiteral("shared"));
        QCOMPARE(shared->server, QStringLiteral("https://a.example.com"));
        QCOMPARE(shared->secrets.value(QStringLiteral("token")), QStringLiteral("token-a"));
        QCOMPARE(shared->config.value(QStringLiteral("kubeconfig")).toString(), kube(QStringLiteral("merge-a.yaml")));
        const KubeContextImport *onlyB = r->context(QStringLiteral("only-b"));
        QCOMPARE(onlyB->server, QStringLiteral("https://b-only.example.com"));
        QCOMPARE(onlyB->secrets.value(QStringLiteral("token")), QStringLiteral("token-a"));   // user from a wins

        qputenv("KUBECONFIG", (kube(QStringLiteral("merge-b.yaml")) + QDir::listSeparator() + QStringLiteral("/nonexistent/x")
                               + QDir::listSeparator() + kube(QStringLiteral("merge-a.yaml"))).toUtf8());
        QCOMPARE(KubeconfigReader::defaultPaths(), (QStringList{kube(QStringLiteral("merge-b.yaml")), kube(QStringLiteral("merge-a.yaml"))}));
        auto d = KubeconfigReader::readDefault();
        QVERIFY(d.ok());
        QCOMPARE(d->currentContext, QStringLiteral("only-b"));
        QCOMPARE(d->context(QStringLiteral("shared"))->server, QStringLiteral("https://b-only.example.com"));
        qunsetenv("KUBECONFIG");
    }

    void execPlugin()
    {
        QTemporaryDir tmp;
        const QString count = tmp.filePath(QStringLiteral("count"));
        qputenv("MIST_PLUGIN_COUNT", count.toUtf8());
        auto r = KubeconfigReader::readFiles({kube(QStringLiteral("exec.yaml"))});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        const KubeContextImport *ctx = r->context(QStringLiteral("exec"));
        const QJsonObject exec = ctx->config.value(QStringLiteral("exec")).toObject();
        QCOMPARE(exec.value(QStringLiteral("command")).toString(), kube(QStringLiteral("exec-plugin.sh")));   // relative → absolute
        QCOMPARE(exec.value(QStringLiteral("args")).toArray().size(), 2);

        auto c = KubeConnection::fromCredentials(ctx->credentials());
        QVERIFY2(c.ok(), qPrintable(c.error().toString()));
        QCOMPARE(c->bearerToken, QByteArray("token-from-plugin"));
        QVERIFY(c->credentialName.contains(QLatin1String("credential plugin")));
        // Cached until it expires: a second connection does not run the plugin again.
        auto again = KubeConnection::fromCredentials(ctx->credentials());
        QVERIFY(again.ok());
        QFile f(count);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 1);
        f.close();

        // An answer that already expired is not reused.
        KubeCredentialPlugin::forget(exec);
        qputenv("MIST_PLUGIN_EXPIRES", "2001-01-01T00:00:00Z");
        QVERIFY(KubeConnection::fromCredentials(ctx->credentials()).ok());
        QVERIFY(KubeConnection::fromCredentials(ctx->credentials()).ok());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 3);
        qunsetenv("MIST_PLUGIN_EXPIRES");
        KubeCredentialPlugin::forget(exec);

        qputenv("MIST_PLUGIN_FAIL", "1");
        auto failed = KubeConnection::fromCredentials(ctx->credentials());
        qunsetenv("MIST_PLUGIN_FAIL");
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().message.contains(QLatin1String("exec-plugin.sh")));
        QVERIFY(failed.error().detail.contains(QLatin1String("login required")));

        qputenv("MIST_PLUGIN_JUNK", "1");
        auto junk = KubeConnection::fromCredentials(ctx->credentials());
        qunsetenv("MIST_PLUGIN_JUNK");
        QVERIFY(!junk.ok());
        QVERIFY(junk.error().message.contains(QLatin1String("ExecCredential")));

        Credentials missing = ctx->credentials();
        QJsonObject e = exec;
        e.insert(QStringLiteral("command"), QStringLiteral("/nonexistent/plugin"));
        missing.config.insert(QStringLiteral("exec"), e);
        auto notThere = KubeConnection::fromCredentials(missing);
        QVERIFY(!notThere.ok());
        QVERIFY(notThere.error().detail.contains(QLatin1String("install the test plugin")));
        qunsetenv("MIST_PLUGIN_COUNT");
    }

    void malformedYaml()
    {
        auto r = KubeconfigReader::readFiles({kube(QStringLiteral("malformed.yaml"))});
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QLatin1String("line 7")), qPrintable(r.error().toString()));
        QVERIFY(r.error().message.contains(QLatin1String("column")));
        QVERIFY(r.error().message.contains(QLatin1String("malformed.yaml")));

        auto list = KubeconfigReader::readFiles({kube(QStringLiteral("not-a-kubeconfig.yaml"))});
        QVERIFY(!list.ok());
        QVERIFY(list.error().message.contains(QLatin1String("not a kubeconfig")));

        auto missing = KubeconfigReader::readFiles({QStringLiteral("/nonexistent/kubeconfig")});
        QVERIFY(!missing.ok());

        auto wrongShape = KubeconfigReader::readText("clusters: {a: 1}\n", QStringLiteral("mem.yaml"));
        QVERIFY(!wrongShape.ok());
        QVERIFY(wrongShape.error().message.contains(QLatin1String("must be a list")));

        auto noName = KubeconfigReader::readText("contexts:\n- context: {cluster: a}\n", QStringLiteral("mem.yaml"));
        QVERIFY(!noName.ok());

        auto empty = KubeconfigReader::readText("", QStringLiteral("empty.yaml"));
        QVERIFY(empty.ok());
        QVERIFY(empty->contexts.isEmpty());

        // Garbage bytes never crash.
        QByteArray junk;
        for (int i = 0; i < 4096; ++i)
            junk += char((i * 7919) % 256);
        (void)KubeconfigReader::readText(junk, QStringLiteral("junk.yaml"));
    }

    void badCredentials()
    {
        Credentials c;
        c.config.insert(QStringLiteral("server"), QStringLiteral("ftp://x"));
        QVERIFY(!KubeConnection::fromCredentials(c).ok());
        c.config.insert(QStringLiteral("server"), QStringLiteral("https://127.0.0.1:6443"));
        c.config.insert(QStringLiteral("ca_data"), QStringLiteral("bm90IGEgY2VydA=="));   // "not a cert"
        auto badCa = KubeConnection::fromCredentials(c);
        QVERIFY(!badCa.ok());
        QVERIFY(badCa.error().message.contains(QLatin1String("certificate authority")));
        c.config.remove(QStringLiteral("ca_data"));
        c.config.insert(QStringLiteral("client_cert_file"), kube(QStringLiteral("client.crt")));
        auto noKey = KubeConnection::fromCredentials(c);
        QVERIFY(!noKey.ok());
        QVERIFY(noKey.error().message.contains(QLatin1String("private key")));
        c.secrets.insert(QStringLiteral("client_key"), QStringLiteral("garbage"));
        QVERIFY(!KubeConnection::fromCredentials(c).ok());
        c.config.insert(QStringLiteral("ca_file"), QStringLiteral("/nonexistent/ca.crt"));
        auto noFile = KubeConnection::fromCredentials(c);
        QVERIFY(!noFile.ok());
        QVERIFY(noFile.error().message.contains(QLatin1String("/nonexistent/ca.crt")));
    }
};

QTEST_GUILESS_MAIN(TestKubeconfig)
#include "tst_kubeconfig.moc"
