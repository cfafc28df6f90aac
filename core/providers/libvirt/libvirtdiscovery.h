#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

namespace mist {

// A libvirt daemon socket and the URI that reaches the daemon listening on it.
struct LibvirtSocketCandidate
{
    QString socketPath;
    QString uri;
};

// The sockets a local libvirt listens on: the system daemon (qemu:///system) under /run and
// the per-user session daemon (qemu:///session) under $XDG_RUNTIME_DIR, both for the
// monolithic libvirtd and the modular virtqemud.
QVector<LibvirtSocketCandidate> defaultLibvirtSocketCandidates();

// URIs whose socket exists as a Unix socket right now, in candidate order, without
// duplicates. Nothing is connected to, so this is cheap enough for the add-cloud dialog.
QStringList discoverLocalLibvirtUris(const QVector<LibvirtSocketCandidate> &candidates);
QStringList discoverLocalLibvirtUris();   // with defaultLibvirtSocketCandidates()

} // namespace mist
