#pragma once

#include "providers/docker/dockertransport.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <memory>

namespace mist {

// The status line and headers of an HTTP/1.1 response.
struct HttpResponseHead
{
    int status = 0;
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> headers;   // names lower-cased

    QByteArray header(const QByteArray &lowerName) const;
    // Parses the text before the blank line. Anything that is not HTTP is an error.
    static Result<HttpResponseHead> parse(const QByteArray &text);
};

// Decodes a response body as its headers frame it (Content-Length, chunked, or until the
// peer closes), incrementally, so streams (logs) are passed on as they arrive.
class HttpBodyDecoder
{
public:
    enum class Framing { None, Length, Chunked, UntilClose };

    HttpBodyDecoder() = default;
    explicit HttpBodyDecoder(Framing framing, qint64 length = 0);
    static HttpBodyDecoder forResponse(const HttpResponseHead &head, const QByteArray &method);

    // Takes what it can from `in` (consumed bytes are removed) and appends payload to `out`.
    Status feed(QByteArray &in, QByteArray &out);
    bool done() const { return m_state == State::Done; }
    // The connection ended: fine for UntilClose, an error while a body was still expected.
    Status finish();
    Framing framing() const { return m_framing; }

private:
    enum class State { Size, Data, DataEnd, Trailer, Done };
    Framing m_framing = Framing::None;
    State m_state = State::Done;
    qint64 m_remaining = 0;
};

// HTTP/1.1 over one DockerStream: a request, its response head, then the body in one piece,
// in parts as it arrives, or, after an upgrade (hijack), raw bytes both ways.
class HttpConnection
{
public:
    explicit HttpConnection(std::unique_ptr<DockerStream> stream, QByteArray hostHeader);

    struct Request
    {
        QByteArray method;
        QByteArray target;          // "/v1.45/containers/json?all=1"
        QByteArray body;
        QByteArray contentType;     // with a body
        bool upgrade = false;       // "Connection: Upgrade", "Upgrade: tcp" (exec/attach hijack)
    };

    Result<HttpResponseHead> send(const Request &request, int timeoutMs);

    // The whole body of the last response (at most maxBytes).
    Result<QByteArray> readBody(int timeoutMs, qint64 maxBytes = 64 * 1024 * 1024);
    // Body bytes that arrive within waitMs; *done turns true at the end of the body.
    Status readSome(QByteArray &out, int waitMs, bool *done);

    // After a 101/hijacked response: raw bytes, rawClosed() once the peer finished.
    Status readRaw(QByteArray &out, int waitMs);
    Status writeRaw(const QByteArray &data, int timeoutMs = 30000);
    bool rawClosed() const { return m_buffer.isEmpty() && m_stream->closed(); }

    // The last response was read to its end and the peer keeps the connection open.
    bool reusable() const { return m_reusable && m_decoder.done() && !m_stream->closed(); }

private:
    std::unique_ptr<DockerStream> m_stream;
    QByteArray m_hostHeader;
    QByteArray m_buffer;        // read but not yet consumed
    QByteArray m_method;
    HttpBodyDecoder m_decoder;
    bool m_reusable = false;
};

} // namespace mist
