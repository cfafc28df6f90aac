#include "overlaychartwindow.h"

#include "timerange.h"

#include <QCollator>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace mist {

namespace {
QString keyOf(const QString &name, const QString &label)
{
    return name + QLatin1Char('\n') + label;
}

// The usual metrics first, in the dashboard's order.
int rank(const QString &name)
{
    static const QStringList order{QStringLiteral("cpu.percent"),       QStringLiteral("load.1"),
                                   QStringLiteral("mem.used_percent"),  QStringLiteral("mem.used_bytes"),
                                   QStringLiteral("disk.used_percent"), QStringLiteral("net.rx_bytes_per_s"),
                                   QStringLiteral("net.tx_bytes_per_s")};
    const int i = int(order.indexOf(name));
    return i < 0 ? int(order.size()) : i;
}
} // namespace

OverlayChartWindow::OverlayChartWindow(MonitoringService *service, const QVector<MachineRef> &machines, QWidget *parent)
    : QWidget(parent), m_service(service), m_machines(machines), m_range(new TimeRangeController(this)),
      m_bar(new TimeRangeBar(m_range, this)), m_metric(new QComboBox(this)), m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("overlayChart"));
    QStringList names;
    for (const MachineRef &m : machines)
        names << m.name;
    setWindowTitle(tr("Compare — %1").arg(names.join(QStringLiteral(", "))));
    m_metric->setObjectName(QStringLiteral("overlayMetric"));
    m_metric->setMinimumContentsLength(24);
    m_metric->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_chart = new MetricChart(service, m_range, QString(), QString(), this);
    m_chart->setObjectName(QStringLiteral("overlayChartView"));

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("&Metric:"), this));
    qobject_cast<QLabel *>(top->itemAt(0)->widget())->setBuddy(m_metric);
    top->addWidget(m_metric);
    top->addWidget(m_bar, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_status);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &OverlayChartWindow::metricChosen);
    resize(1000, 560);
    listMetrics();
}

void OverlayChartWindow::listMetrics()
{
    if (!m_service)
        return;
    // Union of every machine's series, collected as the answers come back.
    struct Pending
    {
        int left = 0;
        QHash<QString, MetricSeries> found;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = int(m_machines.size());
    m_status->setText(tr("Reading the stored metrics…"));
    for (const MachineRef &m : std::as_const(m_machines)) {
        m_service->series(m.id, this, [this, pending](Result<QVector<MetricSeries>> series) {
            if (series) {
                for (const MetricSeries &s : series.value())
                    pending->found.insert(keyOf(s.name, s.label), s);
            }
            if (--pending->left > 0)
                return;
            QVector<MetricSeries> all = pending->found.values().toVector();
            QCollator collator;
            collator.setNumericMode(true);
            std::sort(all.begin(), all.end(), [&collator](const MetricSeries &a, const MetricSeries &b) {
                if (rank(a.name) != rank(b.name))
                    return rank(a.name) < rank(b.name);
                return a.name != b.name ? a.name < b.name : collator.compare(a.label, b.label) < 0;
            });
            const QSignalBlocker block(m_metric);
            m_metric->clear();
            for (const MetricSeries &s : std::as_const(all)) {
                m_units.insert(keyOf(s.name, s.label), s.unit);
                m_metric->addItem(s.label.isEmpty() ? s.name : QStringLiteral("%1 (%2)").arg(s.name, s.label),
                                  QStringList{s.name, s.label});
            }
            m_status->setText(all.isEmpty() ? tr("No metrics are stored for these machines yet.") : QString());
            m_metric->setCurrentIndex(all.isEmpty() ? -1 : 0);
            metricChosen();
            emit metricsListed(int(all.size()));
        });
    }
}

bool OverlayChartWindow::setMetric(const QString &name, const QString &label)
{
    const int i = m_metric->findData(QStringList{name, label});
    if (i < 0)
        return false;
    m_metric->setCurrentIndex(i);
    return true;
}

void OverlayChartWindow::metricChosen()
{
    const QStringList key = m_metric->currentData().toStringList();
    if (key.size() != 2) {
        m_chart->setLines({});
        return;
    }
    const QString name = key.at(0), label = key.at(1);
    // A fresh chart: its unit (axis scale) is the metric's.
    auto *chart = new MetricChart(m_service, m_range, m_metric->currentText(), m_units.value(keyOf(name, label)), this);
    chart->setObjectName(m_chart->objectName());
    layout()->replaceWidget(m_chart, chart);
    m_chart->deleteLater();
    m_chart = chart;
    QVector<ChartLine> lines;
    for (const MachineRef &m : std::as_const(m_machines))
        lines.append(ChartLine{MetricSeriesKey{0, m.id, name, label}, m.name});
    m_chart->setLines(lines);
    if (m_service) {
        connect(m_service, &MonitoringService::samplesCollected, m_chart, &MetricChart::addSamples, Qt::UniqueConnection);
    }
}

} // namespace mist
