#include "dockerhttp.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DockerHttp", text);
}

constexpr int kMaxHeadBytes = 64 * 1024;
constexpr int kMaxChunkLine = 1024;

QString preview(const QByteArray &bytes)
{
    QByteArray shown = bytes.left(80);
    for (char &c : shown)
        if (uchar(c) < 0x20 || uchar(c) > 0x7e)
            c = '.';
    return QString::fromLatin1(shown);
}

Error notHttp(const QByteArray &received)
{
    return Error{tr("The socket does not answer like a Docker engine (not HTTP)."),
                 tr("received: \"%1\"").arg(preview(received))};
}

Error closedSilently()
{
    return Error{tr("The socket closed the connection without answering; it is probably not a Docker engine."), {}};
}

} // namespace

QByteArray HttpResponseHead::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerName)
            return value;
    return {};
}

Result<HttpResponseHead> HttpResponseHead::parse(const QByteArray &text)
{
    const QList<QByteArray> lines = text.split('\n');
    HttpResponseHead head;
    const QByteArray statusLine = lines.value(0).trimmed();
    // "HTTP/1.1 200 OK"
    if (!statusLine.startsWith("HTTP/1."))
        return notHttp(text);
    const QList<QByteArray> parts = statusLine.split(' ');
    bool ok = false;
    head.status = parts.value(1).toInt(&ok);
    if (!ok || head.status < 100 || head.status > 599)
        return notHttp(text);
    head.reason = statusLine.mid(parts.value(0).size() + parts.value(1).size() + 2);
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const int colon = line.indexOf(':');
        if (colon <= 0)
            return Error{tr("The Docker engine sent a malformed HTTP header."), preview(line)};
        head.headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    return head;
}

HttpBodyDecoder::HttpBodyDecoder(Framing framing, qint64 length)
    : m_framing(framing)
    , m_state(framing == Framing::None ? State::Done : framing == Framing::Chunked ? State::Size : State::Data)
    , m_remaining(length)
{
    if (framing == Framing::Length && length == 0)
        m_state = State::Done;
}

HttpBodyDecoder HttpBodyDecoder::forResponse(const HttpResponseHead &head, const QByteArray &method)
{
    if (method == "HEAD" || head.status == 204 || head.status == 304 || head.status < 200)
        return HttpBodyDecoder(Framing::None);
    if (head.header("transfer-encoding").toLower().contains("chunked"))
        return HttpBodyDecoder(Framing::Chunked);
    const QByteArray length = head.header("content-length");
    if (!length.isEmpty()) {
        bool ok = false;
        const qint64 n = length.toLongLong(&ok);
        if (ok && n >= 0)
            return HttpBodyDecoder(Framing::Length, n);
    }
    return HttpBodyDecoder(Framing::UntilClose);
}

Status HttpBodyDecoder::feed(QByteArray &in, QByteArray &out)
{
    qsizetype pos = 0;
    while (pos < in.size() && m_state != State::Done) {
        switch (m_state) {
        case State::Data: {
            if (m_framing == Framing::UntilClose) {
                out.append(in.constData() + pos, in.size() - pos);
                pos = in.size();
                break;
            }
            const qint64 n = qMin<qint64>(m_remaining, in.size() - pos);
            out.append(in.constData() + pos, n);
            pos += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_state = m_framing == Framing::Chunked ? State::DataEnd : State::Done;
            break;
        }
        case State::Size:
        case State::DataEnd:
        case State::Trailer: {
            const qsizetype eol = in.indexOf('\n', pos);
            if (eol < 0) {
                if (in.size() - pos > kMaxChunkLine)
                    return Error{tr("The Docker engine sent a malformed chunked body."), tr("line too long")};
                in.remove(0, pos);
                return {};
            }
            const QByteArray line = in.mid(pos, eol - pos).trimmed();
            pos = eol + 1;
            if (m_state == State::DataEnd) {
                if (!line.isEmpty())
                    return Error{tr("The Docker engine sent a malformed chunked body."), tr("no CRLF after a chunk")};
                m_state = State::Size;
            } else if (m_state == State::Trailer) {
                if (line.isEmpty())
                    m_state = State::Done;
            } else {
                bool ok = false;
                const qint64 size = line.left(line.indexOf(';') < 0 ? line.size() : line.indexOf(';')).trimmed().toLongLong(&ok, 16);
                if (!ok || size < 0 || line.isEmpty())
                    return Error{tr("The Docker engine sent a malformed chunked body."), preview(line)};
                m_remaining = size;
                m_state = size == 0 ? State::Trailer : State::Data;
            }
            break;
        }
        case State::Done:
            break;
        }
    }
    in.remove(0, pos);
    return {};
}

Status HttpBodyDecoder::finish()
{
    if (m_state == State::Done || m_framing == Framing::UntilClose) {
        m_state = State::Done;
        return {};
    }
    return Error{tr("The Docker engine closed the connection in the middle of an answer."), {}};
}

HttpConnection::HttpConnection(std::unique_ptr<DockerStream> stream, QByteArray hostHeader)
    : m_stream(std::move(stream))
    , m_hostHeader(std::move(hostHeader))
{
}

Result<HttpResponseHead> HttpConnection::send(const Request &request, int timeoutMs)
{
    QByteArray out = request.method + ' ' + request.target + " HTTP/1.1\r\nHost: " + m_hostHeader
        + "\r\nUser-Agent: Mist-Desktop\r\n";
    if (!request.body.isEmpty() || request.method == "POST")
        out += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    if (!request.body.isEmpty())
        out += "Content-Type: " + (request.contentType.isEmpty() ? QByteArray("application/json") : request.contentType) + "\r\n";
    if (request.upgrade)
        out += "Connection: Upgrade\r\nUpgrade: tcp\r\n";
    out += "\r\n" + request.body;
    m_method = request.method;
    m_reusable = false;
    m_buffer.clear();
    if (Status st = m_stream->write(out, timeoutMs); !st)
        return m_stream->closed() ? closedSilently() : st.error();

    QDeadlineTimer deadline(timeoutMs);
    qsizetype end = -1;
    while ((end = m_buffer.indexOf("\r\n\r\n")) < 0) {
        // Refuse early what cannot be HTTP (a socket of something else answering first).
        if (m_buffer.size() >= 5 && !m_buffer.startsWith("HTTP/"))
            return notHttp(m_buffer);
        if (m_buffer.size() > kMaxHeadBytes)
            return Error{tr("The Docker engine sent an oversized HTTP header."), {}};
        if (m_stream->closed()) {
            if (m_buffer.isEmpty())
                return closedSilently();
            return notHttp(m_buffer);
        }
        if (deadline.hasExpired())
            return Error{tr("The Docker engine did not answer in time."),
                         tr("%1 %2: no answer after %3 s").arg(QString::fromLatin1(request.method),
                                                              QString::fromUtf8(request.target)).arg(timeoutMs / 1000)};
        if (Status st = m_stream->read(m_buffer, int(qBound(qint64(1), deadline.remainingTime(), qint64(1000)))); !st)
            return st.error();
    }
    auto head = HttpResponseHead::parse(m_buffer.left(end));
    m_buffer.remove(0, end + 4);
    if (!head)
        return head;
    m_decoder = HttpBodyDecoder::forResponse(head.value(), m_method);
    m_reusable = head->header("connection").toLower() != "close" && m_decoder.framing() != HttpBodyDecoder::Framing::UntilClose
        && head->status != 101;
    return head;
}

Status HttpConnection::readSome(QByteArray &out, int waitMs, bool *done)
{
    *done = false;
    if (m_buffer.isEmpty() && !m_decoder.done()) {
        if (m_stream->closed()) {
            Status st = m_decoder.finish();
            *done = true;
            return st;
        }
        if (Status st = m_stream->read(m_buffer, waitMs); !st)
            return st;
    }
    if (Status st = m_decoder.feed(m_buffer, out); !st)
        return st;
    if (m_decoder.done()) {
        *done = true;
    } else if (m_buffer.isEmpty() && m_stream->closed()) {
        *done = true;
        return m_decoder.finish();
    }
    return {};
}

Result<QByteArray> HttpConnection::readBody(int timeoutMs, qint64 maxBytes)
{
    QDeadlineTimer deadline(timeoutMs);
    QByteArray body;
    bool done = false;
    while (!done) {
        if (deadline.hasExpired())
            return Error{tr("The Docker engine did not finish its answer in time."), {}};
        if (Status st = readSome(body, int(qBound(qint64(1), deadline.remainingTime(), qint64(1000))), &done); !st)
            return st.error();
        if (body.size() > maxBytes)
            return Error{tr("The Docker engine's answer is too large."), tr("more than %1 bytes").arg(maxBytes)};
    }
    return body;
}

Status HttpConnection::readRaw(QByteArray &out, int waitMs)
{
    if (!m_buffer.isEmpty()) {
        out += m_buffer;
        m_buffer.clear();
        return {};
    }
    if (m_stream->closed())
        return {};
    return m_stream->read(out, waitMs);
}

Status HttpConnection::writeRaw(const QByteArray &data, int timeoutMs)
{
    return m_stream->write(data, timeoutMs);
}

} // namespace mist
