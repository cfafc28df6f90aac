#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace mist {

// The Engine API's multiplexed stream (attach, exec and logs of a container without a tty):
// frames of an 8-byte header {stream, 0, 0, 0, size as big-endian uint32} and a payload.
class DockerFrameDecoder
{
public:
    enum Stream { Stdin = 0, Stdout = 1, Stderr = 2 };
    struct Frame
    {
        Stream stream = Stdout;
        QByteArray payload;
    };

    // Consumes what it can; a partial frame waits for more. Junk headers are an error
    // (and the decoder stays failed: the stream cannot be re-synchronised).
    Result<QVector<Frame>> feed(const QByteArray &data);
    // True when no partial frame is pending (the stream may end here).
    bool atFrameBoundary() const { return m_buffer.isEmpty(); }

    static QByteArray encode(Stream stream, const QByteArray &payload);   // for tests and fixtures

private:
    QByteArray m_buffer;
    bool m_failed = false;
};

// Cuts a byte stream into complete UTF-8 lines ("...\n"); the rest waits for more.
class LineAssembler
{
public:
    QString feed(const QByteArray &data);
    QString flush();   // what is left, completed with '\n' (end of the stream)

private:
    QByteArray m_partial;
};

} // namespace mist
