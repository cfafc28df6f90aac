#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>
#include <QVariantMap>

// Pure helpers of the libvirt provider: no connection needed, so they are unit-tested directly.
namespace mist::libvirt {

// virDomainState -> MachineState vocabulary.
QString machineState(int domainState);

// Actions the provider offers for a VM in the given MachineState.
QStringList vmActions(const QString &machineState);

// virConnectGetLibVersion() number (major * 1,000,000 + minor * 1,000 + release) -> "9.0.0".
QString versionText(unsigned long version);

// The URI libvirt is given for what the user typed: a libvirt URI is kept as is, an
// absolute path to a readable file becomes test://<path> (a test-driver XML host).
Result<QString> resolveUri(const QString &typed);

// The "name" argument of a rename: trimmed, non-empty, without '/'.
Result<QString> renameTarget(const QVariantMap &arguments);

} // namespace mist::libvirt
