#pragma once

#include "providers/provider.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

namespace mist {

// How to reach one cluster's API server: built from a cloud's credentials (which came from a
// kubeconfig context or from "API URL + token"). Plain value, safe to copy across threads.
struct KubeConnection
{
    QUrl server;                  // "https://host:6443" (a path prefix is kept, no trailing slash)
    QSslConfiguration ssl;        // CA, client certificate/key; VerifyNone only when insecure
    QByteArray bearerToken;       // empty when a client certificate authenticates
    bool insecure = false;        // the kubeconfig said insecure-skip-tls-verify: shown as a warning
    QString defaultNamespace;     // the context's namespace, "default" when unset
    QString credentialName;       // for error messages: "token of user admin", "client certificate of user dev"
    // Added by the API side: which CA verifies the server ("the CA file /x/ca.crt", "the
    // kubeconfig's CA data", "the system CAs"), for TLS failure messages.
    QString caDescription;
    // The exec plugin block when a plugin supplied the credential (its cache is dropped on 401).
    QJsonObject execConfig;

    // A request for an API path ("/api/v1/pods?limit=500") with the auth header and TLS set.
    QNetworkRequest request(const QString &pathAndQuery) const;

    // Reads the cloud's config and secrets (token, client key, exec plugin). Blocking: runs an
    // exec credential plugin when the kubeconfig says so. Worker threads only.
    static Result<KubeConnection> fromCredentials(const Credentials &credentials);
};

} // namespace mist
