#pragma once

#include "kubeconnection.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QNetworkReply>
#include <QSslError>
#include <QString>

namespace mist {

// What a request was for, in words: the verb and resource an error message names
// ("list" "pods in all namespaces", "patch" "node worker-1").
struct KubeOperation
{
    QString verb;
    QString resource;
};

// One failed exchange with the API server, as the network layer saw it.
struct KubeFailure
{
    int httpStatus = 0;                     // 0: no HTTP answer
    QNetworkReply::NetworkError network = QNetworkReply::NoError;
    QString networkText;
    QList<QSslError> sslErrors;
    QByteArray body;                        // a Status object, usually
};

// Turns a failure into the sentence a user reads: which credential was refused, which
// verb/resource was forbidden, which host/CA failed TLS verification, and so on.
Error kubeError(const KubeConnection &connection, const KubeOperation &op, const KubeFailure &failure);

// The `message` of a Kubernetes Status object, or empty.
QString kubeStatusMessage(const QByteArray &body);
// The JWT's `exp` when `token` is a JWT, else invalid. Tokens are never logged.
QDateTime kubeTokenExpiry(const QByteArray &token);

} // namespace mist
