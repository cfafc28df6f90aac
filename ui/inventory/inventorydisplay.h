#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"

#include <QDateTime>
#include <QIcon>
#include <QString>
#include <QVariant>

namespace mist {

// How the inventory tree shows clouds and machines: state icons, translated labels, tooltips
// and cell texts. Stateless; InventoryModel caches what it builds per row. The texts keep the
// "mist::InventoryModel" translation context they had when they lived in the model.
class InventoryDisplay
{
public:
    InventoryDisplay() = delete;

    // Drawn once and shared: a filled circle per machine state, a rounded square per cloud health.
    static const QIcon &machineIcon(const QString &state);
    static const QIcon &cloudIcon(CloudHealth health);

    // Shared, translated labels: the model returns these without building a string per call.
    // An unknown state is shown as is.
    static const QString &stateLabel(const QString &state);
    static const QString &healthLabel(CloudHealth health);
    static QString cloudLabel(const Cloud &cloud, int machineCount); // "name (N machines)"

    // Greyed: the cloud's last poll failed, or the machine is missing.
    static bool isStale(const Machine &machine, const Cloud &cloud);
    // Why a machine is stale; an invalid QVariant when it is not (no tooltip).
    static QVariant machineToolTip(const Machine &machine, const Cloud &cloud);
    static QString cloudToolTip(const Cloud &cloud);

    // The cost column's sort key: -1 when the cost is unknown.
    static double costKey(const Machine &machine);
    static QString ipsText(const Machine &machine); // public then private, comma separated
    static QString costText(const Machine &machine); // "12.35 USD/mo", empty when unknown
    static QString tagsText(const Machine &machine); // "key=value, key", the user's value winning
    static QString namespaceText(const Machine &machine); // Kubernetes namespace, else empty
    static QString timeText(const QDateTime &time); // local short format, or "never"
};

} // namespace mist
