#include "machine.h"

#include <array>
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

bool Machine::sameReportedState(const Machine &other) const
{
    return changedFields(other).isEmpty();
}

} // namespace mist
