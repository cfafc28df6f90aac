#include "kubecredentialplugin.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QProcess>
#include <QProcessEnvironment>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeCredentialPlugin", text);
}

struct Cache
{
    QMutex mutex;
    QHash<QByteArray, KubePluginCredential> entries;
};

Cache &cache()
{
    static Cache c;
    return c;
}

QByteArray cacheKey(const QJsonObject &exec)
{
    return QJsonDocument(exec).toJson(QJsonDocument::Compact);
}

QByteArray execInfo(const QString &apiVersion)
{
    QJsonObject spec{{QStringLiteral("interactive"), false}};
    return QJsonDocument(QJsonObject{{QStringLiteral("apiVersion"), apiVersion},
                                     {QStringLiteral("kind"), QStringLiteral("ExecCredential")},
                                     {QStringLiteral("spec"), spec}})
        .toJson(QJsonDocument::Compact);
}

Result<KubePluginCredential> parseOutput(const QByteArray &out, const QString &apiVersion, const QString &what)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &perr);
    if (!doc.isObject())
        return Error{tr("The credential plugin %1 did not print an ExecCredential.").arg(what), perr.errorString()};
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("kind")).toString() != QLatin1String("ExecCredential"))
        return Error{tr("The credential plugin %1 did not print an ExecCredential.").arg(what),
                     QStringLiteral("kind: %1").arg(root.value(QStringLiteral("kind")).toString())};
    const QString got = root.value(QStringLiteral("apiVersion")).toString();
    if (!apiVersion.isEmpty() && got != apiVersion)
        return Error{tr("The credential plugin %1 answered with another API version.").arg(what),
                     QStringLiteral("expected %1, got %2").arg(apiVersion, got)};
    const QJsonObject status = root.value(QStringLiteral("status")).toObject();
    KubePluginCredential c;
    c.token = status.value(QStringLiteral("token")).toString().toUtf8();
    c.clientCertificatePem = status.value(QStringLiteral("clientCertificateData")).toString().toUtf8();
    c.clientKeyPem = status.value(QStringLiteral("clientKeyData")).toString().toUtf8();
    const QString exp = status.value(QStringLiteral("expirationTimestamp")).toString();
    if (!exp.isEmpty())
        c.expires = QDateTime::fromString(exp, Qt::ISODate);
    if (c.token.isEmpty() && (c.clientCertificatePem.isEmpty() || c.clientKeyPem.isEmpty()))
        return Error{tr("The credential plugin %1 returned neither a token nor a client certificate and key.").arg(what), {}};
    return c;
}

} // namespace

QString KubeCredentialPlugin::describe(const QJsonObject &exec)
{
    return exec.value(QStringLiteral("command")).toString();
}

void KubeCredentialPlugin::forget(const QJsonObject &exec)
{
    QMutexLocker lock(&cache().mutex);
    cache().entries.remove(cacheKey(exec));
}

Result<KubePluginCredential> KubeCredentialPlugin::obtain(const QJsonObject &exec, const QString &server)
{
    const QByteArray key = cacheKey(exec);
    {
        QMutexLocker lock(&cache().mutex);
        auto it = cache().entries.constFind(key);
        // A minute of margin so a request never leaves with a token about to expire.
        if (it != cache().entries.constEnd()
            && (!it->expires.isValid() || it->expires > QDateTime::currentDateTimeUtc().addSecs(60)))
            return *it;
    }

    const QString command = exec.value(QStringLiteral("command")).toString();
    const QString what = command.isEmpty() ? tr("(no command)") : command;
    if (command.isEmpty())
        return Error{tr("The kubeconfig's exec credential plugin has no command."), {}};
    const QString apiVersion = exec.value(QStringLiteral("apiVersion")).toString();
    if (!apiVersion.isEmpty() && apiVersion != QLatin1String("client.authentication.k8s.io/v1")
        && apiVersion != QLatin1String("client.authentication.k8s.io/v1beta1"))
        return Error{tr("The credential plugin %1 uses an unsupported API version.").arg(what), apiVersion};

    QStringList args;
    for (const QJsonValue &a : exec.value(QStringLiteral("args")).toArray())
        args << a.toString();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QJsonValue &e : exec.value(QStringLiteral("env")).toArray())
        env.insert(e.toObject().value(QStringLiteral("name")).toString(),
                   e.toObject().value(QStringLiteral("value")).toString());
    env.insert(QStringLiteral("KUBERNETES_EXEC_INFO"),
               QString::fromUtf8(execInfo(apiVersion.isEmpty() ? QStringLiteral("client.authentication.k8s.io/v1") : apiVersion)));

    QProcess process;
    process.setProcessEnvironment(env);
    process.setProgram(command);
    process.setArguments(args);
    process.start(QIODevice::ReadOnly);
    if (!process.waitForStarted(10000)) {
        QString hint = exec.value(QStringLiteral("installHint")).toString().trimmed();
        return Error{tr("Could not run the credential plugin %1.").arg(what),
                     hint.isEmpty() ? process.errorString() : process.errorString() + QStringLiteral(" — ") + hint};
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished(2000);
        return Error{tr("The credential plugin %1 did not finish within a minute.").arg(what), {}};
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        const QString err = QString::fromUtf8(process.readAllStandardError()).trimmed().right(400);
        return Error{tr("The credential plugin %1 failed (exit status %2).").arg(what).arg(process.exitCode()), err};
    }
    auto parsed = parseOutput(process.readAllStandardOutput(), apiVersion, what);
    if (!parsed)
        return parsed;
    qCDebug(lcProviderKube) << "credential plugin" << command << "for" << server << "ok, expires"
                            << parsed->expires;
    QMutexLocker lock(&cache().mutex);
    cache().entries.insert(key, *parsed);
    return parsed;
}

} // namespace mist
