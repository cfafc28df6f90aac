#include "inventorydisplay.h"

#include <QCoreApplication>
#include <QHash>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QStringList>

namespace mist {

namespace {

QString trModel(const char *text)
{
    return QCoreApplication::translate("mist::InventoryModel", text);
}

enum IconKind { GreenIcon, GreyIcon, RedIcon, AmberIcon, BlueIcon, OutlineIcon, IconKindCount };

const QIcon &statusIcon(IconKind kind, bool cloud)
{
    static QIcon icons[2][IconKindCount];
    static const QRgb colors[IconKindCount] = {0x2e9d4a, 0x8a8a8a, 0xd0312d, 0xe0a000, 0x3b7dd8, 0x808080};
    QIcon &icon = icons[cloud ? 1 : 0][kind];
    if (!icon.isNull())
        return icon;
    for (int size : {16, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const QColor color(colors[kind]);
        p.setPen(kind == OutlineIcon ? QPen(color, size / 10.0) : QPen(color.darker(130), size / 20.0));
        p.setBrush(kind == OutlineIcon ? QBrush(Qt::NoBrush) : QBrush(color));
        const QRectF r(size * 0.2, size * 0.2, size * 0.6, size * 0.6);
        cloud ? p.drawRoundedRect(r, size * 0.12, size * 0.12) : p.drawEllipse(r);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace

const QIcon &InventoryDisplay::machineIcon(const QString &s)
{
    namespace S = MachineState;
    const IconKind kind = s == S::Running       ? GreenIcon
        : s == S::Stopped || s == S::Terminated ? GreyIcon
        : s == S::Error                         ? RedIcon
        : s == S::Pending || s == S::Rebooting  ? AmberIcon
        : s == S::Suspended || s == S::Paused   ? BlueIcon
                                                : OutlineIcon;
    return statusIcon(kind, false);
}

const QIcon &InventoryDisplay::cloudIcon(CloudHealth health)
{
    static const IconKind kinds[] = {OutlineIcon, AmberIcon, GreenIcon, RedIcon}; // CloudHealth order
    return statusIcon(kinds[static_cast<int>(health)], true);
}

const QString &InventoryDisplay::stateLabel(const QString &state)
{
    static const QHash<QString, QString> labels = {
        {MachineState::Running, trModel("Running")},
        {MachineState::Stopped, trModel("Stopped")},
        {MachineState::Pending, trModel("Pending")},
        {MachineState::Rebooting, trModel("Rebooting")},
        {MachineState::Suspended, trModel("Suspended")},
        {MachineState::Paused, trModel("Paused")},
        {MachineState::Terminated, trModel("Terminated")},
        {MachineState::Error, trModel("Error")},
        {MachineState::Unknown, trModel("Unknown")},
        {MachineState::Unreachable, trModel("Unreachable")},
    };
    const auto it = labels.constFind(state);
    return it == labels.cend() ? state : *it;
}

const QString &InventoryDisplay::healthLabel(CloudHealth health)
{
    static const QString labels[] = {trModel("Never polled"), trModel("Polling"), trModel("OK"), trModel("Error")};
    return labels[static_cast<int>(health)];
}

QString InventoryDisplay::cloudLabel(const Cloud &cloud, int machineCount)
{
    // Literal calls (not trModel) so that lupdate sees them, as it saw the model's tr().
    return machineCount == 1
        ? QCoreApplication::translate("mist::InventoryModel", "%1 (1 machine)").arg(cloud.name)
        : QCoreApplication::translate("mist::InventoryModel", "%1 (%n machines)", nullptr, machineCount)
              .arg(cloud.name);
}

bool InventoryDisplay::isStale(const Machine &m, const Cloud &c)
{
    return c.isStale() || m.missingSince.isValid();
}

QVariant InventoryDisplay::machineToolTip(const Machine &m, const Cloud &c)
{
    QStringList why;
    if (c.isStale())
        why << trModel("Last poll failed at %1: %2").arg(timeText(c.lastPollAt), c.lastError);
    if (m.missingSince.isValid())
        why << trModel("Missing since %1").arg(timeText(m.missingSince));
    return why.isEmpty() ? QVariant() : QVariant(why.join(QLatin1Char('\n')));
}

QString InventoryDisplay::cloudToolTip(const Cloud &c)
{
    QString tip
        = trModel("%1 (%2)\nHealth: %3\nLast poll: %4\nLast successful poll: %5")
              .arg(c.name, c.provider, healthLabel(c.health), timeText(c.lastPollAt), timeText(c.lastSuccessAt));
    if (!c.lastError.isEmpty())
        tip += QLatin1Char('\n') + trModel("Last error: %1").arg(c.lastError);
    return tip;
}

double InventoryDisplay::costKey(const Machine &m)
{
    return m.costCurrency.isEmpty() && m.costPerMonth == 0.0 ? -1.0 : m.costPerMonth;
}

QString InventoryDisplay::namespaceText(const Machine &m)
{
    // The Kubernetes provider puts a pod's or container's namespace there as "ns/<namespace>".
    return m.location.startsWith(QLatin1String("ns/")) ? m.location.mid(3) : QString();
}

QString InventoryDisplay::ipsText(const Machine &m)
{
    return (m.publicIps + m.privateIps).join(QStringLiteral(", "));
}

QString InventoryDisplay::costText(const Machine &m)
{
    return costKey(m) < 0 ? QString()
                          : QCoreApplication::translate("mist::InventoryModel", "%1 %2/mo")
                                .arg(QString::number(m.costPerMonth, 'f', 2), m.costCurrency);
}

QString InventoryDisplay::tagsText(const Machine &m)
{
    TagMap tags = m.providerTags;
    tags.insert(m.userTags); // the user's value wins over the provider's
    QStringList parts;
    parts.reserve(tags.size());
    for (auto it = tags.cbegin(); it != tags.cend(); ++it)
        parts << (it.value().isEmpty() ? it.key() : it.key() + QLatin1Char('=') + it.value());
    return parts.join(QStringLiteral(", "));
}

QString InventoryDisplay::timeText(const QDateTime &t)
{
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : trModel("never");
}

} // namespace mist
