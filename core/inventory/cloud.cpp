#include "cloud.h"

namespace mist {

QString cloudHealthName(CloudHealth health)
{
    switch (health) {
    case CloudHealth::NeverPolled: return QStringLiteral("never");
    case CloudHealth::Polling: return QStringLiteral("polling");
    case CloudHealth::Ok: return QStringLiteral("ok");
    case CloudHealth::Error: return QStringLiteral("error");
    }
    return QStringLiteral("never");
}

CloudHealth cloudHealthFromName(const QString &name)
{
    if (name == QLatin1String("ok")) return CloudHealth::Ok;
    if (name == QLatin1String("error")) return CloudHealth::Error;
    if (name == QLatin1String("polling")) return CloudHealth::Polling;
    return CloudHealth::NeverPolled;
}

} // namespace mist
