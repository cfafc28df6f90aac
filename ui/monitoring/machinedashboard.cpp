#include "machinedashboard.h"

#include "monitoring/monitoredmachines.h"
#include "timerange.h"

#include <QCollator>
#include <QDateTime>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace mist {

namespace {
constexpr int kDefaultIntervalSeconds = MonitoredMachines::kDefaultIntervalSeconds;
constexpr int kColumns = 2;
constexpr int kChartHeight = 260;

QString seriesKey(const QString &name, const QString &label)
{
    return name + QLatin1Char('\n') + label;
}
} // namespace

QVector<ChartSpec> MachineDashboard::layoutFor(qint64 machineId, const QVector<MetricSeries> &all)
{
    QVector<MetricSeries> sorted = all;
    QCollator collator;
    collator.setNumericMode(true);   // cpu2 before cpu10
    std::sort(sorted.begin(), sorted.end(), [&collator](const MetricSeries &a, const MetricSeries &b) {
        return a.name != b.name ? a.name < b.name : collator.compare(a.label, b.label) < 0;
    });
    QSet<qint64> used;
    QVector<ChartSpec> specs;
    // One chart from the series matching `names` (in that order, then by label); `title`
    // names each line.
    const auto add = [&](const QString &title, const QString &unit, const QStringList &names,
                         const std::function<bool(const MetricSeries &)> &wanted,
                         const std::function<QString(const MetricSeries &)> &lineTitle) {
        ChartSpec spec{title, unit, {}};
        for (const QString &name : names) {
            for (const MetricSeries &s : std::as_const(sorted)) {
                if (s.name != name || used.contains(s.id) || !wanted(s))
                    continue;
                used.insert(s.id);
                if (spec.unit.isEmpty())
                    spec.unit = s.unit;
                spec.lines.append(ChartLine{MetricSeriesKey{s.id, machineId, s.name, s.label}, lineTitle(s)});
            }
        }
        if (!spec.lines.isEmpty())
            specs.append(spec);
    };
    const auto any = [](const MetricSeries &) { return true; };
    const auto label = [](const MetricSeries &s) { return s.label; };
    const auto suffixed = [](const QString &suffix) {
        return [suffix](const MetricSeries &s) { return s.label.isEmpty() ? suffix : s.label + QLatin1Char(' ') + suffix; };
    };
    const auto titled = [](const QHash<QString, QString> &titles) {
        return [titles](const MetricSeries &s) { return titles.value(s.name, s.name); };
    };

    add(tr("CPU"), QStringLiteral("%"), {QStringLiteral("cpu.percent")}, [](const MetricSeries &s) { return s.label.isEmpty(); },
        [](const MetricSeries &) { return tr("total"); });
    add(tr("CPU per core"), QStringLiteral("%"), {QStringLiteral("cpu.percent")}, any, label);
    add(tr("Load"), QString(), {QStringLiteral("load.1"), QStringLiteral("load.5"), QStringLiteral("load.15")}, any,
        titled({{QStringLiteral("load.1"), tr("1 min")}, {QStringLiteral("load.5"), tr("5 min")}, {QStringLiteral("load.15"), tr("15 min")}}));
    add(tr("Memory"), QStringLiteral("bytes"),
        {QStringLiteral("mem.used_bytes"), QStringLiteral("mem.available_bytes"), QStringLiteral("mem.total_bytes"),
         QStringLiteral("swap.used_bytes"), QStringLiteral("swap.total_bytes")},
        any,
        titled({{QStringLiteral("mem.used_bytes"), tr("used")},
                {QStringLiteral("mem.available_bytes"), tr("available")},
                {QStringLiteral("mem.total_bytes"), tr("total")},
                {QStringLiteral("swap.used_bytes"), tr("swap used")},
                {QStringLiteral("swap.total_bytes"), tr("swap total")}}));
    add(tr("Disk used"), QStringLiteral("%"), {QStringLiteral("disk.used_percent")}, any, label);
    add(tr("Disk read"), QStringLiteral("bytes/s"), {QStringLiteral("diskio.read_bytes_per_s")}, any, suffixed(tr("read")));
    add(tr("Disk write"), QStringLiteral("bytes/s"), {QStringLiteral("diskio.write_bytes_per_s")}, any, suffixed(tr("write")));
    add(tr("Network"), QStringLiteral("bytes/s"), {QStringLiteral("net.rx_bytes_per_s"), QStringLiteral("net.tx_bytes_per_s")}, any,
        [](const MetricSeries &s) {
            const QString dir = s.name == QLatin1String("net.rx_bytes_per_s") ? tr("rx") : tr("tx");
            return s.label.isEmpty() ? dir : s.label + QLatin1Char(' ') + dir;
        });
    // Everything else (memory %, uptime, custom commands, Prometheus, container limits):
    // one chart per name, a line per label.
    QStringList others;
    for (const MetricSeries &s : std::as_const(sorted)) {
        if (!used.contains(s.id) && !others.contains(s.name))
            others.append(s.name);
    }
    for (const QString &name : std::as_const(others))
        add(name, QString(), {name}, any, [](const MetricSeries &s) { return s.label.isEmpty() ? s.name : s.label; });
    return specs;
}

MachineDashboard::MachineDashboard(MonitoringService *service, const QString &dataDir, qint64 machineId, const QString &title,
                                   QWidget *parent)
    : QWidget(parent), m_service(service), m_dataDir(dataDir), m_machineId(machineId), m_range(new TimeRangeController(this)),
      m_bar(new TimeRangeBar(m_range, this)), m_enable(new QPushButton(tr("&Enable monitoring"), this)), m_status(new QLabel(this)),
      m_grid(new QWidget), m_gridLayout(new QGridLayout(m_grid)), m_seriesTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("monitoringDashboard-%1").arg(machineId));
    setWindowTitle(tr("Monitoring — %1").arg(title));
    m_enable->setObjectName(QStringLiteral("enableMonitoringButton"));
    m_status->setObjectName(QStringLiteral("dashboardStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_grid);
    for (int c = 0; c < kColumns; ++c)
        m_gridLayout->setColumnStretch(c, 1);

    auto *top = new QHBoxLayout;
    top->addWidget(m_bar, 1);
    top->addWidget(m_enable);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(scroll, 1);

    // New series (a disk mounted, a custom metric added) appear after their first flush.
    m_seriesTimer->setSingleShot(true);
    m_seriesTimer->setInterval(2000);
    connect(m_seriesTimer, &QTimer::timeout, this, &MachineDashboard::reloadSeries);
    connect(m_enable, &QPushButton::clicked, this, &MachineDashboard::enableMonitoring);
    if (m_service) {
        connect(m_service, &MonitoringService::samplesCollected, this, &MachineDashboard::onSamples);
        connect(m_service, &MonitoringService::monitoredChanged, this, &MachineDashboard::updateStatus);
        connect(m_service, &MonitoringService::statusChanged, this, [this](qint64 id) {
            if (id == m_machineId)
                updateStatus();
        });
        connect(m_service, &MonitoringService::started, this, &MachineDashboard::reloadSeries);
    }
    resize(1100, 800);
    updateStatus();
    reloadSeries();
}

MetricChart *MachineDashboard::chart(const QString &title) const
{
    for (MetricChart *c : m_charts) {
        if (c->title() == title)
            return c;
    }
    return nullptr;
}

QString MachineDashboard::statusText() const
{
    return m_status->text();
}

void MachineDashboard::reloadSeries()
{
    if (!m_service || m_loadingSeries)
        return;
    m_loadingSeries = true;
    m_service->series(m_machineId, this, [this](Result<QVector<MetricSeries>> series) {
        m_loadingSeries = false;
        if (!series) {
            m_status->setText(series.error().toString());
            return;
        }
        build(series.value());
    });
}

void MachineDashboard::build(const QVector<MetricSeries> &series)
{
    QSet<QString> known;
    for (const MetricSeries &s : series)
        known.insert(seriesKey(s.name, s.label));
    if (known == m_known && !m_charts.isEmpty())
        return;   // nothing new: keep the charts (and their zoom and data)
    m_known = known;
    // Charts whose group is still there are kept (their data, and pointers to them, survive);
    // only new groups get a chart and changed ones new lines.
    QHash<QString, MetricChart *> old;
    for (MetricChart *c : std::as_const(m_charts)) {
        m_gridLayout->removeWidget(c);
        old.insert(c->title(), c);
    }
    m_charts.clear();
    const QVector<ChartSpec> specs = layoutFor(m_machineId, series);
    for (int i = 0; i < specs.size(); ++i) {
        const ChartSpec &spec = specs.at(i);
        MetricChart *chart = old.take(spec.title);
        if (chart && chart->unit() != spec.unit) {
            chart->deleteLater();
            chart = nullptr;
        }
        if (!chart) {
            chart = new MetricChart(m_service, m_range, spec.title, spec.unit, m_grid);
            chart->setMinimumHeight(kChartHeight);
        }
        chart->setObjectName(QStringLiteral("chart-%1").arg(i));
        m_gridLayout->addWidget(chart, i / kColumns, i % kColumns);
        m_charts.append(chart);
        const auto sameLines = [](const QVector<ChartLine> &a, const QVector<ChartLine> &b) {
            return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(), [](const ChartLine &x, const ChartLine &y) {
                return x.key.seriesId == y.key.seriesId && x.title == y.title;
            });
        };
        if (!sameLines(chart->lines(), spec.lines))
            chart->setLines(spec.lines);
    }
    for (MetricChart *c : std::as_const(old))
        c->deleteLater();
    updateStatus();
    emit chartsBuilt(int(m_charts.size()));
}

void MachineDashboard::onSamples(qint64 machineId, const MetricSampleSet &samples)
{
    if (machineId != m_machineId)
        return;
    for (MetricChart *c : std::as_const(m_charts))
        c->addSamples(machineId, samples);
    for (const MetricPoint &p : samples.points) {
        if (!m_known.contains(seriesKey(p.name, p.label))) {
            if (!m_seriesTimer->isActive())
                m_seriesTimer->start();
            break;
        }
    }
}

void MachineDashboard::updateStatus()
{
    if (!m_service)
        return;
    const bool monitored = m_service->monitored().contains(m_machineId);
    m_enable->setVisible(!monitored);
    m_status->setToolTip({});   // set below only while there is something to explain
    QString text;
    if (!monitored) {
        text = m_charts.isEmpty() ? tr("This machine is not monitored and no metrics are stored for it.")
                                  : tr("This machine is not monitored: showing stored metrics.");
    } else {
        const MonitoringStatus st = m_service->statuses().value(m_machineId);
        switch (st.state) {
        case MonitoringStatus::State::Connecting:
            text = tr("Connecting…");
            break;
        case MonitoringStatus::State::Collecting:
            text = tr("Collecting every %1 s; last sample at %2.")
                       .arg(m_service->monitored().value(m_machineId))
                       .arg(QDateTime::fromMSecsSinceEpoch(st.lastSampleMs).toString(QStringLiteral("HH:mm:ss")));
            // Parts that could not be read (e.g. a custom metric printing text) say so here.
            if (!st.warnings.isEmpty()) {
                text += QLatin1Char(' ') + st.warnings.constFirst().message;
                QStringList details;
                for (const Error &w : st.warnings)
                    details << w.toString();
                m_status->setToolTip(details.join(QLatin1Char('\n')));
            }
            break;
        case MonitoringStatus::State::Failing:
            text = st.error.message;
            m_status->setToolTip(st.error.detail);
            break;
        }
    }
    m_status->setText(text);
}

void MachineDashboard::enableMonitoring()
{
    if (!m_service)
        return;
    m_enable->setEnabled(false);
    m_status->setText(tr("Enabling monitoring…"));
    // monitoring.json is read on a worker, then saved by the service (also on a worker).
    auto *watcher = new QFutureWatcher<Result<MonitoredMachines>>(this);
    connect(watcher, &QFutureWatcher<Result<MonitoredMachines>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        Result<MonitoredMachines> rules = watcher->result();
        if (!rules || !m_service) {
            m_enable->setEnabled(true);
            m_status->setText(rules ? QString() : rules.error().toString());
            return;
        }
        rules.value().enableMachine(m_machineId, kDefaultIntervalSeconds);
        m_service->setRules(rules.value(), this, [this](Result<bool> saved) {
            m_enable->setEnabled(true);
            m_status->setText(saved ? tr("Monitoring every %1 s; the first numbers follow shortly.").arg(kDefaultIntervalSeconds)
                                    : saved.error().toString());
            if (saved)
                m_enable->setVisible(false);
        });
    });
    watcher->setFuture(QtConcurrent::run([path = MonitoredMachines::filePath(m_dataDir)] { return MonitoredMachines::load(path); }));
}

} // namespace mist
