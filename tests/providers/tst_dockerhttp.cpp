// The pieces under the Docker provider that parse what an engine sends: HTTP heads,
// body framing (Content-Length, chunked, until close), the multiplexed stream and lines.
#include "providers/docker/dockerframes.h"
#include "providers/docker/dockerhttp.h"

#include <QTest>

using namespace mist;

class TestDockerHttp : public QObject
{
    Q_OBJECT

private slots:
    void head()
    {
        auto h = HttpResponseHead::parse("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                                         "Connection: Upgrade\r\nUpgrade: tcp");
        QVERIFY(h);
        QCOMPARE(h->status, 101);
        QCOMPARE(h->reason, QByteArray("UPGRADED"));
        QCOMPARE(h->header("content-type"), QByteArray("application/vnd.docker.raw-stream"));
        QCOMPARE(h->header("upgrade"), QByteArray("tcp"));

        QVERIFY(!HttpResponseHead::parse("SSH-2.0-OpenSSH_9.2\r\n"));
        QVERIFY(!HttpResponseHead::parse("HTTP/1.1 abc OK"));
        QVERIFY(!HttpResponseHead::parse("HTTP/1.1 200 OK\r\nno colon here"));
        QVERIFY(!HttpResponseHead::parse(QByteArray()));
        QVERIFY(HttpResponseHead::parse("HTTP/1.1 200 OK\r\nno colon here").error().message.contains(QStringLiteral("malformed")));
    }

    void framing()
    {
        HttpResponseHead h;
        h.status = 200;
        QCOMPARE(HttpBodyDecoder::forResponse(h, "GET").framing(), HttpBodyDecoder::Framing::UntilClose);
        h.headers = {{"content-length", "12"}};
        QCOMPARE(HttpBodyDecoder::forResponse(h, "GET").framing(), HttpBodyDecoder::Framing::Length);
        QCOMPARE(HttpBodyDecoder::forResponse(h, "HEAD").framing(), HttpBodyDecoder::Framing::None);
        h.headers = {{"transfer-encoding", "chunked"}, {"content-length", "3"}};   // chunked wins (RFC 9112)
        QCOMPARE(HttpBodyDecoder::forResponse(h, "GET").framing(), HttpBodyDecoder::Framing::Chunked);
        h.status = 204;
        QCOMPARE(HttpBodyDecoder::forResponse(h, "POST").framing(), HttpBodyDecoder::Framing::None);
        h.status = 304;
        QVERIFY(HttpBodyDecoder::forResponse(h, "POST").done());
    }

    void chunkedByteByByte()
    {
        const QByteArray wire = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        HttpBodyDecoder d(HttpBodyDecoder::Framing::Chunked);
        QByteArray in, out;
        int i = 0;
        for (; i < wire.size() && !d.done(); ++i) {
            in += wire.at(i);
            QVERIFY(d.feed(in, out));
        }
        QVERIFY(d.done());
        QCOMPARE(out, QByteArray("hello, world"));
        QCOMPARE(wire.mid(i) + in, QByteArray("NEXT"));   // the next response is left alone
    }

    void lengthBody()
    {
        HttpBodyDecoder d(HttpBodyDecoder::Framing::Length, 5);
        QByteArray in = "abc", out;
        QVERIFY(d.feed(in, out));
        QVERIFY(!d.done());
        QVERIFY(!d.finish());   // closed early
        in = "deXYZ";
        HttpBodyDecoder e(HttpBodyDecoder::Framing::Length, 2);
        QVERIFY(e.feed(in, out));
        QVERIFY(e.done());
        QCOMPARE(in, QByteArray("XYZ"));
    }

    void malformedChunks_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::newRow("not hex") << QByteArray("zz\r\nhello\r\n");
        QTest::newRow("negative") << QByteArray("-5\r\nhello\r\n");
        QTest::newRow("no crlf after data") << QByteArray("2\r\nhiXX\r\n");
        QTest::newRow("endless size line") << QByteArray(5000, '1');
        QTest::newRow("empty size") << QByteArray("\r\n");
    }

    void malformedChunks()
    {
        QFETCH(QByteArray, wire);
        HttpBodyDecoder d(HttpBodyDecoder::Framing::Chunked);
        QByteArray out;
        Status st = d.feed(wire, out);
        QVERIFY(!st);
        QVERIFY(st.error().message.contains(QStringLiteral("malformed chunked body")));
    }

    void frames()
    {
        const QByteArray wire = DockerFrameDecoder::encode(DockerFrameDecoder::Stdout, "out 1\n")
            + DockerFrameDecoder::encode(DockerFrameDecoder::Stderr, "err\n")
            + DockerFrameDecoder::encode(DockerFrameDecoder::Stdin, "typed\n")
            + DockerFrameDecoder::encode(DockerFrameDecoder::Stdout, QByteArray());
        DockerFrameDecoder d;
        QVector<DockerFrameDecoder::Frame> all;
        for (char c : wire) {   // split at every byte
            auto f = d.feed(QByteArray(1, c));
            QVERIFY(f);
            all += f.value();
        }
        QVERIFY(d.atFrameBoundary());
        QCOMPARE(all.size(), 4);
        QCOMPARE(all[0].payload, QByteArray("out 1\n"));
        QCOMPARE(all[1].stream, DockerFrameDecoder::Stderr);
        QCOMPARE(all[2].stream, DockerFrameDecoder::Stdout);   // stdin is written on stdout
        QVERIFY(all[3].payload.isEmpty());

        DockerFrameDecoder partial;
        QVERIFY(partial.feed(wire.left(10)));
        QVERIFY(!partial.atFrameBoundary());
    }

    void garbageFrames_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::newRow("stream 7") << QByteArray("\x07\0\0\0\0\0\0\x01x", 9);
        QTest::newRow("padding") << QByteArray("\x01\x01\0\0\0\0\0\x01x", 9);
        QTest::newRow("text") << QByteArray("HTTP/1.1 500 oops\r\n");
        QTest::newRow("huge") << QByteArray("\x01\0\0\0\xff\xff\xff\xff", 8);
    }

    void garbageFrames()
    {
        QFETCH(QByteArray, wire);
        DockerFrameDecoder d;
        auto f = d.feed(wire);
        QVERIFY(!f);
        QVERIFY(f.error().message.contains(QStringLiteral("malformed output stream")));
        QVERIFY(!d.feed(DockerFrameDecoder::encode(DockerFrameDecoder::Stdout, "ok")));   // stays failed
    }

    void lines()
    {
        LineAssembler a;
        QCOMPARE(a.feed("par"), QString());
        QCOMPARE(a.feed("tial\nsecond\nthi"), QStringLiteral("partial\nsecond\n"));
        QCOMPARE(a.feed(QByteArray("\xc3")), QString());   // a UTF-8 sequence split across reads
        QCOMPARE(a.feed(QByteArray("\xa9\n")), QStringLiteral("thi\u00e9\n"));
        QCOMPARE(a.feed("last"), QString());
        QCOMPARE(a.flush(), QStringLiteral("last\n"));
        QCOMPARE(a.flush(), QString());
    }
};

QTEST_GUILESS_MAIN(TestDockerHttp)
#include "tst_dockerhttp.moc"
