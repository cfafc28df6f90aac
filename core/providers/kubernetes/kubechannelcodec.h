#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace mist {

// The Kubernetes "channel" WebSocket protocol (v4.channel.k8s.io, v5.channel.k8s.io) used by
// pod exec/attach and port-forward: every binary message starts with one channel byte.
// Exec: 0 stdin, 1 stdout, 2 stderr, 3 error (a Status JSON since v4), 4 resize. v5 adds 255
// "close this channel" (the client half-closes stdin). Port-forward: for the i-th port, channel
// 2i is data and 2i+1 is error, and the server starts each channel with the port (2 bytes, LE).
// Pure functions, no I/O.
namespace KubeChannel {
inline constexpr quint8 Stdin = 0;
inline constexpr quint8 Stdout = 1;
inline constexpr quint8 Stderr = 2;
inline constexpr quint8 Error = 3;
inline constexpr quint8 Resize = 4;
inline constexpr quint8 Close = 255;   // v5 only

inline constexpr quint8 PortData = 0;
inline constexpr quint8 PortError = 1;
} // namespace KubeChannel

struct KubeChannelFrame
{
    quint8 channel = 0;
    QByteArray payload;
};

// What the error channel said when the command ended.
struct KubeExecStatus
{
    bool valid = false;   // false: the Status could not be read (message says why)
    int exitCode = -1;    // 0 on "Success", the ExitCode cause on "NonZeroExitCode", -1 otherwise
    QString message;      // the Status message for failures other than a non-zero exit code
    QString reason;       // "NonZeroExitCode", "InternalError", ...
    bool isExit() const { return valid && exitCode >= 0; }
};

class KubeChannelCodec
{
public:
    // Offered in this order; the server picks one.
    static QStringList execSubprotocols();         // v5, v4
    static QStringList portForwardSubprotocols();  // v4
    static bool isKnownSubprotocol(const QString &protocol);
    static bool supportsClose(const QString &protocol) { return protocol.startsWith(QLatin1String("v5.")); }

    static QByteArray encode(quint8 channel, const QByteArray &payload);
    // nullopt for an empty message (no channel byte): not a frame at all.
    static std::optional<KubeChannelFrame> decode(const QByteArray &message);

    static QByteArray resizeMessage(int cols, int rows);   // channel 4, {"Width":c,"Height":r}
    static QByteArray closeMessage(quint8 channel);        // channel 255, v5

    // The error channel's payload: a metav1.Status (v4/v5).
    static KubeExecStatus parseExecStatus(const QByteArray &json);
};

// Strips the 2-byte port prefix the server sends first on each port-forward channel.
class KubePortForwardDecoder
{
public:
    // Returns the payload without the prefix; prefixes may arrive split over messages.
    QByteArray take(quint8 channel, const QByteArray &payload);
    // The port the server announced on the data channel (0 until seen).
    quint16 announcedPort() const { return m_port; }

private:
    QByteArray m_prefix[2];
    bool m_seen[2] = {false, false};
    quint16 m_port = 0;
};

} // namespace mist
