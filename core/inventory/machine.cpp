#include "machine.h"

#include <array>
#include <cstring>
#include <utility>

namespace mist {

namespace {
constexpr std::array<std::pair<MachineKind, const char *>, 7> kKindNames{{
    {MachineKind::Machine, "machine"},
    {MachineKind::Vm, "vm"},
    {MachineKind::Hypervisor, "hypervisor"},
    {MachineKind::ContainerHost, "container-host"},
    {MachineKind::Container, "container"},
    {MachineKind::Node, "node"},
    {MachineKind::Pod, "pod"},
}};
// Equality without a call into QtCore per string: a poll compares every reported machine
// with its stored copy, and nearly all of them are equal.
inline bool same(const QString &a, const QString &b)
{
    return a.size() == b.size()
        && (a.constData() == b.constData()
            || std::memcmp(a.constData(), b.constData(), size_t(a.size()) * sizeof(QChar)) == 0);
}

bool same(const QStringList &a, const QStringList &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (!same(a.at(i), b.at(i)))
            return false;
    return true;
}

bool same(const TagMap &a, const TagMap &b)
{
    if (a.size() != b.size())
        return false;
    for (auto i = a.cbegin(), j = b.cbegin(); i != a.cend(); ++i, ++j)
        if (!same(i.key(), j.key()) || !same(i.value(), j.value()))
            return false;
    return true;
}
} // namespace

QString machineKindName(MachineKind kind)
{
    for (const auto &[k, name] : kKindNames)
        if (k == kind)
            return QString::fromLatin1(name);
    return QStringLiteral("machine");
}

std::optional<MachineKind> machineKindFromName(const QString &name)
{
    for (const auto &[k, n] : kKindNames)
        if (name == QLatin1String(n))
            return k;
    return std::nullopt;
}

QStringList Machine::changedFields(const Machine &o) const
{
    QStringList out;
    auto check = [&out](bool differs, const char *field) {
        if (differs)
            out << QString::fromLatin1(field);
    };
    check(parentExternalId != o.parentExternalId, "parent");
    check(kind != o.kind, "kind");
    check(name != o.name, "name");
    check(state != o.state, "state");
    check(publicIps != o.publicIps, "public_ips");
    check(privateIps != o.privateIps, "private_ips");
    check(size != o.size, "size");
    check(image != o.image, "image");
    check(location != o.location, "location");
    check(os != o.os, "os");
    check(cores != o.cores, "cores");
    check(memoryMb != o.memoryMb, "memory_mb");
    check(created != o.created, "created");
    check(extra != o.extra, "extra");
    check(costPerMonth != o.costPerMonth || costCurrency != o.costCurrency, "cost");
    check(providerTags != o.providerTags, "tags");
    return out;
}

// The fields of changedFields(), those most likely to differ first.
bool Machine::sameReportedState(const Machine &o) const
{
    return same(state, o.state) && kind == o.kind && cores == o.cores && memoryMb == o.memoryMb
        && costPerMonth == o.costPerMonth && same(name, o.name) && same(parentExternalId, o.parentExternalId)
        && same(publicIps, o.publicIps) && same(privateIps, o.privateIps) && same(size, o.size)
        && same(image, o.image) && same(location, o.location) && same(os, o.os)
        && same(costCurrency, o.costCurrency) && created == o.created && same(providerTags, o.providerTags)
        && extra == o.extra;
}

} // namespace mist
