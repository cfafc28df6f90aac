#pragma once

#include "terminal/terminaltypes.h"

#include <QString>
#include <QVector>

#include <optional>

namespace mist {

// The text of one line of cells and, for every UTF-16 unit, the cell column it came from, so
// string searches map back to cells. Blank cells are spaces; the second half of a wide
// character adds nothing.
struct TerminalLineText
{
    QString text;
    QVector<int> columns;   // text.size() + 1 entries; the last is the line's cell count

    static TerminalLineText build(const TerminalCell *cells, int count);
    // Index of the first UTF-16 unit at or after `col` (text.size() past the end).
    int indexOfColumn(int col) const;
    // Cell range [startCol, endCol) of text[index, index + length).
    std::pair<int, int> cellRange(int index, int length) const;
};

namespace terminaltext {

// Occurrences of `needle` in the line, as cell ranges, left to right.
QVector<TerminalMatch> findAll(const TerminalLineText &line, int lineIndex, const QString &needle,
                               Qt::CaseSensitivity cs);

// The http/https/ftp/file URL covering `col`, if any.
std::optional<TerminalUrl> urlAt(const TerminalLineText &line, int lineIndex, int col);

// The cell range [start, end) of the "word" at `col` (letters, digits and the characters that
// make up paths and URLs), or of the run of the same blank/symbol otherwise.
std::pair<int, int> wordAt(const TerminalCell *cells, int count, int col);

// The text of a line with its trailing blanks removed.
QString trimmedText(const TerminalCell *cells, int count, int fromCol = 0, int toCol = -1);

} // namespace terminaltext
} // namespace mist
