#include "libvirtdiscovery.h"

#include "util/logging.h"

#include <QFile>
#include <QtGlobal>

#if defined(Q_OS_UNIX)
#include <sys/stat.h>
#endif

namespace mist {

namespace {

bool isUnixSocket(const QString &path)
{
#if defined(Q_OS_UNIX)
    struct stat info = {};
    // stat, not lstat: /var/run is usually a symlink to /run.
    return !path.isEmpty() && ::stat(QFile::encodeName(path).constData(), &info) == 0
        && S_ISSOCK(info.st_mode);
#else
    Q_UNUSED(path)
    return false;
#endif
}

} // namespace

QVector<LibvirtSocketCandidate> defaultLibvirtSocketCandidates()
{
    const QString system = QStringLiteral("qemu:///system");
    const QString session = QStringLiteral("qemu:///session");
    QVector<LibvirtSocketCandidate> candidates = {
        {QStringLiteral("/var/run/libvirt/libvirt-sock"), system},
        {QStringLiteral("/run/libvirt/libvirt-sock"), system},
        {QStringLiteral("/run/libvirt/virtqemud-sock"), system},
    };
    const QString runtimeDir = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtimeDir.isEmpty()) {
        candidates.append({runtimeDir + QStringLiteral("/libvirt/libvirt-sock"), session});
        candidates.append({runtimeDir + QStringLiteral("/libvirt/virtqemud-sock"), session});
    }
    return candidates;
}

QStringList discoverLocalLibvirtUris(const QVector<LibvirtSocketCandidate> &candidates)
{
    QStringList uris;
    for (const LibvirtSocketCandidate &candidate : candidates) {
        if (uris.contains(candidate.uri) || !isUnixSocket(candidate.socketPath))
            continue;
        qCDebug(lcProviderLibvirt) << "found libvirt socket" << candidate.socketPath << "->" << candidate.uri;
        uris << candidate.uri;
    }
    return uris;
}

QStringList discoverLocalLibvirtUris()
{
    return discoverLocalLibvirtUris(defaultLibvirtSocketCandidates());
}

} // namespace mist
