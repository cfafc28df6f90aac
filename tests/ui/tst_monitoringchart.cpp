// A machine's monitoring chart on the offscreen platform: the real AppCore (MonitoringService
// collecting This computer from /proc), "Enable monitoring" from the chart window, live samples
// reaching the chart, and a change of range that queries metrics.db.

#include "uitestapp.h"

#include "monitoring/metricschartwindow.h"
#include "monitoring/monitoringactions.h"
#include "monitoring/monitoringservice.h"

#include <QPushButton>
#include <QSignalSpy>
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

        MetricsChartWindow *chart = app.window->monitoring()->openChartForSelection();
        QVERIFY(chart);
        chart->setMetricIndex(2);   // memory used %: a gauge, there from the first sample
        auto *enable = chart->findChild<QPushButton *>(QStringLiteral("enableMonitoringButton"));
        QVERIFY(enable->isVisibleTo(chart));
        enable->click();
        QTRY_VERIFY_WITH_TIMEOUT(!app.core->monitoring()->monitored().isEmpty(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!enable->isVisibleTo(chart), kTimeoutMs);

        // Live: the collector's samples reach the chart.
        QTRY_VERIFY2_WITH_TIMEOUT(chart->pointCount() >= 1, qPrintable(chart->statusText()), 30000);

        // Another range reads metrics.db (written in batches every 500 ms).
        QSignalSpy loaded(chart, &MetricsChartWindow::loaded);
        QTest::qWait(1500);
        chart->setRangeIndex(4);   // 30 days
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kTimeoutMs);
        QVERIFY2(loaded.last().first().toInt() >= 1, qPrintable(chart->statusText()));
        QVERIFY(chart->pointCount() >= 1);
        chart->close();
    }
};

QTEST_MAIN(TestMonitoringChart)
#include "tst_monitoringchart.moc"
