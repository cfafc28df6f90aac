// The Kubernetes channel protocol codec (v4/v5.channel.k8s.io) and the request paths of the
// streams: pure functions, checked against the frames and Status objects the API server sends.

#include "providers/kubernetes/kubechannelcodec.h"
#include "providers/kubernetes/kubechannelsocket.h"
#include "providers/kubernetes/kubeexecsession.h"
#include "providers/kubernetes/kubelogs.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

using namespace mist;

class TestKubeChannel : public QObject
{
    Q_OBJECT

private slots:
    void encodeDecode()
    {
        const QByteArray m = KubeChannelCodec::encode(KubeChannel::Stdin, "ls\r");
        QCOMPARE(m, QByteArray("\x00ls\r", 4));
        const auto f = KubeChannelCodec::decode(QByteArray("\x02oops", 5));
        QVERIFY(f);
        QCOMPARE(f->channel, KubeChannel::Stderr);
        QCOMPARE(f->payload, QByteArray("oops"));
        const auto open = KubeChannelCodec::decode(QByteArray(1, '\x01'));   // "stream open" frame
        QVERIFY(open);
        QCOMPARE(open->channel, KubeChannel::Stdout);
        QVERIFY(open->payload.isEmpty());
        QVERIFY(!KubeChannelCodec::decode(QByteArray()));
        const auto high = KubeChannelCodec::decode(QByteArray("\xff\x00", 2));
        QCOMPARE(high->channel, KubeChannel::Close);
    }

    void resizeAndClose()
    {
        const QByteArray m = KubeChannelCodec::resizeMessage(132, 43);
        QCOMPARE(m.at(0), char(4));
        const QJsonObject o = QJsonDocument::fromJson(m.mid(1)).object();
        QCOMPARE(o.value(QStringLiteral("Width")).toInt(), 132);
        QCOMPARE(o.value(QStringLiteral("Height")).toInt(), 43);
        QCOMPARE(KubeChannelCodec::closeMessage(KubeChannel::Stdin), QByteArray("\xff\x00", 2));
    }

    void subprotocols()
    {
        QCOMPARE(KubeChannelCodec::execSubprotocols().first(), QStringLiteral("v5.channel.k8s.io"));
        QVERIFY(KubeChannelCodec::execSubprotocols().contains(QStringLiteral("v4.channel.k8s.io")));
        QVERIFY(KubeChannelCodec::isKnownSubprotocol(QStringLiteral("v4.channel.k8s.io")));
        QVERIFY(!KubeChannelCodec::isKnownSubprotocol(QStringLiteral("channel.k8s.io")));   // v1: text errors
        QVERIFY(!KubeChannelCodec::isKnownSubprotocol(QString()));
        QVERIFY(KubeChannelCodec::supportsClose(QStringLiteral("v5.channel.k8s.io")));
        QVERIFY(!KubeChannelCodec::supportsClose(QStringLiteral("v4.channel.k8s.io")));
    }

    void execStatus_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("success") << QByteArray(R"({"metadata":{},"status":"Success"})") << true << 0 << QString();
        QTest::newRow("exit 3") << QByteArray(R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})")
                                << true << 3 << QStringLiteral("command terminated with non-zero exit code: exit status 3");
        QTest::newRow("exit 137") << QByteArray(R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"Other","message":"x"},{"reason":"ExitCode","message":"137"}]}})")
                                  << true << 137 << QStringLiteral("The command failed in the container.");
        QTest::newRow("internal error") << QByteArray("{\"status\":\"Failure\",\"message\":\"container not found (app)\",\"reason\":\"InternalError\"}")
                                        << true << -1 << QStringLiteral("container not found (app)");
        QTest::newRow("exit code not a number") << QByteArray(R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"x"}]}})")
                                                << true << -1 << QStringLiteral("The command failed in the container.");
        QTest::newRow("junk") << QByteArray("{not json") << false << -1 << QStringLiteral("The API server sent an unreadable exit status.");
        QTest::newRow("array") << QByteArray("[1]") << false << -1 << QStringLiteral("The API server sent an unreadable exit status.");
        QTest::newRow("odd status") << QByteArray(R"({"status":"Maybe"})") << false << -1
                                    << QStringLiteral("The API server sent an exit status that is neither success nor failure.");
    }

    void execStatus()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, valid);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const KubeExecStatus st = KubeChannelCodec::parseExecStatus(json);
        QCOMPARE(st.valid, valid);
        QCOMPARE(st.exitCode, exitCode);
        QCOMPARE(st.isExit(), valid && exitCode >= 0);
        if (!message.isEmpty())
            QCOMPARE(st.message, message);
    }

    void portForwardPrefix()
    {
        KubePortForwardDecoder d;
        // The port (8080 = 0x1f90, little endian) may come split over two messages.
        QCOMPARE(d.take(KubeChannel::PortData, QByteArray("\x90", 1)), QByteArray());
        QCOMPARE(d.announcedPort(), quint16(0));
        QCOMPARE(d.take(KubeChannel::PortData, QByteArray("\x1fhello", 6)), QByteArray("hello"));
        QCOMPARE(d.announcedPort(), quint16(8080));
        QCOMPARE(d.take(KubeChannel::PortData, QByteArray("\x90\x1f", 2)), QByteArray("\x90\x1f", 2));   // data now
        QCOMPARE(d.take(KubeChannel::PortError, QByteArray("\x90\x1f", 2)), QByteArray());
        QCOMPARE(d.take(KubeChannel::PortError, "refused"), QByteArray("refused"));
    }

    void execPath()
    {
        KubeExecTarget t;
        t.ns = QStringLiteral("prod");
        t.pod = QStringLiteral("web-1");
        t.container = QStringLiteral("app");
        t.command = {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo a+b & x=1 ?#")};
        t.tty = false;
        t.stdinEnabled = false;
        const QString path = t.path();
        QVERIFY2(path.startsWith(QStringLiteral("/api/v1/namespaces/prod/pods/web-1/exec?")), qPrintable(path));
        QVERIFY2(path.contains(QStringLiteral("%2B")), qPrintable(path));   // '+' would be a space to Go
        QVERIFY(!path.contains(QLatin1Char('+')));
        QUrlQuery q(path.section(QLatin1Char('?'), 1));
        QCOMPARE(q.allQueryItemValues(QStringLiteral("command"), QUrl::FullyDecoded),
                 QStringList({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo a+b & x=1 ?#")}));
        QCOMPARE(q.queryItemValue(QStringLiteral("container")), QStringLiteral("app"));
        QCOMPARE(q.queryItemValue(QStringLiteral("stdin")), QStringLiteral("false"));
        QCOMPARE(q.queryItemValue(QStringLiteral("stderr")), QStringLiteral("true"));
        QCOMPARE(q.queryItemValue(QStringLiteral("tty")), QStringLiteral("false"));

        KubeExecTarget shell;
        shell.ns = QStringLiteral("default");
        shell.pod = QStringLiteral("p");
        QUrlQuery sq(shell.path().section(QLatin1Char('?'), 1));
        QCOMPARE(sq.allQueryItemValues(QStringLiteral("command"), QUrl::FullyDecoded), KubeExecTarget::defaultShell());
        QVERIFY(!shell.path().contains(QStringLiteral("container=")));
        QCOMPARE(sq.queryItemValue(QStringLiteral("tty")), QStringLiteral("true"));
        QCOMPARE(sq.queryItemValue(QStringLiteral("stdin")), QStringLiteral("true"));
        QVERIFY(KubeExecTarget::defaultShell().join(QLatin1Char(' ')).contains(QStringLiteral("exec bash || exec sh")));
    }

    void logPath()
    {
        LogOptions o;
        o.follow = true;
        o.tailLines = 100;
        o.timestamps = true;
        o.previous = true;
        const QString p = KubeLogStream::logPath(QStringLiteral("ns"), QStringLiteral("pod"), QStringLiteral("c"), o);
        QCOMPARE(p, QStringLiteral("/api/v1/namespaces/ns/pods/pod/log?container=c&follow=true&tailLines=100&timestamps=true&previous=true"));
        LogOptions all;
        all.tailLines = -1;
        QCOMPARE(KubeLogStream::logPath(QStringLiteral("ns"), QStringLiteral("pod"), QString(), all),
                 QStringLiteral("/api/v1/namespaces/ns/pods/pod/log"));
    }
};

QTEST_GUILESS_MAIN(TestKubeChannel)
#include "tst_kubechannel.moc"
