#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace mist::jsonfile {

// The user-facing sentences for one settings file; each has %1 for the file's path.
struct Texts
{
    QString unreadable;   // "Could not read the alert rules file %1."
    QString invalid;      // "The alert rules file %1 is damaged."
    QString unwritable;   // "Could not write the alert rules file %1."
};

// A settings file holding one JSON object (monitoring.json, alerts.json, prometheus.json).
// A missing file is nullopt; an unreadable file or one that is not a JSON object is an Error
// with the text and the parser's complaint as detail.
Result<std::optional<QJsonObject>> read(const QString &path, const Texts &texts);
// Atomic (QSaveFile): readers see the old file or the new one, never half of it.
Status write(const QString &path, const QJsonObject &root, const Texts &texts);

} // namespace mist::jsonfile
