#pragma once

#include "cli/outputwriter.h"
#include "inventory/cloud.h"
#include "inventory/machine.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>
#include <QVector>

namespace mist {

// How machines look in `mist machines`, `mist machine` and the results of actions and tags.
class MachineRecords
{
public:
    // Default columns: id, name, state, kind, cloud, ips, size, tags. In a table the state
    // carries "(missing)" / "(stale)"; json and csv have them as separate booleans instead.
    static Records list(const QVector<Machine> &machines, const QHash<qint64, Cloud> &clouds,
                        OutputFormat format, bool allColumns);
    // Every field of one machine, plus the actions allowed right now.
    static Records details(const Machine &machine, const Cloud &cloud, const QString &parentName,
                           const QStringList &actions, OutputFormat format);

    // Provider tags overlaid with the user's (what the GUI's tag column shows).
    static TagMap allTags(const Machine &machine);
    static QJsonObject tagsJson(const TagMap &tags);
    // "running", "running (missing)", "stopped (stale)".
    static QString stateText(const Machine &machine, const Cloud &cloud);

private:
    static void addColumns(Records &r, OutputFormat format, bool allColumns);
    static QVector<QJsonValue> row(const Machine &m, const Cloud &cloud, OutputFormat format, bool allColumns);
};

} // namespace mist
