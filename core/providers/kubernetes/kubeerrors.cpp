#include "kubeerrors.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeErrors", text);
}

QString hostOf(const KubeConnection &c)
{
    return c.server.port() > 0 ? QStringLiteral("%1:%2").arg(c.server.host()).arg(c.server.port()) : c.server.host();
}

QString sslText(const QList<QSslError> &errors, const QString &fallback)
{
    QStringList parts;
    for (const QSslError &e : errors)
        parts << e.errorString();
    parts.removeDuplicates();
    return parts.isEmpty() ? fallback : parts.join(QStringLiteral("; "));
}

Error networkError(const KubeConnection &c, const KubeFailure &f)
{
    const QString host = hostOf(c);
    // OpenSSL refuses a certificate/key pair that do not match before any byte is sent.
    if (f.networkText.contains(QLatin1String("private key"), Qt::CaseInsensitive)
        || f.networkText.contains(QLatin1String("key values mismatch"), Qt::CaseInsensitive))
        return Error{tr("The client certificate and the client key do not belong together (%1).").arg(c.credentialName),
                     f.networkText};
    switch (f.network) {
    case QNetworkReply::SslHandshakeFailedError:
        if (!f.sslErrors.isEmpty()
            || (f.networkText.contains(QLatin1String("certificate"), Qt::CaseInsensitive)
                && !f.networkText.contains(QLatin1String("private key"), Qt::CaseInsensitive)))
            return Error{tr("The TLS certificate of the API server %1 could not be verified with %2.").arg(host, c.caDescription),
                         sslText(f.sslErrors, f.networkText)};
        return Error{tr("The TLS handshake with the API server %1 failed (check the client certificate and key).").arg(host),
                     f.networkText};
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
        return Error{tr("The API server %1 is not reachable.").arg(host), f.networkText};
    case QNetworkReply::RemoteHostClosedError:
        return Error{tr("The API server %1 closed the connection.").arg(host), f.networkText};
    default:
        return Error{tr("The request to the API server %1 failed.").arg(host), f.networkText};
    }
}

} // namespace

QString kubeStatusMessage(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    if (o.value(QStringLiteral("kind")).toString() != QLatin1String("Status"))
        return {};
    return o.value(QStringLiteral("message")).toString();
}

QDateTime kubeTokenExpiry(const QByteArray &token)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return {};
    const QByteArray payload = QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding);
    const QJsonValue exp = QJsonDocument::fromJson(payload).object().value(QStringLiteral("exp"));
    if (!exp.isDouble())
        return {};
    return QDateTime::fromSecsSinceEpoch(qint64(exp.toDouble()), Qt::UTC);
}

Error kubeError(const KubeConnection &c, const KubeOperation &op, const KubeFailure &f)
{
    if (f.httpStatus == 0)
        return networkError(c, f);
    const QString host = hostOf(c);
    QString detail = kubeStatusMessage(f.body);
    if (detail.isEmpty())
        detail = QString::fromUtf8(f.body.left(300)).trimmed();
    detail = detail.isEmpty() ? QStringLiteral("HTTP %1").arg(f.httpStatus)
                              : QStringLiteral("HTTP %1: %2").arg(f.httpStatus).arg(detail);
    switch (f.httpStatus) {
    case 401: {
        const QDateTime exp = kubeTokenExpiry(c.bearerToken);
        if (exp.isValid() && exp < QDateTime::currentDateTimeUtc())
            return Error{tr("The %1 expired at %2; get a new one.")
                             .arg(c.credentialName, QLocale().toString(exp.toLocalTime(), QLocale::ShortFormat)),
                         detail};
        return Error{tr("The API server %1 rejected the %2 (401 Unauthorized): it is wrong or expired.").arg(host, c.credentialName),
                     detail};
    }
    case 403:
        return Error{tr("The %1 may not %2 %3 (403 Forbidden).").arg(c.credentialName, op.verb, op.resource), detail};
    case 404:
        return Error{tr("Could not %1 %2: it does not exist (any more).").arg(op.verb, op.resource), detail};
    case 409:
        return Error{tr("Could not %1 %2: it was changed at the same time (409 Conflict); try again.").arg(op.verb, op.resource),
                     detail};
    case 410:
        return Error{tr("The listing of %1 expired on the server (410 Gone).").arg(op.resource), detail};
    case 422:
    case 400:
        return Error{tr("The API server refused to %1 %2.").arg(op.verb, op.resource), detail};
    case 429:
        return Error{tr("The API server %1 is throttling requests (429 Too Many Requests) and still was after waiting.").arg(host),
                     detail};
    default:
        break;
    }
    if (f.httpStatus >= 500)
        return Error{tr("The API server %1 had an internal error while trying to %2 %3, also after retrying.")
                         .arg(host, op.verb, op.resource),
                     detail};
    return Error{tr("Could not %1 %2.").arg(op.verb, op.resource), detail};
}

} // namespace mist
