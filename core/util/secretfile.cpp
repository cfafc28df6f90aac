#include "secretfile.h"

#include <QCoreApplication>
#include <QFile>

namespace mist {

Result<QString> readSecretFile(const QString &path)
{
    constexpr qint64 kMaxBytes = 1 << 20;
    const auto tr = [](const char *text) { return QCoreApplication::translate("SecretFile", text); };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{tr("Cannot read \"%1\"").arg(path), file.errorString()};
    if (file.size() > kMaxBytes)
        return Error{tr("\"%1\" is too large to be a key or certificate (more than 1 MiB)").arg(path), {}};
    const QByteArray data = file.readAll();
    if (data.trimmed().isEmpty())
        return Error{tr("\"%1\" is empty").arg(path), {}};
    return QString::fromUtf8(data);
}

} // namespace mist
