#include "alerts/webhooksender.h"

#include "secrets/secretstore.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace mist {

namespace {

constexpr int kMaxBackoffMs = 60000;
constexpr int kMaxAnswerChars = 200;

// A JSON string's content without its quotes, so it can sit inside the template's own quotes.
QByteArray jsonEscaped(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(2, array.size() - 4);   // ["..."]
}

QByteArray jsonNumber(std::optional<double> v)
{
    return v && std::isfinite(*v) ? QByteArray::number(*v, 'g', 12) : QByteArrayLiteral("null");
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

bool hasLineBreak(const QString &s)
{
    return s.contains(QLatin1Char('\r')) || s.contains(QLatin1Char('\n'));
}

} // namespace

struct WebhookSender::Delivery
{
    WebhookRequest request;
    QPointer<QObject> context;
    Done done;
    int attempts = 0;
};

QString WebhookRequest::safeTarget() const
{
    return QString::fromLatin1(method) + QLatin1Char(' ')
           + url.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
}

QString WebhookSender::secretOwner(const QString &ruleId)
{
    return QStringLiteral("alert/") + ruleId;
}

QString WebhookSender::secretField(const QString &headerName)
{
    return QStringLiteral("header:") + headerName;
}

Result<QByteArray> WebhookSender::renderBody(const QString &bodyTemplate, const AlertEventContext &c)
{
    const QString status = c.resolved ? QStringLiteral("resolved") : QStringLiteral("firing");
    if (bodyTemplate.trimmed().isEmpty()) {
        QJsonObject o{{QStringLiteral("rule"), c.ruleName},
                      {QStringLiteral("rule_id"), c.ruleId},
                      {QStringLiteral("machine"), c.machineName},
                      {QStringLiteral("machine_id"), c.machineId},
                      {QStringLiteral("status"), status},
                      {QStringLiteral("value"), c.value && std::isfinite(*c.value) ? QJsonValue(*c.value) : QJsonValue()},
                      {QStringLiteral("message"), c.message},
                      {QStringLiteral("time"), isoTime(c.atMs)}};
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    const QHash<QString, QByteArray> values{
        {QStringLiteral("rule"), jsonEscaped(c.ruleName)},
        {QStringLiteral("rule_id"), jsonEscaped(c.ruleId)},
        {QStringLiteral("machine"), jsonEscaped(c.machineName)},
        {QStringLiteral("machine_id"), QByteArray::number(c.machineId)},
        {QStringLiteral("status"), status.toUtf8()},
        {QStringLiteral("value"), jsonNumber(c.value)},
        {QStringLiteral("message"), jsonEscaped(c.message)},
        {QStringLiteral("time"), isoTime(c.atMs).toUtf8()},
    };
    static const QRegularExpression placeholder(QStringLiteral("\\{\\{\\s*([A-Za-z_]+)\\s*\\}\\}"));
    QByteArray body;
    qsizetype from = 0;
    for (auto it = placeholder.globalMatch(bodyTemplate); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const auto value = values.constFind(m.captured(1));
        if (value == values.constEnd())
            return Error{tr("The webhook body uses an unknown placeholder %1.").arg(m.captured(0)),
                         tr("Known: {{rule}}, {{rule_id}}, {{machine}}, {{machine_id}}, {{status}}, {{value}}, {{message}}, {{time}}")};
        body += QStringView(bodyTemplate).mid(from, m.capturedStart() - from).toUtf8();
        body += *value;
        from = m.capturedEnd();
    }
    body += QStringView(bodyTemplate).mid(from).toUtf8();
    QJsonParseError pe;
    QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{tr("The webhook body is not valid JSON once its placeholders are filled in."),
                     tr("%1 at offset %2").arg(pe.errorString()).arg(pe.offset)};
    return body;
}

Result<WebhookRequest> WebhookSender::prepare(const AlertAction &action, const AlertEventContext &c, SecretStore &secrets)
{
    WebhookRequest r;
    r.method = action.method.trimmed().toUpper().toLatin1();
    if (r.method != "POST" && r.method != "PUT")
        return Error{tr("A webhook is sent with POST or PUT, not \"%1\".").arg(action.method), {}};
    r.url = QUrl(action.url.trimmed(), QUrl::StrictMode);
    if (!r.url.isValid() || r.url.host().isEmpty()
        || (r.url.scheme() != QLatin1String("http") && r.url.scheme() != QLatin1String("https")))
        return Error{tr("The webhook address is not an http:// or https:// URL."), r.url.errorString()};
    r.timeoutMs = std::max(1, action.timeoutSeconds) * 1000;
    r.retries = std::clamp(action.retries, 0, 10);
    auto body = renderBody(action.bodyTemplate, c);
    if (!body)
        return body.error();
    r.body = std::move(body).value();
    bool contentType = false;
    for (const auto &[name, value] : action.headers) {
        if (name.trimmed().isEmpty() || hasLineBreak(name) || hasLineBreak(value))
            return Error{tr("The webhook header \"%1\" is not a valid HTTP header.").arg(name.left(40)), {}};
        contentType = contentType || name.trimmed().compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0;
        r.headers.append({name.trimmed().toLatin1(), value.toUtf8()});
    }
    for (const QString &name : action.secretHeaderNames) {
        if (name.trimmed().isEmpty() || hasLineBreak(name))
            return Error{tr("The webhook header \"%1\" is not a valid HTTP header.").arg(name.left(40)), {}};
        auto secret = secrets.read(secretOwner(c.ruleId), secretField(name));
        if (!secret)
            return Error{tr("The secret webhook header %1 could not be read from the keychain.").arg(name),
                         secret.error().toString()};
        if (hasLineBreak(secret.value()))
            return Error{tr("The secret webhook header %1 holds a line break.").arg(name), {}};
        r.headers.append({name.trimmed().toLatin1(), secret.value().toUtf8()});
    }
    if (!contentType)
        r.headers.prepend({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return r;
}

WebhookSender::WebhookSender(QObject *parent)
    : QObject(parent)
{
}

void WebhookSender::send(const WebhookRequest &request, QObject *context, Done done)
{
    auto d = std::make_shared<Delivery>();
    d->request = request;
    d->context = context;
    d->done = std::move(done);
    attempt(d);
}

void WebhookSender::attempt(const std::shared_ptr<Delivery> &d)
{
    ++d->attempts;
    QNetworkRequest req(d->request.url);
    for (const auto &[name, value] : d->request.headers)
        req.setRawHeader(name, value);
    // Qt copies every header onto a followed redirect: the secret ones must not go to another host.
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    QNetworkReply *reply = d->request.method == "PUT" ? m_network.put(req, d->request.body)
                                                      : m_network.post(req, d->request.body);
    // Our own deadline: a server that accepts and never answers must end with a clear error.
    auto timedOut = std::make_shared<bool>(false);
    QTimer::singleShot(d->request.timeoutMs, reply, [reply, timedOut] {
        *timedOut = true;
        reply->abort();
    });
    QPointer<WebhookSender> self(this);
    connect(reply, &QNetworkReply::finished, this, [self, reply, d, timedOut] {
        reply->deleteLater();
        if (!self)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString target = d->request.safeTarget();
        WebhookDelivery out;
        out.attempts = d->attempts;
        out.httpStatus = status;
        const QString tries = d->attempts == 1 ? tr("1 attempt") : tr("%1 attempts").arg(d->attempts);
        if (!*timedOut && status >= 200 && status < 300) {
            out.message = tr("%1: HTTP %2 after %3").arg(target).arg(status).arg(tries);
            self->finish(d, out);
            return;
        }
        QString why;
        if (*timedOut)
            why = d->request.timeoutMs == 1000 ? tr("no answer within 1 second")
                                               : tr("no answer within %1 seconds").arg(d->request.timeoutMs / 1000);
        else if (status > 0)
            why = tr("HTTP %1 %2").arg(status).arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
        else
            // Qt's network errors quote the full URL; a webhook's path or query often is its
            // secret (Slack, Teams), and this text reaches the log, history and audit.
            why = reply->errorString()
                      .replace(d->request.url.toString(), target)
                      .replace(d->request.url.toString(QUrl::FullyEncoded), target);
        QString answer = reply->isOpen() ? QString::fromUtf8(reply->read(kMaxAnswerChars * 4)).simplified().left(kMaxAnswerChars)
                                         : QString();
        // An echoing endpoint may quote the request's headers back; the answer reaches the history.
        for (const auto &[name, value] : d->request.headers)
            if (value.size() >= 4)
                answer.replace(QString::fromUtf8(value), QStringLiteral("•••"));
        const bool final = status >= 300 && status < 500;   // 4xx, or a redirect that was not followed
        if (!final && d->attempts <= d->request.retries) {
            const qint64 delay = std::min<qint64>(kMaxBackoffMs, qint64(self->m_backoffBaseMs) << std::min(d->attempts - 1, 16));
            qCInfo(lcAlerts) << "webhook" << target << "failed:" << why << "- retry in" << delay << "ms";
            QTimer::singleShot(delay, self, [self, d] {
                if (self)
                    self->attempt(d);
            });
            return;
        }
        Error e{final ? tr("The webhook %1 refused the alert (%2).").arg(target, why)
                      : tr("The webhook %1 failed after %2: %3.").arg(target, tries, why),
                answer};
        self->finish(d, e);
    });
}

void WebhookSender::finish(const std::shared_ptr<Delivery> &d, Result<WebhookDelivery> result)
{
    if (d->done && d->context) {
        QPointer<QObject> ctx = d->context;
        QMetaObject::invokeMethod(ctx.data(), [ctx, done = d->done, result = std::move(result)] {
            if (ctx)
                done(result);
        }, Qt::QueuedConnection);
    }
}

} // namespace mist
