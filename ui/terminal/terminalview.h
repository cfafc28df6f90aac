#pragma once

#include "terminal/terminalcolorscheme.h"
#include "terminal/terminalscreen.h"
#include "terminal/terminaltypes.h"

#include <QAbstractScrollArea>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace mist {

class TerminalRenderer;
class TerminalSearchBar;

// A terminal widget painting a TerminalScreen. Backend-agnostic: bytes from the host go in
// through feed() (or straight into the screen), everything the terminal sends to the host
// (keys, pastes, mouse reports, answers to queries) comes out of inputBytes(). The grid size
// follows the widget: sizeChanged(cols, rows) is the cue to resize the remote pty.
//
// Painting is batched: output only marks damage; at most one frame per 16 ms collects it and
// repaints the dirty rows.
//
// Keys: Ctrl+Shift+C/V copy/paste, Ctrl+Shift+F find, Ctrl+= / Ctrl+- / Ctrl+0 zoom,
// Shift+PgUp/PgDn/Home/End scroll the history. Mouse: drag selects (double-click a word,
// triple-click a line; Shift forces selection when the program takes the mouse), middle-click
// pastes the selection, Ctrl+click opens a URL.
class TerminalView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit TerminalView(QWidget *parent = nullptr);
    ~TerminalView() override;

    // Shows another screen (not owned; the view's own screen is used when null). The screen
    // is resized to the view's grid.
    void setScreen(TerminalScreen *screen);
    TerminalScreen *screen() const { return m_screen; }

    void setScrollbackLines(int lines);
    void setColorScheme(const TerminalColorScheme &scheme);
    TerminalColorScheme colorScheme() const;
    // The font at zoom 0 (monospace; the system fixed font by default).
    void setTerminalFont(const QFont &font);
    QFont terminalFont() const;   // including zoom
    int zoomSteps() const { return m_zoomSteps; }
    QSize cellSize() const;
    int columns() const { return m_cols; }
    int rows() const { return m_rows; }

    bool hasSelection() const { return m_hasSelection; }
    QString selectedText() const;
    void setSelection(TerminalPos start, TerminalPos end);   // end column exclusive
    void clearSelection();
    void selectAll();

    // Finds the next match (backward = towards older output) from the current match, selects
    // it in the highlight and scrolls to it. Returns false when there is none.
    bool find(const QString &text, bool backward = true, bool caseSensitive = false);
    void showSearchBar();
    void hideSearchBar();
    TerminalSearchBar *searchBar() const { return m_searchBar; }

    // Unified line shown in the top row, and whether the view follows new output.
    int topLine() const { return m_top; }
    bool isAtBottom() const { return m_follow; }
    void scrollLines(int delta);   // negative: towards older output
    void scrollToBottom();

    quint64 framesPainted() const { return m_framesPainted; }
    // Collects pending damage and requests the repaint now (what the frame timer does).
    void flushFrame();

    QSize sizeHint() const override;

public slots:
    // Feeds host output into the screen; the repaint follows within a frame.
    void feed(const QByteArray &bytes);
    void zoomIn();
    void zoomOut();
    void resetZoom();
    void copy();
    void paste();            // the clipboard, bracketed when the program asked for it
    void pasteSelection();   // the primary selection (middle click)

signals:
    void inputBytes(const QByteArray &bytes);
    void sizeChanged(int cols, int rows);
    void titleChanged(const QString &title);
    void bell();

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void keyPressEvent(QKeyEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;
    QVariant inputMethodQuery(Qt::InputMethodQuery query) const override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    bool focusNextPrevChild(bool next) override;

private:
    enum class SelectMode { Char, Word, Line };

    void connectScreen();
    void scheduleFrame();
    void frame();
    void applyFont();
    void updateGrid();
    void syncScrollBar();
    void setTop(int top, bool follow);
    void updateRows(int firstViewRow, int lastViewRow);
    void updateCursorRow();
    void restartBlink();
    void shiftForDroppedLines(qint64 dropped);

    bool forwardsMouse(const QMouseEvent *event) const;
    int viewRowAt(int y) const;
    TerminalPos cellAt(QPoint pos) const;       // the cell under pos (unified line)
    TerminalPos boundaryAt(QPoint pos) const;   // nearest boundary between cells, for selections
    void sendMouse(QMouseEvent *event, bool pressed, bool move);
    void extendSelection(QPoint pos);
    void copySelectionToPrimary();
    bool handleViewKeys(QKeyEvent *event);
    bool sendSpecialKey(QKeyEvent *event, TerminalScreen::Modifiers mods);
    void onSearchEdited(const QString &text, bool caseSensitive);

    std::unique_ptr<TerminalScreen> m_ownScreen;
    QPointer<TerminalScreen> m_screen;
    std::unique_ptr<TerminalRenderer> m_renderer;
    TerminalSearchBar *m_searchBar = nullptr;

    QFont m_baseFont;
    int m_zoomSteps = 0;
    int m_cols = 0;
    int m_rows = 0;
    int m_margin = 2;

    int m_top = 0;          // unified line in view row 0
    bool m_follow = true;   // keep the bottom in view as output arrives
    bool m_syncingScrollBar = false;
    int m_paintedTop = -1;
    quint64 m_seenDropped = 0;

    QTimer m_frameTimer;
    QElapsedTimer m_sinceFrame;
    quint64 m_framesPainted = 0;
    std::vector<TerminalCell> m_lineCells;

    QTimer m_blinkTimer;
    bool m_blinkOn = true;
    int m_cursorViewRow = -1;

    bool m_hasSelection = false;
    TerminalPos m_selStart;
    TerminalPos m_selEnd;
    TerminalPos m_anchor;
    SelectMode m_selectMode = SelectMode::Char;
    bool m_selecting = false;
    QElapsedTimer m_sinceDoubleClick;
    QPoint m_doubleClickPos;
    QPoint m_pressPos;
    Qt::MouseButtons m_reportedButtons;

    QString m_searchText;
    Qt::CaseSensitivity m_searchCase = Qt::CaseInsensitive;
    std::optional<TerminalMatch> m_currentMatch;
};

} // namespace mist
