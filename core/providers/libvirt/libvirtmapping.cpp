#include "libvirtmapping.h"

#include "inventory/machine.h"
#include "providers/provider.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

#include <libvirt/libvirt.h>

namespace mist::libvirt {

QString machineState(int domainState)
{
    switch (domainState) {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:   // running, waiting on a resource
        return MachineState::Running;
    case VIR_DOMAIN_PAUSED:
        return MachineState::Paused;
    case VIR_DOMAIN_SHUTDOWN:  // being shut down
        return MachineState::Pending;
    case VIR_DOMAIN_SHUTOFF:
        return MachineState::Stopped;
    case VIR_DOMAIN_CRASHED:
        return MachineState::Error;
    case VIR_DOMAIN_PMSUSPENDED:
        return MachineState::Suspended;
    default:
        return MachineState::Unknown;
    }
}

QStringList vmActions(const QString &state)
{
    if (state == MachineState::Running)
        return {Action::Stop, Action::PowerOff, Action::Reboot, Action::Suspend, Action::Destroy};
    if (state == MachineState::Paused)
        return {Action::Resume, Action::PowerOff, Action::Destroy};
    if (state == MachineState::Stopped)
        return {Action::Start, Action::Rename, Action::Destroy};
    if (state == MachineState::Pending)
        return {Action::PowerOff, Action::Destroy};
    // error, suspended, unknown...: let the user try to get it going or out of the way.
    return {Action::Start, Action::PowerOff, Action::Destroy};
}

QString versionText(unsigned long version)
{
    return QStringLiteral("%1.%2.%3")
        .arg(version / 1000000)
        .arg((version / 1000) % 1000)
        .arg(version % 1000);
}

namespace {

Status checkTestDriverFile(const QString &path)
{
    const QFileInfo file(path);
    if (!file.exists())
        return Error{QCoreApplication::translate("LibvirtProvider", "The libvirt test-driver file %1 does not exist.")
                         .arg(path),
                     path};
    if (!file.isFile() || !file.isReadable())
        return Error{QCoreApplication::translate("LibvirtProvider", "The libvirt test-driver file %1 cannot be read.")
                         .arg(path),
                     path};
    return {};
}

} // namespace

Result<QString> resolveUri(const QString &typed)
{
    const QString uri = typed.trimmed();
    if (uri.isEmpty())
        return Error{QCoreApplication::translate("LibvirtProvider", "Enter a libvirt URI such as qemu:///system."),
                     {}};

    // A bare absolute path is a test-driver host description.
    if (QDir::isAbsolutePath(uri) && !uri.contains(QLatin1String("://"))) {
        if (Status file = checkTestDriverFile(uri); !file)
            return file.error();
        return QStringLiteral("test://") + QFileInfo(uri).absoluteFilePath();
    }

    // libvirt URIs are <driver>[+<transport>]://[user@][host][:port]/<path>[?params].
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+]*:"));
    if (!scheme.match(uri).hasMatch())
        return Error{QCoreApplication::translate("LibvirtProvider",
                                                 "“%1” is not a libvirt URI. Use e.g. qemu:///system, "
                                                 "qemu+ssh://user@host/system or the path of a test-driver XML file.")
                         .arg(uri),
                     uri};
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid())
        return Error{QCoreApplication::translate("LibvirtProvider", "“%1” is not a valid libvirt URI.").arg(uri),
                     url.errorString()};

    // test:///<file>: check the file here, libvirt's XML loader would print to stderr.
    if (url.scheme() == QLatin1String("test") && url.host().isEmpty()
        && url.path() != QLatin1String("/default")) {
        if (Status file = checkTestDriverFile(url.path()); !file)
            return file.error();
    }
    return uri;
}

Result<QString> renameTarget(const QVariantMap &arguments)
{
    const QString name = arguments.value(QStringLiteral("name")).toString().trimmed();
    if (name.isEmpty())
        return Error{QCoreApplication::translate("LibvirtProvider", "Enter the new name of the machine."), {}};
    if (name.contains(QLatin1Char('/')))
        return Error{QCoreApplication::translate("LibvirtProvider", "A machine name cannot contain “/”."), name};
    return name;
}

} // namespace mist::libvirt
