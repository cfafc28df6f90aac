#include "sessiontabs.h"

#include "sessions/sessionpane.h"
#include "terminal/terminalview.h"

#include <QApplication>
#include <QCloseEvent>
#include <QSplitter>
#include <QTabBar>
#include <QTimer>
#include <QVBoxLayout>

namespace mist {

namespace {

// A tab taken out of the main window. Closing it closes its terminals.
class DetachedWindow : public QWidget
{
public:
    explicit DetachedWindow(QWidget *content, const QString &title)
    {
        setAttribute(Qt::WA_DeleteOnClose);
        setWindowTitle(title);
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(content);
        resize(content->size().expandedTo(QSize(640, 400)));
    }
};

} // namespace

SessionTabs::SessionTabs(SessionFactory factory, QWidget *parent) : QTabWidget(parent), m_factory(std::move(factory))
{
    setObjectName(QStringLiteral("sessionTabs"));
    setTabsClosable(true);
    setMovable(true);
    setDocumentMode(true);
    connect(this, &QTabWidget::tabCloseRequested, this, [this](int index) {
        setCurrentIndex(index);
        closeCurrent();
    });
}

SessionTabs::~SessionTabs()
{
    // The panes are deleted after our members (by QWidget): they must not call back into us.
    for (const auto &p : std::as_const(m_panes)) {
        if (p) {
            p->disconnect(this);
            p->session()->disconnect(this);
        }
    }
}

SessionPane *SessionTabs::createPane(const SessionSubject &subject)
{
    TerminalSession *session = m_factory(subject);
    auto *pane = new SessionPane(session);
    m_panes << pane;
    pane->setBroadcastVisible(m_broadcast);
    pane->view()->setColorScheme(m_scheme);
    pane->view()->setScrollbackLines(m_scrollback);
    connect(session, &TerminalSession::userInput, this, [this, pane](const QByteArray &bytes) { onUserInput(pane, bytes); });
    connect(session, &TerminalSession::stateChanged, this, [this, pane] { updateTabTitle(pane); });
    connect(pane, &SessionPane::focused, this, [this](SessionPane *p) { m_lastFocused = p; });
    connect(pane, &SessionPane::trustHostKeyRequested, this, &SessionTabs::trustHostKeyRequested);
    connect(pane, &QObject::destroyed, this, [this, pane] { paneGone(pane); });
    return pane;
}

void SessionTabs::startPane(SessionPane *pane)
{
    m_lastFocused = pane;
    pane->view()->setFocus();
    // The view knows its grid once laid out; start with what it has now and let the
    // sizeChanged() that follows the layout reach the remote pty.
    pane->session()->start(qMax(pane->view()->columns(), 2), qMax(pane->view()->rows(), 1));
    emit countChanged(panes().size());
}

SessionPane *SessionTabs::open(const SessionSubject &subject)
{
    SessionPane *pane = createPane(subject);
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(pane);
    setCurrentIndex(addTab(splitter, pane->session()->title()));
    updateTabTitle(pane);
    startPane(pane);
    return pane;
}

QSplitter *SessionTabs::splitterOf(SessionPane *pane)
{
    return pane ? qobject_cast<QSplitter *>(pane->parentWidget()) : nullptr;
}

SessionPane *SessionTabs::currentPane() const
{
    if (m_lastFocused && isAncestorOf(m_lastFocused) && currentWidget() && currentWidget()->isAncestorOf(m_lastFocused))
        return m_lastFocused;
    return currentWidget() ? currentWidget()->findChild<SessionPane *>() : nullptr;
}

SessionPane *SessionTabs::split(Qt::Orientation orientation)
{
    SessionPane *current = currentPane();
    QSplitter *parentSplitter = splitterOf(current);
    if (!current || !parentSplitter)
        return nullptr;
    SessionPane *pane = createPane(current->session()->subject());
    if (parentSplitter->count() == 1 || parentSplitter->orientation() == orientation) {
        parentSplitter->setOrientation(orientation);
        parentSplitter->insertWidget(parentSplitter->indexOf(current) + 1, pane);
    } else {
        // A split the other way nests: the current pane and the new one share a new splitter.
        const int index = parentSplitter->indexOf(current);
        auto *nested = new QSplitter(orientation);
        nested->setChildrenCollapsible(false);
        parentSplitter->replaceWidget(index, nested);
        nested->addWidget(current);
        nested->addWidget(pane);
    }
    startPane(pane);
    return pane;
}

void SessionTabs::detachCurrent()
{
    QWidget *page = currentWidget();
    if (!page)
        return;
    const QString title = tabText(currentIndex());
    removeTab(currentIndex());
    auto *window = new DetachedWindow(page, tr("%1 — Mist Desktop").arg(title));
    window->show();
    if (auto *pane = page->findChild<SessionPane *>())
        pane->view()->setFocus();
}

void SessionTabs::closePane(SessionPane *pane)
{
    if (!pane)
        return;
    QSplitter *splitter = splitterOf(pane);
    pane->session()->close();
    pane->hide();
    pane->deleteLater();
    // Drop splitters (and the tab or detached window) left empty; hidden panes do not count.
    QWidget *w = splitter;
    while (auto *s = qobject_cast<QSplitter *>(w)) {
        bool anyVisible = false;
        for (int i = 0; i < s->count(); ++i)
            anyVisible = anyVisible || !s->widget(i)->isHidden();
        if (anyVisible)
            break;
        QWidget *parent = s->parentWidget();
        if (const int tab = indexOf(s); tab >= 0) {
            removeTab(tab);
            s->deleteLater();
            break;
        }
        if (parent && !qobject_cast<QSplitter *>(parent) && parent->isWindow()) {
            parent->close();   // a detached window without terminals
            break;
        }
        s->hide();
        w = parent;
    }
}

void SessionTabs::closeCurrent()
{
    QWidget *page = currentWidget();
    if (!page)
        return;
    const QList<SessionPane *> inTab = page->findChildren<SessionPane *>();
    for (SessionPane *p : inTab)
        p->session()->close();
    removeTab(currentIndex());
    page->deleteLater();
}

QList<SessionPane *> SessionTabs::panes() const
{
    QList<SessionPane *> out;
    for (const auto &p : m_panes)
        if (p && !p->isHidden())
            out << p;
    return out;
}

void SessionTabs::setBroadcasting(bool on)
{
    m_broadcast = on;
    for (SessionPane *p : panes())
        p->setBroadcastVisible(on);
}

void SessionTabs::setColorScheme(const TerminalColorScheme &scheme)
{
    m_scheme = scheme;
    for (SessionPane *p : panes())
        p->view()->setColorScheme(scheme);
}

void SessionTabs::setScrollbackLines(int lines)
{
    m_scrollback = lines;
    for (SessionPane *p : panes())
        p->view()->setScrollbackLines(lines);
}

void SessionTabs::onUserInput(SessionPane *from, const QByteArray &bytes)
{
    if (!m_broadcast || !from->inBroadcast())
        return;
    for (SessionPane *p : panes())
        if (p != from && p->inBroadcast())
            p->session()->writeInput(bytes);
}

void SessionTabs::updateTabTitle(SessionPane *pane)
{
    QWidget *page = pane;
    while (page && indexOf(page) < 0)
        page = page->parentWidget();
    if (!page)
        return;
    const int tab = indexOf(page);
    static const QString marks[] = {QStringLiteral("… "), QString(), QStringLiteral("○ "), QStringLiteral("⚠ ")};
    setTabText(tab, marks[static_cast<int>(pane->session()->state())] + pane->session()->title());
    setTabToolTip(tab, pane->session()->statusText());
}

void SessionTabs::paneGone(SessionPane *pane)
{
    m_panes.removeAll(QPointer<SessionPane>());
    m_panes.removeAll(pane);
    emit countChanged(panes().size());
}

} // namespace mist
