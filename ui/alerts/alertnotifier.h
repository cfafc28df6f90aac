#pragma once

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;

namespace mist {

class AlertService;

// Shows AlertService::notify: a system tray balloon where the desktop has a tray; otherwise
// (e.g. the offscreen platform, some Wayland desktops) statusMessage() for the status bar.
class AlertNotifier : public QObject
{
    Q_OBJECT
public:
    explicit AlertNotifier(AlertService *service, QObject *parent = nullptr);

    bool hasTray() const { return m_tray != nullptr; }
    QString lastMessage() const { return m_last; }

    void show(const QString &title, const QString &message, bool resolved);

signals:
    void statusMessage(const QString &text, int timeoutMs);

private:
    QSystemTrayIcon *m_tray = nullptr;
    QString m_last;
};

} // namespace mist
