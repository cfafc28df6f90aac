#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace mist {

// What a client.authentication.k8s.io exec plugin handed back (ExecCredential.status).
struct KubePluginCredential
{
    QByteArray token;
    QByteArray clientCertificatePem;
    QByteArray clientKeyPem;
    QDateTime expires;   // invalid: valid until the server rejects it
};

// Runs a kubeconfig `exec` credential plugin (command, args, env, apiVersion) the way kubectl
// does, with KUBERNETES_EXEC_INFO set, and caches its answer process-wide until it expires.
// Blocking: worker threads only.
class KubeCredentialPlugin
{
public:
    static Result<KubePluginCredential> obtain(const QJsonObject &exec, const QString &server);
    // Drops a cached answer (the server rejected it: run the plugin again next time).
    static void forget(const QJsonObject &exec);
    // The command shown in messages ("aws-iam-authenticator").
    static QString describe(const QJsonObject &exec);
};

} // namespace mist
