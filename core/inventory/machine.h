#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace mist {

enum class MachineKind { Machine, Vm, Hypervisor, ContainerHost, Container, Node, Pod };

QString machineKindName(MachineKind kind);                          // "machine", "vm", ...
std::optional<MachineKind> machineKindFromName(const QString &name);

// Normalised machine states, the same vocabulary Mist uses for every provider.
namespace MachineState {
inline const QString Running = QStringLiteral("running");
inline const QString Stopped = QStringLiteral("stopped");
inline const QString Pending = QStringLiteral("pending");
inline const QString Rebooting = QStringLiteral("rebooting");
inline const QString Suspended = QStringLiteral("suspended");
inline const QString Paused = QStringLiteral("paused");
inline const QString Terminated = QStringLiteral("terminated");
inline const QString Error = QStringLiteral("error");
inline const QString Unknown = QStringLiteral("unknown");
inline const QString Unreachable = QStringLiteral("unreachable");   // probed over the network, no answer
} // namespace MachineState

using TagMap = QMap<QString, QString>;

// One machine as stored and as shown. A provider fills the descriptive fields plus
// externalId/parentExternalId and leaves the database ids at 0; the store assigns them.
struct Machine
{
    qint64 id = 0;              // stable: same (cloud, externalId) keeps its id for life
    qint64 cloudId = 0;
    qint64 parentId = 0;        // 0 = directly under the cloud
    QString externalId;         // the provider's id (libvirt UUID, EC2 instance id...)
    QString parentExternalId;   // provider-side parent, resolved to parentId by the store
    MachineKind kind = MachineKind::Machine;
    QString name;
    QString state = MachineState::Unknown;
    QStringList publicIps;
    QStringList privateIps;
    QString size;
    QString image;
    QString location;
    QString os;
    int cores = 0;
    qint64 memoryMb = 0;
    QDateTime created;           // as reported by the provider, may be invalid
    QDateTime lastSeen;          // set by the store when a poll reports it
    QDateTime missingSince;      // set by the store when a complete poll no longer reports it
    QJsonObject extra;           // provider-specific details shown in the details pane
    double costPerMonth = 0.0;   // 0 with empty currency = unknown
    QString costCurrency;
    TagMap providerTags;         // read-only tags reported by the provider
    TagMap userTags;             // tags set by the user (store only; providers leave empty)

    // True when what the provider reports differs (ignores ids, timestamps and user tags).
    bool sameReportedState(const Machine &other) const;
    // Names of the reported fields that differ, for audit details.
    QStringList changedFields(const Machine &other) const;
};

} // namespace mist

Q_DECLARE_METATYPE(mist::Machine)
