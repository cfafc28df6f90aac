#include "util/jsonfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace mist::jsonfile {

Result<std::optional<QJsonObject>> read(const QString &path, const Texts &texts)
{
    const QString shown = QDir::toNativeSeparators(path);
    QFile f(path);
    if (!f.exists())
        return std::optional<QJsonObject>();
    if (!f.open(QIODevice::ReadOnly))
        return Error{texts.unreadable.arg(shown), f.errorString()};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{texts.invalid.arg(shown),
                     QCoreApplication::translate("mist::jsonfile", "not valid JSON at offset %1: %2").arg(pe.offset).arg(pe.errorString())};
    if (!doc.isObject())
        return Error{texts.invalid.arg(shown), QCoreApplication::translate("mist::jsonfile", "the top level is not a JSON object")};
    return std::optional<QJsonObject>(doc.object());
}

Status write(const QString &path, const QJsonObject &root, const Texts &texts)
{
    const QString shown = QDir::toNativeSeparators(path);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error{texts.unwritable.arg(shown), f.errorString()};
    f.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return Error{texts.unwritable.arg(shown), f.errorString()};
    return {};
}

} // namespace mist::jsonfile
