#pragma once

#include "terminal/terminalcolorscheme.h"
#include "terminal/terminalscreen.h"
#include "terminal/terminaltypes.h"

#include <QFont>
#include <QHash>
#include <QStaticText>
#include <QVector>
#include <QColor>

#include <array>

class QPainter;

namespace mist {

// What is drawn over a line besides its cells: selection, search hits, the cursor.
struct TerminalLineDecor
{
    int selectionStart = -1;   // selected columns [selectionStart, selectionEnd)
    int selectionEnd = -1;
    QVector<std::pair<int, int>> matches;        // search hits [start, end)
    std::pair<int, int> currentMatch{-1, -1};    // the hit the search bar points at
    int cursorCol = -1;                          // -1: no cursor on this line
    TerminalScreen::CursorShape cursorShape = TerminalScreen::CursorShape::Block;
    bool cursorFocused = true;                   // unfocused: hollow block
};

// Paints terminal lines: fonts and cell metrics, the resolved palette, and a cache of laid-out
// glyph runs (QStaticText) keyed by text and font variant, so a frame of mostly unchanged or
// scrolled text does no text shaping at all.
class TerminalRenderer
{
public:
    TerminalRenderer();

    // Cell metrics come from the font's advance; the letter spacing is nudged so that a run
    // of n characters is exactly n cells wide.
    void setFont(const QFont &font);
    const QFont &font() const { return m_fonts[0]; }
    int cellWidth() const { return m_cellWidth; }
    int cellHeight() const { return m_cellHeight; }

    void setColorScheme(const TerminalColorScheme &scheme);
    const TerminalColorScheme &colorScheme() const { return m_scheme; }
    QColor background() const { return QColor::fromRgb(m_defaultBg); }

    // Paints `count` cells of one line with its top-left corner at `origin`.
    void paintLine(QPainter &p, QPoint origin, const TerminalCell *cells, int count,
                   const TerminalLineDecor &decor);

    int cachedRuns() const { return int(m_cache.size()); }

private:
    struct Style
    {
        QRgb fg;
        QRgb bg;
        quint8 variant;      // bit 0 bold, bit 1 italic
        quint8 decoration;   // TerminalCell underline/strike bits
    };
    struct RunKey
    {
        QString text;
        quint8 variant;
        friend bool operator==(const RunKey &a, const RunKey &b) { return a.variant == b.variant && a.text == b.text; }
        friend size_t qHash(const RunKey &k, size_t seed = 0) { return qHash(k.text, seed) ^ k.variant; }
    };

    QRgb resolve(TerminalColor c, bool fg) const
    {
        switch (c.kind()) {
        case TerminalColor::Indexed: return m_palette[size_t(c.index())];
        case TerminalColor::Rgb: return 0xff000000u | c.rgb24();
        case TerminalColor::Default: break;
        }
        return fg ? m_defaultFg : m_defaultBg;
    }
    void computeStyles(const TerminalCell *cells, int count, const TerminalLineDecor &decor);
    void drawRun(QPainter &p, qreal x, qreal y, const QString &text, const Style &style);
    void drawDecorations(QPainter &p, QPoint origin, const TerminalCell *cells, int count);
    void drawCursor(QPainter &p, QPoint origin, const TerminalCell *cells, int count, const TerminalLineDecor &decor);
    const QStaticText &glyphs(const QString &text, quint8 variant);

    std::array<QFont, 4> m_fonts;
    int m_cellWidth = 8;
    int m_cellHeight = 16;
    int m_ascent = 12;
    int m_textOffsetY = 0;
    int m_lineWidth = 1;

    TerminalColorScheme m_scheme;
    std::array<QRgb, 256> m_palette{};
    QRgb m_defaultFg = 0;
    QRgb m_defaultBg = 0;

    QVector<Style> m_styles;   // per cell of the line being painted
    QHash<RunKey, QStaticText> m_cache;
    int m_painterVariant = -1;
};

} // namespace mist
