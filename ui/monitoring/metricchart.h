#pragma once

#include "monitoring/downsample.h"
#include "monitoring/monitoringservice.h"

#include <QChartView>
#include <QPointer>

class QDateTimeAxis;
class QLineSeries;
class QRubberBand;
class QTimer;
class QValueAxis;

namespace mist {

class TimeRangeController;
struct MetricSampleSet;

// A machine as the monitoring windows name it.
struct MachineRef
{
    qint64 id = 0;
    QString name;
};

// One line of a chart: a stored series (by id, or machine + name + label) and its legend text.
// name/label are also what live samples are matched on.
struct ChartLine
{
    MetricSeriesKey key;
    QString title;
};

// A Qt Charts view of one or more series over the range of a shared TimeRangeController.
//  * Each line is queried on the service's query pool with maxPoints = the plot's width in
//    pixels (MetricStore downsamples); answers of an older range are dropped.
//  * Values are scaled for the axis (MetricFormat::scaleFor: KiB/MiB/GiB, %, days).
//  * Drag = zoom to the dragged span, Shift+drag / Shift+wheel / Left, Right = pan,
//    Ctrl+wheel or +/- = zoom around the cursor, right click = zoom out, Home = reset.
//    All of it changes the controller, so every chart of a dashboard follows.
//  * Hover shows every line's value nearest the cursor's time.
//  * Live samples (addSamples) are appended while the controller is live.
class MetricChart : public QChartView
{
    Q_OBJECT
public:
    MetricChart(MonitoringService *service, TimeRangeController *range, const QString &title, const QString &unit,
                QWidget *parent = nullptr);

    void setLines(const QVector<ChartLine> &lines);   // replaces the lines and reloads
    const QVector<ChartLine> &lines() const { return m_lineDefs; }
    QString title() const { return m_title; }
    QString unit() const { return m_unit; }
    int lineCount() const { return int(m_lines.size()); }
    int pointCount() const;           // over all lines
    int pointCount(int line) const;
    QString lineName(int line) const;
    bool isLoading() const;   // a query is running or about to

    qint64 axisFromMs() const;
    qint64 axisToMs() const;
    // The read-out shown when hovering at `ts`.
    QString readoutAt(qint64 ts) const;
    QString message() const { return m_message; }

public slots:
    void reload();   // soon (coalesces bursts of range changes)
    void reloadNow();
    void addSamples(qint64 machineId, const mist::MetricSampleSet &samples);

signals:
    void loaded(int points);   // after every reload

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    struct Line
    {
        QLineSeries *series = nullptr;
        QVector<TimePoint> points;   // unscaled, time-ordered
    };
    void rebuildSeries();
    void redraw();   // all lines from m_lines, with a scale fitting them
    void setAxisRange(qint64 fromMs, qint64 toMs);
    qint64 timeAt(const QPoint &viewPos) const;
    QRectF plotRectInView() const;
    int plotWidth() const;

    QPointer<MonitoringService> m_service;
    TimeRangeController *m_range;
    QString m_title;
    QString m_unit;
    QVector<ChartLine> m_lineDefs;
    QVector<Line> m_lines;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    QTimer *m_reloadTimer;
    double m_divisor = 1;
    quint64 m_generation = 0;
    int m_pending = 0;
    QString m_message;
    // Mouse: a zoom (rubber band) or pan (Shift) drag in progress.
    enum class Drag { None, Zoom, Pan } m_drag = Drag::None;
    QPoint m_dragStart;
    QPoint m_dragLast;
    QRubberBand *m_band = nullptr;
};

} // namespace mist
