#include "alerts/alertruletext.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace mist::AlertRuleText {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("AlertRuleText", text);
}

QString series(const RuleCondition &c)
{
    return c.label.isEmpty() ? c.metric : QStringLiteral("%1{%2}").arg(c.metric, c.label);
}
} // namespace

// The engine's names: the rules file, the CLI and history messages all say the same.
QString aggregateName(RuleCondition::Aggregate a)
{
    return RuleEngine::aggregateName(a);
}

QString compareSymbol(RuleCondition::Compare c)
{
    return RuleEngine::compareSymbol(c);
}

QString actionKindName(AlertAction::Kind k)
{
    switch (k) {
    case AlertAction::Kind::Notify: return QStringLiteral("notify");
    case AlertAction::Kind::Webhook: return QStringLiteral("webhook");
    case AlertAction::Kind::Command: return QStringLiteral("command");
    case AlertAction::Kind::Lifecycle: return QStringLiteral("lifecycle");
    }
    return {};
}

QString duration(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("0");
    if (ms % 1000 != 0)
        return QStringLiteral("%1ms").arg(ms);
    qint64 s = ms / 1000;
    QString out;
    for (auto [size, unit] : {std::pair{qint64(86400), 'd'}, std::pair{qint64(3600), 'h'}, std::pair{qint64(60), 'm'},
                              std::pair{qint64(1), 's'}}) {
        if (s >= size) {
            out += QString::number(s / size) + QLatin1Char(unit);
            s %= size;
        }
    }
    return out;
}

std::optional<qint64> parseDuration(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("0"))
        return 0;
    // One or more <number><unit> parts, largest first by convention ("1h30m").
    static const QRegularExpression whole(QStringLiteral("^(\\d{1,9}(ms|[smhdw]))+$"));
    static const QRegularExpression part(QStringLiteral("(\\d{1,9})(ms|[smhdw])"));
    if (!whole.match(t).hasMatch())
        return std::nullopt;
    qint64 total = 0;
    for (auto it = part.globalMatch(t); it.hasNext();) {
        const auto m = it.next();
        const QString unit = m.captured(2);
        const qint64 factor = unit == QLatin1String("ms") ? 1
                              : unit == QLatin1String("s") ? 1000
                              : unit == QLatin1String("m") ? 60000
                              : unit == QLatin1String("h") ? 3600000
                              : unit == QLatin1String("d") ? 86400000LL
                                                           : 7 * 86400000LL;
        total += m.captured(1).toLongLong() * factor;
    }
    return total;
}

QString condition(const RuleCondition &c)
{
    switch (c.kind) {
    case RuleCondition::Kind::Threshold: {
        QString text = tr("%1 %2 over %3 %4 %5")
                           .arg(series(c), aggregateName(c.aggregate), duration(c.windowMs), compareSymbol(c.compare))
                           .arg(c.threshold);
        if (c.forMs > 0)
            text += tr(" for %1").arg(duration(c.forMs));
        return text;
    }
    case RuleCondition::Kind::NoData:
        return tr("no data from %1 for %2").arg(series(c), duration(c.forMs));
    case RuleCondition::Kind::StateChanged:
        return c.toState.isEmpty() ? tr("state changes") : tr("state changes to %1").arg(c.toState);
    }
    return {};
}

QString targets(const AlertRule &rule, const QHash<qint64, QString> &machineNames)
{
    QStringList parts;
    for (qint64 id : rule.machineIds)
        parts << machineNames.value(id, QStringLiteral("#%1").arg(id));
    for (const QString &tag : rule.tags)
        parts << tr("tag %1").arg(tag);
    return parts.join(QStringLiteral(", "));
}

QString action(const AlertAction &a)
{
    const QString resolve = a.onResolve ? tr(" (+ resolve)") : QString();
    switch (a.kind) {
    case AlertAction::Kind::Notify:
        return tr("notify") + resolve;
    case AlertAction::Kind::Webhook:
        return tr("webhook %1 %2").arg(a.method, a.url) + resolve;
    case AlertAction::Kind::Command:
        return tr("command \"%1\"").arg(a.command);
    case AlertAction::Kind::Lifecycle:
        return tr("machine action %1").arg(a.lifecycleAction);
    }
    return {};
}

QString actions(const AlertRule &rule)
{
    QStringList parts;
    for (const AlertAction &a : rule.actions)
        parts << action(a);
    return parts.join(QStringLiteral(", "));
}

} // namespace mist::AlertRuleText
