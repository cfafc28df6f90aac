#pragma once

#include "alerts/alertrule.h"
#include "util/result.h"

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

#include <functional>
#include <optional>

namespace mist {

class SecretStore;

// What an alert event is about: fills a webhook body's placeholders and the history lines.
struct AlertEventContext
{
    QString ruleId;
    QString ruleName;
    qint64 machineId = 0;
    QString machineName;
    bool resolved = false;            // {{status}}: "resolved", else "firing"
    std::optional<double> value;      // {{value}}: a JSON number, or null
    QString message;
    qint64 atMs = 0;                  // {{time}}: ISO 8601 UTC
};

// A webhook call ready to go. Header values may be secrets (from the keychain): never log them.
struct WebhookRequest
{
    QByteArray method;                                    // "POST" or "PUT"
    QUrl url;
    QVector<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int timeoutMs = 10000;                                // per attempt
    int retries = 3;                                      // after a 5xx, a network failure or a timeout

    // scheme://host[:port] only: paths and queries often carry tokens (Slack, Teams...).
    QString safeTarget() const;
};

struct WebhookDelivery
{
    int attempts = 0;
    int httpStatus = 0;
    QString message;   // "POST https://hooks.example.com: HTTP 200 after 3 attempts"
};

// Sends alert webhooks with QNetworkAccessManager on the thread the sender lives in (the GUI
// thread: asynchronous, nothing blocks). Retries with exponential backoff (base, 2×, 4×...,
// at most 60 s) after a 5xx answer, a network error or a timeout; a 4xx answer (or a redirect
// QNetworkAccessManager would not follow) is final. Only 2xx is a success.
class WebhookSender : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(Result<WebhookDelivery>)>;

    // "alert/<rule id>" and "header:<Name>": where a rule's secret header values live.
    static QString secretOwner(const QString &ruleId);
    static QString secretField(const QString &headerName);

    // The template with {{rule}} {{rule_id}} {{machine}} {{machine_id}} {{status}} {{value}}
    // {{message}} {{time}} replaced: strings JSON-escaped without quotes (so they go inside the
    // template's own quotes), numbers bare, a missing value as null. The result must be valid
    // JSON. An empty template gives an object with all of these fields.
    static Result<QByteArray> renderBody(const QString &bodyTemplate, const AlertEventContext &context);

    // Checks the action (method, URL, header names) and reads its secret headers from the
    // keychain. Blocking: a worker thread, never the GUI thread.
    static Result<WebhookRequest> prepare(const AlertAction &action, const AlertEventContext &context,
                                          SecretStore &secrets);

    explicit WebhookSender(QObject *parent = nullptr);

    void setBackoffBaseMs(int ms) { m_backoffBaseMs = ms; }

    // Delivers (with retries); `done` runs once, in `context`'s thread, unless context is gone.
    void send(const WebhookRequest &request, QObject *context, Done done);

private:
    struct Delivery;
    void attempt(const std::shared_ptr<Delivery> &d);
    void finish(const std::shared_ptr<Delivery> &d, Result<WebhookDelivery> result);

    QNetworkAccessManager m_network;
    int m_backoffBaseMs = 1000;
};

} // namespace mist
