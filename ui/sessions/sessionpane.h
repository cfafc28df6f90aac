#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;

namespace mist {

class TerminalSession;
class TerminalView;

// One terminal in a tab: a thin status line (who, connection state, Reconnect, host-key
// trust, broadcast membership) over the TerminalView. Owns its session.
class SessionPane : public QWidget
{
    Q_OBJECT
public:
    SessionPane(TerminalSession *session, QWidget *parent = nullptr);
    ~SessionPane() override;

    TerminalSession *session() const { return m_session; }
    TerminalView *view() const { return m_view; }

    // Broadcast: the checkbox shows only while broadcasting is on; checked panes take part.
    void setBroadcastVisible(bool visible);
    bool inBroadcast() const;
    void setInBroadcast(bool on);

signals:
    void trustHostKeyRequested(mist::SessionPane *pane);
    void focused(mist::SessionPane *pane);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateStatus();

    TerminalSession *m_session;
    TerminalView *m_view;
    QLabel *m_title;
    QLabel *m_status;
    QPushButton *m_reconnect;
    QPushButton *m_trustKey;
    QCheckBox *m_broadcast;
};

} // namespace mist
