#pragma once

#include "util/result.h"

#include <QString>

namespace mist {

// Where the inventory and settings live: --data-dir beats $MIST_DATA_DIR beats the
// platform's app-data folder (QStandardPaths::AppDataLocation).
class DataLocation
{
public:
    // Resolves and creates the folder; an unusable folder is an error that names it.
    static Result<DataLocation> resolve(const QString &commandLineOverride = {});

    QString dir() const { return m_dir; }
    QString inventoryPath() const;   // <dir>/inventory.db
    QString settingsPath() const;    // <dir>/settings.ini (no secrets, ever)

private:
    QString m_dir;
};

} // namespace mist
