#include "terminaltext.h"

#include <QRegularExpression>

#include <algorithm>

namespace mist {

void TerminalCell::appendTo(QString &out) const
{
    if (width == 0)
        return;
    if (chars[0] == 0) {
        out += QLatin1Char(' ');
        return;
    }
    for (int i = 0; i < MaxChars && chars[i]; ++i) {
        const char32_t c = chars[i];
        if (c < 0x10000) {
            out += QChar(char16_t(c));
        } else if (c <= 0x10ffff) {
            out += QChar(QChar::highSurrogate(c));
            out += QChar(QChar::lowSurrogate(c));
        } else {
            out += QChar(QChar::ReplacementCharacter);
        }
    }
}

QString TerminalCell::text() const
{
    QString s;
    appendTo(s);
    return s;
}

TerminalLineText TerminalLineText::build(const TerminalCell *cells, int count)
{
    TerminalLineText t;
    t.text.reserve(count);
    t.columns.reserve(count + 1);
    for (int col = 0; col < count; ++col) {
        const int before = int(t.text.size());
        cells[col].appendTo(t.text);
        for (int i = before; i < t.text.size(); ++i)
            t.columns.append(col);
    }
    t.columns.append(count);
    return t;
}

int TerminalLineText::indexOfColumn(int col) const
{
    const auto it = std::lower_bound(columns.cbegin(), columns.cend() - 1, col);
    return int(it - columns.cbegin());
}

std::pair<int, int> TerminalLineText::cellRange(int index, int length) const
{
    const int start = columns.value(index, columns.last());
    int end = columns.value(index + length, columns.last());
    if (length > 0)
        end = std::max(end, columns.value(index + length - 1, start) + 1);
    return {start, end};
}

namespace terminaltext {

QVector<TerminalMatch> findAll(const TerminalLineText &line, int lineIndex, const QString &needle,
                               Qt::CaseSensitivity cs)
{
    QVector<TerminalMatch> out;
    if (needle.isEmpty())
        return out;
    qsizetype from = 0;
    while ((from = line.text.indexOf(needle, from, cs)) >= 0) {
        const auto [start, end] = line.cellRange(int(from), int(needle.size()));
        out.append(TerminalMatch{{lineIndex, start}, end - start});
        from += std::max<qsizetype>(1, needle.size());
    }
    return out;
}

std::optional<TerminalUrl> urlAt(const TerminalLineText &line, int lineIndex, int col)
{
    // Scheme, then anything up to whitespace or a character that never occurs unquoted in a URL.
    static const QRegularExpression re(QStringLiteral(R"((?:https?|ftp|file)://[^\s"'<>`\x{2500}-\x{257f}]+)"),
                                       QRegularExpression::CaseInsensitiveOption);
    auto it = re.globalMatch(line.text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        QString url = m.captured(0);
        // Trailing punctuation belongs to the sentence, and a closing bracket only counts when
        // the URL opened one ("(see http://x/a_(b))").
        while (!url.isEmpty()) {
            const QChar last = url.back();
            static const QString trailing = QStringLiteral(".,;:!?");
            if (trailing.contains(last)) {
                url.chop(1);
                continue;
            }
            const QChar open = last == QLatin1Char(')') ? QLatin1Char('(')
                               : last == QLatin1Char(']') ? QLatin1Char('[')
                               : last == QLatin1Char('}') ? QLatin1Char('{')
                                                          : QChar();
            if (!open.isNull() && url.count(open) < url.count(last)) {
                url.chop(1);
                continue;
            }
            break;
        }
        if (url.indexOf(QStringLiteral("://")) + 3 >= url.size())
            continue;   // nothing after the scheme
        const auto [start, end] = line.cellRange(int(m.capturedStart(0)), int(url.size()));
        if (col >= start && col < end)
            return TerminalUrl{url, lineIndex, start, end};
    }
    return std::nullopt;
}

namespace {

int charClass(const TerminalCell &cell)
{
    const char32_t c = cell.chars[0];
    if (c == 0 || c == U' ' || c == U'\t')
        return 0;
    static const QString wordSymbols = QStringLiteral("-#%&+./:=?@_~");
    if (c < 0x10000) {
        const QChar q{char16_t(c)};
        if (q.isLetterOrNumber() || wordSymbols.contains(q))
            return 1;
        return 2;
    }
    return 1;   // astral planes: mostly CJK extensions and emoji, treat as word characters
}

} // namespace

std::pair<int, int> wordAt(const TerminalCell *cells, int count, int col)
{
    if (count <= 0)
        return {0, 0};
    col = std::clamp(col, 0, count - 1);
    while (col > 0 && cells[col].width == 0)
        --col;   // the second half of a wide character belongs to its first half
    const int cls = charClass(cells[col]);
    int start = col;
    while (start > 0) {
        int prev = start - 1;
        while (prev > 0 && cells[prev].width == 0)
            --prev;
        if (charClass(cells[prev]) != cls)
            break;
        start = prev;
    }
    int end = col + std::max<int>(1, cells[col].width);
    while (end < count) {
        if (cells[end].width != 0 && charClass(cells[end]) != cls)
            break;
        ++end;
    }
    return {start, std::min(end, count)};
}

QString trimmedText(const TerminalCell *cells, int count, int fromCol, int toCol)
{
    if (toCol < 0 || toCol > count)
        toCol = count;
    fromCol = std::max(0, fromCol);
    // A selection starting on the second half of a wide character still includes it.
    while (fromCol > 0 && fromCol < count && cells[fromCol].width == 0)
        --fromCol;
    QString s;
    for (int col = fromCol; col < toCol; ++col)
        cells[col].appendTo(s);
    qsizetype n = s.size();
    while (n > 0 && s.at(n - 1) == QLatin1Char(' '))
        --n;
    s.truncate(n);
    return s;
}

} // namespace terminaltext
} // namespace mist
