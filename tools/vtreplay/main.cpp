// vtreplay [--cols 80] [--rows 24] [--attrs] [--scrollback] FILE|-
// Feeds a recorded byte stream into TerminalScreen and prints the final screen as text;
// --attrs adds the cursor, modes and one line per styled run; --scrollback prints the history
// above the screen.

#include "terminal/terminalscreen.h"
#include "terminal/terminaltext.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <cstdio>
#include <vector>

using namespace mist;

namespace {

QString colorText(TerminalColor c)
{
    switch (c.kind()) {
    case TerminalColor::Indexed: return QString::number(c.index());
    case TerminalColor::Rgb: return QStringLiteral("#%1").arg(c.rgb24(), 6, 16, QLatin1Char('0'));
    case TerminalColor::Default: break;
    }
    return QStringLiteral("default");
}

QString styleText(const TerminalCell &c)
{
    QStringList parts;
    if (!c.fg.isDefault())
        parts << QStringLiteral("fg=") + colorText(c.fg);
    if (!c.bg.isDefault())
        parts << QStringLiteral("bg=") + colorText(c.bg);
    static const std::pair<quint8, const char *> names[] = {
        {TerminalCell::Bold, "bold"}, {TerminalCell::Italic, "italic"}, {TerminalCell::Underline, "underline"},
        {TerminalCell::DoubleUnderline, "double"}, {TerminalCell::CurlyUnderline, "curly"},
        {TerminalCell::Reverse, "reverse"}, {TerminalCell::Strike, "strike"}, {TerminalCell::Blink, "blink"},
    };
    for (const auto &[bit, name] : names) {
        if (c.attrs & bit)
            parts << QLatin1String(name);
    }
    return parts.join(QLatin1Char(' '));
}

// "  row 3 cols 0-4: fg=1 bold" for every run of non-default style on the line.
void printRuns(QTextStream &out, const QString &label, const std::vector<TerminalCell> &cells)
{
    const int n = int(cells.size());
    for (int col = 0; col < n;) {
        int end = col + 1;
        while (end < n && (cells[size_t(end)].width == 0 || cells[size_t(end)].sameStyle(cells[size_t(col)])))
            ++end;
        const QString style = styleText(cells[size_t(col)]);
        if (!style.isEmpty())
            out << "  " << label << " cols " << col << '-' << (end - 1) << ": " << style << '\n';
        col = end;
    }
}

const char *shapeName(TerminalScreen::CursorShape s)
{
    switch (s) {
    case TerminalScreen::CursorShape::Underline: return "underline";
    case TerminalScreen::CursorShape::Bar: return "bar";
    case TerminalScreen::CursorShape::Block: break;
    }
    return "block";
}

const char *mouseName(TerminalScreen::MouseMode m)
{
    switch (m) {
    case TerminalScreen::MouseMode::Click: return "click";
    case TerminalScreen::MouseMode::Drag: return "drag";
    case TerminalScreen::MouseMode::Move: return "move";
    case TerminalScreen::MouseMode::None: break;
    }
    return "none";
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vtreplay"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Replays a recorded terminal byte stream through Mist's terminal model and prints the final screen."));
    parser.addHelpOption();
    const QCommandLineOption colsOpt(QStringLiteral("cols"), QStringLiteral("Screen width (default 80)."), QStringLiteral("n"), QStringLiteral("80"));
    const QCommandLineOption rowsOpt(QStringLiteral("rows"), QStringLiteral("Screen height (default 24)."), QStringLiteral("n"), QStringLiteral("24"));
    const QCommandLineOption attrsOpt(QStringLiteral("attrs"), QStringLiteral("Also print cursor, modes and styled runs."));
    const QCommandLineOption sbOpt(QStringLiteral("scrollback"), QStringLiteral("Also print the scrollback above the screen."));
    parser.addOptions({colsOpt, rowsOpt, attrsOpt, sbOpt});
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Recorded bytes, or - for standard input."));
    parser.process(app);

    QTextStream err(stderr);
    const QStringList args = parser.positionalArguments();
    if (args.size() != 1) {
        err << "vtreplay: expected exactly one FILE (or - for standard input)\n";
        return 2;
    }
    bool colsOk = false;
    bool rowsOk = false;
    const int cols = parser.value(colsOpt).toInt(&colsOk);
    const int rows = parser.value(rowsOpt).toInt(&rowsOk);
    if (!colsOk || !rowsOk || cols < 1 || rows < 1 || cols > 2000 || rows > 1000) {
        err << "vtreplay: --cols must be 1..2000 and --rows 1..1000\n";
        return 2;
    }

    QFile file;
    const bool ok = args.first() == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                        : (file.setFileName(args.first()), file.open(QIODevice::ReadOnly));
    if (!ok) {
        err << "vtreplay: cannot read " << args.first() << ": " << file.errorString() << '\n';
        return 1;
    }

    TerminalScreen screen(cols, rows);
    // Fed in chunks, as a live connection would deliver it.
    while (!file.atEnd()) {
        const QByteArray chunk = file.read(64 * 1024);
        if (chunk.isEmpty())
            break;
        screen.feed(chunk);
    }

    QTextStream out(stdout);
    out.setEncoding(QStringConverter::Utf8);
    const bool attrs = parser.isSet(attrsOpt);
    const bool withHistory = parser.isSet(sbOpt);
    const int history = screen.historyLines();
    std::vector<TerminalCell> cells;
    if (withHistory) {
        out << "----- scrollback (" << history << " lines) -----\n";
        for (int l = 0; l < history; ++l)
            out << screen.lineText(l) << '\n';
        out << "----- screen -----\n";
    }
    for (int r = 0; r < rows; ++r)
        out << screen.lineText(history + r) << '\n';

    if (attrs) {
        out << "----- attributes -----\n";
        out << "cursor " << screen.cursorRow() << ',' << screen.cursorCol()
            << (screen.cursorVisible() ? " visible" : " hidden") << ' ' << shapeName(screen.cursorShape())
            << (screen.cursorBlink() ? " blink" : " steady") << '\n';
        out << "altscreen " << (screen.altScreen() ? "on" : "off") << ", mouse " << mouseName(screen.mouseMode())
            << ", bracketed-paste " << (screen.bracketedPaste() ? "on" : "off") << '\n';
        out << "title \"" << screen.title() << "\"\n";
        if (withHistory) {
            for (int l = 0; l < history; ++l) {
                screen.readLine(l, cells);
                printRuns(out, QStringLiteral("history %1").arg(l), cells);
            }
        }
        for (int r = 0; r < rows; ++r) {
            screen.readLine(history + r, cells);
            printRuns(out, QStringLiteral("row %1").arg(r), cells);
        }
    }
    return 0;
}
