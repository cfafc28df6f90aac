#include "terminalview.h"

#include "terminalrenderer.h"
#include "terminalsearchbar.h"

#include "terminal/terminaltext.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QStyleHints>
#include <QUrl>

#include <algorithm>

namespace mist {

namespace {

constexpr int FrameIntervalMs = 16;
constexpr int BlinkIntervalMs = 530;
constexpr int WheelLines = 3;
constexpr qreal MinPointSize = 4;
constexpr qreal MaxPointSize = 96;

TerminalScreen::Modifiers toScreenMods(Qt::KeyboardModifiers m)
{
    TerminalScreen::Modifiers out;
    if (m & Qt::ShiftModifier)
        out |= TerminalScreen::ShiftModifier;
    if (m & Qt::AltModifier)
        out |= TerminalScreen::AltModifier;
    if (m & Qt::ControlModifier)
        out |= TerminalScreen::ControlModifier;
    return out;
}

std::optional<TerminalScreen::MouseButton> toScreenButton(Qt::MouseButton b)
{
    switch (b) {
    case Qt::LeftButton: return TerminalScreen::MouseButton::Left;
    case Qt::MiddleButton: return TerminalScreen::MouseButton::Middle;
    case Qt::RightButton: return TerminalScreen::MouseButton::Right;
    default: return std::nullopt;
    }
}

QFont defaultTerminalFont()
{
    QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    f.setStyleHint(QFont::Monospace);
    f.setFixedPitch(true);
    if (f.pointSizeF() < 6)
        f.setPointSizeF(10);
    return f;
}

} // namespace

TerminalView::TerminalView(QWidget *parent)
    : QAbstractScrollArea(parent)
    , m_ownScreen(std::make_unique<TerminalScreen>())
    , m_renderer(std::make_unique<TerminalRenderer>())
{
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setMouseTracking(true);

    m_frameTimer.setSingleShot(true);
    m_frameTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_frameTimer, &QTimer::timeout, this, &TerminalView::frame);
    m_sinceFrame.start();

    m_blinkTimer.setInterval(BlinkIntervalMs);
    connect(&m_blinkTimer, &QTimer::timeout, this, [this] {
        m_blinkOn = !m_blinkOn;
        updateCursorRow();
    });

    m_searchBar = new TerminalSearchBar(this);
    m_searchBar->hide();
    connect(m_searchBar, &TerminalSearchBar::findRequested, this,
            [this](const QString &text, bool backward, bool cs) { find(text, backward, cs); });
    connect(m_searchBar, &TerminalSearchBar::textEdited, this, &TerminalView::onSearchEdited);
    connect(m_searchBar, &TerminalSearchBar::closed, this, &TerminalView::hideSearchBar);

    m_baseFont = defaultTerminalFont();
    m_renderer->setFont(m_baseFont);
    m_screen = m_ownScreen.get();
    connectScreen();
    updateGrid();
}

TerminalView::~TerminalView()
{
    // The own screen dies with the members; its destroyed() must not reach this half-gone view.
    if (m_screen)
        disconnect(m_screen, nullptr, this, nullptr);
    if (m_ownScreen)
        disconnect(m_ownScreen.get(), nullptr, this, nullptr);
}

void TerminalView::setScreen(TerminalScreen *screen)
{
    if (!screen)
        screen = m_ownScreen.get();
    if (screen == m_screen)
        return;
    if (m_screen)
        disconnect(m_screen, nullptr, this, nullptr);
    m_screen = screen;
    m_seenDropped = screen->droppedLines();
    m_hasSelection = false;
    m_currentMatch.reset();
    connectScreen();
    if (m_cols > 0 && m_rows > 0)
        m_screen->resize(m_cols, m_rows);
    m_screen->takeDamage();
    setTop(m_screen->historyLines(), true);
    viewport()->update();
    emit titleChanged(m_screen->title());
}

void TerminalView::connectScreen()
{
    connect(m_screen, &TerminalScreen::output, this, &TerminalView::inputBytes);
    connect(m_screen, &TerminalScreen::contentChanged, this, &TerminalView::scheduleFrame);
    connect(m_screen, &TerminalScreen::titleChanged, this, &TerminalView::titleChanged);
    connect(m_screen, &TerminalScreen::bell, this, &TerminalView::bell);
    connect(m_screen, &TerminalScreen::modesChanged, this, [this] {
        restartBlink();
        scheduleFrame();
    });
    connect(m_screen, &QObject::destroyed, this, [this] { setScreen(nullptr); });
}

void TerminalView::setScrollbackLines(int lines)
{
    m_screen->setScrollbackLimit(lines);
    flushFrame();
}

void TerminalView::setColorScheme(const TerminalColorScheme &scheme)
{
    m_renderer->setColorScheme(scheme);
    QPalette pal = viewport()->palette();
    pal.setColor(QPalette::Base, m_renderer->background());
    pal.setColor(QPalette::Window, m_renderer->background());
    viewport()->setPalette(pal);
    viewport()->update();
}

TerminalColorScheme TerminalView::colorScheme() const
{
    return m_renderer->colorScheme();
}

void TerminalView::setTerminalFont(const QFont &font)
{
    m_baseFont = font;
    applyFont();
}

QFont TerminalView::terminalFont() const
{
    return m_renderer->font();
}

QSize TerminalView::cellSize() const
{
    return {m_renderer->cellWidth(), m_renderer->cellHeight()};
}

void TerminalView::applyFont()
{
    QFont f = m_baseFont;
    const qreal base = f.pointSizeF() > 0 ? f.pointSizeF() : 10;
    f.setPointSizeF(std::clamp(base + m_zoomSteps, MinPointSize, MaxPointSize));
    m_renderer->setFont(f);
    updateGrid();
    viewport()->update();
}

void TerminalView::zoomIn()
{
    if (m_baseFont.pointSizeF() + m_zoomSteps >= MaxPointSize)
        return;
    ++m_zoomSteps;
    applyFont();
}

void TerminalView::zoomOut()
{
    if (m_baseFont.pointSizeF() + m_zoomSteps <= MinPointSize)
        return;
    --m_zoomSteps;
    applyFont();
}

void TerminalView::resetZoom()
{
    m_zoomSteps = 0;
    applyFont();
}

QSize TerminalView::sizeHint() const
{
    const int sb = verticalScrollBar()->sizeHint().width();
    return {80 * m_renderer->cellWidth() + 2 * m_margin + sb, 24 * m_renderer->cellHeight() + 2 * m_margin};
}

void TerminalView::updateGrid()
{
    const QSize area = viewport()->size();
    const int cols = std::max(1, (area.width() - 2 * m_margin) / m_renderer->cellWidth());
    const int rows = std::max(1, (area.height() - 2 * m_margin) / m_renderer->cellHeight());
    if (cols == m_cols && rows == m_rows)
        return;
    m_cols = cols;
    m_rows = rows;
    m_screen->resize(cols, rows);
    m_screen->takeDamage();
    m_seenDropped = m_screen->droppedLines();
    setTop(m_follow ? m_screen->historyLines() : m_top, m_follow);
    viewport()->update();
    emit sizeChanged(cols, rows);
}

void TerminalView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    const QSize bar = m_searchBar->sizeHint();
    const int w = std::min(viewport()->width(), std::max(bar.width(), viewport()->width() / 2));
    m_searchBar->setGeometry(viewport()->width() - w, 0, w, bar.height());
    updateGrid();
}

// --- frames

void TerminalView::feed(const QByteArray &bytes)
{
    m_screen->feed(bytes);
}

void TerminalView::scheduleFrame()
{
    if (m_frameTimer.isActive())
        return;
    // At most one frame per interval; after a quiet period the first output paints at once.
    const qint64 since = m_sinceFrame.elapsed();
    m_frameTimer.start(int(std::max<qint64>(0, FrameIntervalMs - since)));
}

void TerminalView::flushFrame()
{
    m_frameTimer.stop();
    frame();
}

void TerminalView::frame()
{
    m_sinceFrame.restart();
    const TerminalDamage damage = m_screen->takeDamage();
    const quint64 dropped = m_screen->droppedLines();
    const qint64 droppedNow = qint64(dropped - m_seenDropped);
    m_seenDropped = dropped;
    if (droppedNow > 0)
        shiftForDroppedLines(droppedNow);

    const int history = m_screen->historyLines();
    const int oldTop = m_top;
    setTop(m_follow ? history : m_top - int(droppedNow), m_follow);
    if (m_top != oldTop && !m_follow) {
        viewport()->update();   // history view moved under the content
    } else if (!m_follow && (damage.linesScrolledOff > 0 || droppedNow > 0)) {
        viewport()->update();
    } else if (m_top != m_paintedTop) {
        viewport()->update();
    } else if (damage.hasDirtyRows()) {
        updateRows(history + damage.firstRow - m_top, history + damage.lastRow - m_top);
    }
    if (damage.cursorChanged) {
        m_blinkOn = true;
        updateCursorRow();
    }
}

void TerminalView::shiftForDroppedLines(qint64 dropped)
{
    if (m_hasSelection) {
        m_selStart.line -= int(dropped);
        m_selEnd.line -= int(dropped);
        m_anchor.line -= int(dropped);
        if (m_selEnd.line < 0)
            m_hasSelection = false;
        else if (m_selStart.line < 0)
            m_selStart = {0, 0};
    }
    if (m_currentMatch) {
        m_currentMatch->start.line -= int(dropped);
        if (m_currentMatch->start.line < 0)
            m_currentMatch.reset();
    }
}

void TerminalView::updateRows(int firstViewRow, int lastViewRow)
{
    firstViewRow = std::max(firstViewRow, 0);
    lastViewRow = std::min(lastViewRow, m_rows - 1);
    if (firstViewRow > lastViewRow)
        return;
    const int ch = m_renderer->cellHeight();
    viewport()->update(QRect(0, m_margin + firstViewRow * ch, viewport()->width(), (lastViewRow - firstViewRow + 1) * ch));
}

void TerminalView::updateCursorRow()
{
    if (m_cursorViewRow >= 0)
        updateRows(m_cursorViewRow, m_cursorViewRow);
    const int row = m_screen->historyLines() + m_screen->cursorRow() - m_top;
    if (row != m_cursorViewRow)
        updateRows(row, row);
}

void TerminalView::restartBlink()
{
    m_blinkOn = true;
    if (hasFocus() && m_screen->cursorBlink())
        m_blinkTimer.start();
    else
        m_blinkTimer.stop();
}

void TerminalView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    const QRect rect = event->rect();
    const int ch = m_renderer->cellHeight();
    const int cw = m_renderer->cellWidth();
    const QColor bg = m_renderer->background();
    const int gridW = m_cols * cw;
    const int gridH = m_rows * ch;

    // Margins and the spare pixels right of / below the grid.
    const QRegion spare = QRegion(viewport()->rect()) - QRect(m_margin, m_margin, gridW, gridH);
    for (const QRect &r : spare & rect)
        p.fillRect(r, bg);

    const int firstRow = std::max(0, (rect.top() - m_margin) / ch);
    const int lastRow = std::min(m_rows - 1, (rect.bottom() - m_margin) / ch);
    const int history = m_screen->historyLines();
    const int cursorLine = history + m_screen->cursorRow();
    const bool showCursor = m_screen->cursorVisible() && (m_blinkOn || !hasFocus() || !m_screen->cursorBlink())
                            && m_top + m_rows > cursorLine;
    m_cursorViewRow = cursorLine - m_top;

    TerminalPos selStart = std::min(m_selStart, m_selEnd);
    TerminalPos selEnd = std::max(m_selStart, m_selEnd);

    TerminalLineDecor decor;
    for (int row = firstRow; row <= lastRow; ++row) {
        const int line = m_top + row;
        m_screen->readLine(line, m_lineCells);
        decor = TerminalLineDecor{};
        if (m_hasSelection && line >= selStart.line && line <= selEnd.line) {
            decor.selectionStart = line == selStart.line ? selStart.col : 0;
            decor.selectionEnd = line == selEnd.line ? selEnd.col : m_cols;
        }
        if (!m_searchText.isEmpty() && m_searchBar->isVisible()) {
            const TerminalLineText text = TerminalLineText::build(m_lineCells.data(), int(m_lineCells.size()));
            for (const TerminalMatch &m : terminaltext::findAll(text, line, m_searchText, m_searchCase))
                decor.matches.append({m.start.col, m.start.col + m.length});
            if (m_currentMatch && m_currentMatch->start.line == line)
                decor.currentMatch = {m_currentMatch->start.col, m_currentMatch->start.col + m_currentMatch->length};
        }
        if (showCursor && line == cursorLine) {
            decor.cursorCol = m_screen->cursorCol();
            decor.cursorShape = m_screen->cursorShape();
            decor.cursorFocused = hasFocus();
        }
        m_renderer->paintLine(p, QPoint(m_margin, m_margin + row * ch), m_lineCells.data(), int(m_lineCells.size()), decor);
    }
    m_paintedTop = m_top;
    ++m_framesPainted;
}

// --- scrolling

void TerminalView::syncScrollBar()
{
    m_syncingScrollBar = true;
    QScrollBar *bar = verticalScrollBar();
    bar->setRange(0, m_screen->historyLines());
    bar->setPageStep(std::max(1, m_rows));
    bar->setSingleStep(1);
    bar->setValue(m_top);
    m_syncingScrollBar = false;
}

void TerminalView::setTop(int top, bool follow)
{
    const int history = m_screen->historyLines();
    m_top = std::clamp(top, 0, history);
    m_follow = follow || m_top == history;
    syncScrollBar();
}

void TerminalView::scrollContentsBy(int, int)
{
    if (m_syncingScrollBar)
        return;
    setTop(verticalScrollBar()->value(), false);
    viewport()->update();
}

void TerminalView::scrollLines(int delta)
{
    setTop(m_top + delta, false);
    viewport()->update();
}

void TerminalView::scrollToBottom()
{
    if (m_follow && m_top == m_screen->historyLines())
        return;
    setTop(m_screen->historyLines(), true);
    viewport()->update();
}

// --- selection and clipboard

QString TerminalView::selectedText() const
{
    if (!m_hasSelection)
        return {};
    return m_screen->text(std::min(m_selStart, m_selEnd), std::max(m_selStart, m_selEnd));
}

void TerminalView::setSelection(TerminalPos start, TerminalPos end)
{
    m_selStart = start;
    m_selEnd = end;
    m_hasSelection = start != end;
    viewport()->update();
}

void TerminalView::clearSelection()
{
    if (!m_hasSelection)
        return;
    m_hasSelection = false;
    viewport()->update();
}

void TerminalView::selectAll()
{
    setSelection({0, 0}, {m_screen->totalLines() - 1, m_cols});
}

void TerminalView::copy()
{
    if (m_hasSelection)
        QApplication::clipboard()->setText(selectedText(), QClipboard::Clipboard);
}

void TerminalView::copySelectionToPrimary()
{
    QClipboard *cb = QApplication::clipboard();
    if (m_hasSelection && cb->supportsSelection())
        cb->setText(selectedText(), QClipboard::Selection);
}

void TerminalView::paste()
{
    scrollToBottom();
    m_screen->paste(QApplication::clipboard()->text(QClipboard::Clipboard));
}

void TerminalView::pasteSelection()
{
    QClipboard *cb = QApplication::clipboard();
    scrollToBottom();
    m_screen->paste(cb->text(cb->supportsSelection() ? QClipboard::Selection : QClipboard::Clipboard));
}

// --- search

void TerminalView::showSearchBar()
{
    if (m_hasSelection && m_selStart.line == m_selEnd.line) {
        const QString sel = selectedText();
        if (!sel.isEmpty())
            m_searchBar->lineEdit()->setText(sel);
    }
    m_searchBar->activate();
    m_searchText = m_searchBar->text();
    viewport()->update();
}

void TerminalView::hideSearchBar()
{
    m_searchBar->hide();
    m_currentMatch.reset();
    setFocus(Qt::OtherFocusReason);
    viewport()->update();
}

void TerminalView::onSearchEdited(const QString &text, bool caseSensitive)
{
    m_currentMatch.reset();
    if (text.isEmpty()) {
        m_searchText.clear();
        m_searchBar->setStatus({});
        viewport()->update();
        return;
    }
    find(text, true, caseSensitive);
}

bool TerminalView::find(const QString &text, bool backward, bool caseSensitive)
{
    const Qt::CaseSensitivity cs = caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
    if (text != m_searchText || cs != m_searchCase)
        m_currentMatch.reset();
    m_searchText = text;
    m_searchCase = cs;
    TerminalPos from = backward ? TerminalPos{m_screen->totalLines(), 0} : TerminalPos{-1, 0};
    if (m_currentMatch)
        from = m_currentMatch->start;
    const std::optional<TerminalMatch> match = m_screen->find(text, from, backward, cs);
    m_currentMatch = match;
    m_searchBar->setStatus(match || text.isEmpty() ? QString() : tr("Not found"));
    if (match) {
        const int line = match->start.line;
        if (line < m_top || line >= m_top + m_rows)
            setTop(line - m_rows / 2, false);
    }
    viewport()->update();
    return match.has_value();
}

// --- keyboard

bool TerminalView::event(QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride) {
        // The terminal wants plain keys and Ctrl+letters before any application shortcut; the
        // application keeps Ctrl+Shift+<other> and Ctrl+Tab/PageUp/PageDown (tab switching).
        auto *ke = static_cast<QKeyEvent *>(event);
        const Qt::KeyboardModifiers mods = ke->modifiers() & ~Qt::KeypadModifier;
        const int key = ke->key();
        const bool ctrlShift = (mods & Qt::ControlModifier) && (mods & Qt::ShiftModifier);
        const bool ours = ctrlShift ? (key == Qt::Key_C || key == Qt::Key_V || key == Qt::Key_F)
                                    : !((mods & Qt::ControlModifier)
                                        && (key == Qt::Key_Tab || key == Qt::Key_Backtab
                                            || key == Qt::Key_PageUp || key == Qt::Key_PageDown));
        if (ours) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool TerminalView::focusNextPrevChild(bool)
{
    return false;   // Tab belongs to the shell
}

bool TerminalView::handleViewKeys(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    const bool ctrl = mods & Qt::ControlModifier;
    const bool shift = mods & Qt::ShiftModifier;
    const bool alt = mods & Qt::AltModifier;
    const int key = event->key();
    if (ctrl && shift && !alt) {
        switch (key) {
        case Qt::Key_C: copy(); return true;
        case Qt::Key_V: paste(); return true;
        case Qt::Key_F: showSearchBar(); return true;
        default: break;
        }
    }
    if (ctrl && !alt) {
        switch (key) {
        case Qt::Key_Plus:
        case Qt::Key_Equal: zoomIn(); return true;
        case Qt::Key_Minus:
            if (!shift) {
                zoomOut();
                return true;
            }
            break;
        case Qt::Key_0:
            if (!shift) {
                resetZoom();
                return true;
            }
            break;
        default: break;
        }
    }
    if (shift && !ctrl && !alt) {
        switch (key) {
        case Qt::Key_PageUp: scrollLines(-std::max(1, m_rows - 1)); return true;
        case Qt::Key_PageDown: scrollLines(std::max(1, m_rows - 1)); return true;
        case Qt::Key_Home: setTop(0, false); viewport()->update(); return true;
        case Qt::Key_End: scrollToBottom(); return true;
        default: break;
        }
    }
    return false;
}

bool TerminalView::sendSpecialKey(QKeyEvent *event, TerminalScreen::Modifiers mods)
{
    using K = TerminalScreen::Key;
    std::optional<K> k;
    switch (event->key()) {
    case Qt::Key_Return: k = K::Enter; break;
    case Qt::Key_Enter: k = (event->modifiers() & Qt::KeypadModifier) ? K::KeypadEnter : K::Enter; break;
    case Qt::Key_Tab: k = K::Tab; break;
    case Qt::Key_Backtab: k = K::Tab; mods |= TerminalScreen::ShiftModifier; break;
    case Qt::Key_Backspace: k = K::Backspace; break;
    case Qt::Key_Escape: k = K::Escape; break;
    case Qt::Key_Up: k = K::Up; break;
    case Qt::Key_Down: k = K::Down; break;
    case Qt::Key_Left: k = K::Left; break;
    case Qt::Key_Right: k = K::Right; break;
    case Qt::Key_Insert: k = K::Insert; break;
    case Qt::Key_Delete: k = K::Delete; break;
    case Qt::Key_Home: k = K::Home; break;
    case Qt::Key_End: k = K::End; break;
    case Qt::Key_PageUp: k = K::PageUp; break;
    case Qt::Key_PageDown: k = K::PageDown; break;
    default:
        if (event->key() >= Qt::Key_F1 && event->key() <= Qt::Key_F12)
            k = K(int(K::F1) + (event->key() - Qt::Key_F1));
        break;
    }
    if (!k)
        return false;
    m_screen->sendKey(*k, mods);
    return true;
}

void TerminalView::keyPressEvent(QKeyEvent *event)
{
    if (!m_screen) {
        event->ignore();
        return;
    }
    if (handleViewKeys(event))
        return;
    const TerminalScreen::Modifiers mods = toScreenMods(event->modifiers());
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    const bool alt = event->modifiers() & Qt::AltModifier;

    scrollToBottom();
    m_blinkOn = true;
    if (sendSpecialKey(event, mods))
        return;

    const int key = event->key();
    if (ctrl) {
        // Qt's text() for Ctrl+key is platform dependent; the key code is not.
        if (key >= Qt::Key_A && key <= Qt::Key_Z) {
            m_screen->sendChar(char32_t(U'a' + (key - Qt::Key_A)), mods);
            return;
        }
        if (key == Qt::Key_Space || key == Qt::Key_At || key == Qt::Key_BracketLeft || key == Qt::Key_Backslash
            || key == Qt::Key_BracketRight || key == Qt::Key_AsciiCircum || key == Qt::Key_Underscore
            || key == Qt::Key_Slash || key == Qt::Key_Question || (key >= Qt::Key_2 && key <= Qt::Key_8)) {
            m_screen->sendChar(char32_t(key), mods);
            return;
        }
    }
    const QString text = event->text();
    if (text.isEmpty()) {
        event->ignore();
        return;
    }
    if (!ctrl && !alt) {
        m_screen->sendText(text);
        return;
    }
    for (const char32_t c : text.toUcs4()) {
        if (c >= 0x20 && c != 0x7f)
            m_screen->sendChar(c, mods & ~TerminalScreen::Modifiers(TerminalScreen::ShiftModifier));
    }
}

void TerminalView::inputMethodEvent(QInputMethodEvent *event)
{
    if (!event->commitString().isEmpty()) {
        scrollToBottom();
        m_screen->sendText(event->commitString());
    }
    event->accept();
}

QVariant TerminalView::inputMethodQuery(Qt::InputMethodQuery query) const
{
    if (query == Qt::ImCursorRectangle) {
        const int row = m_screen->historyLines() + m_screen->cursorRow() - m_top;
        return QRect(m_margin + m_screen->cursorCol() * m_renderer->cellWidth(),
                     m_margin + row * m_renderer->cellHeight(), m_renderer->cellWidth(), m_renderer->cellHeight());
    }
    if (query == Qt::ImFont)
        return m_renderer->font();
    return QAbstractScrollArea::inputMethodQuery(query);
}

// --- mouse

int TerminalView::viewRowAt(int y) const
{
    return std::clamp((y - m_margin) / m_renderer->cellHeight(), 0, m_rows - 1);
}

TerminalPos TerminalView::cellAt(QPoint pos) const
{
    const int col = std::clamp((pos.x() - m_margin) / m_renderer->cellWidth(), 0, m_cols - 1);
    return {m_top + viewRowAt(pos.y()), col};
}

TerminalPos TerminalView::boundaryAt(QPoint pos) const
{
    const qreal x = qreal(pos.x() - m_margin) / m_renderer->cellWidth();
    int line = m_top + viewRowAt(pos.y());
    int col = std::clamp(qRound(x), 0, m_cols);
    if (pos.y() < m_margin)
        col = line == 0 ? 0 : col;
    return {line, col};
}

bool TerminalView::forwardsMouse(const QMouseEvent *event) const
{
    return m_screen->mouseMode() != TerminalScreen::MouseMode::None && !(event->modifiers() & Qt::ShiftModifier);
}

void TerminalView::sendMouse(QMouseEvent *event, bool pressed, bool move)
{
    const QPoint pos = event->position().toPoint();
    const int row = m_top + viewRowAt(pos.y()) - m_screen->historyLines();
    const int col = std::clamp((pos.x() - m_margin) / m_renderer->cellWidth(), 0, m_cols - 1);
    const TerminalScreen::Modifiers mods = toScreenMods(event->modifiers());
    m_screen->mouseMove(row, col, mods);
    if (move)
        return;
    if (const auto b = toScreenButton(event->button())) {
        m_screen->mouseButton(*b, pressed, mods);
        if (pressed)
            m_reportedButtons |= event->button();
        else
            m_reportedButtons &= ~event->button();
    }
}

void TerminalView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    if (forwardsMouse(event)) {
        sendMouse(event, true, false);
        return;
    }
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::MiddleButton) {
        pasteSelection();
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    if (event->modifiers() & Qt::ControlModifier) {
        const TerminalPos cell = cellAt(pos);
        if (const auto url = m_screen->urlAt(cell.line, cell.col)) {
            QDesktopServices::openUrl(QUrl(url->url));
            return;
        }
    }
    m_pressPos = pos;
    const bool triple = m_sinceDoubleClick.isValid()
                        && m_sinceDoubleClick.elapsed() < QGuiApplication::styleHints()->mouseDoubleClickInterval()
                        && (pos - m_doubleClickPos).manhattanLength() < QGuiApplication::styleHints()->startDragDistance() * 2;
    m_sinceDoubleClick.invalidate();
    m_selecting = true;
    if (triple) {
        m_selectMode = SelectMode::Line;
        m_anchor = cellAt(pos);
        setSelection({m_anchor.line, 0}, {m_anchor.line, m_cols});
        return;
    }
    m_selectMode = SelectMode::Char;
    m_anchor = boundaryAt(pos);
    clearSelection();
}

void TerminalView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (forwardsMouse(event)) {
        sendMouse(event, true, false);
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    const QPoint pos = event->position().toPoint();
    const TerminalPos cell = cellAt(pos);
    const auto [start, end] = m_screen->wordAt(cell.line, cell.col);
    m_selectMode = SelectMode::Word;
    m_selecting = true;
    m_anchor = cell;
    setSelection({cell.line, start}, {cell.line, end});
    m_sinceDoubleClick.start();
    m_doubleClickPos = pos;
}

void TerminalView::extendSelection(QPoint pos)
{
    // Dragging past the top or bottom edge scrolls the history along.
    if (pos.y() < 0)
        scrollLines(-1);
    else if (pos.y() > viewport()->height())
        scrollLines(1);
    switch (m_selectMode) {
    case SelectMode::Char: {
        const TerminalPos here = boundaryAt(pos);
        setSelection(std::min(m_anchor, here), std::max(m_anchor, here));
        break;
    }
    case SelectMode::Word: {
        const TerminalPos here = cellAt(pos);
        const auto [aStart, aEnd] = m_screen->wordAt(m_anchor.line, m_anchor.col);
        const auto [hStart, hEnd] = m_screen->wordAt(here.line, here.col);
        const TerminalPos a0{m_anchor.line, aStart}, a1{m_anchor.line, aEnd};
        const TerminalPos h0{here.line, hStart}, h1{here.line, hEnd};
        setSelection(std::min(a0, h0), std::max(a1, h1));
        break;
    }
    case SelectMode::Line: {
        const TerminalPos here = cellAt(pos);
        setSelection({std::min(m_anchor.line, here.line), 0}, {std::max(m_anchor.line, here.line), m_cols});
        break;
    }
    }
}

void TerminalView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_reportedButtons || (event->buttons() == Qt::NoButton && forwardsMouse(event)
                              && m_screen->mouseMode() == TerminalScreen::MouseMode::Move)) {
        sendMouse(event, false, true);
        return;
    }
    if (m_selecting && (event->buttons() & Qt::LeftButton)) {
        if (m_selectMode != SelectMode::Char
            || (pos - m_pressPos).manhattanLength() >= QApplication::startDragDistance() || m_hasSelection)
            extendSelection(pos);
        return;
    }
    if (event->buttons() == Qt::NoButton) {
        // Ctrl+hover over a URL shows that it can be opened.
        bool overUrl = false;
        if (event->modifiers() & Qt::ControlModifier) {
            const TerminalPos cell = cellAt(pos);
            overUrl = m_screen->urlAt(cell.line, cell.col).has_value();
        }
        viewport()->setCursor(overUrl ? Qt::PointingHandCursor : Qt::IBeamCursor);
    }
}

void TerminalView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_reportedButtons & event->button()) {
        sendMouse(event, false, false);
        return;
    }
    if (event->button() == Qt::LeftButton && m_selecting) {
        m_selecting = false;
        copySelectionToPrimary();
    }
}

void TerminalView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0) {
        event->accept();
        return;
    }
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    if (m_screen->mouseMode() != TerminalScreen::MouseMode::None && !shift) {
        const QPoint pos = event->position().toPoint();
        const int row = m_top + viewRowAt(pos.y()) - m_screen->historyLines();
        const int col = std::clamp((pos.x() - m_margin) / m_renderer->cellWidth(), 0, m_cols - 1);
        const TerminalScreen::Modifiers mods = toScreenMods(event->modifiers());
        m_screen->mouseMove(row, col, mods);
        for (int i = 0; i < std::abs(steps); ++i)
            m_screen->mouseButton(steps > 0 ? TerminalScreen::MouseButton::WheelUp : TerminalScreen::MouseButton::WheelDown,
                                  true, mods);
    } else if (m_screen->altScreen() && !shift) {
        // Full-screen programs without mouse support (less, man) scroll with arrow keys.
        for (int i = 0; i < std::abs(steps) * WheelLines; ++i)
            m_screen->sendKey(steps > 0 ? TerminalScreen::Key::Up : TerminalScreen::Key::Down);
    } else {
        scrollLines(-steps * WheelLines);
    }
    event->accept();
}

void TerminalView::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    m_screen->focusChanged(true);
    restartBlink();
    updateCursorRow();
}

void TerminalView::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    m_screen->focusChanged(false);
    restartBlink();
    updateCursorRow();
}

void TerminalView::contextMenuEvent(QContextMenuEvent *event)
{
    if (m_screen->mouseMode() != TerminalScreen::MouseMode::None && !(event->modifiers() & Qt::ShiftModifier))
        return;   // the right button belongs to the program
    QMenu menu(this);
    QAction *copyAction = menu.addAction(tr("Copy"), this, &TerminalView::copy);
    copyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyAction->setEnabled(m_hasSelection);
    menu.addAction(tr("Paste"), this, &TerminalView::paste)->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    menu.addAction(tr("Select All"), this, &TerminalView::selectAll);
    menu.addSeparator();
    menu.addAction(tr("Find..."), this, &TerminalView::showSearchBar)->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    menu.addAction(tr("Zoom In"), this, &TerminalView::zoomIn);
    menu.addAction(tr("Zoom Out"), this, &TerminalView::zoomOut);
    menu.addAction(tr("Reset Zoom"), this, &TerminalView::resetZoom);
    menu.addSeparator();
    menu.addAction(tr("Clear Scrollback"), this, [this] {
        m_screen->clearScrollback();
        m_hasSelection = false;
        m_currentMatch.reset();
        flushFrame();
    });
    menu.exec(event->globalPos());
}

} // namespace mist
