#include "thiscomputerprovider.h"

#include "providers/ipclassify.h"
#include "util/logging.h"

#include <QFile>
#include <QJsonObject>
#include <QNetworkInterface>
#include <QSysInfo>

#include <cmath>
#include <thread>

#if defined(Q_OS_UNIX)
#include <unistd.h>
#endif

namespace mist {

namespace procinfo {

namespace {

// Value of the first "key : value" line whose key is exactly `key` (cpuinfo/meminfo style).
std::optional<QString> fieldValue(const QString &text, const QString &key)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            continue;
        if (line.left(colon).trimmed() == key)
            return line.mid(colon + 1).trimmed();
    }
    return std::nullopt;
}

} // namespace

std::optional<qint64> memTotalKb(const QString &meminfo)
{
    const std::optional<QString> value = fieldValue(meminfo, QStringLiteral("MemTotal"));
    if (!value)
        return std::nullopt;
    // "16318540 kB"; the kernel always reports kB, a bare number is read the same way.
    const QStringList parts = value->split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (parts.isEmpty() || parts.size() > 2)
        return std::nullopt;
    if (parts.size() == 2 && parts.at(1).compare(QLatin1String("kB"), Qt::CaseInsensitive) != 0)
        return std::nullopt;
    bool ok = false;
    const qint64 kb = parts.at(0).toLongLong(&ok);
    if (!ok || kb <= 0)
        return std::nullopt;
    return kb;
}

QString cpuModel(const QString &cpuinfo)
{
    // x86 uses "model name"; ARM, MIPS, POWER and RISC-V kernels use other keys.
    static const QStringList keys = {QStringLiteral("model name"), QStringLiteral("Processor"),
                                     QStringLiteral("cpu model"), QStringLiteral("cpu"),
                                     QStringLiteral("uarch")};
    for (const QString &key : keys) {
        const std::optional<QString> value = fieldValue(cpuinfo, key);
        if (value && !value->isEmpty())
            return value->simplified();
    }
    return {};
}

std::optional<qint64> uptimeSeconds(const QString &uptime)
{
    const QStringList parts = uptime.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double seconds = parts.at(0).toDouble(&ok);
    // Refuse values a qint64 cannot hold rather than overflow the conversion.
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 9.0e15)
        return std::nullopt;
    return static_cast<qint64>(seconds);
}

} // namespace procinfo

namespace {

QString readTextFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    // /proc files report size 0, so read until EOF instead of trusting size().
    return QString::fromUtf8(file.readAll());
}

int cpuCount()
{
    const unsigned int n = std::thread::hardware_concurrency();
    if (n > 0)
        return static_cast<int>(n);
#if defined(Q_OS_UNIX)
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0)
        return static_cast<int>(online);
#endif
    return 0;
}

qint64 totalMemoryMb()
{
#if defined(Q_OS_LINUX)
    if (const auto kb = procinfo::memTotalKb(readTextFile(QStringLiteral("/proc/meminfo"))))
        return *kb / 1024;
#endif
#if defined(Q_OS_UNIX) && defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0)
        return static_cast<qint64>(pages) * pageSize / (1024 * 1024);
#endif
    return 0;
}

QString uniqueId()
{
    const QByteArray id = QSysInfo::machineUniqueId();
    if (id.isEmpty())
        return QSysInfo::machineHostName();
    // Linux/macOS/Windows return printable text already; anything else is shown as hex.
    for (const char c : id) {
        if (c < 0x21 || c > 0x7e)
            return QString::fromLatin1(id.toHex());
    }
    return QString::fromLatin1(id);
}

void addAddresses(Machine &machine)
{
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        const auto flags = iface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const QList<QNetworkAddressEntry> entries = iface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const QHostAddress ip = entry.ip();
            if (ip.isNull() || ip.isLoopback())
                continue;
            QStringList &list = isPrivateAddress(ip) ? machine.privateIps : machine.publicIps;
            const QString text = addressText(ip);
            if (!list.contains(text))
                list << text;
        }
    }
}

QJsonObject extraDetails()
{
    QJsonObject extra;
    extra.insert(QStringLiteral("kernel"), QSysInfo::kernelType() + QLatin1Char(' ') + QSysInfo::kernelVersion());
    extra.insert(QStringLiteral("arch"), QSysInfo::currentCpuArchitecture());
    extra.insert(QStringLiteral("hostname"), QSysInfo::machineHostName());
#if defined(Q_OS_LINUX)
    const QString model = procinfo::cpuModel(readTextFile(QStringLiteral("/proc/cpuinfo")));
    if (!model.isEmpty())
        extra.insert(QStringLiteral("cpu_model"), model);
    if (const auto uptime = procinfo::uptimeSeconds(readTextFile(QStringLiteral("/proc/uptime"))))
        extra.insert(QStringLiteral("uptime_s"), static_cast<double>(*uptime));
#endif
    return extra;
}

} // namespace

ProviderInfo ThisComputerProvider::info() const
{
    ProviderInfo info;
    info.id = QStringLiteral("local");
    info.title = tr("This computer");
    info.category = QStringLiteral("Local");
    info.capabilities = {QStringLiteral("poll")};
    info.singleton = true;
    return info;
}

PollResult ThisComputerProvider::poll(const Credentials &)
{
    Machine machine;
    machine.kind = MachineKind::Machine;
    machine.externalId = uniqueId();
    machine.name = QSysInfo::machineHostName();
    machine.state = MachineState::Running;
    machine.os = QSysInfo::prettyProductName();
    machine.cores = cpuCount();
    machine.memoryMb = totalMemoryMb();
    machine.extra = extraDetails();
    addAddresses(machine);
    qCDebug(lcProviderLocal) << "this computer:" << machine.name << machine.cores << "cores"
                             << machine.memoryMb << "MiB" << machine.privateIps << machine.publicIps;

    PollResult result;
    result.success = true;
    result.complete = true;
    result.machines << machine;
    return result;
}

QStringList ThisComputerProvider::allowedActions(const Machine &) const
{
    return {};
}

Status ThisComputerProvider::runAction(const Credentials &, const Machine &, const ActionRequest &request)
{
    return Error{tr("This computer has no lifecycle actions."), request.action};
}

} // namespace mist
