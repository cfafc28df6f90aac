#pragma once

#include "terminal/terminaltypes.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QVector>

#include <memory>
#include <optional>
#include <vector>

namespace mist {

// The screen model of one terminal: libvterm parses the byte stream and keeps the visible
// screen; this class adds the scrollback ring, a unified "history + screen" line space for the
// view, damage collected once per frame, terminal modes, input encoding (keys, mouse, paste)
// and text operations (selection text, search, URLs). No QtGui: the view lives in ui/.
//
// Lines are addressed as one list: 0 .. historyLines()-1 are scrollback (oldest first),
// historyLines() .. totalLines()-1 are the screen rows. Screen coordinates (row, col) are
// used only for the cursor and damage.
//
// Everything the terminal sends to the host (typed keys, pastes, mouse reports and answers to
// queries in the stream) comes out of output(); signals are emitted after libvterm returns, so
// a slot may call back into the screen.
class TerminalScreen : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultScrollbackLines = 10000;

    enum class CursorShape { Block, Underline, Bar };
    enum class MouseMode { None, Click, Drag, Move };   // what the program asked to be told about

    enum Modifier { NoModifier = 0, ShiftModifier = 1, AltModifier = 2, ControlModifier = 4 };
    Q_DECLARE_FLAGS(Modifiers, Modifier)

    // Keys that are not plain characters (those go through sendChar).
    enum class Key {
        Enter, Tab, Backspace, Escape,
        Up, Down, Left, Right,
        Insert, Delete, Home, End, PageUp, PageDown,
        F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12,
        KeypadEnter,
    };

    enum class MouseButton { Left = 1, Middle = 2, Right = 3, WheelUp = 4, WheelDown = 5 };

    explicit TerminalScreen(int cols = 80, int rows = 24, QObject *parent = nullptr);
    ~TerminalScreen() override;

    // --- the byte stream from the host
    // Parses a whole chunk at once (never call per byte). Invalid UTF-8 and malformed
    // sequences are tolerated.
    void feed(const QByteArray &bytes);
    void feed(const char *bytes, qsizetype size);
    // Resizes the screen (no reflow). Growing pulls lines back from the scrollback.
    void resize(int cols, int rows);
    int cols() const;
    int rows() const;
    // Full reset (RIS) of modes and screen; the scrollback stays.
    void reset();

    // --- lines and cells
    void setScrollbackLimit(int lines);   // default DefaultScrollbackLines; 0 disables it
    int scrollbackLimit() const;
    int historyLines() const;
    int totalLines() const { return historyLines() + rows(); }
    // Lines dropped from the front of the scrollback since creation: each drop shifts every
    // unified line number down by one (the view keeps selections and scroll position with it).
    quint64 droppedLines() const;
    void clearScrollback();

    // Cells of a unified line: exactly cols() cells (a history line from a wider screen is
    // cut, a shorter one padded with blanks). Out-of-range lines are blank.
    void readLine(int line, std::vector<TerminalCell> &out) const;
    QVector<TerminalCell> line(int line) const;
    TerminalCell cell(int line, int col) const;

    // --- cursor and modes
    int cursorRow() const;   // screen row
    int cursorCol() const;
    TerminalPos cursorPos() const { return {historyLines() + cursorRow(), cursorCol()}; }
    bool cursorVisible() const;
    bool cursorBlink() const;
    CursorShape cursorShape() const;
    bool altScreen() const;
    bool reverseVideo() const;       // DECSCNM
    QString title() const;
    QString iconName() const;
    MouseMode mouseMode() const;
    bool bracketedPaste() const;     // DECSET 2004

    // The damage since the last call (screen rows, scrolled lines, cursor); resets it.
    TerminalDamage takeDamage();
    bool hasDamage() const;

    // --- input: each call emits output() once with the encoded bytes
    void sendKey(Key key, Modifiers mods = NoModifier);
    void sendChar(char32_t c, Modifiers mods = NoModifier);
    void sendText(const QString &text);   // typed text (IME commit); no paste brackets
    // Pasted text: line breaks become CR, wrapped in ESC[200~ .. ESC[201~ when the program
    // enabled bracketed paste (and then any ESC[201~ inside the text is removed so the paste
    // cannot end early).
    void paste(const QString &text);
    // Mouse reports (only produce bytes when mouseMode() != None): row/col are screen coordinates.
    void mouseMove(int row, int col, Modifiers mods = NoModifier);
    void mouseButton(MouseButton button, bool pressed, Modifiers mods = NoModifier);
    void focusChanged(bool focused);   // reported only when the program asked (DECSET 1004)

    // --- text
    // Text of [start, end) in unified coordinates: lines joined by '\n', trailing blanks
    // trimmed, wide characters once. `end.col` is exclusive.
    QString text(TerminalPos start, TerminalPos end) const;
    QString lineText(int line) const;
    // Next match strictly after `from` (or, backwards, strictly before it), wrapping around
    // the whole history + screen when `wrap`.
    std::optional<TerminalMatch> find(const QString &needle, TerminalPos from, bool backward,
                                      Qt::CaseSensitivity cs = Qt::CaseInsensitive, bool wrap = true) const;
    QVector<TerminalMatch> findAll(const QString &needle, int firstLine, int lastLine,
                                   Qt::CaseSensitivity cs = Qt::CaseInsensitive) const;
    std::optional<TerminalUrl> urlAt(int line, int col) const;
    std::pair<int, int> wordAt(int line, int col) const;   // [startCol, endCol)

signals:
    void output(const QByteArray &bytes);
    void contentChanged();             // something to repaint (damage pending)
    void titleChanged(const QString &title);
    void bell();
    void modesChanged();               // cursor shape/visibility/blink, mouse, alt screen, reverse

private:
    struct Private;
    std::unique_ptr<Private> d;
};

Q_DECLARE_OPERATORS_FOR_FLAGS(TerminalScreen::Modifiers)

} // namespace mist
