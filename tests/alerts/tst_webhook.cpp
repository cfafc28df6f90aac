// Alert webhooks against a real Qt HTTP Server fixture: the body template with JSON-escaped
// placeholders, plain and secret headers (the secret from a real keychain), method; retries
// with backoff on 5xx and network failures, none on 4xx; a server that never answers ends
// with a timeout error.

#include "alerts/webhooksender.h"
#include "secrets/secretstore.h"
#include "testsupport.h"
#include "webhookfixture.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QtTest>

#include <optional>

using namespace mist;
using namespace mist::test;

namespace {

AlertEventContext alertEvent()
{
    AlertEventContext c;
    c.ruleId = QStringLiteral("rule-1");
    c.ruleName = QStringLiteral("High \"CPU\"");
    c.machineId = 42;
    c.machineName = QStringLiteral("web\\1");
    c.value = 93.5;
    c.message = QStringLiteral("line one\nline \"two\" \t ünïcode");
    c.atMs = 1764000000123;
    return c;
}

AlertAction hook(const QString &url)
{
    AlertAction a;
    a.kind = AlertAction::Kind::Webhook;
    a.url = url;
    a.timeoutSeconds = 5;
    a.retries = 3;
    return a;
}

} // namespace

class TestWebhook : public QObject
{
    Q_OBJECT

    const QString m_service = QStringLiteral("mist-test-webhook-%1").arg(QCoreApplication::applicationPid());

    // Delivers and waits; the answer or nullopt on a (test) timeout.
    std::optional<Result<WebhookDelivery>> deliver(WebhookSender &sender, const WebhookRequest &request, int waitMs = 20000)
    {
        std::optional<Result<WebhookDelivery>> out;
        sender.send(request, this, [&](Result<WebhookDelivery> r) { out = std::move(r); });
        (void)QTest::qWaitFor([&] { return out.has_value(); }, waitMs);
        return out;
    }

    Result<WebhookRequest> prepared(const AlertAction &a)
    {
        SecretStore secrets(m_service);
        return WebhookSender::prepare(a, alertEvent(), secrets);
    }

private slots:
    void initTestCase()
    {
        qputenv("MIST_KEYCHAIN_SERVICE", m_service.toUtf8());
    }

    void renderBody()
    {
        const QByteArray body = WebhookSender::renderBody(
            QStringLiteral("{\"text\": \"{{rule}} on {{machine}}: {{message}}\", \"v\": {{value}}, \"id\": {{machine_id}},"
                           " \"s\": \"{{status}}\", \"t\": \"{{ time }}\", \"r\": \"{{rule_id}}\"}"),
            alertEvent()).value();
        QJsonParseError pe;
        const QJsonObject o = QJsonDocument::fromJson(body, &pe).object();
        QCOMPARE(pe.error, QJsonParseError::NoError);
        QCOMPARE(o.value("text").toString(), QStringLiteral("High \"CPU\" on web\\1: line one\nline \"two\" \t ünïcode"));
        QCOMPARE(o.value("v").toDouble(), 93.5);
        QCOMPARE(o.value("id").toInt(), 42);
        QCOMPARE(o.value("s").toString(), QStringLiteral("firing"));
        QCOMPARE(o.value("t").toString(), QStringLiteral("2025-11-24T16:00:00.123Z"));
        QCOMPARE(o.value("r").toString(), QStringLiteral("rule-1"));

        // No value (NoData): null; resolved status.
        AlertEventContext c = alertEvent();
        c.value.reset();
        c.resolved = true;
        const QJsonObject o2 = QJsonDocument::fromJson(
            WebhookSender::renderBody(QStringLiteral("{\"v\": {{value}}, \"s\": \"{{status}}\"}"), c).value()).object();
        QVERIFY(o2.value("v").isNull());
        QCOMPARE(o2.value("s").toString(), QStringLiteral("resolved"));

        // Empty template: every field.
        const QJsonObject d = QJsonDocument::fromJson(WebhookSender::renderBody({}, alertEvent()).value()).object();
        for (const char *key : {"rule", "rule_id", "machine", "machine_id", "status", "value", "message", "time"})
            QVERIFY2(d.contains(QLatin1String(key)), key);
        QCOMPARE(d.value("message").toString(), alertEvent().message);
    }

    void renderBodyErrors()
    {
        auto unknown = WebhookSender::renderBody(QStringLiteral("{\"a\": \"{{nope}}\"}"), alertEvent());
        QVERIFY(!unknown.ok());
        QVERIFY2(unknown.error().message.contains(QLatin1String("{{nope}}")), qPrintable(unknown.error().toString()));
        auto broken = WebhookSender::renderBody(QStringLiteral("{\"a\": {{message}}}"), alertEvent());   // unquoted text
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error().message.contains(QLatin1String("not valid JSON")), qPrintable(broken.error().toString()));
    }

    void prepareRejectsBadActions()
    {
        AlertAction a = hook(QStringLiteral("http://127.0.0.1:1/hook"));
        a.method = QStringLiteral("DELETE");
        QVERIFY(prepared(a).error().message.contains(QLatin1String("POST or PUT")));
        a = hook(QStringLiteral("ftp://example.com/x"));
        QVERIFY(prepared(a).error().message.contains(QLatin1String("http://")));
        a = hook(QStringLiteral("not a url"));
        QVERIFY(!prepared(a).ok());
        a = hook(QStringLiteral("http://127.0.0.1:1/hook"));
        a.headers = {{QStringLiteral("X-Evil"), QStringLiteral("a\r\nInjected: yes")}};
        QVERIFY(prepared(a).error().message.contains(QLatin1String("X-Evil")));
        a = hook(QStringLiteral("http://127.0.0.1:1/hook"));
        a.headers = {{QStringLiteral("X-Plain"), QStringLiteral("1")}};
        const auto ok = prepared(a);
        QVERIFY(ok.ok());
        QCOMPARE(ok->method, QByteArray("POST"));
        QCOMPARE(ok->timeoutMs, 5000);
        QCOMPARE(ok->safeTarget(), QStringLiteral("POST http://127.0.0.1:1"));
    }

    void secretHeaderFromTheKeychain()
    {
        MIST_REQUIRE_KEYCHAIN();
        WebhookFixture server;
        QVERIFY(server.listen());
        SecretStore secrets(m_service);
        const QString secret = QStringLiteral("Bearer s3cr3t-%1").arg(QCoreApplication::applicationPid());
        QVERIFY(secrets.write(WebhookSender::secretOwner(QStringLiteral("rule-1")), WebhookSender::secretField(QStringLiteral("Authorization")),
                              secret).ok());

        AlertAction a = hook(server.url());
        a.method = QStringLiteral("put");
        a.headers = {{QStringLiteral("X-Plain"), QStringLiteral("plain value")}};
        a.secretHeaderNames = {QStringLiteral("Authorization")};
        a.bodyTemplate = QStringLiteral("{\"alert\": \"{{rule}}\", \"value\": {{value}}}");
        const auto request = prepared(a);
        QVERIFY2(request.ok(), qPrintable(request.error().toString()));

        WebhookSender sender;
        const auto r = deliver(sender, request.value());
        QVERIFY(r.has_value());
        QVERIFY2(r->ok(), qPrintable(r->error().toString()));
        QCOMPARE(server.requests.size(), 1);
        const WebhookFixture::Request &got = server.requests.first();
        QCOMPARE(got.method, QStringLiteral("PUT"));
        QCOMPARE(got.path, QStringLiteral("/hook"));
        QCOMPARE(got.header("authorization"), secret.toUtf8());
        QCOMPARE(got.header("X-Plain"), QByteArray("plain value"));
        QCOMPARE(got.header("Content-Type"), QByteArray("application/json"));
        const QJsonObject body = QJsonDocument::fromJson(got.body).object();
        QCOMPARE(body.value("alert").toString(), alertEvent().ruleName);
        QCOMPARE(body.value("value").toDouble(), 93.5);
        QCOMPARE(r->value().httpStatus, 200);
        QCOMPARE(r->value().attempts, 1);
        QVERIFY(!r->value().message.contains(secret));

        // A secret header that is not in the keychain: a clear error, nothing sent.
        a.secretHeaderNames = {QStringLiteral("X-Missing")};
        const auto missing = prepared(a);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.contains(QLatin1String("X-Missing")), qPrintable(missing.error().toString()));
        QVERIFY(secrets.remove(WebhookSender::secretOwner(QStringLiteral("rule-1")), WebhookSender::secretField(QStringLiteral("Authorization"))).ok());
    }

    void retriesAfter5xxThenSucceeds()
    {
        WebhookFixture server;
        QVERIFY(server.listen());
        server.statuses = {500, 503};
        WebhookSender sender;
        sender.setBackoffBaseMs(100);
        QElapsedTimer t;
        t.start();
        const auto r = deliver(sender, prepared(hook(server.url())).value());
        QVERIFY(r.has_value());
        QVERIFY2(r->ok(), qPrintable(r->error().toString()));
        QCOMPARE(server.requests.size(), 3);
        QCOMPARE(r->value().attempts, 3);
        QVERIFY2(r->value().message.contains(QLatin1String("3 attempts")), qPrintable(r->value().message));
        QVERIFY(t.elapsed() >= 300);   // backoff 100 + 200 ms
        // Every attempt carried the same body.
        QCOMPARE(server.requests[0].body, server.requests[2].body);
    }

    void gives5xxUpAfterRetries()
    {
        WebhookFixture server;
        QVERIFY(server.listen());
        server.statuses = {500, 500, 500, 500, 500, 500};
        WebhookSender sender;
        sender.setBackoffBaseMs(50);
        AlertAction a = hook(server.url());
        a.retries = 2;
        const auto r = deliver(sender, prepared(a).value());
        QVERIFY(r.has_value());
        QVERIFY(!r->ok());
        QCOMPARE(server.requests.size(), 3);
        const QString text = r->error().toString();
        QVERIFY2(text.contains(QLatin1String("HTTP 500")) && text.contains(QLatin1String("3 attempts")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("fixture says no")), qPrintable(text));   // the answer, for the history
    }

    void noRetryOn4xx()
    {
        WebhookFixture server;
        QVERIFY(server.listen());
        server.statuses = {404};
        WebhookSender sender;
        sender.setBackoffBaseMs(50);
        const auto r = deliver(sender, prepared(hook(server.url())).value());
        QVERIFY(r.has_value());
        QVERIFY(!r->ok());
        QVERIFY2(r->error().message.contains(QLatin1String("refused")) && r->error().message.contains(QLatin1String("404")),
                 qPrintable(r->error().toString()));
        QTest::qWait(300);   // longer than a retry would take
        QCOMPARE(server.requests.size(), 1);
    }

    void hangingServerTimesOut()
    {
        WebhookFixture server;
        QVERIFY(server.listen());
        WebhookSender sender;
        sender.setBackoffBaseMs(50);
        AlertAction a = hook(server.hangingUrl());
        a.timeoutSeconds = 1;
        a.retries = 1;
        QElapsedTimer t;
        t.start();
        const auto r = deliver(sender, prepared(a).value(), 15000);
        QVERIFY2(r.has_value(), "the webhook never ended");
        QVERIFY(!r->ok());
        QVERIFY2(r->error().message.contains(QLatin1String("no answer within 1 second")), qPrintable(r->error().toString()));
        QCOMPARE(server.hangingConnections(), 2);   // a timeout is retried like a network failure
        QVERIFY2(t.elapsed() >= 2000 && t.elapsed() < 8000, qPrintable(QString::number(t.elapsed())));
    }

    void networkFailureIsRetriedThenReported()
    {
        // A port nobody listens on (bound, then closed).
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        WebhookSender sender;
        sender.setBackoffBaseMs(50);
        // The path is the secret, as in Slack's webhooks: the error must not quote it.
        AlertAction a = hook(QStringLiteral("http://127.0.0.1:%1/hooks/T000/B000/s3cr3tT0ken").arg(port));
        a.retries = 2;
        const auto r = deliver(sender, prepared(a).value());
        QVERIFY(r.has_value());
        QVERIFY(!r->ok());
        QVERIFY2(r->error().message.contains(QLatin1String("3 attempts")), qPrintable(r->error().toString()));
        QVERIFY2(!r->error().toString().contains(QLatin1String("s3cr3tT0ken")), qPrintable(r->error().toString()));
    }
};

QTEST_MAIN(TestWebhook)
#include "tst_webhook.moc"
