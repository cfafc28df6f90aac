#pragma once

#include <QDialog>
#include <QObject>
#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPushButton;
class QToolButton;

namespace mist {

// The time range shared by the charts of a dashboard (or an overlay chart): a preset that
// follows "now" (10 min … 30 d), a custom from–to, or a zoomed/panned window of either.
// "Live" = following now and not paused: only then do new samples get appended.
class TimeRangeController : public QObject
{
    Q_OBJECT
public:
    enum Preset { TenMinutes, OneHour, OneDay, SevenDays, ThirtyDays, Custom };
    static constexpr qint64 kMinWidthMs = 60 * 1000;
    static constexpr qint64 kMaxWidthMs = 366LL * 24 * 3600 * 1000;   // zooming out stops at a year

    explicit TimeRangeController(QObject *parent = nullptr);

    static qint64 presetWidthMs(Preset preset);
    Preset preset() const { return m_preset; }
    qint64 fromMs() const;
    qint64 toMs() const;
    qint64 widthMs() const { return toMs() - fromMs(); }
    bool isFollowingNow() const { return m_follow; }
    bool isPaused() const { return m_paused; }
    bool isLive() const { return m_follow && !m_paused; }
    // Zoomed or panned away from the preset / custom range.
    bool isZoomed() const { return m_zoomed; }

    void setPreset(Preset preset);
    void setCustom(qint64 fromMs, qint64 toMs);
    void zoomTo(qint64 fromMs, qint64 toMs);
    void zoomBy(double factor, qint64 centerMs);   // factor > 1 zooms out
    void pan(double fraction);                     // of the width; > 0 moves towards now
    void resetZoom();
    void setPaused(bool paused);

signals:
    void rangeChanged();   // charts re-query
    void stateChanged();   // preset, paused or zoom changed (for the buttons)

private:
    void fix(qint64 fromMs, qint64 toMs, bool zoomed);

    Preset m_preset = TenMinutes;
    bool m_follow = true;
    bool m_paused = false;
    bool m_zoomed = false;
    qint64 m_pausedAt = 0;   // "now" of a paused following range
    qint64 m_from = 0, m_to = 0;   // when not following
    qint64 m_customFrom = 0, m_customTo = 0;
};

// "Custom…": from and to as date-times.
class CustomRangeDialog : public QDialog
{
    Q_OBJECT
public:
    CustomRangeDialog(qint64 fromMs, qint64 toMs, QWidget *parent = nullptr);
    qint64 fromMs() const;
    qint64 toMs() const;
    QDateTimeEdit *fromEdit() const { return m_from; }
    QDateTimeEdit *toEdit() const { return m_to; }

private:
    void validate();

    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QPushButton *m_ok = nullptr;
    QLabel *m_error;
};

// The controls of a TimeRangeController: range combo (with Custom…), ◀ ▶ (half a width),
// reset zoom, pause live, and the range shown.
class TimeRangeBar : public QWidget
{
    Q_OBJECT
public:
    TimeRangeBar(TimeRangeController *controller, QWidget *parent = nullptr);
    QComboBox *rangeCombo() const { return m_combo; }
    // The dialog "Custom…" opened (non-modal), or null.
    CustomRangeDialog *customDialog() const { return m_dialog; }
    void openCustomDialog();

private:
    void sync();

    TimeRangeController *m_controller;
    QComboBox *m_combo;
    QToolButton *m_back;
    QToolButton *m_forward;
    QToolButton *m_reset;
    QToolButton *m_pause;
    QLabel *m_label;
    CustomRangeDialog *m_dialog = nullptr;
};

} // namespace mist
