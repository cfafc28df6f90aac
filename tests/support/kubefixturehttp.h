#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QTcpSocket;

namespace mist::test {

// One HTTP/1.1 request as the fixture received it.
struct KubeHttpRequest
{
    QByteArray method;
    QString path;            // decoded path
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers;   // lower-case names
    QByteArray body;
    QByteArray clientCertificateCn;   // TLS with client certificates: who connected
};

// One client connection. Answers either with a whole response or with a chunked stream
// (Transfer-Encoding: chunked) that stays open: that is how watch streams are served.
class KubeHttpConnection : public QObject
{
    Q_OBJECT
public:
    explicit KubeHttpConnection(QTcpSocket *socket, QObject *parent);

    void respond(int status, const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void beginStream();
    void writeChunk(const QByteArray &data);
    void endStream();      // terminating chunk: the client sees a clean end
    void abort();          // drops the TCP connection mid-stream: the client sees a broken stream
    bool streaming() const { return m_streaming; }

signals:
    void request(const mist::test::KubeHttpRequest &request);
    void closed();

private:
    void readMore();

    QTcpSocket *m_socket;
    QByteArray m_buffer;
    bool m_streaming = false;
};

// A small HTTP/1.1 server (plain or TLS) on 127.0.0.1. Qt HTTP Server 6.4 cannot stream a
// response that never ends, so the Kubernetes fixture speaks HTTP itself over QTcpServer /
// QSslServer.
class KubeFixtureHttp : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(const KubeHttpRequest &, KubeHttpConnection &)>;

    explicit KubeFixtureHttp(Handler handler, QObject *parent = nullptr);
    ~KubeFixtureHttp() override;

    bool listen();   // plain HTTP
    // HTTPS; with clientCa set, a client certificate signed by it is required.
    bool listenTls(const QSslCertificate &cert, const QSslKey &key, const QList<QSslCertificate> &clientCa = {});
    void close();    // stops listening and drops every connection: "the server is down"
    quint16 port() const { return m_port; }
    bool tls() const { return m_tls; }
    QList<KubeHttpConnection *> connections() const;

private:
    void accept();

    Handler m_handler;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    bool m_tls = false;
};

} // namespace mist::test
