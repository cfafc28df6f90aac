#include "dockerframes.h"

#include <QCoreApplication>
#include <QtEndian>

namespace mist {

namespace {
// A frame larger than this is junk, not a log line or command output.
constexpr quint32 kMaxFrame = 16 * 1024 * 1024;
} // namespace

Result<QVector<DockerFrameDecoder::Frame>> DockerFrameDecoder::feed(const QByteArray &data)
{
    const auto garbage = [](const QString &detail) {
        return Error{QCoreApplication::translate("DockerFrames", "The Docker engine sent a malformed output stream."), detail};
    };
    if (m_failed)
        return garbage(QStringLiteral("stream already failed"));
    m_buffer += data;
    QVector<Frame> frames;
    qsizetype pos = 0;
    while (m_buffer.size() - pos >= 8) {
        const auto *h = reinterpret_cast<const uchar *>(m_buffer.constData() + pos);
        const quint32 size = qFromBigEndian<quint32>(h + 4);
        if (h[0] > Stderr || h[1] || h[2] || h[3] || size > kMaxFrame) {
            m_failed = true;
            m_buffer.clear();
            return garbage(QStringLiteral("bad frame header %1").arg(QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(h), 8).toHex(' '))));
        }
        if (m_buffer.size() - pos - 8 < qsizetype(size))
            break;
        // stdin echoed by the engine is shown as stdout (the reference says so).
        frames.append({h[0] == Stderr ? Stderr : Stdout, m_buffer.mid(pos + 8, size)});
        pos += 8 + size;
    }
    m_buffer.remove(0, pos);
    return frames;
}

QByteArray DockerFrameDecoder::encode(Stream stream, const QByteArray &payload)
{
    QByteArray header(8, '\0');
    header[0] = char(stream);
    qToBigEndian<quint32>(quint32(payload.size()), reinterpret_cast<uchar *>(header.data()) + 4);
    return header + payload;
}

QString LineAssembler::feed(const QByteArray &data)
{
    m_partial += data;
    const qsizetype end = m_partial.lastIndexOf('\n');
    if (end < 0)
        return {};
    const QString lines = QString::fromUtf8(m_partial.constData(), end + 1);
    m_partial.remove(0, end + 1);
    return lines;
}

QString LineAssembler::flush()
{
    if (m_partial.isEmpty())
        return {};
    QString rest = QString::fromUtf8(m_partial) + QLatin1Char('\n');
    m_partial.clear();
    return rest;
}

} // namespace mist
