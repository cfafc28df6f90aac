#pragma once

#include <QHostAddress>
#include <QString>

namespace mist {

// True for addresses that are not reachable from the internet: IPv4 RFC 1918, carrier-grade
// NAT (100.64/10), link-local (169.254/16) and loopback; IPv6 link-local (fe80::/10), unique
// local (fc00::/7) and loopback. IPv4-mapped IPv6 addresses are judged by their IPv4 part.
// Everything else (including other special ranges) counts as public. Null addresses are not private.
bool isPrivateAddress(const QHostAddress &address);

// The address as shown and stored: no IPv6 scope id ("fe80::1%eth0" -> "fe80::1"), so the
// text stays the same when an interface is renamed.
QString addressText(const QHostAddress &address);

} // namespace mist
