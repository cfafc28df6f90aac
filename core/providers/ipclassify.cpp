#include "ipclassify.h"

#include <array>
#include <utility>

namespace mist {

namespace {

bool isPrivateIPv4(const QHostAddress &address)
{
    static const std::array<std::pair<QHostAddress, int>, 6> ranges = {{
        {QHostAddress(QStringLiteral("10.0.0.0")), 8},
        {QHostAddress(QStringLiteral("172.16.0.0")), 12},
        {QHostAddress(QStringLiteral("192.168.0.0")), 16},
        {QHostAddress(QStringLiteral("100.64.0.0")), 10},   // carrier-grade NAT
        {QHostAddress(QStringLiteral("169.254.0.0")), 16},  // link-local
        {QHostAddress(QStringLiteral("127.0.0.0")), 8},     // loopback
    }};
    for (const auto &[network, prefix] : ranges) {
        if (address.isInSubnet(network, prefix))
            return true;
    }
    return false;
}

bool isPrivateIPv6(const QHostAddress &address)
{
    static const QHostAddress linkLocal(QStringLiteral("fe80::"));
    static const QHostAddress uniqueLocal(QStringLiteral("fc00::"));
    return address.isInSubnet(linkLocal, 10) || address.isInSubnet(uniqueLocal, 7)
        || address == QHostAddress(QHostAddress::LocalHostIPv6);
}

} // namespace

bool isPrivateAddress(const QHostAddress &address)
{
    switch (address.protocol()) {
    case QAbstractSocket::IPv4Protocol:
        return isPrivateIPv4(address);
    case QAbstractSocket::IPv6Protocol: {
        bool isMapped = false;
        const quint32 v4 = address.toIPv4Address(&isMapped);
        if (isMapped)
            return isPrivateIPv4(QHostAddress(v4));
        return isPrivateIPv6(address);
    }
    default:
        return false;
    }
}

QString addressText(const QHostAddress &address)
{
    QHostAddress copy(address);
    copy.setScopeId(QString());
    return copy.toString();
}

} // namespace mist
