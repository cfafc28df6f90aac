#include "datalocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryFile>

namespace mist {

Result<DataLocation> DataLocation::resolve(const QString &commandLineOverride)
{
    QString dir = commandLineOverride;
    if (dir.isEmpty())
        dir = qEnvironmentVariable("MIST_DATA_DIR");
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty())
        return Error{QCoreApplication::translate("DataLocation", "This system reports no folder for application data; "
                                                                 "pass --data-dir or set MIST_DATA_DIR"), {}};
    dir = QDir(dir).absolutePath();
    if (!QDir().mkpath(dir))
        return Error{QCoreApplication::translate("DataLocation", "Could not create the data folder"), dir};
    // A folder that exists but refuses writes would only fail later, half-way through.
    QTemporaryFile probe(dir + QStringLiteral("/.write-test-XXXXXX"));
    if (!probe.open())
        return Error{QCoreApplication::translate("DataLocation", "The data folder is not writable"), dir};
    DataLocation loc;
    loc.m_dir = dir;
    return loc;
}

QString DataLocation::inventoryPath() const
{
    return m_dir + QStringLiteral("/inventory.db");
}

QString DataLocation::settingsPath() const
{
    return m_dir + QStringLiteral("/settings.ini");
}

} // namespace mist
