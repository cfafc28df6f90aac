// The terminal screen model on real libvterm: escape sequences in, cells and bytes out.

#include "terminal/terminalcolorscheme.h"
#include "terminal/terminalscreen.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace mist;

namespace {

QString row(const TerminalScreen &s, int r)
{
    return s.lineText(s.historyLines() + r);
}

TerminalCell cellAt(const TerminalScreen &s, int r, int c)
{
    return s.cell(s.historyLines() + r, c);
}

QByteArray numberedLines(int count, const char *prefix = "L")
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += prefix + QByteArray::number(i) + "\r\n";
    return out;
}

// Collects everything the screen sends to the host.
struct Output
{
    explicit Output(TerminalScreen &s)
    {
        QObject::connect(&s, &TerminalScreen::output, &s, [this](const QByteArray &b) { bytes += b; });
    }
    QByteArray take() { return std::exchange(bytes, {}); }
    QByteArray bytes;
};

} // namespace

class TestTerminalScreen : public QObject
{
    Q_OBJECT

private slots:
    void textAndWrap()
    {
        TerminalScreen s(80, 24);
        s.feed("hello");
        QCOMPARE(row(s, 0), QStringLiteral("hello"));
        QCOMPARE(s.cursorRow(), 0);
        QCOMPARE(s.cursorCol(), 5);
        s.feed("\r\n" + QByteArray(85, 'x'));
        QCOMPARE(row(s, 1), QString(80, QLatin1Char('x')));
        QCOMPARE(row(s, 2), QString(5, QLatin1Char('x')));
        QCOMPARE(s.cursorRow(), 2);
        QCOMPARE(s.cursorCol(), 5);
        QCOMPARE(s.cols(), 80);
        QCOMPARE(s.rows(), 24);
        QCOMPARE(s.totalLines(), 24);
    }

    void cursorMotion()
    {
        TerminalScreen s(80, 24);
        s.feed("\x1b[5;10HA");
        QCOMPARE(cellAt(s, 4, 9).chars[0], U'A');
        QCOMPARE(s.cursorRow(), 4);
        QCOMPARE(s.cursorCol(), 10);
        s.feed("\x1b[3A");   // CUU
        QCOMPARE(s.cursorRow(), 1);
        s.feed("\x1b[10B");   // CUD
        QCOMPARE(s.cursorRow(), 11);
        s.feed("\x1b[5C");   // CUF
        QCOMPARE(s.cursorCol(), 15);
        s.feed("\x1b[7D");   // CUB
        QCOMPARE(s.cursorCol(), 8);
        s.feed("\x1b[999;999H");   // clamped to the screen
        QCOMPARE(s.cursorRow(), 23);
        QCOMPARE(s.cursorCol(), 79);
        s.feed("\x1b[H");
        QCOMPARE(s.cursorRow(), 0);
        QCOMPARE(s.cursorCol(), 0);
        s.feed("\x1b[50A\x1b[50D");   // cannot leave the screen
        QCOMPARE(s.cursorRow(), 0);
        QCOMPARE(s.cursorCol(), 0);
    }

    void scrollRegionAndScrollback()
    {
        TerminalScreen s(20, 6);
        s.feed("top\x1b[6;1Hbottom");
        s.feed("\x1b[2;4r");   // DECSTBM rows 2..4
        s.feed("\x1b[2;1Ha\r\nb\r\nc\r\nd\r\ne");
        // The region scrolled twice inside itself; top and bottom rows stayed.
        QCOMPARE(row(s, 0), QStringLiteral("top"));
        QCOMPARE(row(s, 1), QStringLiteral("c"));
        QCOMPARE(row(s, 2), QStringLiteral("d"));
        QCOMPARE(row(s, 3), QStringLiteral("e"));
        QCOMPARE(row(s, 5), QStringLiteral("bottom"));
        QCOMPARE(s.historyLines(), 0);   // a region scroll never reaches the scrollback

        s.feed("\x1b[r\x1b[2J\x1b[H");   // whole screen again
        s.feed(numberedLines(10));
        // 10 lines + the cursor's empty line on 6 rows: 5 lines went to the scrollback.
        QCOMPARE(s.historyLines(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(s.lineText(i), QStringLiteral("L%1").arg(i));
        QCOMPARE(row(s, 0), QStringLiteral("L5"));
        QCOMPARE(row(s, 4), QStringLiteral("L9"));
        QCOMPARE(row(s, 5), QString());
    }

    void erase()
    {
        TerminalScreen s(20, 4);
        s.feed("abcdefghij\r\nsecond\r\nthird");
        s.feed("\x1b[1;5H\x1b[K");   // EL 0
        QCOMPARE(row(s, 0), QStringLiteral("abcd"));
        s.feed("\x1b[1;3H\x1b[1K");   // EL 1: start .. cursor
        QCOMPARE(row(s, 0), QStringLiteral("   d"));
        s.feed("\x1b[2;3H\x1b[2K");   // EL 2
        QCOMPARE(row(s, 1), QString());
        QCOMPARE(row(s, 2), QStringLiteral("third"));
        s.feed("\x1b[3;3H\x1b[J");   // ED 0
        QCOMPARE(row(s, 2), QStringLiteral("th"));
        s.feed("\x1b[1;1Hxyz\x1b[2J");   // ED 2
        for (int r = 0; r < 4; ++r)
            QCOMPARE(row(s, r), QString());
    }

    void sgrColoursAndAttributes()
    {
        TerminalScreen s(80, 24);
        s.feed("\x1b[31mA\x1b[91mB\x1b[42mC\x1b[0m\x1b[38;5;196mD\x1b[48;5;21mE\x1b[m"
               "\x1b[38;2;10;20;30mF\x1b[48;2;1;2;3mG\x1b[m"
               "\x1b[1mH\x1b[22;3mI\x1b[23;4mJ\x1b[24;7mK\x1b[27;9mL\x1b[0mM");
        QCOMPARE(cellAt(s, 0, 0).fg, TerminalColor::indexed(1));
        QCOMPARE(cellAt(s, 0, 1).fg, TerminalColor::indexed(9));
        QCOMPARE(cellAt(s, 0, 2).bg, TerminalColor::indexed(2));
        QCOMPARE(cellAt(s, 0, 2).fg, TerminalColor::indexed(9));
        QCOMPARE(cellAt(s, 0, 3).fg, TerminalColor::indexed(196));
        QVERIFY(cellAt(s, 0, 3).bg.isDefault());
        QCOMPARE(cellAt(s, 0, 4).bg, TerminalColor::indexed(21));
        QCOMPARE(cellAt(s, 0, 5).fg, TerminalColor::rgb(10, 20, 30));
        QCOMPARE(cellAt(s, 0, 6).bg, TerminalColor::rgb(1, 2, 3));
        QCOMPARE(cellAt(s, 0, 7).attrs, quint8(TerminalCell::Bold));
        QCOMPARE(cellAt(s, 0, 8).attrs, quint8(TerminalCell::Italic));
        QCOMPARE(cellAt(s, 0, 9).attrs, quint8(TerminalCell::Underline));
        QCOMPARE(cellAt(s, 0, 10).attrs, quint8(TerminalCell::Reverse));
        QCOMPARE(cellAt(s, 0, 11).attrs, quint8(TerminalCell::Strike));
        const TerminalCell plain = cellAt(s, 0, 12);
        QCOMPARE(plain.attrs, quint8(0));
        QVERIFY(plain.fg.isDefault());
        QVERIFY(plain.bg.isDefault());

        // Resolution through a scheme.
        const TerminalColorScheme dark = TerminalColorScheme::dark();
        const TerminalColorScheme light = TerminalColorScheme::light();
        QCOMPARE(dark.resolve(TerminalColor::indexed(196), true), quint32(0xff0000));
        QCOMPARE(dark.resolve(TerminalColor::indexed(232), true), quint32(0x080808));
        QCOMPARE(dark.resolve(TerminalColor::indexed(1), true), dark.ansi[1]);
        QCOMPARE(dark.resolve(TerminalColor::rgb(10, 20, 30), false), quint32(0x0a141e));
        QCOMPARE(dark.resolve(TerminalColor(), true), dark.foreground);
        QCOMPARE(light.resolve(TerminalColor(), false), light.background);
        QVERIFY(dark.background != light.background);
        QCOMPARE(TerminalColorScheme::byId(QStringLiteral("light")).id, QStringLiteral("light"));
        QCOMPARE(TerminalColorScheme::byId(QStringLiteral("nope")).id, QStringLiteral("dark"));
    }

    void wideAndCombiningCharacters()
    {
        TerminalScreen s(20, 4);
        s.feed(QStringLiteral("中x😀e\u0301!").toUtf8());
        const TerminalCell han = cellAt(s, 0, 0);
        QCOMPARE(han.chars[0], U'\u4e2d');
        QCOMPARE(han.width, quint8(2));
        QCOMPARE(cellAt(s, 0, 1).width, quint8(0));
        QCOMPARE(cellAt(s, 0, 2).chars[0], U'x');
        const TerminalCell emoji = cellAt(s, 0, 3);
        QCOMPARE(emoji.chars[0], U'\U0001F600');
        QCOMPARE(emoji.width, quint8(2));
        const TerminalCell e = cellAt(s, 0, 5);
        QCOMPARE(e.chars[0], U'e');
        QCOMPARE(e.chars[1], U'\u0301');
        QCOMPARE(e.charCount(), 2);
        QCOMPARE(cellAt(s, 0, 6).chars[0], U'!');
        QCOMPARE(s.cursorCol(), 7);
        // Text extraction has each wide character once and keeps the combining mark.
        QCOMPARE(row(s, 0), QStringLiteral("中x😀e\u0301!"));
        QCOMPARE(s.text({0, 1}, {0, 3}), QStringLiteral("中x"));   // starting on the right half
        QCOMPARE(s.text({0, 2}, {0, 4}), QStringLiteral("x😀"));

        // A wide character that does not fit at the end of a line wraps whole.
        TerminalScreen narrow(5, 3);
        narrow.feed(QStringLiteral("abcd中").toUtf8());
        QCOMPARE(row(narrow, 0), QStringLiteral("abcd"));
        QCOMPARE(cellAt(narrow, 1, 0).chars[0], U'\u4e2d');
    }

    void alternateScreen()
    {
        TerminalScreen s(20, 5);
        QSignalSpy modes(&s, &TerminalScreen::modesChanged);
        s.feed("primary\r\n$ ");
        s.feed("\x1b[?1049h\x1b[H\x1b[2J");
        QVERIFY(s.altScreen());
        QVERIFY(modes.count() >= 1);
        QCOMPARE(row(s, 0), QString());
        s.feed("alt text");
        s.feed(numberedLines(30, "A"));   // scrolling the alternate screen fills no history
        QCOMPARE(s.historyLines(), 0);
        s.feed("\x1b[?1049l");
        QVERIFY(!s.altScreen());
        QCOMPARE(row(s, 0), QStringLiteral("primary"));
        QCOMPARE(row(s, 1), QStringLiteral("$"));
        QCOMPARE(s.cursorRow(), 1);
        QCOMPARE(s.cursorCol(), 2);
    }

    void bracketedPaste()
    {
        TerminalScreen s(80, 24);
        Output out(s);
        QVERIFY(!s.bracketedPaste());
        s.paste(QStringLiteral("a\nb\r\nc"));
        QCOMPARE(out.take(), QByteArray("a\rb\rc"));
        s.feed("\x1b[?2004h");
        QVERIFY(s.bracketedPaste());
        QCOMPARE(out.take(), QByteArray());   // asking does not send anything
        s.paste(QStringLiteral("x\ny"));
        QCOMPARE(out.take(), QByteArray("\x1b[200~x\ry\x1b[201~"));
        // The end marker inside pasted text cannot end the paste early.
        s.paste(QStringLiteral("evil\x1b[201~rm -rf"));
        QCOMPARE(out.take(), QByteArray("\x1b[200~evilrm -rf\x1b[201~"));
        s.feed("\x1b[?2004l");
        QVERIFY(!s.bracketedPaste());
        s.paste(QStringLiteral("z"));
        QCOMPARE(out.take(), QByteArray("z"));
    }

    void mouseModes()
    {
        TerminalScreen s(80, 24);
        Output out(s);
        QCOMPARE(s.mouseMode(), TerminalScreen::MouseMode::None);
        s.mouseButton(TerminalScreen::MouseButton::Left, true);
        QCOMPARE(out.take(), QByteArray());   // nobody asked
        s.feed("\x1b[?1000h");
        QCOMPARE(s.mouseMode(), TerminalScreen::MouseMode::Click);
        s.mouseMove(2, 3);
        s.mouseButton(TerminalScreen::MouseButton::Left, true);
        // X10 encoding: ESC [ M, button + 32, 1-based column and row + 32.
        QCOMPARE(out.take(), QByteArray("\x1b[M") + char(32 + 0) + char(32 + 4) + char(32 + 3));
        s.mouseButton(TerminalScreen::MouseButton::Left, false);
        out.take();
        s.feed("\x1b[?1006h");   // SGR encoding
        s.mouseMove(9, 19);
        s.mouseButton(TerminalScreen::MouseButton::Left, true);
        s.mouseButton(TerminalScreen::MouseButton::Left, false);
        QCOMPARE(out.take(), QByteArray("\x1b[<0;20;10M\x1b[<0;20;10m"));
        s.mouseButton(TerminalScreen::MouseButton::WheelUp, true);
        QCOMPARE(out.take(), QByteArray("\x1b[<64;20;10M"));
        s.feed("\x1b[?1002h");
        QCOMPARE(s.mouseMode(), TerminalScreen::MouseMode::Drag);
        s.feed("\x1b[?1003h");
        QCOMPARE(s.mouseMode(), TerminalScreen::MouseMode::Move);
        s.feed("\x1b[?1003l");
        QCOMPARE(s.mouseMode(), TerminalScreen::MouseMode::None);
    }

    void cursorShapeAndVisibility()
    {
        TerminalScreen s(80, 24);
        QCOMPARE(s.cursorShape(), TerminalScreen::CursorShape::Block);
        QVERIFY(s.cursorVisible());
        s.feed("\x1b[4 q");
        QCOMPARE(s.cursorShape(), TerminalScreen::CursorShape::Underline);
        QVERIFY(!s.cursorBlink());
        s.feed("\x1b[5 q");
        QCOMPARE(s.cursorShape(), TerminalScreen::CursorShape::Bar);
        QVERIFY(s.cursorBlink());
        s.feed("\x1b[2 q");
        QCOMPARE(s.cursorShape(), TerminalScreen::CursorShape::Block);
        QVERIFY(!s.cursorBlink());
        s.feed("\x1b[?25l");
        QVERIFY(!s.cursorVisible());
        s.feed("\x1b[?25h");
        QVERIFY(s.cursorVisible());
    }

    void title()
    {
        TerminalScreen s(80, 24);
        QSignalSpy spy(&s, &TerminalScreen::titleChanged);
        s.feed("\x1b]0;first title\x07");
        QCOMPARE(s.title(), QStringLiteral("first title"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("first title"));
        s.feed("\x1b]2;second\x1b\\");
        QCOMPARE(s.title(), QStringLiteral("second"));
        // Split across feeds, and with control characters that must not reach a tab label.
        s.feed("\x1b]2;par");
        s.feed("ts\x01x\x07");
        QCOMPARE(s.title(), QStringLiteral("partsx"));
        QCOMPARE(spy.count(), 3);
        s.feed(QStringLiteral("\x1b]2;ünï\x07").toUtf8());
        QCOMPARE(s.title(), QStringLiteral("ünï"));
    }

    void scrollbackLimit()
    {
        TerminalScreen s(20, 24);
        QCOMPARE(s.scrollbackLimit(), TerminalScreen::DefaultScrollbackLines);
        s.setScrollbackLimit(100);
        s.feed(numberedLines(500));
        // 500 lines + the empty cursor line on 24 rows: 477 scrolled off, the last 100 kept.
        QCOMPARE(s.historyLines(), 100);
        QCOMPARE(s.droppedLines(), quint64(377));
        QCOMPARE(s.lineText(0), QStringLiteral("L377"));
        QCOMPARE(s.lineText(99), QStringLiteral("L476"));
        QCOMPARE(row(s, 0), QStringLiteral("L477"));
        s.setScrollbackLimit(10);
        QCOMPARE(s.historyLines(), 10);
        QCOMPARE(s.lineText(0), QStringLiteral("L467"));
        s.setScrollbackLimit(0);
        s.feed(numberedLines(5, "M"));
        QCOMPARE(s.historyLines(), 0);
        s.setScrollbackLimit(1000);
        s.feed(numberedLines(30, "N"));
        QCOMPARE(s.historyLines(), 30);
        s.clearScrollback();
        QCOMPARE(s.historyLines(), 0);
        QCOMPARE(row(s, 22), QStringLiteral("N29"));
    }

    void historyKeepsColours()
    {
        TerminalScreen s(20, 3);
        s.feed("\x1b[1;38;2;200;100;50mhot\x1b[m cold\r\n\r\n\r\n\r\n");
        QVERIFY(s.historyLines() >= 1);
        const TerminalCell c = s.cell(0, 0);
        QCOMPARE(c.chars[0], U'h');
        QCOMPARE(c.fg, TerminalColor::rgb(200, 100, 50));
        QCOMPARE(c.attrs, quint8(TerminalCell::Bold));
        QCOMPARE(s.lineText(0), QStringLiteral("hot cold"));
        QCOMPARE(int(s.line(0).size()), 20);   // padded to the screen width
    }

    void selectionText()
    {
        TerminalScreen s(20, 4);
        s.feed("first line   \r\nsecond\r\nthird\r\nfourth\r\nfifth");
        // first line is now history line 0.
        QCOMPARE(s.historyLines(), 1);
        QCOMPARE(s.text({0, 6}, {1, 3}), QStringLiteral("line\nsec"));
        QCOMPARE(s.text({1, 3}, {0, 6}), QStringLiteral("line\nsec"));   // any order
        QCOMPARE(s.text({0, 0}, {0, 20}), QStringLiteral("first line"));   // trailing blanks trimmed
        QCOMPARE(s.text({2, 0}, {4, 3}), QStringLiteral("third\nfourth\nfif"));
        QCOMPARE(s.text({0, 0}, {4, 20}), QStringLiteral("first line\nsecond\nthird\nfourth\nfifth"));
        const auto [ws, we] = s.wordAt(0, 7);
        QCOMPARE(ws, 6);
        QCOMPARE(we, 10);
        s.feed("\x1b[H\x1b[2K/usr/lib/x.so:12 next");
        const auto [ps, pe] = s.wordAt(s.historyLines(), 3);
        QCOMPARE(s.text({s.historyLines(), ps}, {s.historyLines(), pe}), QStringLiteral("/usr/lib/x.so:12"));
    }

    void search()
    {
        TerminalScreen s(40, 5);
        s.feed("alpha Needle one\r\nbeta\r\nneedle two needle\r\ngamma\r\ndelta\r\nepsilon NEEDLE\r\nzeta");
        // Lines: 0 alpha, 1 beta, 2 needle two needle, 3 gamma | screen: delta, epsilon, zeta
        QCOMPARE(s.historyLines(), 2);
        const int total = s.totalLines();
        auto m = s.find(QStringLiteral("needle"), {total, 0}, true);
        QVERIFY(m);
        QCOMPARE(m->start, (TerminalPos{5, 8}));
        QCOMPARE(m->length, 6);
        m = s.find(QStringLiteral("needle"), m->start, true);
        QCOMPARE(m->start, (TerminalPos{2, 11}));
        m = s.find(QStringLiteral("needle"), m->start, true);
        QCOMPARE(m->start, (TerminalPos{2, 0}));
        m = s.find(QStringLiteral("needle"), m->start, true);
        QCOMPARE(m->start, (TerminalPos{0, 6}));
        m = s.find(QStringLiteral("needle"), m->start, true);   // wraps to the newest
        QCOMPARE(m->start, (TerminalPos{5, 8}));
        QVERIFY(!s.find(QStringLiteral("needle"), {0, 6}, true, Qt::CaseInsensitive, false));
        // Forward and case-sensitive.
        m = s.find(QStringLiteral("needle"), {-1, 0}, false, Qt::CaseSensitive);
        QCOMPARE(m->start, (TerminalPos{2, 0}));
        m = s.find(QStringLiteral("needle"), m->start, false, Qt::CaseSensitive);
        QCOMPARE(m->start, (TerminalPos{2, 11}));
        m = s.find(QStringLiteral("needle"), m->start, false, Qt::CaseSensitive);
        QCOMPARE(m->start, (TerminalPos{2, 0}));   // wrapped; "Needle"/"NEEDLE" never match
        QVERIFY(!s.find(QStringLiteral("absent"), {0, 0}, false));
        QVERIFY(!s.find(QString(), {0, 0}, false));
        QCOMPARE(s.findAll(QStringLiteral("needle"), 0, total - 1).size(), 4);
        QCOMPARE(s.findAll(QStringLiteral("needle"), 3, total - 1).size(), 1);

        // Columns stay cell columns after wide characters.
        TerminalScreen w(40, 3);
        w.feed(QStringLiteral("中文 find").toUtf8());
        m = w.find(QStringLiteral("find"), {-1, 0}, false);
        QCOMPARE(m->start, (TerminalPos{0, 5}));
        QCOMPARE(m->length, 4);
    }

    void urls()
    {
        TerminalScreen s(80, 5);
        s.feed("see https://example.com/a_(b)?q=1, and (ftp://host/file.txt). file:///tmp/x y\r\n"
               "plain text http:// nothing");
        auto u = s.urlAt(0, 10);
        QVERIFY(u);
        QCOMPARE(u->url, QStringLiteral("https://example.com/a_(b)?q=1"));
        QCOMPARE(u->startCol, 4);
        QCOMPARE(u->endCol, 4 + int(u->url.size()));
        QVERIFY(!s.urlAt(0, 2));
        QVERIFY(!s.urlAt(0, u->endCol));   // the comma
        u = s.urlAt(0, 45);
        QVERIFY(u);
        QCOMPARE(u->url, QStringLiteral("ftp://host/file.txt"));
        const int fileCol = int(QStringLiteral("see https://example.com/a_(b)?q=1, and (ftp://host/file.txt). ").size());
        u = s.urlAt(0, fileCol + 3);
        QVERIFY(u);
        QCOMPARE(u->url, QStringLiteral("file:///tmp/x"));
        QVERIFY(!s.urlAt(1, 13));   // a bare scheme is not a URL
        QVERIFY(!s.urlAt(99, 0));
    }

    void resize()
    {
        TerminalScreen s(40, 10);
        QSignalSpy changed(&s, &TerminalScreen::contentChanged);
        s.feed(numberedLines(30));
        QCOMPARE(s.historyLines(), 21);
        s.resize(20, 5);
        QCOMPARE(s.cols(), 20);
        QCOMPARE(s.rows(), 5);
        QVERIFY(changed.count() >= 2);
        QCOMPARE(s.totalLines(), 31);
        // The cursor's row stays in view; the unified line list stays in order.
        QCOMPARE(row(s, s.cursorRow()), QString());
        for (int l = 0; l < 30; ++l)
            QCOMPARE(s.lineText(l), QStringLiteral("L%1").arg(l));
        // Growing pulls lines back from the scrollback.
        const int before = s.historyLines();
        s.resize(20, 15);
        QCOMPARE(s.rows(), 15);
        QVERIFY(s.historyLines() < before);
        QCOMPARE(s.totalLines(), 31);   // 30 lines + the cursor's, never lost or doubled
        for (int l = 0; l < 30; ++l)
            QCOMPARE(s.lineText(l), QStringLiteral("L%1").arg(l));
        QCOMPARE(s.lineText(s.historyLines() + s.cursorRow()), QString());
        // Nonsense sizes are clamped, not trusted.
        s.resize(0, -5);
        QCOMPARE(s.cols(), 1);
        QCOMPARE(s.rows(), 1);
        s.resize(100000, 100000);
        QVERIFY(s.cols() <= 2000);
        QVERIFY(s.rows() <= 1000);
        s.resize(80, 24);
        s.feed("\x1b[Hstill works");
        QCOMPARE(row(s, 0), QStringLiteral("still works"));
    }

    void damageAndSignals()
    {
        TerminalScreen s(80, 24);
        s.takeDamage();
        QSignalSpy changed(&s, &TerminalScreen::contentChanged);
        s.feed("\x1b[5;1Hx");
        QCOMPARE(changed.count(), 1);   // once per feed, not per byte
        TerminalDamage d = s.takeDamage();
        QVERIFY(d.hasDirtyRows());
        QVERIFY(d.firstRow <= 4 && d.lastRow >= 4);
        QVERIFY(d.cursorChanged);
        QVERIFY(s.takeDamage().isEmpty());
        s.feed(numberedLines(30));
        d = s.takeDamage();
        QCOMPARE(d.linesScrolledOff, 30 - 24 + 5);
        QCOMPARE(d.firstRow, 0);
        QCOMPARE(d.lastRow, 23);
    }

    void answersQueries()
    {
        TerminalScreen s(80, 24);
        Output out(s);
        s.feed("\x1b[3;7H\x1b[6n");   // DSR cursor position
        QCOMPARE(out.take(), QByteArray("\x1b[3;7R"));
        s.feed("\x1b[c");   // primary device attributes
        QVERIFY(out.take().startsWith("\x1b[?"));
    }

    void keyboardEncoding()
    {
        TerminalScreen s(80, 24);
        Output out(s);
        using K = TerminalScreen::Key;
        s.sendKey(K::Up);
        QCOMPARE(out.take(), QByteArray("\x1b[A"));
        s.feed("\x1b[?1h");   // DECCKM: application cursor keys
        s.sendKey(K::Up);
        QCOMPARE(out.take(), QByteArray("\x1bOA"));
        s.sendKey(K::Left);
        QCOMPARE(out.take(), QByteArray("\x1bOD"));
        s.feed("\x1b[?1l");
        s.sendKey(K::Right);
        QCOMPARE(out.take(), QByteArray("\x1b[C"));
        s.sendKey(K::Up, TerminalScreen::ControlModifier);
        QCOMPARE(out.take(), QByteArray("\x1b[1;5A"));
        s.sendKey(K::Enter);
        QCOMPARE(out.take(), QByteArray("\r"));
        s.sendKey(K::Backspace);
        QCOMPARE(out.take(), QByteArray("\x7f"));
        s.sendKey(K::Tab);
        QCOMPARE(out.take(), QByteArray("\t"));
        s.sendKey(K::Tab, TerminalScreen::ShiftModifier);
        QCOMPARE(out.take(), QByteArray("\x1b[Z"));
        s.sendKey(K::Escape);
        QCOMPARE(out.take(), QByteArray("\x1b"));
        s.sendKey(K::Delete);
        QCOMPARE(out.take(), QByteArray("\x1b[3~"));
        s.sendKey(K::PageUp);
        QCOMPARE(out.take(), QByteArray("\x1b[5~"));
        s.sendKey(K::F1);
        QCOMPARE(out.take(), QByteArray("\x1bOP"));
        s.sendKey(K::F5);
        QCOMPARE(out.take(), QByteArray("\x1b[15~"));
        s.sendKey(K::F12);
        QCOMPARE(out.take(), QByteArray("\x1b[24~"));
        s.sendKey(K::Home);
        QVERIFY(out.bytes == "\x1b[H" || out.bytes == "\x1bOH");
        out.take();

        s.sendChar(U'c', TerminalScreen::ControlModifier);
        QCOMPARE(out.take(), QByteArray("\x03"));
        s.sendChar(U'C', TerminalScreen::ControlModifier | TerminalScreen::ShiftModifier);
        QCOMPARE(out.take(), QByteArray("\x03"));
        s.sendChar(U'[', TerminalScreen::ControlModifier);
        QCOMPARE(out.take(), QByteArray("\x1b"));
        s.sendChar(U' ', TerminalScreen::ControlModifier);
        QCOMPARE(out.take(), QByteArray(1, '\0'));
        s.sendChar(U'x', TerminalScreen::AltModifier);
        QCOMPARE(out.take(), QByteArray("\x1bx"));
        s.sendChar(U'd', TerminalScreen::AltModifier | TerminalScreen::ControlModifier);
        QCOMPARE(out.take(), QByteArray("\x1b\x04"));
        s.sendChar(U'é');
        QCOMPARE(out.take(), QStringLiteral("é").toUtf8());
        s.sendText(QStringLiteral("ls -l 中"));
        QCOMPARE(out.take(), QStringLiteral("ls -l 中").toUtf8());
    }

    void sequencesSplitAcrossChunks()
    {
        // A backend delivers whatever the network gives it: sequences arrive in pieces.
        TerminalScreen s(40, 5);
        const QByteArray stream = "\x1b[31mred\x1b[0m \x1b]2;split title\x1b\\\x1b[3;5Hx\x1b[38;2;1;2;3my";
        for (char c : stream)
            s.feed(QByteArray(1, c));
        QCOMPARE(row(s, 0), QStringLiteral("red"));
        QCOMPARE(cellAt(s, 0, 0).fg, TerminalColor::indexed(1));
        QVERIFY(cellAt(s, 0, 3).fg.isDefault());
        QCOMPARE(s.title(), QStringLiteral("split title"));
        QCOMPARE(cellAt(s, 2, 4).chars[0], U'x');
        QCOMPARE(cellAt(s, 2, 5).fg, TerminalColor::rgb(1, 2, 3));
        // UTF-8 split in the middle of a character.
        const QByteArray han = QStringLiteral("中").toUtf8();
        s.feed("\r\n");
        s.feed(han.left(1));
        s.feed(han.mid(1));
        QCOMPARE(cellAt(s, 3, 0).chars[0], U'\u4e2d');
    }

    void hostileSequencesAreNeutralised()
    {
        TerminalScreen s(20, 4);
        // REP repeats the previous character, at most a line's worth, and is ignored when
        // nothing was printed (libvterm alone would loop forever).
        s.feed("\x1b[5b\x1b[bab\x1b[3b");
        QCOMPARE(row(s, 0), QStringLiteral("abbbb"));
        s.feed("\r\n-\x1b[999999b");
        QCOMPARE(row(s, 1), QString(20, QLatin1Char('-')));
        // More than 16 parameters (a heap overflow in libvterm) and absurd numbers: dropped.
        QByteArray many = "\x1b[";
        for (int i = 0; i < 40; ++i)
            many += "1;";
        s.feed("\x1b[3;1H" + many + "31mplain\x1b[12345678901Ax");
        QCOMPARE(row(s, 2), QStringLiteral("plainx"));
        QVERIFY(cellAt(s, 2, 0).fg.isDefault());
        QCOMPARE(s.cursorRow(), 2);
        // libvterm skips 8-bit bytes after ESC, so the same CSI hidden behind one is dropped too.
        s.feed("\x1b[4;1H\x1b\xaa" + many.mid(1) + "32mhid");
        QCOMPARE(row(s, 3), QStringLiteral("hid"));
        QVERIFY(cellAt(s, 3, 0).fg.isDefault());
        // A CSI too long to be real is dropped whole, even across chunks.
        s.feed("\r\n\x1b[" + QByteArray(300, '1'));
        s.feed(QByteArray(300, '2') + "Cok");
        QCOMPARE(row(s, 3), QStringLiteral("ok"));

        // A cursor saved on a bigger screen comes back on the screen after a shrink.
        TerminalScreen big(40, 25);
        big.feed("\x1b[20;30H\x1b" "7\x1b[?1049h");
        big.resize(10, 5);
        big.feed("\x1b" "8X");
        QVERIFY(big.cursorRow() < 5);
        QVERIFY(row(big, big.cursorRow()).contains(QLatin1Char('X')));
        big.feed("\x1b[?1049lY");
        QVERIFY(row(big, big.cursorRow()).contains(QLatin1Char('Y')));
    }

    void garbageNeverCrashes()
    {
        TerminalScreen s(80, 24);
        s.setScrollbackLimit(500);
        // Hand-made nasties first.
        const QByteArray nasty[] = {
            "\x1b[99999999999999999999;99999999999999999999H",
            "\x1b[4294967295@\x1b[4294967295P\x1b[4294967295X\x1b[4294967295L\x1b[4294967295M",
            "\x1b[2147483647S\x1b[2147483647T\x1b[2147483647b\x1b[2147483647Z\x1b[2147483647I",
            "\x1b[?99999h\x1b[?1049h\x1b[?1049h\x1b[?1049l\x1b[?1049l\x1b[?47h\x1b[?1047l",
            "\x1b[99999;1r\x1b[5;2r\x1b[0;0r\x1b[;r\x1b[?6h\x1b[999B\n\n\n\x1b[?6l",
            "\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82",
            "\x1bP" + QByteArray(100000, 'q') + "\x1b\\",
            "\x1b]0;" + QByteArray(200000, 't') + "\x07",
            "\x1b[" + QByteArray(5000, ';') + "m",
            "\x1b[38;5;999m\x1b[48;2;999;999;999mX\x1b[38;2m\x1b[38;5m\x1b[58;5;1m",
            "\x1b#8\x1b#3\x1b#4\x1b#6\x1b(0lqk\x1b(B\x1b)0\x0e\x0f",
            "\x1b[?1000h\x1b[?1006h\x1b[?1015h\x1b[?1005h",
            "\x1b[8;99999;99999t\x1b[3J\x1b[18t\x1b[5n\x1b[>c\x1b[=c",
            QByteArray(100000, '\t') + QByteArray(100000, '\b'),
        };
        for (const QByteArray &b : nasty)
            s.feed(b);
        // Then megabytes of random bytes in random chunk sizes, with resizes in between.
        QRandomGenerator rng(20261124);
        QByteArray junk(4 * 1024 * 1024, '\0');
        for (qsizetype i = 0; i < junk.size(); ++i) {
            // Bias towards ESC and CSI-ish bytes so the parser states get exercised.
            const quint32 r = rng.generate();
            junk[i] = (r & 0x700) == 0 ? '\x1b' : (r & 0x7000) == 0 ? '[' : char(r & 0xff);
        }
        qsizetype pos = 0;
        int chunks = 0;
        while (pos < junk.size()) {
            const qsizetype n = std::min<qsizetype>(junk.size() - pos, 1 + rng.bounded(8192));
            s.feed(junk.mid(pos, n));
            pos += n;
            if (++chunks % 97 == 0)
                s.resize(20 + rng.bounded(150), 5 + rng.bounded(60));
            if (chunks % 31 == 0) {
                const int l = rng.bounded(s.totalLines());
                (void)s.lineText(l);
                (void)s.urlAt(l, rng.bounded(s.cols()));
            }
        }
        (void)s.find(QStringLiteral("x"), {0, 0}, true);
        (void)s.text({0, 0}, {s.totalLines() - 1, s.cols()});
        // Still a working terminal.
        s.resize(80, 24);
        s.feed("\x1b" "c\x1b[?1049l\x1b[H\x1b[2Jok");
        QCOMPARE(row(s, 0), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestTerminalScreen)
#include "tst_terminalscreen.moc"
