#include "sessionpane.h"

#include "sessions/terminalsession.h"
#include "terminal/terminalview.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace mist {

SessionPane::SessionPane(TerminalSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_view(new TerminalView(this)), m_title(new QLabel(this)),
      m_status(new QLabel(this)), m_reconnect(new QPushButton(tr("Reconnect"), this)),
      m_trustKey(new QPushButton(tr("Trust host key…"), this)), m_broadcast(new QCheckBox(tr("Broadcast"), this))
{
    setObjectName(QStringLiteral("sessionPane"));
    session->setParent(this);
    m_view->setScreen(session->screen());
    m_view->installEventFilter(this);
    m_view->viewport()->installEventFilter(this);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(false);
    m_reconnect->setObjectName(QStringLiteral("reconnectButton"));
    m_trustKey->setObjectName(QStringLiteral("trustHostKeyButton"));
    m_broadcast->setObjectName(QStringLiteral("broadcastCheck"));
    m_broadcast->setChecked(true);
    m_broadcast->setVisible(false);
    m_broadcast->setToolTip(tr("Send what is typed in any broadcasting terminal to this one too"));
    bar->addWidget(m_title);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_broadcast);
    bar->addWidget(m_trustKey);
    bar->addWidget(m_reconnect);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    setFocusProxy(m_view);

    connect(m_view, &TerminalView::sizeChanged, session, &TerminalSession::resize);
    connect(m_view, &TerminalView::titleChanged, this, [this](const QString &t) { m_title->setToolTip(t); });
    connect(session, &TerminalSession::stateChanged, this, &SessionPane::updateStatus);
    connect(m_reconnect, &QPushButton::clicked, session, [this] {
        m_session->reconnect();
        m_view->setFocus();
    });
    connect(m_trustKey, &QPushButton::clicked, this, [this] { emit trustHostKeyRequested(this); });
    updateStatus();
}

SessionPane::~SessionPane()
{
    // The session is a child: it goes after our labels, so it must not call back into them.
    m_session->disconnect(this);
}

void SessionPane::setBroadcastVisible(bool visible)
{
    m_broadcast->setVisible(visible);
}

bool SessionPane::inBroadcast() const
{
    return m_broadcast->isChecked();
}

void SessionPane::setInBroadcast(bool on)
{
    m_broadcast->setChecked(on);
}

bool SessionPane::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::FocusIn)
        emit focused(this);
    return QWidget::eventFilter(watched, event);
}

void SessionPane::updateStatus()
{
    using State = TerminalSession::State;
    const State state = m_session->state();
    m_title->setText(m_session->title());
    QString colour;
    switch (state) {
    case State::Connecting: colour = QStringLiteral("#b58900"); break;
    case State::Connected: colour = QStringLiteral("#2e7d32"); break;
    case State::Closed: colour = palette().color(QPalette::PlaceholderText).name(); break;
    case State::Failed: colour = QStringLiteral("#c62828"); break;
    }
    m_status->setText(QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour, m_session->statusText().toHtmlEscaped()));
    m_status->setToolTip(m_session->statusText());
    m_reconnect->setVisible(state == State::Closed || state == State::Failed);
    m_trustKey->setVisible(state == State::Failed && m_session->hostKeyProblem().has_value());
}

} // namespace mist
