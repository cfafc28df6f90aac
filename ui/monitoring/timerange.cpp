#include "timerange.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>

#include <algorithm>

namespace mist {

namespace {
constexpr qint64 kMinute = 60 * 1000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

TimeRangeController::TimeRangeController(QObject *parent)
    : QObject(parent)
{
}

qint64 TimeRangeController::presetWidthMs(Preset preset)
{
    switch (preset) {
    case TenMinutes: return 10 * kMinute;
    case OneHour: return 60 * kMinute;
    case OneDay: return 24 * 60 * kMinute;
    case SevenDays: return 7 * 24 * 60 * kMinute;
    case ThirtyDays:
    case Custom: break;
    }
    return 30 * 24 * 60 * kMinute;
}

qint64 TimeRangeController::fromMs() const
{
    return m_follow ? toMs() - presetWidthMs(m_preset) : m_from;
}

qint64 TimeRangeController::toMs() const
{
    if (!m_follow)
        return m_to;
    return m_paused ? m_pausedAt : nowMs();
}

void TimeRangeController::setPreset(Preset preset)
{
    if (preset == Custom) {
        setCustom(fromMs(), toMs());
        return;
    }
    m_preset = preset;
    m_follow = true;
    m_zoomed = false;
    m_pausedAt = nowMs();
    emit stateChanged();
    emit rangeChanged();
}

void TimeRangeController::setCustom(qint64 fromMs, qint64 toMs)
{
    if (toMs - fromMs < kMinWidthMs)
        toMs = fromMs + kMinWidthMs;
    m_preset = Custom;
    m_customFrom = fromMs;
    m_customTo = toMs;
    fix(fromMs, toMs, false);
}

void TimeRangeController::fix(qint64 fromMs, qint64 toMs, bool zoomed)
{
    m_follow = false;
    m_zoomed = zoomed;
    m_from = fromMs;
    m_to = toMs;
    emit stateChanged();
    emit rangeChanged();
}

void TimeRangeController::zoomTo(qint64 fromMs, qint64 toMs)
{
    if (fromMs > toMs)
        std::swap(fromMs, toMs);
    const qint64 width = std::clamp(toMs - fromMs, kMinWidthMs, kMaxWidthMs);
    if (toMs - fromMs != width) {
        const qint64 mid = fromMs + (toMs - fromMs) / 2;
        fromMs = mid - width / 2;
        toMs = fromMs + width;
    }
    // Zooming out around a point near now does not reach into the future (nothing is there).
    if (const qint64 now = nowMs(); toMs > now) {
        fromMs -= toMs - now;
        toMs = now;
    }
    fix(fromMs, toMs, true);
}

void TimeRangeController::zoomBy(double factor, qint64 centerMs)
{
    const qint64 from = fromMs(), to = toMs();
    const qint64 newFrom = centerMs - qint64(double(centerMs - from) * factor);
    const qint64 newTo = centerMs + qint64(double(to - centerMs) * factor);
    zoomTo(newFrom, newTo);
}

void TimeRangeController::pan(double fraction)
{
    const qint64 from = fromMs(), to = toMs();
    qint64 shift = qint64(double(to - from) * fraction);
    const qint64 now = nowMs();
    if (to + shift > now)
        shift = std::max<qint64>(0, now - to);   // nothing to see in the future
    if (shift == 0 && fraction > 0 && m_follow)
        return;
    // Back at "now" with the preset's width: follow again (live), as if never panned.
    if (m_preset != Custom && to + shift >= now - 1000 && to - from == presetWidthMs(m_preset)) {
        m_follow = true;
        m_zoomed = false;
        m_pausedAt = now;
        emit stateChanged();
        emit rangeChanged();
        return;
    }
    fix(from + shift, to + shift, true);
}

void TimeRangeController::resetZoom()
{
    if (m_preset == Custom)
        fix(m_customFrom, m_customTo, false);
    else
        setPreset(m_preset);
}

void TimeRangeController::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    m_pausedAt = nowMs();
    emit stateChanged();
    if (!paused && m_follow)
        emit rangeChanged();   // catch up with what arrived while paused
}

CustomRangeDialog::CustomRangeDialog(qint64 fromMs, qint64 toMs, QWidget *parent)
    : QDialog(parent), m_from(new QDateTimeEdit(this)), m_to(new QDateTimeEdit(this)), m_error(new QLabel(this))
{
    setWindowTitle(tr("Custom time range"));
    setObjectName(QStringLiteral("customRangeDialog"));
    for (QDateTimeEdit *e : {m_from, m_to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    m_from->setObjectName(QStringLiteral("customFrom"));
    m_to->setObjectName(QStringLiteral("customTo"));
    m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(fromMs));
    m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(toMs));
    m_error->setStyleSheet(QStringLiteral("color: palette(link)"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &CustomRangeDialog::validate);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &CustomRangeDialog::validate);
    auto *form = new QFormLayout(this);
    form->addRow(tr("&From:"), m_from);
    form->addRow(tr("&To:"), m_to);
    form->addRow(m_error);
    form->addRow(buttons);
    validate();
}

qint64 CustomRangeDialog::fromMs() const
{
    return m_from->dateTime().toMSecsSinceEpoch();
}

qint64 CustomRangeDialog::toMs() const
{
    return m_to->dateTime().toMSecsSinceEpoch();
}

void CustomRangeDialog::validate()
{
    const bool ok = toMs() - fromMs() >= TimeRangeController::kMinWidthMs;
    m_error->setText(ok ? QString() : tr("The end must be at least a minute after the start."));
    m_ok->setEnabled(ok);
}

TimeRangeBar::TimeRangeBar(TimeRangeController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_combo(new QComboBox(this)), m_back(new QToolButton(this)),
      m_forward(new QToolButton(this)), m_reset(new QToolButton(this)), m_pause(new QToolButton(this)), m_label(new QLabel(this))
{
    m_combo->setObjectName(QStringLiteral("rangeCombo"));
    m_combo->addItems({tr("10 minutes"), tr("1 hour"), tr("1 day"), tr("7 days"), tr("30 days"), tr("Custom…")});
    m_back->setObjectName(QStringLiteral("panBack"));
    m_back->setText(QStringLiteral("◀"));
    m_back->setToolTip(tr("Earlier by half the range (Left, Shift+wheel)"));
    m_forward->setObjectName(QStringLiteral("panForward"));
    m_forward->setText(QStringLiteral("▶"));
    m_forward->setToolTip(tr("Later by half the range (Right, Shift+wheel)"));
    m_reset->setObjectName(QStringLiteral("resetZoom"));
    m_reset->setText(tr("Reset zoom"));
    m_reset->setToolTip(tr("Back to the selected range (Home). Drag on a chart to zoom, Shift+drag to pan"));
    m_pause->setObjectName(QStringLiteral("pauseLive"));
    m_pause->setText(tr("Pause live"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Stop adding new samples; the view stays where it is"));
    m_label->setObjectName(QStringLiteral("rangeLabel"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_combo);
    layout->addWidget(m_back);
    layout->addWidget(m_forward);
    layout->addWidget(m_reset);
    layout->addWidget(m_pause);
    layout->addWidget(m_label, 1);

    connect(m_combo, &QComboBox::activated, this, [this](int index) {
        if (index == TimeRangeController::Custom)
            openCustomDialog();
        else
            m_controller->setPreset(TimeRangeController::Preset(index));
    });
    connect(m_back, &QToolButton::clicked, m_controller, [this] { m_controller->pan(-0.5); });
    connect(m_forward, &QToolButton::clicked, m_controller, [this] { m_controller->pan(0.5); });
    connect(m_reset, &QToolButton::clicked, m_controller, &TimeRangeController::resetZoom);
    connect(m_pause, &QToolButton::toggled, m_controller, &TimeRangeController::setPaused);
    connect(m_controller, &TimeRangeController::stateChanged, this, &TimeRangeBar::sync);
    connect(m_controller, &TimeRangeController::rangeChanged, this, &TimeRangeBar::sync);
    sync();
}

void TimeRangeBar::openCustomDialog()
{
    if (m_dialog) {
        m_dialog->raise();
        return;
    }
    m_dialog = new CustomRangeDialog(m_controller->fromMs(), m_controller->toMs(), this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_dialog, &QDialog::finished, this, [this](int result) {
        if (result == QDialog::Accepted)
            m_controller->setCustom(m_dialog->fromMs(), m_dialog->toMs());
        m_dialog = nullptr;
        sync();   // a cancelled dialog puts the combo back
    });
    m_dialog->open();
}

void TimeRangeBar::sync()
{
    m_combo->setCurrentIndex(m_controller->preset());
    m_reset->setEnabled(m_controller->isZoomed());
    m_forward->setEnabled(!m_controller->isFollowingNow());
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(m_controller->isPaused());
    }
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(m_controller->fromMs());
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(m_controller->toMs());
    const QString format = from.date() == to.date() ? QStringLiteral("HH:mm") : QStringLiteral("yyyy-MM-dd HH:mm");
    if (m_controller->isFollowingNow() && !m_controller->isPaused())
        m_label->setText(tr("Live: %1 – now").arg(from.toString(format)));
    else
        m_label->setText(tr("%1 – %2").arg(from.toString(QStringLiteral("yyyy-MM-dd HH:mm")), to.toString(format)));
}

} // namespace mist
