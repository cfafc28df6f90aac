// The monitoring dashboards on the offscreen platform, against a real MonitoringService whose
// metrics.db was filled beforehand with MetricStore: the machine dashboard (charts with points,
// range change, custom range, pan, zoom, pause live), the overlay chart of two machines, and the
// fleet overview (sorting by CPU, top 10).

#include "monitoring/fleetoverview.h"
#include "monitoring/machinedashboard.h"
#include "monitoring/metricformat.h"
#include "monitoring/monitoringservice.h"
#include "monitoring/overlaychartwindow.h"
#include "monitoring/timerange.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QLegend>
#include <QPushButton>
#include <QWheelEvent>
#include <QDir>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <cmath>

using namespace mist;

namespace {
constexpr int kTimeoutMs = 20000;
constexpr qint64 kStepMs = 10000;
constexpr int kPoints = 720;   // two hours at 10 s
constexpr int kMachines = 12;
constexpr qint64 kMinute = 60 * 1000;
} // namespace

class TestMonitoringDashboard : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    qint64 m_now = 0;
    QHash<qint64, double> m_lastCpu;   // machine -> its latest cpu.percent
    std::unique_ptr<MonitoringService> m_service;

    // Two hours of every usual series for machines 1..kMachines, the last sample at m_now.
    void fill()
    {
        MetricStore store;
        QVERIFY2(store.open(MonitoringService::metricsPath(m_dir.path())).ok(), "open metrics.db");
        QVector<MetricStore::Row> rows;
        const auto series = [&](qint64 machine, const char *name, const QString &label, const char *unit) {
            auto id = store.seriesId(QString::number(machine), QString::fromLatin1(name), label, QString::fromLatin1(unit));
            if (!id)
                qFatal("series: %s", qPrintable(id.error().toString()));
            return id.value();
        };
        for (qint64 m = 1; m <= kMachines; ++m) {
            const qint64 cpu = series(m, "cpu.percent", {}, "%");
            const qint64 cores[] = {series(m, "cpu.percent", QStringLiteral("cpu0"), "%"),
                                    series(m, "cpu.percent", QStringLiteral("cpu1"), "%")};
            const qint64 load[] = {series(m, "load.1", {}, ""), series(m, "load.5", {}, ""), series(m, "load.15", {}, "")};
            const qint64 memUsed = series(m, "mem.used_bytes", {}, "bytes");
            const qint64 memAvail = series(m, "mem.available_bytes", {}, "bytes");
            const qint64 memPct = series(m, "mem.used_percent", {}, "%");
            const qint64 swap = series(m, "swap.used_bytes", {}, "bytes");
            const qint64 root = series(m, "disk.used_percent", QStringLiteral("/"), "%");
            const qint64 home = series(m, "disk.used_percent", QStringLiteral("/home"), "%");
            const qint64 rd = series(m, "diskio.read_bytes_per_s", QStringLiteral("sda"), "bytes/s");
            const qint64 wr = series(m, "diskio.write_bytes_per_s", QStringLiteral("sda"), "bytes/s");
            const qint64 rx = series(m, "net.rx_bytes_per_s", QStringLiteral("eth0"), "bytes/s");
            const qint64 tx = series(m, "net.tx_bytes_per_s", QStringLiteral("eth0"), "bytes/s");
            const qint64 custom = series(m, "app.queue_depth", {}, "");
            for (int i = 0; i < kPoints; ++i) {
                const qint64 ts = m_now - (kPoints - 1 - i) * kStepMs;
                const double wave = std::sin(i / 20.0);
                const double cpuValue = 5.0 * double(m) + 3 * wave;
                m_lastCpu[m] = cpuValue;
                rows += {cpu, ts, cpuValue};
                rows += {cores[0], ts, cpuValue + 1};
                rows += {cores[1], ts, cpuValue - 1};
                for (int k = 0; k < 3; ++k)
                    rows += {load[k], ts, 0.5 + 0.1 * k + 0.2 * wave};
                rows += {memUsed, ts, 3.0e9 + 1e8 * wave};
                rows += {memAvail, ts, 5.0e9 - 1e8 * wave};
                rows += {memPct, ts, 40 + wave};
                rows += {swap, ts, 2.0e8};
                rows += {root, ts, 40};
                rows += {home, ts, 50.0 + double(m)};   // the fullest mount
                rows += {rd, ts, 1.0e6 * (1 + wave)};
                rows += {wr, ts, 2.0e6};
                rows += {rx, ts, 1000.0 * double(m)};
                rows += {tx, ts, 500.0};
                rows += {custom, ts, double(i % 7)};
            }
        }
        QVERIFY(store.write(rows).ok());
        store.close();
    }

    MachineDashboard *openDashboard(qint64 machine = 1)
    {
        auto *d = new MachineDashboard(m_service.get(), m_dir.path(), machine, QStringLiteral("web-%1").arg(machine));
        d->setAttribute(Qt::WA_DeleteOnClose);
        d->show();
        if (!QTest::qWaitForWindowExposed(d))
            qWarning("dashboard not exposed");
        QDeadlineTimer deadline(kTimeoutMs);
        while (d->charts().isEmpty() && !deadline.hasExpired())
            QTest::qWait(20);
        return d;
    }

    static bool allLoaded(MachineDashboard *d)
    {
        for (MetricChart *c : d->charts()) {
            if (c->isLoading() || c->pointCount() == 0)
                return false;
        }
        return !d->charts().isEmpty();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_now = QDateTime::currentMSecsSinceEpoch();
        fill();
        MonitoringService::Options options;
        options.metricsPath = MonitoringService::metricsPath(m_dir.path());
        options.rulesPath = QDir(m_dir.path()).filePath(QStringLiteral("monitoring.json"));
        m_service = std::make_unique<MonitoringService>(nullptr, options);
        QSignalSpy started(m_service.get(), &MonitoringService::started);
        m_service->start();
        QTRY_VERIFY_WITH_TIMEOUT(!started.isEmpty(), kTimeoutMs);
    }

    void cleanupTestCase()
    {
        m_service.reset();
    }

    void formatsUnits()
    {
        QCOMPARE(MetricFormat::value(1536, QStringLiteral("bytes")), QStringLiteral("1.50 KiB"));
        QCOMPARE(MetricFormat::value(3.0 * 1024 * 1024 * 1024, QStringLiteral("bytes")), QStringLiteral("3 GiB"));
        QCOMPARE(MetricFormat::value(2.5 * 1024 * 1024, QStringLiteral("bytes/s")), QStringLiteral("2.50 MiB/s"));
        QCOMPARE(MetricFormat::value(42.25, QStringLiteral("%")), QStringLiteral("42.3 %"));
        QCOMPARE(MetricFormat::value(90061, QStringLiteral("s")), QStringLiteral("1 d 1 h"));
        const MetricFormat::Scale s = MetricFormat::scaleFor(5.0e9, QStringLiteral("bytes"));
        QCOMPARE(s.suffix, QStringLiteral("GiB"));
        QCOMPARE(s.divisor, 1024.0 * 1024 * 1024);
    }

    void dashboardShowsChartsWithPoints()
    {
        MachineDashboard *d = openDashboard();
        QTRY_VERIFY_WITH_TIMEOUT(allLoaded(d), kTimeoutMs);
        QVERIFY2(d->charts().size() >= 6, qPrintable(QString::number(d->charts().size())));
        QStringList titles;
        for (MetricChart *c : d->charts())
            titles << c->title();
        QCOMPARE(titles.mid(0, 8), (QStringList{QStringLiteral("CPU"), QStringLiteral("CPU per core"), QStringLiteral("Load"),
                                                QStringLiteral("Memory"), QStringLiteral("Disk used"), QStringLiteral("Disk read"),
                                                QStringLiteral("Disk write"), QStringLiteral("Network")}));
        QVERIFY(titles.contains(QStringLiteral("app.queue_depth")));    // a custom series gets its own chart
        QVERIFY(titles.contains(QStringLiteral("mem.used_percent")));
        QCOMPARE(d->chart(QStringLiteral("CPU per core"))->lineCount(), 2);
        QCOMPARE(d->chart(QStringLiteral("Load"))->lineCount(), 3);
        QCOMPARE(d->chart(QStringLiteral("Network"))->lineName(0), QStringLiteral("eth0 rx"));

        // 10 minutes at 10 s: about 60 points, each from the store.
        MetricChart *cpu = d->chart(QStringLiteral("CPU"));
        QVERIFY2(cpu->pointCount() >= 55 && cpu->pointCount() <= 62, qPrintable(QString::number(cpu->pointCount())));
        QCOMPARE(cpu->axisToMs() - cpu->axisFromMs(), 10 * kMinute);
        // Read-out: every line's value at the hovered time, with units.
        const QString readout = d->chart(QStringLiteral("Memory"))->readoutAt(m_now - kMinute);
        QVERIFY2(readout.contains(QStringLiteral("used: 2.")) && readout.contains(QStringLiteral("GiB")), qPrintable(readout));
        d->close();
    }

    void rangeChangeRequeriesDownsampled()
    {
        MachineDashboard *d = openDashboard();
        QTRY_VERIFY_WITH_TIMEOUT(allLoaded(d), kTimeoutMs);
        MetricChart *cpu = d->chart(QStringLiteral("CPU"));
        QSignalSpy loaded(cpu, &MetricChart::loaded);
        auto *combo = d->rangeBar()->rangeCombo();
        combo->setCurrentIndex(TimeRangeController::OneDay);
        emit combo->activated(TimeRangeController::OneDay);   // as a user's choice
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kTimeoutMs);
        QCOMPARE(cpu->axisToMs() - cpu->axisFromMs(), 24 * 60 * kMinute);
        // 720 samples in the day, downsampled to about the plot's width.
        QVERIFY2(cpu->pointCount() > 62, qPrintable(QString::number(cpu->pointCount())));
        QVERIFY2(cpu->pointCount() <= std::max(200, cpu->width()), qPrintable(QString::number(cpu->pointCount())));
        // Every chart follows the shared range.
        for (MetricChart *c : d->charts())
            QCOMPARE(c->axisToMs() - c->axisFromMs(), 24 * 60 * kMinute);
        d->close();
    }

    void customRange()
    {
        MachineDashboard *d = openDashboard();
        QTRY_VERIFY_WITH_TIMEOUT(allLoaded(d), kTimeoutMs);
        MetricChart *cpu = d->chart(QStringLiteral("CPU"));
        d->rangeBar()->openCustomDialog();
        CustomRangeDialog *dialog = d->rangeBar()->customDialog();
        QVERIFY(dialog);
        // 90 to 60 minutes ago, whole minutes (the editor shows minutes).
        const QDateTime from = QDateTime::fromMSecsSinceEpoch((m_now - 90 * kMinute) / kMinute * kMinute);
        const QDateTime to = from.addSecs(30 * 60);
        dialog->fromEdit()->setDateTime(from);
        dialog->toEdit()->setDateTime(to);
        QSignalSpy loaded(cpu, &MetricChart::loaded);
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && !cpu->isLoading(), kTimeoutMs);
        QCOMPARE(d->range()->preset(), TimeRangeController::Custom);
        QCOMPARE(d->rangeBar()->rangeCombo()->currentIndex(), int(TimeRangeController::Custom));
        QCOMPARE(cpu->axisFromMs(), from.toMSecsSinceEpoch());
        QCOMPARE(cpu->axisToMs(), to.toMSecsSinceEpoch());
        QVERIFY(!d->range()->isLive());
        // 30 minutes at 10 s.
        QVERIFY2(std::abs(cpu->pointCount() - 180) <= 2, qPrintable(QString::number(cpu->pointCount())));
        // A reversed range cannot be accepted.
        d->rangeBar()->openCustomDialog();
        dialog = d->rangeBar()->customDialog();
        dialog->fromEdit()->setDateTime(to);
        dialog->toEdit()->setDateTime(from);
        QVERIFY(!dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
        dialog->reject();
        QCOMPARE(d->range()->fromMs(), from.toMSecsSinceEpoch());
        d->close();
    }

    void panAndZoomMoveTheAxis()
    {
        MachineDashboard *d = openDashboard();
        QTRY_VERIFY_WITH_TIMEOUT(allLoaded(d), kTimeoutMs);
        d->range()->setPreset(TimeRangeController::OneHour);
        MetricChart *cpu = d->chart(QStringLiteral("CPU"));
        QTRY_VERIFY_WITH_TIMEOUT(!cpu->isLoading(), kTimeoutMs);
        const qint64 to0 = cpu->axisToMs();

        auto *back = d->rangeBar()->findChild<QToolButton *>(QStringLiteral("panBack"));
        back->click();   // half the width back
        QTRY_VERIFY_WITH_TIMEOUT(!cpu->isLoading(), kTimeoutMs);
        QVERIFY(std::abs((to0 - cpu->axisToMs()) - 30 * kMinute) < 5000);
        QVERIFY(!d->range()->isLive());
        QCOMPARE(cpu->axisToMs() - cpu->axisFromMs(), 60 * kMinute);
        QVERIFY(cpu->pointCount() > 0);

        // Arrow keys on any chart pan the shared range.
        d->chart(QStringLiteral("Load"))->setFocus();
        QTest::keyClick(d->chart(QStringLiteral("Load")), Qt::Key_Left);
        QTRY_VERIFY_WITH_TIMEOUT(std::abs((to0 - cpu->axisToMs()) - 60 * kMinute) < 5000, kTimeoutMs);
        // Shift + wheel too (up = earlier); the plain wheel is left to the page's scroll area.
        const qint64 beforeWheel = cpu->axisToMs();
        QWheelEvent plain(QPointF(100, 100), QPointF(cpu->mapToGlobal(QPoint(100, 100))), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(cpu->viewport(), &plain);
        QVERIFY(!plain.isAccepted());
        QCOMPARE(cpu->axisToMs(), beforeWheel);
        QWheelEvent wheel(QPointF(100, 100), QPointF(cpu->mapToGlobal(QPoint(100, 100))), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::ShiftModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(cpu->viewport(), &wheel);
        QTRY_VERIFY_WITH_TIMEOUT(std::abs((beforeWheel - cpu->axisToMs()) - 6 * kMinute) < 5000, kTimeoutMs);

        // Forward until "now": live again.
        auto *forward = d->rangeBar()->findChild<QToolButton *>(QStringLiteral("panForward"));
        for (int i = 0; i < 4 && forward->isEnabled(); ++i)
            forward->click();
        QVERIFY(d->range()->isLive());
        QTRY_VERIFY_WITH_TIMEOUT(cpu->axisToMs() >= to0, kTimeoutMs);

        // Drag over a third of the plot: that span becomes the range of every chart.
        QTRY_VERIFY_WITH_TIMEOUT(!cpu->isLoading(), kTimeoutMs);
        const QRect plot = cpu->mapFromScene(cpu->chart()->mapToScene(cpu->chart()->plotArea())).boundingRect();
        QVERIFY(plot.width() > 100);
        const QPoint a(plot.left() + plot.width() / 3, plot.center().y());
        const QPoint b(plot.left() + 2 * plot.width() / 3, plot.center().y());
        QTest::mousePress(cpu->viewport(), Qt::LeftButton, Qt::NoModifier, a);
        QTest::mouseRelease(cpu->viewport(), Qt::LeftButton, Qt::NoModifier, b);
        QVERIFY(d->range()->isZoomed());
        QVERIFY2(std::abs(d->range()->widthMs() - 20 * kMinute) < 2 * kMinute, qPrintable(QString::number(d->range()->widthMs())));
        QTRY_VERIFY_WITH_TIMEOUT(!d->chart(QStringLiteral("Load"))->isLoading(), kTimeoutMs);
        QCOMPARE(d->chart(QStringLiteral("Load"))->axisToMs() - d->chart(QStringLiteral("Load"))->axisFromMs(), d->range()->widthMs());
        // Reset zoom: back to the live hour.
        d->rangeBar()->findChild<QToolButton *>(QStringLiteral("resetZoom"))->click();
        QVERIFY(d->range()->isLive());
        QCOMPARE(d->range()->widthMs(), 60 * kMinute);
        d->close();
    }

    void pauseStopsLiveAppends()
    {
        MachineDashboard *d = openDashboard();
        QTRY_VERIFY_WITH_TIMEOUT(allLoaded(d), kTimeoutMs);
        MetricChart *cpu = d->chart(QStringLiteral("CPU"));
        const int before = cpu->pointCount(0);
        MetricSampleSet set;
        set.timestampMs = QDateTime::currentMSecsSinceEpoch();
        set.points = {MetricPoint{QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), 77},
                      MetricPoint{QStringLiteral("load.1"), {}, {}, 0.9}};
        emit m_service->samplesCollected(1, set);
        QCOMPARE(cpu->pointCount(0), before + 1);
        QVERIFY(cpu->readoutAt(set.timestampMs).contains(QStringLiteral("77 %")));
        emit m_service->samplesCollected(2, set);   // another machine's: not here
        QCOMPARE(cpu->pointCount(0), before + 1);

        auto *pause = d->rangeBar()->findChild<QToolButton *>(QStringLiteral("pauseLive"));
        pause->click();
        QVERIFY(d->range()->isPaused());
        const qint64 axisTo = cpu->axisToMs();
        set.timestampMs += kStepMs;
        emit m_service->samplesCollected(1, set);
        QCOMPARE(cpu->pointCount(0), before + 1);   // the view stays
        QCOMPARE(cpu->axisToMs(), axisTo);
        pause->click();   // live again: re-reads what it missed
        QVERIFY(d->range()->isLive());
        QTRY_VERIFY_WITH_TIMEOUT(!cpu->isLoading(), kTimeoutMs);
        set.timestampMs += kStepMs;
        emit m_service->samplesCollected(1, set);
        QVERIFY(cpu->readoutAt(set.timestampMs).contains(QStringLiteral("77 %")));
        d->close();
    }

    void overlayOfTwoMachines()
    {
        auto *w = new OverlayChartWindow(m_service.get(), {{1, QStringLiteral("web-1")}, {2, QStringLiteral("web-2")}});
        w->setAttribute(Qt::WA_DeleteOnClose);
        QSignalSpy listed(w, &OverlayChartWindow::metricsListed);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty(), kTimeoutMs);
        QVERIFY(listed.first().first().toInt() >= 10);
        QCOMPARE(w->metricCombo()->currentData().toStringList(), (QStringList{QStringLiteral("cpu.percent"), QString()}));
        MetricChart *chart = w->chart();
        QCOMPARE(chart->lineCount(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading() && chart->pointCount(0) > 0 && chart->pointCount(1) > 0, kTimeoutMs);
        QCOMPARE(chart->lineName(0), QStringLiteral("web-1"));
        QCOMPARE(chart->lineName(1), QStringLiteral("web-2"));
        QVERIFY(chart->chart()->legend()->isVisible());
        const QString readout = chart->readoutAt(m_now);
        QVERIFY2(readout.contains(QStringLiteral("web-1: ")) && readout.contains(QStringLiteral("web-2: ")), qPrintable(readout));

        // Another metric, and the same range controls.
        QVERIFY(w->setMetric(QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0")));
        chart = w->chart();
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading() && chart->pointCount(0) > 0 && chart->pointCount(1) > 0, kTimeoutMs);
        QCOMPARE(chart->unit(), QStringLiteral("bytes/s"));
        w->range()->pan(-0.5);
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading(), kTimeoutMs);
        QVERIFY(!w->range()->isLive());
        QVERIFY(chart->axisToMs() < m_now);
        w->close();
    }

    void fleetSortsAndFiltersTopTen()
    {
        QVector<MachineRef> machines;
        for (qint64 m = 1; m <= kMachines; ++m)
            machines.append({m, QStringLiteral("web-%1").arg(m)});
        auto *w = new FleetOverviewWindow(m_service.get(), [machines] { return machines; });
        w->setAttribute(Qt::WA_DeleteOnClose);
        QSignalSpy refreshed(w, &FleetOverviewWindow::refreshed);
        w->show();
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), kTimeoutMs);
        QAbstractItemModel *view = w->view()->model();
        QCOMPARE(view->rowCount(), kMachines);

        // Latest values: CPU, the fullest mount, rx + tx.
        const int row1 = [&] {
            for (int r = 0; r < w->model()->rowCount(); ++r)
                if (w->model()->machineIdAt(r) == 1)
                    return r;
            return -1;
        }();
        QCOMPARE(w->model()->index(row1, FleetModel::CpuColumn).data(FleetModel::SortRole).toDouble(), m_lastCpu.value(1));
        QCOMPARE(w->model()->index(row1, FleetModel::DiskColumn).data(FleetModel::SortRole).toDouble(), 51.0);
        QCOMPARE(w->model()->index(row1, FleetModel::NetworkColumn).data(FleetModel::SortRole).toDouble(), 1500.0);
        QCOMPARE(w->model()->index(row1, FleetModel::MemoryColumn).data().toString(),
                 MetricFormat::value(w->model()->index(row1, FleetModel::MemoryColumn).data(FleetModel::SortRole).toDouble(),
                                     QStringLiteral("%")));
        const QVector<double> spark = w->model()->index(row1, FleetModel::CpuColumn).data(FleetModel::SparklineRole).value<QVector<double>>();
        QCOMPARE(spark.size(), 60);
        // Minute averages of the hour (the data ends when the test started, so the newest
        // minutes may be gaps), within machine 1's CPU wave of 5 ± 3 %.
        const auto filled = std::count_if(spark.cbegin(), spark.cend(), [](double v) { return !std::isnan(v); });
        QVERIFY2(filled >= 45, qPrintable(QString::number(filled)));
        for (double v : spark)
            QVERIFY(std::isnan(v) || (v >= 2 && v <= 8));
        QCOMPARE(w->model()->index(row1, FleetModel::StatusColumn).data().toString(), QStringLiteral("not monitored"));

        // Sort by CPU, both ways.
        w->view()->sortByColumn(FleetModel::CpuColumn, Qt::DescendingOrder);
        QCOMPARE(view->index(0, FleetModel::NameColumn).data().toString(), QStringLiteral("web-12"));
        QCOMPARE(view->index(kMachines - 1, FleetModel::NameColumn).data().toString(), QStringLiteral("web-1"));
        w->view()->sortByColumn(FleetModel::CpuColumn, Qt::AscendingOrder);
        QCOMPARE(view->index(0, FleetModel::NameColumn).data().toString(), QStringLiteral("web-1"));

        // Top 10 by CPU: the two lowest are gone, highest first.
        w->topCombo()->setCurrentIndex(w->topCombo()->findData(int(FleetModel::CpuColumn)));
        QCOMPARE(view->rowCount(), 10);
        QCOMPARE(view->index(0, FleetModel::NameColumn).data().toString(), QStringLiteral("web-12"));
        QCOMPARE(view->index(9, FleetModel::NameColumn).data().toString(), QStringLiteral("web-3"));
        // Top 10 by network (rx = 1000 × id): the same ten.
        w->setTopFilter(FleetModel::NetworkColumn);
        QCOMPARE(view->rowCount(), 10);
        QCOMPARE(view->index(0, FleetModel::NameColumn).data().toString(), QStringLiteral("web-12"));
        w->setTopFilter(-1);
        QCOMPARE(view->rowCount(), kMachines);

        // Live: samples update the latest values, coalesced into one table update.
        refreshed.clear();
        MetricSampleSet set;
        set.timestampMs = QDateTime::currentMSecsSinceEpoch();
        set.points = {MetricPoint{QStringLiteral("cpu.percent"), {}, QStringLiteral("%"), 99},
                      MetricPoint{QStringLiteral("cpu.percent"), QStringLiteral("cpu0"), QStringLiteral("%"), 1},
                      MetricPoint{QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("eth0"), QStringLiteral("bytes/s"), 10},
                      MetricPoint{QStringLiteral("net.tx_bytes_per_s"), QStringLiteral("eth0"), QStringLiteral("bytes/s"), 20},
                      MetricPoint{QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("wlan0"), QStringLiteral("bytes/s"), 30}};
        for (int i = 0; i < 20; ++i)
            emit m_service->samplesCollected(1, set);
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeoutMs);
        QTest::qWait(1500);
        QCOMPARE(refreshed.size(), 1);
        QCOMPARE(w->model()->index(row1, FleetModel::CpuColumn).data(FleetModel::SortRole).toDouble(), 99.0);
        QCOMPARE(w->model()->index(row1, FleetModel::NetworkColumn).data(FleetModel::SortRole).toDouble(), 60.0);
        QCOMPARE(w->model()->index(row1, FleetModel::DiskColumn).data(FleetModel::SortRole).toDouble(), 51.0);   // not in the set
        w->view()->sortByColumn(FleetModel::CpuColumn, Qt::DescendingOrder);
        QCOMPARE(view->index(0, FleetModel::NameColumn).data().toString(), QStringLiteral("web-1"));
        // A re-read of the store (older samples) keeps the newer live value.
        refreshed.clear();
        w->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeoutMs);
        QCOMPARE(w->model()->index(row1, FleetModel::CpuColumn).data(FleetModel::SortRole).toDouble(), 99.0);
        QCOMPARE(w->model()->index(row1, FleetModel::CpuColumn).data(FleetModel::SparklineRole).value<QVector<double>>().size(), 60);

        // The sparklines paint (delegate) without trouble.
        const QImage image = w->grab().toImage();
        QVERIFY(!image.isNull());

        // Double-click asks for the machine's dashboard.
        QSignalSpy open(w, &FleetOverviewWindow::openDashboard);
        const QModelIndex first = view->index(0, FleetModel::CpuColumn);
        emit w->view()->doubleClicked(first);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().at(1).toString(), view->index(0, FleetModel::NameColumn).data().toString());
        w->close();
    }
};

QTEST_MAIN(TestMonitoringDashboard)
#include "tst_monitoringdashboard.moc"
