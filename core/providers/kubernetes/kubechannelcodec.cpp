#include "kubechannelcodec.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeChannelCodec", text);
}

} // namespace

QStringList KubeChannelCodec::execSubprotocols()
{
    return {QStringLiteral("v5.channel.k8s.io"), QStringLiteral("v4.channel.k8s.io")};
}

QStringList KubeChannelCodec::portForwardSubprotocols()
{
    return {QStringLiteral("v4.channel.k8s.io")};
}

bool KubeChannelCodec::isKnownSubprotocol(const QString &protocol)
{
    return protocol == QLatin1String("v4.channel.k8s.io") || protocol == QLatin1String("v5.channel.k8s.io");
}

QByteArray KubeChannelCodec::encode(quint8 channel, const QByteArray &payload)
{
    QByteArray out;
    out.reserve(payload.size() + 1);
    out.append(char(channel));
    out.append(payload);
    return out;
}

std::optional<KubeChannelFrame> KubeChannelCodec::decode(const QByteArray &message)
{
    if (message.isEmpty())
        return std::nullopt;
    return KubeChannelFrame{quint8(message.at(0)), message.mid(1)};
}

QByteArray KubeChannelCodec::resizeMessage(int cols, int rows)
{
    const QJsonObject size{{QStringLiteral("Width"), qMax(cols, 0)}, {QStringLiteral("Height"), qMax(rows, 0)}};
    return encode(KubeChannel::Resize, QJsonDocument(size).toJson(QJsonDocument::Compact));
}

QByteArray KubeChannelCodec::closeMessage(quint8 channel)
{
    return encode(KubeChannel::Close, QByteArray(1, char(channel)));
}

KubeExecStatus KubeChannelCodec::parseExecStatus(const QByteArray &json)
{
    KubeExecStatus st;
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        st.message = tr("The API server sent an unreadable exit status.");
        return st;
    }
    const QJsonObject o = doc.object();
    const QString status = o.value(QStringLiteral("status")).toString();
    st.reason = o.value(QStringLiteral("reason")).toString();
    st.message = o.value(QStringLiteral("message")).toString();
    if (status == QLatin1String("Success")) {
        st.valid = true;
        st.exitCode = 0;
        return st;
    }
    if (status != QLatin1String("Failure")) {
        st.message = tr("The API server sent an exit status that is neither success nor failure.");
        return st;
    }
    st.valid = true;
    if (st.reason == QLatin1String("NonZeroExitCode")) {
        const QJsonArray causes = o.value(QStringLiteral("details")).toObject().value(QStringLiteral("causes")).toArray();
        for (const QJsonValue &c : causes) {
            const QJsonObject cause = c.toObject();
            if (cause.value(QStringLiteral("reason")).toString() != QLatin1String("ExitCode"))
                continue;
            bool ok = false;
            const int code = cause.value(QStringLiteral("message")).toString().toInt(&ok);
            if (ok && code >= 0)
                st.exitCode = code;
        }
    }
    if (st.message.isEmpty())
        st.message = tr("The command failed in the container.");
    return st;
}

QByteArray KubePortForwardDecoder::take(quint8 channel, const QByteArray &payload)
{
    if (channel > 1)
        return payload;
    if (m_seen[channel])
        return payload;
    m_prefix[channel] += payload;
    if (m_prefix[channel].size() < 2)
        return {};
    m_seen[channel] = true;
    const QByteArray rest = m_prefix[channel].mid(2);
    if (channel == KubeChannel::PortData)
        m_port = quint16(quint8(m_prefix[channel].at(0)) | (quint8(m_prefix[channel].at(1)) << 8));
    m_prefix[channel].clear();
    return rest;
}

} // namespace mist
