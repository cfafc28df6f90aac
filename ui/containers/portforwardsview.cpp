#include "portforwardsview.h"

#include "providers/kubernetes/kubeportforwardlist.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mist {

namespace {
enum Column { LocalColumn, TargetColumn, ConnectionsColumn, StateColumn, ColumnCount };

QString stateText(KubePortForward::State state)
{
    switch (state) {
    case KubePortForward::State::Idle: return PortForwardsView::tr("not started");
    case KubePortForward::State::Starting: return PortForwardsView::tr("starting…");
    case KubePortForward::State::Listening: return PortForwardsView::tr("listening");
    case KubePortForward::State::Closed: return PortForwardsView::tr("closed");
    case KubePortForward::State::Failed: return PortForwardsView::tr("failed");
    }
    return {};
}
} // namespace

PortForwardsView::PortForwardsView(KubePortForwardList *list, QWidget *parent)
    : QWidget(parent), m_list(list), m_table(new QTableWidget(0, ColumnCount, this)), m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("portForwardsView"));
    setWindowTitle(tr("Port forwards"));
    m_table->setObjectName(QStringLiteral("portForwardsTable"));
    m_table->setHorizontalHeaderLabels({tr("Local address"), tr("Pod port"), tr("Connections"), tr("State")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_message->setWordWrap(true);

    auto *close = new QPushButton(tr("&Close forward"), this);
    close->setObjectName(QStringLiteral("closeForwardButton"));
    auto *copy = new QPushButton(tr("Copy &address"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(copy);
    buttons->addWidget(close);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message);
    layout->addLayout(buttons);

    connect(close, &QPushButton::clicked, this, &PortForwardsView::closeSelected);
    connect(copy, &QPushButton::clicked, this, [this] {
        if (QTableWidgetItem *item = m_table->item(m_table->currentRow(), LocalColumn))
            QGuiApplication::clipboard()->setText(item->text());
    });
    connect(m_list, &KubePortForwardList::added, this, [this](KubePortForward *f) {
        track(f);
        rebuild();
    });
    connect(m_list, &KubePortForwardList::removed, this, &PortForwardsView::rebuild);
    for (KubePortForward *f : m_list->forwards())
        track(f);
    rebuild();
    resize(640, 260);
}

int PortForwardsView::rowCount() const
{
    return m_table->rowCount();
}

void PortForwardsView::track(KubePortForward *forward)
{
    connect(forward, &KubePortForward::stateChanged, this, &PortForwardsView::rebuild);
    connect(forward, &KubePortForward::connectionCountChanged, this, &PortForwardsView::rebuild);
    connect(forward, &KubePortForward::connectionFailed, this, [this, forward](const Error &e) {
        m_message->setText(tr("%1: %2").arg(forward->description(), e.toString()));
    });
    connect(forward, &KubePortForward::failed, this, [this, forward](const Error &e) {
        m_message->setText(tr("%1: %2").arg(forward->description(), e.toString()));
    });
}

void PortForwardsView::rebuild()
{
    const QList<KubePortForward *> forwards = m_list->forwards();
    const int selected = m_table->currentRow();
    m_table->setRowCount(int(forwards.size()));
    for (int row = 0; row < forwards.size(); ++row) {
        const KubePortForward *f = forwards.at(row);
        const QString local = f->localPort() ? QStringLiteral("127.0.0.1:%1").arg(f->localPort()) : tr("(choosing)");
        const QString cells[ColumnCount] = {local, QStringLiteral("%1/%2:%3").arg(f->ns(), f->pod()).arg(f->remotePort()),
                                            QString::number(f->connectionCount()), stateText(f->state())};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = m_table->item(row, c);
            if (!item)
                m_table->setItem(row, c, item = new QTableWidgetItem);
            item->setText(cells[c]);
            item->setData(Qt::UserRole, QVariant::fromValue<QObject *>(const_cast<KubePortForward *>(f)));
        }
    }
    if (selected >= 0 && selected < m_table->rowCount())
        m_table->selectRow(selected);
}

void PortForwardsView::closeSelected()
{
    QTableWidgetItem *item = m_table->item(m_table->currentRow(), LocalColumn);
    if (!item)
        return;
    if (auto *f = qobject_cast<KubePortForward *>(item->data(Qt::UserRole).value<QObject *>()))
        m_list->close(f);
}

} // namespace mist
