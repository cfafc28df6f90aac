#include "statusindicator.h"

#include "inventory/inventoryfilterproxy.h"
#include "inventory/inventorymodel.h"
#include "polling/pollscheduler.h"

#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QStatusBar>
#include <QTimer>

namespace mist {

namespace {
constexpr int kMessageMs = 5000;
constexpr int kErrorMs = 15000;
}

StatusIndicator::StatusIndicator(QStatusBar *bar, InventoryModel *model, InventoryFilterProxy *proxy, PollScheduler *poller)
    : QObject(bar)
    , m_bar(bar)
    , m_model(model)
    , m_proxy(proxy)
    , m_counts(new QLabel(bar))
    , m_polling(new QLabel(bar))
    , m_pollingBar(new QProgressBar(bar))
    , m_countsTimer(new QTimer(this))
    , m_errorTimer(new QTimer(this))
{
    m_polling->setObjectName(QStringLiteral("statusPolling"));
    m_pollingBar->setRange(0, 0);
    m_pollingBar->setMaximumSize(60, 12);
    m_pollingBar->setTextVisible(false);
    m_counts->setObjectName(QStringLiteral("statusCounts"));
    m_bar->addPermanentWidget(m_pollingBar);
    m_bar->addPermanentWidget(m_polling);
    m_bar->addPermanentWidget(m_counts);
    m_pollingBar->hide();
    m_polling->hide();

    // Counting is cheap but row signals come in bursts: count once per burst.
    m_countsTimer->setSingleShot(true);
    m_countsTimer->setInterval(50);
    connect(m_countsTimer, &QTimer::timeout, this, &StatusIndicator::updateCounts);
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(model), static_cast<QAbstractItemModel *>(proxy)}) {
        connect(m, &QAbstractItemModel::rowsInserted, m_countsTimer, qOverload<>(&QTimer::start));
        connect(m, &QAbstractItemModel::rowsRemoved, m_countsTimer, qOverload<>(&QTimer::start));
        connect(m, &QAbstractItemModel::modelReset, m_countsTimer, qOverload<>(&QTimer::start));
        connect(m, &QAbstractItemModel::layoutChanged, m_countsTimer, qOverload<>(&QTimer::start));
    }

    connect(poller, &PollScheduler::pollStarted, this, [this](qint64 id) {
        m_pollingIds.insert(id);
        updatePolling();
    });
    connect(poller, &PollScheduler::pollFinished, this, [this](qint64 id, bool success, const QString &error) {
        m_pollingIds.remove(id);
        updatePolling();
        if (!success) {
            const Cloud *c = m_model->cloud(id);
            showError(tr("Polling %1 failed: %2").arg(c ? c->name : QString::number(id), error));
        }
    });

    m_errorTimer->setSingleShot(true);
    connect(m_errorTimer, &QTimer::timeout, this, [this] { m_bar->setStyleSheet(QString()); });
    updateCounts();
}

QString StatusIndicator::countsText() const
{
    return m_counts->text();
}

QString StatusIndicator::pollingText() const
{
    return m_polling->isVisible() ? m_polling->text() : QString();
}

void StatusIndicator::updateCounts()
{
    const int clouds = m_model->rowCount();
    const int machines = m_model->machineCount();
    const QLocale locale;
    QString text = tr("Clouds: %1 · Machines: %2").arg(locale.toString(clouds), locale.toString(machines));
    if (!m_proxy->searchText().trimmed().isEmpty())
        text += QStringLiteral(" · ") + tr("Shown: %1").arg(locale.toString(m_proxy->matchCount()));
    m_counts->setText(text);
}

void StatusIndicator::updatePolling()
{
    const int n = static_cast<int>(m_pollingIds.size());
    if (n == 1) {
        const Cloud *c = m_model->cloud(*m_pollingIds.cbegin());
        m_polling->setText(tr("polling %1…").arg(c ? c->name : tr("1 cloud")));
    } else {
        m_polling->setText(tr("polling %n clouds…", nullptr, n));
    }
    m_polling->setVisible(n > 0);
    m_pollingBar->setVisible(n > 0);
}

void StatusIndicator::showMessage(const QString &text)
{
    if (m_errorTimer->isActive())
        return;   // an error stays readable; the next message can wait
    m_bar->showMessage(text, kMessageMs);
}

void StatusIndicator::showError(const QString &text)
{
    // The first line only: the status bar is one line; details are in the details pane.
    m_bar->showMessage(text.section(QLatin1Char('\n'), 0, 0), kErrorMs);
    m_bar->setStyleSheet(QStringLiteral("QStatusBar { color: #c0392b; }"));
    m_errorTimer->start(kErrorMs);
}

} // namespace mist
