#include "auditlogview.h"

#include "audit/auditlogmodel.h"
#include "services/storeservice.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace mist {

namespace {
constexpr int kLimit = 1000;
}

AuditLogView::AuditLogView(StoreService *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new AuditLogModel(this))
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_countLabel(new QLabel(this))
    , m_timer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *top = new QHBoxLayout;
    m_filter->setObjectName(QStringLiteral("auditFilterEdit"));
    m_filter->setPlaceholderText(tr("Filter the audit log: action, machine, message or actor"));
    m_filter->setClearButtonEnabled(true);
    top->addWidget(m_filter, 1);
    m_countLabel->setObjectName(QStringLiteral("auditCountLabel"));
    top->addWidget(m_countLabel);
    layout->addLayout(top);

    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    const int em = m_table->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(AuditLogModel::TimeColumn,
                          m_table->fontMetrics().horizontalAdvance(QStringLiteral("2000-00-00 00:00:00")) + em);
    header->resizeSection(AuditLogModel::ActorColumn, 5 * em);
    header->resizeSection(AuditLogModel::ActionColumn, 13 * em);
    header->resizeSection(AuditLogModel::TargetColumn, 11 * em);
    header->resizeSection(AuditLogModel::OutcomeColumn, 6 * em);
    layout->addWidget(m_table, 1);

    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &AuditLogView::query);
    connect(m_filter, &QLineEdit::textChanged, this, [this] { scheduleRefresh(150); });
    // Polls append in bursts; one query a little later shows them all.
    connect(m_store, &StoreService::auditAppended, this, [this] { scheduleRefresh(300); });
    setEnabled(false);
}

void AuditLogView::setStoreReady(bool ready)
{
    m_ready = ready;
    setEnabled(ready);
    if (ready)
        refresh();
}

void AuditLogView::refresh()
{
    scheduleRefresh(0);
}

void AuditLogView::scheduleRefresh(int delayMs)
{
    if (!m_ready)
        return;
    if (m_inFlight) {
        m_again = true;
        return;
    }
    if (!m_timer->isActive() || m_timer->remainingTime() > delayMs)
        m_timer->start(delayMs);
}

void AuditLogView::query()
{
    AuditQuery q;
    q.text = m_filter->text().trimmed();
    q.limit = kLimit;
    m_inFlight = true;
    m_again = false;
    const quint64 generation = ++m_generation;
    m_store->queryAudit(q, this, [this, generation, text = q.text](Result<QVector<AuditEntry>> r) {
        m_inFlight = false;
        if (generation == m_generation) {
            if (r) {
                m_model->setEntries(r.value(), text == m_shownQuery);
                m_shownQuery = text;
                m_countLabel->setText(r.value().size() >= kLimit ? tr("latest %1 entries").arg(kLimit)
                                                                 : tr("Entries: %1").arg(r.value().size()));
                m_countLabel->setToolTip(QString());
            } else {
                m_countLabel->setText(tr("could not read the audit log"));
                m_countLabel->setToolTip(r.error().toString());
            }
        }
        if (m_again)
            scheduleRefresh(100);
    });
}

} // namespace mist
