// A machine's monitoring dashboard on the offscreen platform: the real AppCore (MonitoringService
// collecting This computer from /proc), "Enable monitoring" from the dashboard, its charts
// built from the stored series, live samples reaching them, and a change of range that
// queries metrics.db.

#include "uitestapp.h"

#include "monitoring/fleetoverview.h"
#include "monitoring/machinedashboard.h"
#include "monitoring/timerange.h"
#include "monitoring/monitoringactions.h"
#include "monitoring/monitoringservice.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

using namespace mist;
using namespace uitest;

class TestMonitoringChart : public QObject
{
    Q_OBJECT

private slots:
    void enableAndChart()
    {
        QTemporaryDir dir;
        App app(dir.path());
        QTRY_VERIFY_WITH_TIMEOUT(app.window->isReady(), kTimeoutMs);
        // This computer's machine row (the first cloud's first child once polled).
        QAbstractItemModel *tree = app.window->tree()->model();
        QModelIndex machine;
        QTRY_VERIFY_WITH_TIMEOUT(tree->rowCount() > 0 && tree->rowCount(tree->index(0, 0)) > 0, kTimeoutMs);
        machine = tree->index(0, 0, tree->index(0, 0));
        app.window->tree()->setCurrentIndex(machine);

        MachineDashboard *dashboard = app.window->monitoring()->openChartForSelection();
        QVERIFY(dashboard);
        auto *enable = dashboard->findChild<QPushButton *>(QStringLiteral("enableMonitoringButton"));
        QVERIFY(enable->isVisibleTo(dashboard));
        enable->click();
        QTRY_VERIFY_WITH_TIMEOUT(!app.core->monitoring()->monitored().isEmpty(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!enable->isVisibleTo(dashboard), kTimeoutMs);

        // The first samples bring the series: the charts are built from them.
        QTRY_VERIFY2_WITH_TIMEOUT(dashboard->chart(QStringLiteral("Memory")), qPrintable(dashboard->statusText()), 30000);
        QVERIFY(dashboard->chart(QStringLiteral("CPU")) || dashboard->chart(QStringLiteral("Load")));
        QPointer<MetricChart> chart = dashboard->chart(QStringLiteral("Memory"));   // gauges, there from the first sample
        QTRY_VERIFY2_WITH_TIMEOUT(chart->pointCount() >= 1, qPrintable(chart->message()), 30000);

        // Another range reads metrics.db (written in batches every 500 ms).
        QSignalSpy loaded(chart, &MetricChart::loaded);
        QTest::qWait(1500);
        dashboard->range()->setPreset(TimeRangeController::ThirtyDays);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kTimeoutMs);
        QVERIFY2(loaded.last().first().toInt() >= 1, qPrintable(chart->message()));
        QVERIFY(chart->pointCount() >= 1);

        // Compare… needs two selected machines; the fleet overview lists the monitored one,
        // and a double-click brings back its (already open) dashboard.
        QVERIFY(!action(app.window.get(), "actionCompareMetrics")->isEnabled());
        FleetOverviewWindow *fleet = app.window->monitoring()->openFleetOverview();
        QVERIFY(fleet);
        QTRY_COMPARE_WITH_TIMEOUT(fleet->model()->rowCount(), 1, kTimeoutMs);
        const QModelIndex status = fleet->model()->index(0, FleetModel::StatusColumn);
        QTRY_COMPARE_WITH_TIMEOUT(status.data().toString(), QStringLiteral("collecting"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(fleet->model()->index(0, FleetModel::MemoryColumn).data(FleetModel::SortRole).toDouble() > 0, kTimeoutMs);
        QCOMPARE(app.window->monitoring()->openFleetOverview(), fleet);   // one window, raised
        QSignalSpy reopened(fleet, &FleetOverviewWindow::openDashboard);
        emit fleet->view()->doubleClicked(fleet->view()->model()->index(0, 0));
        QCOMPARE(reopened.size(), 1);
        QCOMPARE(app.window->findChildren<MachineDashboard *>().size(), 1);
        fleet->close();
        dashboard->close();
    }
};

QTEST_MAIN(TestMonitoringChart)
#include "tst_monitoringchart.moc"
