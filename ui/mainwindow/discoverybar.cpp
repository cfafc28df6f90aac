#include "discoverybar.h"

#include "mainwindow/actioncontroller.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace mist {

DiscoveryBar::DiscoveryBar(AppCore *core, ActionController *actions, QWidget *parent)
    : QFrame(parent), m_core(core), m_actions(actions)
{
    setObjectName(QStringLiteral("discoveryBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, p.color(QPalette::Highlight).lighter(185));
    p.setColor(QPalette::WindowText, Qt::black);
    setPalette(p);

    auto *outer = new QHBoxLayout(this);
    outer->setContentsMargins(8, 4, 4, 4);
    auto *icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(22, 22));
    outer->addWidget(icon, 0, Qt::AlignTop);
    m_rows = new QVBoxLayout;
    m_rows->setSpacing(2);
    outer->addLayout(m_rows, 1);
    auto *close = new QToolButton(this);
    close->setObjectName(QStringLiteral("discoveryClose"));
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setToolTip(tr("Dismiss all; add them later with Cloud ▸ Add cloud…"));
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    outer->addWidget(close, 0, Qt::AlignTop);
    hide();
}

int DiscoveryBar::offerCount() const
{
    return m_rows->count();
}

void DiscoveryBar::offer(const QVector<DiscoveredCloud> &offers)
{
    for (const DiscoveredCloud &o : offers)
        addOffer(o);
    setVisible(m_rows->count() > 0);
}

void DiscoveryBar::addOffer(const DiscoveredCloud &offer)
{
    auto *row = new QWidget(this);
    row->setObjectName(QStringLiteral("discoveryOffer_") + QString::number(m_rows->count()));
    if (offer.config.contains(DiscoveredCloud::kKubeconfigKey)) {
        addKubeconfigOffer(row, offer);
        return;
    }
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(tr("%1 was found on this computer. Add it as the cloud “%2”?").arg(offer.description.toHtmlEscaped(),
                                                                             offer.name.toHtmlEscaped()),
                             row);
    label->setWordWrap(true);
    h->addWidget(label, 1);
    auto *error = new QLabel(row);
    error->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
    error->setWordWrap(true);
    error->hide();
    h->addWidget(error, 1);
    auto *add = new QPushButton(tr("Add"), row);
    add->setObjectName(QStringLiteral("discoveryAdd"));
    auto *edit = new QPushButton(tr("Edit…"), row);
    edit->setToolTip(tr("Open the add-cloud dialog with these values"));
    auto *dismiss = new QPushButton(tr("Dismiss"), row);
    h->addWidget(add);
    h->addWidget(edit);
    h->addWidget(dismiss);
    m_rows->addWidget(row);

    connect(dismiss, &QPushButton::clicked, this, [this, row] { removeOffer(row); });
    connect(edit, &QPushButton::clicked, this, [this, row, offer] {
        m_actions->addCloudPrefilled(offer.provider, offer.name, offer.config);
        removeOffer(row);
    });
    connect(add, &QPushButton::clicked, this, [this, row, add, error, offer] {
        Cloud cloud;
        cloud.provider = offer.provider;
        cloud.name = offer.name;
        cloud.config = offer.config;
        add->setEnabled(false);
        m_core->addCloud(cloud, {}, row, [this, row, add, error](Result<Cloud> r) {
            if (r) {
                removeOffer(row);
                return;
            }
            // E.g. the name is taken: say so here; "Edit…" lets the user pick another.
            error->setText(r.error().toString());
            error->show();
            add->setEnabled(true);
        });
    });
}

// A kubeconfig holds several contexts, each with its own credentials: the import dialog
// lets the user pick them, so the row has "Import…" instead of "Add"/"Edit…".
void DiscoveryBar::addKubeconfigOffer(QWidget *row, const DiscoveredCloud &offer)
{
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(tr("%1 was found on this computer. Import its contexts as clouds?").arg(offer.description.toHtmlEscaped()),
                             row);
    label->setWordWrap(true);
    h->addWidget(label, 1);
    auto *import = new QPushButton(tr("Import…"), row);
    import->setObjectName(QStringLiteral("discoveryImport"));
    auto *dismiss = new QPushButton(tr("Dismiss"), row);
    h->addWidget(import);
    h->addWidget(dismiss);
    m_rows->addWidget(row);
    connect(dismiss, &QPushButton::clicked, this, [this, row] { removeOffer(row); });
    const QStringList paths = offer.config.value(DiscoveredCloud::kKubeconfigKey).toString().split(QLatin1Char(':'), Qt::SkipEmptyParts);
    connect(import, &QPushButton::clicked, this, [this, row, paths] {
        emit kubeconfigImportRequested(paths);
        removeOffer(row);
    });
}

void DiscoveryBar::removeOffer(QWidget *row)
{
    m_rows->removeWidget(row);
    row->deleteLater();
    if (m_rows->count() == 0)
        hide();
}

} // namespace mist
