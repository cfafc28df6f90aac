#include "testsupport.h"

#include <QDirIterator>
#include <QFile>
#include <QProcessEnvironment>

#include <QtDBus/QDBusConnection>
#include <QtDBus/QDBusConnectionInterface>

namespace mist::test {

QString dataFile(const QString &relative)
{
    return QStringLiteral(MIST_TEST_DATA_DIR "/") + relative;
}

QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << path;
    }
    return hits;
}

bool secretServiceAvailable()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    const auto reply = bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.secrets"));
    if (reply.isValid() && reply.value())
        return true;
    // gnome-keyring may be D-Bus activatable rather than running yet.
    const auto names = bus.interface()->activatableServiceNames();
    return names.isValid() && names.value().contains(QStringLiteral("org.freedesktop.secrets"));
}

} // namespace mist::test
