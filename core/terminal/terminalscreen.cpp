#include "terminalscreen.h"

#include "terminal/terminalscrollback.h"
#include "terminal/terminaltext.h"
#include "terminal/vtinputguard.h"
#include "util/logging.h"

#include <vterm.h>

#include <algorithm>

// libvterm 0.2 turned string properties (title, icon name) into fragments.
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 2
#define MIST_VTERM_STRING_FRAGMENTS 1
#endif
// libvterm 0.3 reports "clear scrollback" (CSI 3 J) through sb_clear.
#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 3
#define MIST_VTERM_SB_CLEAR 1
#endif

namespace mist {

namespace {

// Sizes beyond these are garbage (a broken resize request), not terminals.
constexpr int MaxCols = 2000;
constexpr int MaxRows = 1000;
constexpr qsizetype MaxTitleLength = 1024;

static_assert(int(TerminalScreen::ShiftModifier) == VTERM_MOD_SHIFT
              && int(TerminalScreen::AltModifier) == VTERM_MOD_ALT
              && int(TerminalScreen::ControlModifier) == VTERM_MOD_CTRL,
              "our modifier bits are libvterm's");

TerminalColor fromVTerm(const VTermColor &c, bool fg)
{
    if (fg ? VTERM_COLOR_IS_DEFAULT_FG(&c) : VTERM_COLOR_IS_DEFAULT_BG(&c))
        return {};
    if (VTERM_COLOR_IS_INDEXED(&c))
        return TerminalColor::indexed(c.indexed.idx);
    return TerminalColor::rgb(c.rgb.red, c.rgb.green, c.rgb.blue);
}

void convertCell(const VTermScreenCell &in, TerminalCell &out)
{
    if (in.chars[0] == uint32_t(-1)) {   // right half of a wide character
        out = TerminalCell{};
        out.width = 0;
        out.fg = fromVTerm(in.fg, true);
        out.bg = fromVTerm(in.bg, false);
        return;
    }
    int n = 0;
    for (; n < TerminalCell::MaxChars && n < VTERM_MAX_CHARS_PER_CELL && in.chars[n]; ++n)
        out.chars[n] = char32_t(in.chars[n]);
    for (int i = n; i < TerminalCell::MaxChars; ++i)
        out.chars[i] = 0;
    out.width = in.width == 2 ? 2 : 1;
    quint8 a = 0;
    if (in.attrs.bold)
        a |= TerminalCell::Bold;
    if (in.attrs.italic)
        a |= TerminalCell::Italic;
    if (in.attrs.underline) {
        a |= TerminalCell::Underline;
        if (in.attrs.underline == VTERM_UNDERLINE_DOUBLE)
            a |= TerminalCell::DoubleUnderline;
        else if (in.attrs.underline == VTERM_UNDERLINE_CURLY)
            a |= TerminalCell::CurlyUnderline;
    }
    if (in.attrs.reverse)
        a |= TerminalCell::Reverse;
    if (in.attrs.strike)
        a |= TerminalCell::Strike;
    if (in.attrs.blink)
        a |= TerminalCell::Blink;
    out.attrs = a;
    out.fg = fromVTerm(in.fg, true);
    out.bg = fromVTerm(in.bg, false);
}

// A trailing cell that paints nothing but the default background.
bool isTrimmable(const VTermScreenCell &c)
{
    return (c.chars[0] == 0 || c.chars[0] == ' ') && VTERM_COLOR_IS_DEFAULT_BG(&c.bg) && !c.attrs.reverse
           && !c.attrs.underline && !c.attrs.strike;
}

} // namespace

struct TerminalScreen::Private
{
    TerminalScreen *q = nullptr;
    VTerm *vt = nullptr;
    VTermScreen *screen = nullptr;
    VTermState *state = nullptr;
    int rows = 24;
    int cols = 80;

    VtInputGuard guard;
    VtInputGuard::Sink sink;
    std::function<void()> clampCursor;
    TerminalScrollback scrollback{DefaultScrollbackLines};
    std::vector<TerminalCell> lineBuf;   // sb_pushline / sb_popline scratch

    TerminalDamage damage;
    QByteArray out;   // bytes for the host, emitted after libvterm returns

    bool cursorVisible = true;
    bool cursorBlink = true;
    bool altScreen = false;
    bool reverse = false;
    CursorShape cursorShape = CursorShape::Block;
    MouseMode mouseMode = MouseMode::None;
    QString title;
    QString iconName;
#ifdef MIST_VTERM_STRING_FRAGMENTS
    QByteArray stringFragments;
#endif

    bool titleChanged = false;
    bool modesChanged = false;
    bool bellRang = false;

    void markRows(int first, int last)
    {
        first = std::max(first, 0);
        last = std::min(last, rows - 1);
        if (first > last)
            return;
        if (damage.firstRow < 0) {
            damage.firstRow = first;
            damage.lastRow = last;
        } else {
            damage.firstRow = std::min(damage.firstRow, first);
            damage.lastRow = std::max(damage.lastRow, last);
        }
    }
    void markAll() { markRows(0, rows - 1); }

    // Moves a cursor that is off the screen (restored from before a resize) back onto it.
    void keepCursorOnScreen()
    {
        VTermPos pos;
        vterm_state_get_cursorpos(state, &pos);
        if (pos.row < 0 || pos.row >= rows || pos.col < 0 || pos.col >= cols)
            moveCursor(pos.row, pos.col);
    }
    void moveCursor(int row, int col)
    {
        const QByteArray cup = "\x1b[" + QByteArray::number(std::clamp(row, 0, rows - 1) + 1) + ';'
                               + QByteArray::number(std::clamp(col, 0, cols - 1) + 1) + 'H';
        vterm_input_write(vt, cup.constData(), size_t(cup.size()));
    }

    void readScreenRow(int row, TerminalCell *out) const
    {
        VTermScreenCell vc;
        VTermPos pos{row, 0};
        for (pos.col = 0; pos.col < cols; ++pos.col) {
            if (vterm_screen_get_cell(screen, pos, &vc))
                convertCell(vc, out[pos.col]);
            else
                out[pos.col] = TerminalCell{};
        }
    }

    VTermColor toVTerm(TerminalColor c, bool fg) const
    {
        VTermColor v;
        switch (c.kind()) {
        case TerminalColor::Indexed:
            vterm_color_indexed(&v, quint8(c.index()));
            return v;
        case TerminalColor::Rgb:
            vterm_color_rgb(&v, quint8(c.rgb24() >> 16), quint8(c.rgb24() >> 8), quint8(c.rgb24()));
            return v;
        case TerminalColor::Default:
            break;
        }
        VTermColor dfg, dbg;
        vterm_state_get_default_colors(state, &dfg, &dbg);
        return fg ? dfg : dbg;
    }

    // Emits what the last libvterm call produced. Signals go out only here, never from inside
    // a libvterm callback, so slots may safely call back into the screen.
    void finish()
    {
        if (!out.isEmpty()) {
            const QByteArray bytes = std::exchange(out, {});
            emit q->output(bytes);
        }
        if (std::exchange(titleChanged, false))
            emit q->titleChanged(title);
        if (std::exchange(bellRang, false))
            emit q->bell();
        if (std::exchange(modesChanged, false))
            emit q->modesChanged();
        if (!damage.isEmpty())
            emit q->contentChanged();
    }

    QString takeString(const VTermValue *val)
    {
#ifdef MIST_VTERM_STRING_FRAGMENTS
        if (val->string.initial)
            stringFragments.clear();
        if (stringFragments.size() < MaxTitleLength * 4)
            stringFragments.append(val->string.str, qsizetype(val->string.len));
        if (!val->string.final)
            return QString();
        QString s = QString::fromUtf8(std::exchange(stringFragments, {}));
#else
        QString s = QString::fromUtf8(val->string ? val->string : "");
#endif
        // Control characters in a title would end up in tab labels and window titles.
        s.removeIf([](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
        s.truncate(MaxTitleLength);
        return s;
    }

    // --- libvterm callbacks
    static int onDamage(VTermRect rect, void *user)
    {
        static_cast<Private *>(user)->markRows(rect.start_row, rect.end_row - 1);
        return 1;
    }

    static int onMoveCursor(VTermPos pos, VTermPos oldpos, int, void *user)
    {
        auto *d = static_cast<Private *>(user);
        d->markRows(oldpos.row, oldpos.row);
        d->markRows(pos.row, pos.row);
        d->damage.cursorChanged = true;
        return 1;
    }

    static int onSetTermProp(VTermProp prop, VTermValue *val, void *user)
    {
        auto *d = static_cast<Private *>(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE:
            d->cursorVisible = val->boolean;
            break;
        case VTERM_PROP_CURSORBLINK:
            d->cursorBlink = val->boolean;
            break;
        case VTERM_PROP_CURSORSHAPE:
            d->cursorShape = val->number == VTERM_PROP_CURSORSHAPE_UNDERLINE ? CursorShape::Underline
                             : val->number == VTERM_PROP_CURSORSHAPE_BAR_LEFT ? CursorShape::Bar
                                                                              : CursorShape::Block;
            break;
        case VTERM_PROP_ALTSCREEN:
            d->altScreen = val->boolean;
            d->markAll();
            break;
        case VTERM_PROP_REVERSE:
            d->reverse = val->boolean;
            d->markAll();
            break;
        case VTERM_PROP_MOUSE:
            d->mouseMode = val->number == VTERM_PROP_MOUSE_CLICK ? MouseMode::Click
                           : val->number == VTERM_PROP_MOUSE_DRAG ? MouseMode::Drag
                           : val->number == VTERM_PROP_MOUSE_MOVE ? MouseMode::Move
                                                                  : MouseMode::None;
            break;
        case VTERM_PROP_TITLE:
        case VTERM_PROP_ICONNAME: {
            QString s = d->takeString(val);
#ifdef MIST_VTERM_STRING_FRAGMENTS
            if (!val->string.final)
                return 1;   // more fragments to come
#endif
            if (prop == VTERM_PROP_ICONNAME) {
                d->iconName = std::move(s);
            } else if (s != d->title) {
                d->title = std::move(s);
                d->titleChanged = true;
            }
            return 1;
        }
        default:
            return 0;
        }
        d->modesChanged = true;
        d->damage.cursorChanged = true;
        return 1;
    }

    static int onBell(void *user)
    {
        static_cast<Private *>(user)->bellRang = true;
        return 1;
    }

    static int onPushLine(int cols, const VTermScreenCell *cells, void *user)
    {
        auto *d = static_cast<Private *>(user);
        // Trim before converting: most lines are much shorter than the screen is wide.
        int n = std::max(cols, 0);
        while (n > 0 && isTrimmable(cells[n - 1]))
            --n;
        d->lineBuf.resize(size_t(n));
        for (int i = 0; i < n; ++i)
            convertCell(cells[i], d->lineBuf[size_t(i)]);
        d->scrollback.push(d->lineBuf.data(), n);
        ++d->damage.linesScrolledOff;
        return 1;
    }

    static int onPopLine(int cols, VTermScreenCell *cells, void *user)
    {
        auto *d = static_cast<Private *>(user);
        if (!d->scrollback.popNewest(d->lineBuf))
            return 0;
        const int stored = int(d->lineBuf.size());
        for (int i = 0; i < cols; ++i) {
            VTermScreenCell &vc = cells[i];
            vc = VTermScreenCell{};
            const TerminalCell c = i < stored ? d->lineBuf[size_t(i)] : TerminalCell{};
            if (c.width == 0) {
                // Right half of a wide character: libvterm skips it after a width-2 cell; on
                // its own (cut line) it becomes a blank.
                vc.chars[0] = 0;
            } else {
                for (int k = 0; k < TerminalCell::MaxChars && c.chars[k]; ++k)
                    vc.chars[k] = uint32_t(c.chars[k]);
            }
            // libvterm steps by width; never let it step past the row or onto nothing.
            vc.width = (c.width == 2 && i + 1 < cols) ? 2 : 1;
            vc.attrs.bold = c.hasAttr(TerminalCell::Bold);
            vc.attrs.italic = c.hasAttr(TerminalCell::Italic);
            vc.attrs.underline = !c.hasAttr(TerminalCell::Underline) ? VTERM_UNDERLINE_OFF
                                 : c.hasAttr(TerminalCell::DoubleUnderline) ? VTERM_UNDERLINE_DOUBLE
                                 : c.hasAttr(TerminalCell::CurlyUnderline) ? VTERM_UNDERLINE_CURLY
                                                                           : VTERM_UNDERLINE_SINGLE;
            vc.attrs.reverse = c.hasAttr(TerminalCell::Reverse);
            vc.attrs.strike = c.hasAttr(TerminalCell::Strike);
            vc.attrs.blink = c.hasAttr(TerminalCell::Blink);
            vc.fg = d->toVTerm(c.fg, true);
            vc.bg = d->toVTerm(c.bg, false);
        }
        return 1;
    }

#ifdef MIST_VTERM_SB_CLEAR
    static int onClearScrollback(void *user)
    {
        static_cast<Private *>(user)->scrollback.clear();
        return 1;
    }
#endif

    static void onOutput(const char *s, size_t len, void *user)
    {
        static_cast<Private *>(user)->out.append(s, qsizetype(len));
    }

    static const VTermScreenCallbacks *callbacks()
    {
        // Assigned by name, not positionally: the struct grows between libvterm versions.
        static const VTermScreenCallbacks cb = [] {
            VTermScreenCallbacks c{};
            c.damage = &Private::onDamage;
            c.movecursor = &Private::onMoveCursor;
            c.settermprop = &Private::onSetTermProp;
            c.bell = &Private::onBell;
            c.sb_pushline = &Private::onPushLine;
            c.sb_popline = &Private::onPopLine;
#ifdef MIST_VTERM_SB_CLEAR
            c.sb_clear = &Private::onClearScrollback;
#endif
            return c;
        }();
        return &cb;
    }
};

TerminalScreen::TerminalScreen(int cols, int rows, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->sink = [vt = &d->vt](const char *b, size_t n) { vterm_input_write(*vt, b, n); };
    d->clampCursor = [d = d.get()] { d->keepCursorOnScreen(); };
    d->cols = std::clamp(cols, 1, MaxCols);
    d->rows = std::clamp(rows, 1, MaxRows);
    d->vt = vterm_new(d->rows, d->cols);
    vterm_set_utf8(d->vt, 1);
    vterm_output_set_callback(d->vt, &Private::onOutput, d.get());
    d->state = vterm_obtain_state(d->vt);
    d->screen = vterm_obtain_screen(d->vt);
    vterm_screen_set_callbacks(d->screen, Private::callbacks(), d.get());
    // Damage is merged inside libvterm and handed over once per feed (flush), never per cell.
    vterm_screen_set_damage_merge(d->screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(d->screen, 1);
    vterm_screen_reset(d->screen, 1);
    d->damage = {};
}

TerminalScreen::~TerminalScreen()
{
    vterm_free(d->vt);
}

void TerminalScreen::feed(const QByteArray &bytes)
{
    feed(bytes.constData(), bytes.size());
}

void TerminalScreen::feed(const char *bytes, qsizetype size)
{
    if (size <= 0)
        return;
    d->guard.process(bytes, size_t(size), d->cols, d->sink, d->clampCursor);
    vterm_screen_flush_damage(d->screen);
    d->finish();
}

void TerminalScreen::resize(int cols, int rows)
{
    cols = std::clamp(cols, 1, MaxCols);
    rows = std::clamp(rows, 1, MaxRows);
    if (cols == d->cols && rows == d->rows)
        return;
    qCDebug(lcTerminal) << "resize" << d->cols << "x" << d->rows << "->" << cols << "x" << rows;
    vterm_set_size(d->vt, rows, cols);
    d->cols = cols;
    d->rows = rows;
    VTermPos cursor;
    vterm_state_get_cursorpos(d->state, &cursor);
    // libvterm 0.1 keeps a scroll region from the old size and then reads past its line
    // arrays. Reset it as xterm does on resize (programs set it again after SIGWINCH), then
    // put the cursor back where it was (DECSTBM homes it).
    vterm_input_write(d->vt, "\x1b[r", 3);
    d->moveCursor(cursor.row, cursor.col);
    vterm_screen_flush_damage(d->screen);
    d->damage.firstRow = -1;
    d->markAll();
    d->damage.cursorChanged = true;
    d->finish();
}

int TerminalScreen::cols() const { return d->cols; }
int TerminalScreen::rows() const { return d->rows; }

void TerminalScreen::reset()
{
    vterm_screen_reset(d->screen, 1);
    d->guard.reset();
    d->markAll();
    d->finish();
}

void TerminalScreen::setScrollbackLimit(int lines)
{
    d->scrollback.setCapacity(lines);
    d->markAll();
    d->finish();
}

int TerminalScreen::scrollbackLimit() const { return d->scrollback.capacity(); }
int TerminalScreen::historyLines() const { return d->scrollback.size(); }
quint64 TerminalScreen::droppedLines() const { return d->scrollback.dropped(); }

void TerminalScreen::clearScrollback()
{
    d->scrollback.clear();
    d->markAll();
    d->finish();
}

void TerminalScreen::readLine(int line, std::vector<TerminalCell> &out) const
{
    out.resize(size_t(d->cols));
    const int history = d->scrollback.size();
    if (line >= history && line < history + d->rows) {
        d->readScreenRow(line - history, out.data());
        return;
    }
    if (line < 0 || line >= history) {
        std::fill(out.begin(), out.end(), TerminalCell{});
        return;
    }
    const std::vector<TerminalCell> &stored = d->scrollback.line(line);
    const size_t n = std::min(stored.size(), out.size());
    std::copy(stored.begin(), stored.begin() + ptrdiff_t(n), out.begin());
    std::fill(out.begin() + ptrdiff_t(n), out.end(), TerminalCell{});
    if (n > 0 && n == out.size() && out[n - 1].width == 2)
        out[n - 1].width = 1;   // a wide character cut by a narrower screen
}

QVector<TerminalCell> TerminalScreen::line(int line) const
{
    std::vector<TerminalCell> cells;
    readLine(line, cells);
    return QVector<TerminalCell>(cells.begin(), cells.end());
}

TerminalCell TerminalScreen::cell(int line, int col) const
{
    if (col < 0 || col >= d->cols)
        return {};
    const int history = d->scrollback.size();
    if (line >= history && line < history + d->rows) {
        VTermScreenCell vc;
        TerminalCell c;
        if (vterm_screen_get_cell(d->screen, VTermPos{line - history, col}, &vc))
            convertCell(vc, c);
        return c;
    }
    if (line < 0 || line >= history)
        return {};
    const std::vector<TerminalCell> &stored = d->scrollback.line(line);
    return size_t(col) < stored.size() ? stored[size_t(col)] : TerminalCell{};
}

int TerminalScreen::cursorRow() const
{
    VTermPos pos;
    vterm_state_get_cursorpos(d->state, &pos);
    return std::clamp(pos.row, 0, d->rows - 1);
}

int TerminalScreen::cursorCol() const
{
    VTermPos pos;
    vterm_state_get_cursorpos(d->state, &pos);
    return std::clamp(pos.col, 0, d->cols - 1);
}

bool TerminalScreen::cursorVisible() const { return d->cursorVisible; }
bool TerminalScreen::cursorBlink() const { return d->cursorBlink; }
TerminalScreen::CursorShape TerminalScreen::cursorShape() const { return d->cursorShape; }
bool TerminalScreen::altScreen() const { return d->altScreen; }
bool TerminalScreen::reverseVideo() const { return d->reverse; }
QString TerminalScreen::title() const { return d->title; }
QString TerminalScreen::iconName() const { return d->iconName; }
TerminalScreen::MouseMode TerminalScreen::mouseMode() const { return d->mouseMode; }

bool TerminalScreen::bracketedPaste() const
{
    // libvterm keeps DECSET 2004 to itself (no property); it shows in what start_paste writes.
    const qsizetype before = d->out.size();
    vterm_keyboard_start_paste(d->vt);
    const bool on = d->out.size() > before;
    d->out.truncate(before);
    return on;
}

TerminalDamage TerminalScreen::takeDamage()
{
    return std::exchange(d->damage, TerminalDamage{});
}

bool TerminalScreen::hasDamage() const
{
    return !d->damage.isEmpty();
}

void TerminalScreen::sendKey(Key key, Modifiers mods)
{
    VTermKey k = VTERM_KEY_NONE;
    switch (key) {
    case Key::Enter: k = VTERM_KEY_ENTER; break;
    case Key::Tab: k = VTERM_KEY_TAB; break;
    case Key::Backspace: k = VTERM_KEY_BACKSPACE; break;
    case Key::Escape: k = VTERM_KEY_ESCAPE; break;
    case Key::Up: k = VTERM_KEY_UP; break;
    case Key::Down: k = VTERM_KEY_DOWN; break;
    case Key::Left: k = VTERM_KEY_LEFT; break;
    case Key::Right: k = VTERM_KEY_RIGHT; break;
    case Key::Insert: k = VTERM_KEY_INS; break;
    case Key::Delete: k = VTERM_KEY_DEL; break;
    case Key::Home: k = VTERM_KEY_HOME; break;
    case Key::End: k = VTERM_KEY_END; break;
    case Key::PageUp: k = VTERM_KEY_PAGEUP; break;
    case Key::PageDown: k = VTERM_KEY_PAGEDOWN; break;
    case Key::KeypadEnter: k = VTERM_KEY_KP_ENTER; break;
    default:
        if (key >= Key::F1 && key <= Key::F12)
            k = VTermKey(VTERM_KEY_FUNCTION(1 + int(key) - int(Key::F1)));
        break;
    }
    if (k == VTERM_KEY_NONE)
        return;
    vterm_keyboard_key(d->vt, k, VTermModifier(int(mods) & VTERM_ALL_MODS_MASK));
    d->finish();
}

namespace {

// The classic control byte for Ctrl+c (what xterm sends), or -1. libvterm would send CSI u
// sequences for Ctrl+I/J/M/[ and digits, which shells do not understand.
int controlByte(char32_t c)
{
    if (c >= U'a' && c <= U'z')
        return int(c - U'a' + 1);
    if (c >= U'A' && c <= U'Z')
        return int(c - U'A' + 1);
    switch (c) {
    case U'@': case U' ': case U'2': return 0x00;
    case U'[': case U'3': return 0x1b;
    case U'\\': case U'4': return 0x1c;
    case U']': case U'5': return 0x1d;
    case U'^': case U'6': case U'~': return 0x1e;
    case U'_': case U'7': case U'/': return 0x1f;
    case U'8': case U'?': return 0x7f;
    default: return -1;
    }
}

} // namespace

void TerminalScreen::sendChar(char32_t c, Modifiers mods)
{
    if (c == 0 || c > 0x10ffff)
        return;
    if (mods & ControlModifier) {
        const int ctl = controlByte(c);
        if (ctl >= 0) {
            if (mods & AltModifier)
                d->out.append('\x1b');
            d->out.append(char(ctl));
            d->finish();
            return;
        }
    }
    vterm_keyboard_unichar(d->vt, uint32_t(c), VTermModifier(int(mods) & VTERM_ALL_MODS_MASK));
    d->finish();
}

void TerminalScreen::sendText(const QString &text)
{
    if (text.isEmpty())
        return;
    d->out.append(text.toUtf8());
    d->finish();
}

void TerminalScreen::paste(const QString &text)
{
    if (text.isEmpty())
        return;
    QString s = text;
    s.replace(QLatin1String("\r\n"), QLatin1String("\r"));
    s.replace(QLatin1Char('\n'), QLatin1Char('\r'));
    const bool bracketed = bracketedPaste();
    if (bracketed)
        s.remove(QStringLiteral("\x1b[201~"));
    vterm_keyboard_start_paste(d->vt);
    d->out.append(s.toUtf8());
    vterm_keyboard_end_paste(d->vt);
    d->finish();
}

void TerminalScreen::mouseMove(int row, int col, Modifiers mods)
{
    if (d->mouseMode == MouseMode::None)
        return;   // libvterm 0.1 would report clicks nobody asked for
    vterm_mouse_move(d->vt, std::clamp(row, 0, d->rows - 1), std::clamp(col, 0, d->cols - 1),
                     VTermModifier(int(mods) & VTERM_ALL_MODS_MASK));
    d->finish();
}

void TerminalScreen::mouseButton(MouseButton button, bool pressed, Modifiers mods)
{
    if (d->mouseMode == MouseMode::None)
        return;
    vterm_mouse_button(d->vt, int(button), pressed, VTermModifier(int(mods) & VTERM_ALL_MODS_MASK));
    d->finish();
}

void TerminalScreen::focusChanged(bool focused)
{
    if (focused)
        vterm_state_focus_in(d->state);
    else
        vterm_state_focus_out(d->state);
    d->finish();
}

QString TerminalScreen::text(TerminalPos start, TerminalPos end) const
{
    if (end < start)
        std::swap(start, end);
    start.line = std::max(start.line, 0);
    end.line = std::min(end.line, totalLines() - 1);
    QString result;
    std::vector<TerminalCell> cells;
    for (int l = start.line; l <= end.line; ++l) {
        readLine(l, cells);
        const int from = l == start.line ? start.col : 0;
        const int to = l == end.line ? end.col : int(cells.size());
        if (l > start.line)
            result += QLatin1Char('\n');
        result += terminaltext::trimmedText(cells.data(), int(cells.size()), from, to);
    }
    return result;
}

QString TerminalScreen::lineText(int line) const
{
    std::vector<TerminalCell> cells;
    readLine(line, cells);
    return terminaltext::trimmedText(cells.data(), int(cells.size()));
}

std::optional<TerminalMatch> TerminalScreen::find(const QString &needle, TerminalPos from, bool backward,
                                                  Qt::CaseSensitivity cs, bool wrap) const
{
    const int total = totalLines();
    if (needle.isEmpty() || total == 0)
        return std::nullopt;
    std::vector<TerminalCell> cells;
    auto matchesOf = [&](int l) {
        readLine(l, cells);
        return terminaltext::findAll(TerminalLineText::build(cells.data(), int(cells.size())), l, needle, cs);
    };
    // Visit every line once (twice for the start line: the part past `from`, and after
    // wrapping the part before it).
    const int startLine = std::clamp(from.line, 0, total - 1);
    const int steps = wrap ? total + 1 : (backward ? startLine + 1 : total - startLine);
    for (int i = 0; i < steps; ++i) {
        const int l = backward ? ((startLine - i) % total + total) % total : (startLine + i) % total;
        const QVector<TerminalMatch> ms = matchesOf(l);
        if (backward) {
            for (auto it = ms.crbegin(); it != ms.crend(); ++it) {
                if (i == 0 && !(it->start < from))
                    continue;
                return *it;
            }
        } else {
            for (const TerminalMatch &m : ms) {
                if (i == 0 && !(from < m.start))
                    continue;
                return m;
            }
        }
    }
    return std::nullopt;
}

QVector<TerminalMatch> TerminalScreen::findAll(const QString &needle, int firstLine, int lastLine,
                                               Qt::CaseSensitivity cs) const
{
    QVector<TerminalMatch> all;
    if (needle.isEmpty())
        return all;
    std::vector<TerminalCell> cells;
    for (int l = std::max(firstLine, 0); l <= std::min(lastLine, totalLines() - 1); ++l) {
        readLine(l, cells);
        all += terminaltext::findAll(TerminalLineText::build(cells.data(), int(cells.size())), l, needle, cs);
    }
    return all;
}

std::optional<TerminalUrl> TerminalScreen::urlAt(int line, int col) const
{
    if (line < 0 || line >= totalLines())
        return std::nullopt;
    std::vector<TerminalCell> cells;
    readLine(line, cells);
    return terminaltext::urlAt(TerminalLineText::build(cells.data(), int(cells.size())), line, col);
}

std::pair<int, int> TerminalScreen::wordAt(int line, int col) const
{
    std::vector<TerminalCell> cells;
    readLine(line, cells);
    return terminaltext::wordAt(cells.data(), int(cells.size()), col);
}

} // namespace mist
