#pragma once

#include <QtGlobal>
#include <QString>

#include <compare>

namespace mist {

// A cell colour as the program asked for it: the scheme's default, one of the 256 palette
// entries, or true colour. Kept unresolved so a colour scheme change recolours existing text.
// Packed in 32 bits: kind in the top byte, index or 0xRRGGBB below.
class TerminalColor
{
public:
    enum Kind : quint8 { Default = 0, Indexed = 1, Rgb = 2 };

    constexpr TerminalColor() = default;
    static constexpr TerminalColor indexed(int index) { return TerminalColor((quint32(Indexed) << 24) | quint32(index & 0xff)); }
    static constexpr TerminalColor rgb(quint8 r, quint8 g, quint8 b)
    {
        return TerminalColor((quint32(Rgb) << 24) | (quint32(r) << 16) | (quint32(g) << 8) | b);
    }
    static constexpr TerminalColor rgb(quint32 rgb24) { return TerminalColor((quint32(Rgb) << 24) | (rgb24 & 0xffffff)); }

    constexpr Kind kind() const { return Kind(m_value >> 24); }
    constexpr bool isDefault() const { return kind() == Default; }
    constexpr int index() const { return int(m_value & 0xff); }      // Indexed only
    constexpr quint32 rgb24() const { return m_value & 0xffffff; }   // Rgb only
    constexpr quint32 raw() const { return m_value; }

    friend constexpr bool operator==(TerminalColor a, TerminalColor b) { return a.m_value == b.m_value; }

private:
    constexpr explicit TerminalColor(quint32 v) : m_value(v) {}
    quint32 m_value = 0;
};

// One character cell as the view paints it. Compact (28 bytes) because the scrollback keeps
// up to tens of thousands of lines of them.
struct TerminalCell
{
    static constexpr int MaxChars = 4;   // base character + up to 3 combining marks

    enum Attr : quint8 {
        Bold = 0x01,
        Italic = 0x02,
        Underline = 0x04,
        DoubleUnderline = 0x08,   // set together with Underline
        CurlyUnderline = 0x10,    // set together with Underline
        Reverse = 0x20,
        Strike = 0x40,
        Blink = 0x80,
    };

    char32_t chars[MaxChars] = {0, 0, 0, 0};   // UTF-32, zero-terminated unless full; chars[0] == 0: blank
    TerminalColor fg;
    TerminalColor bg;
    quint8 width = 1;   // 1, 2 (first half of a wide character) or 0 (second half: paint nothing)
    quint8 attrs = 0;

    bool isBlank() const { return chars[0] == 0 || chars[0] == U' '; }
    bool hasAttr(Attr a) const { return attrs & a; }
    bool sameStyle(const TerminalCell &o) const { return fg == o.fg && bg == o.bg && attrs == o.attrs; }
    int charCount() const
    {
        int n = 0;
        while (n < MaxChars && chars[n])
            ++n;
        return n;
    }
    // The characters as UTF-16 (a blank cell is one space, the second half of a wide char is empty).
    QString text() const;
    void appendTo(QString &out) const;
};

// A position in the unified "history + screen" line space: line 0 is the oldest scrollback
// line, line historyLines() is the top screen row.
struct TerminalPos
{
    int line = 0;
    int col = 0;
    friend constexpr auto operator<=>(const TerminalPos &, const TerminalPos &) = default;
};

// A search hit: `length` cells starting at `start` (within one line).
struct TerminalMatch
{
    TerminalPos start;
    int length = 0;
    friend bool operator==(const TerminalMatch &, const TerminalMatch &) = default;
};

// A URL found at a cell: columns [startCol, endCol) of `line`.
struct TerminalUrl
{
    QString url;
    int line = 0;
    int startCol = 0;
    int endCol = 0;
};

// What changed since the view's last frame.
struct TerminalDamage
{
    int firstRow = -1;            // first dirty screen row, -1 when none
    int lastRow = -1;             // last dirty screen row (inclusive)
    int linesScrolledOff = 0;     // lines pushed into the scrollback since the last take
    bool cursorChanged = false;   // position, visibility or shape

    bool hasDirtyRows() const { return firstRow >= 0; }
    bool isEmpty() const { return firstRow < 0 && linesScrolledOff == 0 && !cursorChanged; }
};

} // namespace mist
