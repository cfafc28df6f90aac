#include "terminalrenderer.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QtMath>

#include <algorithm>

namespace mist {

namespace {

constexpr int MaxCachedRuns = 4096;
constexpr quint8 DecorationMask = TerminalCell::Underline | TerminalCell::DoubleUnderline
                                  | TerminalCell::CurlyUnderline | TerminalCell::Strike;

QRgb opaque(quint32 rgb) { return 0xff000000u | rgb; }

bool inRange(int col, std::pair<int, int> r) { return col >= r.first && col < r.second; }

} // namespace

TerminalRenderer::TerminalRenderer()
{
    setColorScheme(TerminalColorScheme::dark());
}

void TerminalRenderer::setFont(const QFont &font)
{
    QFont base = font;
    base.setKerning(false);
    base.setStyleHint(QFont::Monospace, QFont::PreferDefault);
    base.setFixedPitch(true);
    base.setLetterSpacing(QFont::AbsoluteSpacing, 0);

    const QFontMetricsF fm(base);
    const qreal advance = fm.horizontalAdvance(QLatin1Char('M'));
    m_cellWidth = std::max(1, qRound(advance));
    m_cellHeight = std::max(1, qCeil(fm.height()));
    m_ascent = qRound(fm.ascent());
    m_textOffsetY = (m_cellHeight - qCeil(fm.height())) / 2;
    m_lineWidth = std::max(1, qRound(fm.lineWidth()));
    // Grid alignment: a run of n characters must be exactly n cells wide.
    base.setLetterSpacing(QFont::AbsoluteSpacing, m_cellWidth - advance);

    for (int v = 0; v < 4; ++v) {
        QFont f = base;
        f.setBold(v & 1);
        f.setItalic(v & 2);
        m_fonts[size_t(v)] = f;
    }
    m_cache.clear();
    m_painterVariant = -1;
}

void TerminalRenderer::setColorScheme(const TerminalColorScheme &scheme)
{
    m_scheme = scheme;
    const std::array<quint32, 256> p = scheme.palette();
    for (size_t i = 0; i < p.size(); ++i)
        m_palette[i] = opaque(p[i]);
    m_defaultFg = opaque(scheme.foreground);
    m_defaultBg = opaque(scheme.background);
}

void TerminalRenderer::computeStyles(const TerminalCell *cells, int count, const TerminalLineDecor &decor)
{
    m_styles.resize(count);
    const QRgb selFg = opaque(m_scheme.selectionForeground);
    const QRgb selBg = opaque(m_scheme.selectionBackground);
    const QRgb matchBg = opaque(m_scheme.searchBackground);
    const QRgb currentBg = opaque(m_scheme.currentMatchBackground);
    for (int col = 0; col < count; ++col) {
        const TerminalCell &c = cells[col];
        Style s;
        s.fg = resolve(c.fg, true);
        s.bg = resolve(c.bg, false);
        if (c.attrs & TerminalCell::Reverse)
            std::swap(s.fg, s.bg);
        s.variant = quint8(((c.attrs & TerminalCell::Bold) ? 1 : 0) | ((c.attrs & TerminalCell::Italic) ? 2 : 0));
        s.decoration = c.attrs & DecorationMask;
        if (col >= decor.selectionStart && col < decor.selectionEnd) {
            s.fg = selFg;
            s.bg = selBg;
        } else if (inRange(col, decor.currentMatch)) {
            s.bg = currentBg;
        } else {
            for (const auto &m : decor.matches) {
                if (inRange(col, m)) {
                    s.bg = matchBg;
                    break;
                }
            }
        }
        m_styles[col] = s;
    }
    // The right half of a wide character paints like its left half.
    for (int col = 1; col < count; ++col) {
        if (cells[col].width == 0)
            m_styles[col] = m_styles[col - 1];
    }
}

const QStaticText &TerminalRenderer::glyphs(const QString &text, quint8 variant)
{
    const RunKey key{text, variant};
    auto it = m_cache.constFind(key);
    if (it != m_cache.constEnd())
        return *it;
    if (m_cache.size() >= MaxCachedRuns)
        m_cache.clear();   // cheaper than LRU bookkeeping; a frame refills what it needs
    QStaticText st(text);
    st.setTextFormat(Qt::PlainText);
    st.setPerformanceHint(QStaticText::AggressiveCaching);
    st.prepare(QTransform(), m_fonts[variant]);
    return *m_cache.insert(key, st);
}

void TerminalRenderer::drawRun(QPainter &p, qreal x, qreal y, const QString &text, const Style &style)
{
    if (m_painterVariant != style.variant) {
        p.setFont(m_fonts[style.variant]);
        m_painterVariant = style.variant;
    }
    p.setPen(QColor::fromRgb(style.fg));
    p.drawStaticText(QPointF(x, y + m_textOffsetY), glyphs(text, style.variant));
}

void TerminalRenderer::paintLine(QPainter &p, QPoint origin, const TerminalCell *cells, int count,
                                 const TerminalLineDecor &decor)
{
    m_painterVariant = -1;
    computeStyles(cells, count, decor);
    const int cw = m_cellWidth;
    const int ch = m_cellHeight;

    // Backgrounds: one rectangle per run of equal colour.
    for (int col = 0; col < count;) {
        const QRgb bg = m_styles[col].bg;
        int end = col + 1;
        while (end < count && m_styles[end].bg == bg)
            ++end;
        p.fillRect(QRect(origin.x() + col * cw, origin.y(), (end - col) * cw, ch), QColor::fromRgb(bg));
        col = end;
    }

    // Text: printable ASCII of one colour and font in a run (blanks inside a run are spaces);
    // anything else (wide, combining, non-ASCII that may come from a fallback font) alone at
    // its own cell, so font fallback never shifts the grid.
    QString run;
    int runStart = -1;
    Style runStyle{};
    auto flush = [&] {
        if (runStart < 0)
            return;
        qsizetype n = run.size();
        while (n > 0 && run.at(n - 1) == QLatin1Char(' '))
            --n;
        if (n > 0)
            drawRun(p, origin.x() + runStart * cw, origin.y(), run.left(n), runStyle);
        run.clear();
        runStart = -1;
    };
    for (int col = 0; col < count; ++col) {
        const TerminalCell &c = cells[col];
        if (c.width == 0)
            continue;
        const char32_t first = c.chars[0];
        if (first == 0 || first == U' ') {
            if (runStart >= 0)
                run += QLatin1Char(' ');
            continue;
        }
        const Style &s = m_styles[col];
        if (c.width == 1 && first > 0x20 && first < 0x7f && c.chars[1] == 0) {
            if (runStart >= 0 && (s.fg != runStyle.fg || s.variant != runStyle.variant))
                flush();
            if (runStart < 0) {
                runStart = col;
                runStyle = s;
            }
            run += QLatin1Char(char(first));
            continue;
        }
        flush();
        drawRun(p, origin.x() + col * cw, origin.y(), c.text(), s);
    }
    flush();

    drawDecorations(p, origin, cells, count);
    if (decor.cursorCol >= 0 && decor.cursorCol < count)
        drawCursor(p, origin, cells, count, decor);
}

void TerminalRenderer::drawDecorations(QPainter &p, QPoint origin, const TerminalCell *cells, int count)
{
    const int cw = m_cellWidth;
    const int lw = m_lineWidth;
    for (int col = 0; col < count;) {
        const Style &s = m_styles[col];
        if (!s.decoration) {
            ++col;
            continue;
        }
        int end = col + 1;
        while (end < count && m_styles[end].decoration == s.decoration && m_styles[end].fg == s.fg)
            ++end;
        const QColor color = QColor::fromRgb(s.fg);
        const int x = origin.x() + col * cw;
        const int w = (end - col) * cw;
        const int underlineY = origin.y() + std::min(m_cellHeight - lw, m_textOffsetY + m_ascent + lw);
        if (s.decoration & TerminalCell::Underline) {
            p.fillRect(QRect(x, underlineY, w, lw), color);
            if (s.decoration & TerminalCell::DoubleUnderline)
                p.fillRect(QRect(x, std::max(origin.y(), underlineY - 2 * lw), w, lw), color);
        }
        if (s.decoration & TerminalCell::Strike)
            p.fillRect(QRect(x, origin.y() + m_textOffsetY + m_ascent * 2 / 3, w, lw), color);
        col = end;
    }
    Q_UNUSED(cells);
}

void TerminalRenderer::drawCursor(QPainter &p, QPoint origin, const TerminalCell *cells, int count,
                                  const TerminalLineDecor &decor)
{
    const int col = decor.cursorCol;
    const int width = (cells[col].width == 2 && col + 1 < count) ? 2 : 1;
    const QRect cell(origin.x() + col * m_cellWidth, origin.y(), width * m_cellWidth, m_cellHeight);
    const QColor cursor = QColor::fromRgb(opaque(m_scheme.cursor));
    const int thick = std::max(2, m_lineWidth * 2);
    if (!decor.cursorFocused) {
        p.setPen(cursor);
        p.setBrush(Qt::NoBrush);
        p.drawRect(cell.adjusted(0, 0, -1, -1));
        return;
    }
    switch (decor.cursorShape) {
    case TerminalScreen::CursorShape::Underline:
        p.fillRect(QRect(cell.left(), cell.bottom() - thick + 1, cell.width(), thick), cursor);
        break;
    case TerminalScreen::CursorShape::Bar:
        p.fillRect(QRect(cell.left(), cell.top(), thick, cell.height()), cursor);
        break;
    case TerminalScreen::CursorShape::Block: {
        p.fillRect(cell, cursor);
        const TerminalCell &c = cells[col];
        if (!c.isBlank()) {
            Style s = m_styles[col];
            s.fg = s.bg == opaque(m_scheme.cursor) ? m_defaultBg : s.bg;
            drawRun(p, cell.left(), cell.top(), c.text(), s);
        }
        break;
    }
    }
}

} // namespace mist
