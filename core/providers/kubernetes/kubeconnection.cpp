#include "kubeconnection.h"

#include "kubecredentialplugin.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslKey>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeConnection", text);
}

Result<QByteArray> readFile(const QString &path, const QString &what)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{tr("Could not read the %1 file %2.").arg(what, path), f.errorString()};
    return f.readAll();
}

// "ca_data" (base64 PEM) wins over "ca_file", as in a kubeconfig.
Result<QByteArray> pemFromConfig(const QJsonObject &config, const QString &dataKey, const QString &fileKey,
                                 const QString &what)
{
    const QString data = config.value(dataKey).toString().trimmed();
    if (!data.isEmpty()) {
        const QByteArray pem = QByteArray::fromBase64(data.toLatin1());
        if (pem.isEmpty())
            return Error{tr("The %1 data is not valid base64.").arg(what), {}};
        return pem;
    }
    const QString file = config.value(fileKey).toString().trimmed();
    if (!file.isEmpty())
        return readFile(file, what);
    return QByteArray();
}

Result<QSslKey> parseKey(const QByteArray &pem)
{
    for (QSsl::KeyAlgorithm alg : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        QSslKey key(pem, alg, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return Error{tr("The client key is not a PEM private key (RSA or EC), or it is encrypted."), {}};
}

Status applyClientCertificate(KubeConnection &c, const QByteArray &certPem, const QByteArray &keyPem)
{
    const QList<QSslCertificate> certs = QSslCertificate::fromData(certPem, QSsl::Pem);
    if (certs.isEmpty())
        return Error{tr("The client certificate is not a PEM certificate."), {}};
    if (keyPem.isEmpty())
        return Error{tr("The client certificate has no private key (add the client key)."), {}};
    auto key = parseKey(keyPem);
    if (!key)
        return key.error();
    c.ssl.setLocalCertificateChain(certs);
    c.ssl.setPrivateKey(*key);
    return {};
}

bool truthy(const QJsonValue &v)
{
    if (v.isBool())
        return v.toBool();
    const QString s = v.toString().trimmed().toLower();
    return s == QLatin1String("true") || s == QLatin1String("1") || s == QLatin1String("yes");
}

} // namespace

QNetworkRequest KubeConnection::request(const QString &pathAndQuery) const
{
    QString base = server.toString(QUrl::FullyEncoded);
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    QNetworkRequest req{QUrl(base + pathAndQuery, QUrl::StrictMode)};
    req.setRawHeader("Accept", "application/json");
    req.setRawHeader("User-Agent", "mist-desktop/" MIST_VERSION);
    if (!bearerToken.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + bearerToken);
    // Qt copies the token onto a followed redirect: never to another host.
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    if (server.scheme() == QLatin1String("https"))
        req.setSslConfiguration(ssl);
    // Watches are long polls over one stream each; HTTP/1.1 keeps them simple and predictable.
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    return req;
}

Result<KubeConnection> KubeConnection::fromCredentials(const Credentials &credentials)
{
    const QJsonObject &config = credentials.config;
    KubeConnection c;
    const QString serverText = config.value(QStringLiteral("server")).toString().trimmed();
    c.server = QUrl(serverText, QUrl::StrictMode);
    if (serverText.isEmpty())
        return Error{tr("The cluster has no API server URL."), {}};
    if (!c.server.isValid() || c.server.host().isEmpty()
        || (c.server.scheme() != QLatin1String("https") && c.server.scheme() != QLatin1String("http")))
        return Error{tr("The API server URL %1 is not an http(s) URL.").arg(serverText), c.server.errorString()};
    QString path = c.server.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    c.server.setPath(path);

    c.defaultNamespace = config.value(QStringLiteral("namespace")).toString().trimmed();
    if (c.defaultNamespace.isEmpty())
        c.defaultNamespace = QStringLiteral("default");
    const QString user = config.value(QStringLiteral("user")).toString();
    const QString ofUser = user.isEmpty() ? QString() : tr(" of user %1").arg(user);

    c.ssl = QSslConfiguration::defaultConfiguration();
    c.insecure = truthy(config.value(QStringLiteral("insecure")));
    auto ca = pemFromConfig(config, QStringLiteral("ca_data"), QStringLiteral("ca_file"), tr("certificate authority"));
    if (!ca)
        return ca.error();
    if (!ca->isEmpty()) {
        const QList<QSslCertificate> cas = QSslCertificate::fromData(*ca, QSsl::Pem);
        if (cas.isEmpty())
            return Error{tr("The cluster's certificate authority is not a PEM certificate."), {}};
        // Like kubectl: the cluster's CA replaces the system store.
        c.ssl.setCaCertificates(cas);
        const QString file = config.value(QStringLiteral("ca_file")).toString();
        c.caDescription = config.value(QStringLiteral("ca_data")).toString().isEmpty() ? tr("the CA file %1").arg(file)
                                                                                       : tr("the CA data of the kubeconfig");
    } else {
        c.caDescription = tr("the system CAs");
    }
    if (c.insecure) {
        c.ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        c.caDescription = tr("no verification (insecure-skip-tls-verify)");
    }

    // Static credentials first; an exec plugin may add to them (as kubectl merges them).
    auto cert = pemFromConfig(config, QStringLiteral("client_cert_data"), QStringLiteral("client_cert_file"),
                              tr("client certificate"));
    if (!cert)
        return cert.error();
    if (!cert->isEmpty()) {
        if (Status s = applyClientCertificate(c, *cert, credentials.secrets.value(QStringLiteral("client_key")).toUtf8()); !s)
            return s.error();
        c.credentialName = tr("client certificate%1").arg(ofUser);
    }
    c.bearerToken = credentials.secrets.value(QStringLiteral("token")).trimmed().toUtf8();
    if (c.bearerToken.isEmpty()) {
        const QString tokenFile = config.value(QStringLiteral("token_file")).toString();
        if (!tokenFile.isEmpty()) {
            auto t = readFile(tokenFile, tr("token"));
            if (!t)
                return t.error();
            c.bearerToken = t->trimmed();
        }
    }
    if (!c.bearerToken.isEmpty())
        c.credentialName = tr("token%1").arg(ofUser);

    const QJsonValue execValue = config.value(QStringLiteral("exec"));
    QJsonObject exec = execValue.toObject();
    if (execValue.isString())   // stored as JSON text by a form
        exec = QJsonDocument::fromJson(execValue.toString().toUtf8()).object();
    if (!exec.isEmpty() && c.bearerToken.isEmpty()) {
        auto plugin = KubeCredentialPlugin::obtain(exec, serverText);
        if (!plugin)
            return plugin.error();
        c.execConfig = exec;
        const QString name = KubeCredentialPlugin::describe(exec);
        if (!plugin->token.isEmpty()) {
            c.bearerToken = plugin->token;
            c.credentialName = tr("token from the credential plugin %1%2").arg(name, ofUser);
        } else {
            if (Status s = applyClientCertificate(c, plugin->clientCertificatePem, plugin->clientKeyPem); !s)
                return s.error();
            c.credentialName = tr("client certificate from the credential plugin %1%2").arg(name, ofUser);
        }
    }
    if (c.credentialName.isEmpty())
        c.credentialName = tr("anonymous access (no credential)");
    return c;
}

} // namespace mist
