#pragma once

#include "sessions/terminalsession.h"
#include "terminal/terminalcolorscheme.h"

#include <QList>
#include <QPointer>
#include <QTabWidget>

#include "terminal/terminalscreen.h"

#include <functional>

class QSplitter;

namespace mist {

class SessionPane;

// Terminal tabs. A tab holds one pane or a split of several (split right/down opens another
// session to the same machine); a tab can be detached into its own window. Broadcast input:
// while on, what is typed into a broadcasting pane goes to every broadcasting pane, in
// every tab and detached window.
class SessionTabs : public QTabWidget
{
    Q_OBJECT
public:
    // Makes a new, not yet started session for a subject (the same machine for a split).
    using SessionFactory = std::function<TerminalSession *(const SessionSubject &subject)>;

    explicit SessionTabs(SessionFactory factory, QWidget *parent = nullptr);
    ~SessionTabs() override;

    SessionPane *open(const SessionSubject &subject);   // in a new tab, started and focused
    SessionPane *split(Qt::Orientation orientation);   // next to the current pane
    void detachCurrent();
    void closeCurrent();
    void closePane(SessionPane *pane);

    SessionPane *currentPane() const;
    QList<SessionPane *> panes() const;   // every open pane, detached ones included

    bool broadcasting() const { return m_broadcast; }
    void setBroadcasting(bool on);

    // Appearance of every terminal, open ones included.
    void setColorScheme(const TerminalColorScheme &scheme);
    void setScrollbackLines(int lines);

signals:
    void countChanged(int panes);
    void trustHostKeyRequested(mist::SessionPane *pane);

private:
    SessionPane *createPane(const SessionSubject &subject);
    void startPane(SessionPane *pane);
    void onUserInput(SessionPane *from, const QByteArray &bytes);
    void updateTabTitle(SessionPane *pane);
    void paneGone(SessionPane *pane);
    static QSplitter *splitterOf(SessionPane *pane);

    SessionFactory m_factory;
    QList<QPointer<SessionPane>> m_panes;
    QPointer<SessionPane> m_lastFocused;
    bool m_broadcast = false;
    TerminalColorScheme m_scheme = TerminalColorScheme::dark();
    int m_scrollback = TerminalScreen::DefaultScrollbackLines;
};

} // namespace mist
