#include "alertnotifier.h"

#include "alerts/alertservice.h"

#include <QApplication>
#include <QStyle>
#include <QSystemTrayIcon>

namespace mist {

namespace {
constexpr int kMessageMs = 15000;
}

AlertNotifier::AlertNotifier(AlertService *service, QObject *parent)
    : QObject(parent)
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        QIcon icon = QApplication::windowIcon();
        if (icon.isNull())
            icon = QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        m_tray = new QSystemTrayIcon(icon, this);
        m_tray->setToolTip(QApplication::applicationDisplayName());
        m_tray->show();
    }
    if (service)
        connect(service, &AlertService::notify, this, &AlertNotifier::show);
}

void AlertNotifier::show(const QString &title, const QString &message, bool resolved)
{
    m_last = message.isEmpty() ? title : title + QStringLiteral(": ") + message;
    if (m_tray && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(title, message, resolved ? QSystemTrayIcon::Information : QSystemTrayIcon::Warning, kMessageMs);
        return;
    }
    emit statusMessage(resolved ? tr("Resolved: %1").arg(m_last) : tr("Alert: %1").arg(m_last), kMessageMs);
}

} // namespace mist
