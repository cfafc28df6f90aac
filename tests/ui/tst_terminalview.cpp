// TerminalView on the offscreen platform: painting, selection, clipboard, keyboard, mouse
// reporting, resize and zoom, on a real TerminalScreen (libvterm).

#include "terminal/terminalscreen.h"
#include "terminal/terminalsearchbar.h"
#include "terminal/terminalview.h"

#include <QApplication>
#include <QClipboard>
#include <QImage>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace mist;

namespace {

// Collects inputBytes of a view.
struct Sent
{
    explicit Sent(TerminalView &v)
    {
        QObject::connect(&v, &TerminalView::inputBytes, &v, [this](const QByteArray &b) { bytes += b; });
    }
    QByteArray take() { return std::exchange(bytes, {}); }
    QByteArray bytes;
};

QPoint cellCenter(const TerminalView &v, int row, int col)
{
    const QSize c = v.cellSize();
    return {2 + col * c.width() + c.width() / 2, 2 + row * c.height() + c.height() / 2};
}

// Pixels in the cell rectangle that differ from `bg`.
int inkInCells(const QImage &img, const TerminalView &v, int row, int col, int count, QRgb bg)
{
    const QSize c = v.cellSize();
    const qreal dpr = img.devicePixelRatio();
    int ink = 0;
    for (int y = int((2 + row * c.height()) * dpr); y < int((2 + (row + 1) * c.height()) * dpr); ++y) {
        for (int x = int((2 + col * c.width()) * dpr); x < int((2 + (col + count) * c.width()) * dpr); ++x) {
            if (img.pixel(x, y) != bg)
                ++ink;
        }
    }
    return ink;
}

} // namespace

class TestTerminalView : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TerminalView> makeView(QSize size = {640, 400})
    {
        auto v = std::make_unique<TerminalView>();
        v->resize(size);
        v->show();
        v->activateWindow();
        v->setFocus();
        if (!QTest::qWaitForWindowExposed(v.get()))
            return nullptr;
        return v;
    }

private slots:
    void paintsTextWhereItIs()
    {
        auto v = makeView();
        QVERIFY(v);
        v->setColorScheme(TerminalColorScheme::dark());
        const QRgb bg = 0xff000000u | TerminalColorScheme::dark().background;
        v->feed("\x1b[3;5HWWWW\x1b[?25l");   // no cursor to confuse the pixels
        v->flushFrame();
        QImage img = v->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(inkInCells(img, *v, 2, 4, 4, bg) > 20);     // the text
        QCOMPARE(inkInCells(img, *v, 0, 0, 20, bg), 0);      // an empty line
        QCOMPARE(inkInCells(img, *v, 2, 10, 10, bg), 0);     // right of the text

        // True-colour background paints that colour; a scheme switch repaints defaults.
        v->feed("\x1b[5;1H\x1b[48;2;200;10;20m  \x1b[m");
        v->flushFrame();
        img = v->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QCOMPARE(QColor(img.pixel(cellCenter(*v, 4, 0) * img.devicePixelRatio())).rgb(), qRgb(200, 10, 20));
        v->setColorScheme(TerminalColorScheme::light());
        img = v->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QCOMPARE(QColor(img.pixel(cellCenter(*v, 10, 10) * img.devicePixelRatio())).rgb(),
                 QColor::fromRgb(0xff000000u | TerminalColorScheme::light().background).rgb());
    }

    void framesAreBatched()
    {
        auto v = makeView();
        QVERIFY(v);
        QTest::qWait(50);
        const quint64 before = v->framesPainted();
        for (int i = 0; i < 2000; ++i)
            v->feed("line " + QByteArray::number(i) + "\r\n");
        // Nothing painted per feed: painting only happens from the event loop, once per frame.
        QCOMPARE(v->framesPainted(), before);
        QTRY_VERIFY(v->framesPainted() > before);
        QTest::qWait(100);
        QVERIFY(v->framesPainted() - before <= 3);
        QCOMPARE(v->screen()->lineText(v->screen()->historyLines() + v->screen()->cursorRow() - 1),
                 QStringLiteral("line 1999"));
    }

    void selectionAndCopy()
    {
        auto v = makeView();
        QVERIFY(v);
        v->feed("hello world\r\nsecond line");
        v->flushFrame();
        const int top = v->screen()->historyLines();
        v->setSelection({top, 0}, {top, 5});
        QCOMPARE(v->selectedText(), QStringLiteral("hello"));
        QTest::keyClick(v.get(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("hello"));

        // Mouse: drag from the 'w' of world to the end of "sec".
        QWidget *vp = v->viewport();
        const QSize c = v->cellSize();
        QTest::mousePress(vp, Qt::LeftButton, {}, QPoint(2 + 6 * c.width() + 1, cellCenter(*v, 0, 6).y()));
        QTest::mouseMove(vp, QPoint(2 + 3 * c.width() + 1, cellCenter(*v, 1, 3).y()));
        QTest::mouseRelease(vp, Qt::LeftButton, {}, QPoint(2 + 3 * c.width() + 1, cellCenter(*v, 1, 3).y()));
        QCOMPARE(v->selectedText(), QStringLiteral("world\nsec"));

        // Double-click selects a word.
        QTest::mouseDClick(vp, Qt::LeftButton, {}, cellCenter(*v, 1, 9));
        QCOMPARE(v->selectedText(), QStringLiteral("line"));
        v->clearSelection();
        QVERIFY(!v->hasSelection());
        QCOMPARE(v->selectedText(), QString());
    }

    void typingProducesInputBytes()
    {
        auto v = makeView();
        QVERIFY(v);
        Sent sent(*v);
        QTest::keyClicks(v.get(), QStringLiteral("ls"));
        QCOMPARE(sent.take(), QByteArray("ls"));
        QTest::keyClick(v.get(), Qt::Key_Return);
        QCOMPARE(sent.take(), QByteArray("\r"));
        QTest::keyClick(v.get(), Qt::Key_Up);
        QCOMPARE(sent.take(), QByteArray("\x1b[A"));
        v->feed("\x1b[?1h");   // application cursor keys
        QTest::keyClick(v.get(), Qt::Key_Up);
        QCOMPARE(sent.take(), QByteArray("\x1bOA"));
        QTest::keyClick(v.get(), Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(sent.take(), QByteArray("\x03"));
        QTest::keyClick(v.get(), Qt::Key_Tab);
        QCOMPARE(sent.take(), QByteArray("\t"));
        QTest::keyClick(v.get(), Qt::Key_F5);
        QCOMPARE(sent.take(), QByteArray("\x1b[15~"));
        QTest::keyClick(v.get(), Qt::Key_B, Qt::AltModifier);
        QCOMPARE(sent.take(), QByteArray("\x1b" "b"));
        QTest::keyClick(v.get(), Qt::Key_Backspace);
        QCOMPARE(sent.take(), QByteArray("\x7f"));
        // View keys never reach the host.
        QTest::keyClick(v.get(), Qt::Key_PageUp, Qt::ShiftModifier);
        QCOMPARE(sent.take(), QByteArray());
    }

    void pasteUsesBracketsWhenAsked()
    {
        auto v = makeView();
        QVERIFY(v);
        Sent sent(*v);
        QApplication::clipboard()->setText(QStringLiteral("echo a\necho b"));
        QTest::keyClick(v.get(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(sent.take(), QByteArray("echo a\recho b"));
        v->feed("\x1b[?2004h");
        QTest::keyClick(v.get(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(sent.take(), QByteArray("\x1b[200~echo a\recho b\x1b[201~"));
    }

    void mouseReportingAndShiftBypass()
    {
        auto v = makeView();
        QVERIFY(v);
        v->feed("some text here");
        Sent sent(*v);
        v->feed("\x1b[?1000h\x1b[?1006h");
        QTest::mouseClick(v->viewport(), Qt::LeftButton, {}, cellCenter(*v, 2, 4));
        QCOMPARE(sent.take(), QByteArray("\x1b[<0;5;3M\x1b[<0;5;3m"));
        QVERIFY(!v->hasSelection());
        // Shift: the view selects instead of reporting.
        QWidget *vp = v->viewport();
        QTest::mousePress(vp, Qt::LeftButton, Qt::ShiftModifier, cellCenter(*v, 0, 0) - QPoint(v->cellSize().width() / 2, 0));
        QTest::mouseMove(vp, cellCenter(*v, 0, 3) + QPoint(v->cellSize().width() / 2, 0));
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::ShiftModifier, cellCenter(*v, 0, 3) + QPoint(v->cellSize().width() / 2, 0));
        QCOMPARE(sent.take(), QByteArray());
        QCOMPARE(v->selectedText(), QStringLiteral("some"));
    }

    void resizeEmitsSizeChanged()
    {
        auto v = makeView({400, 300});
        QVERIFY(v);
        QSignalSpy spy(v.get(), &TerminalView::sizeChanged);
        v->resize(900, 500);
        QTRY_VERIFY(spy.count() >= 1);
        const int cols = spy.last().at(0).toInt();
        const int rows = spy.last().at(1).toInt();
        const QSize cell = v->cellSize();
        QCOMPARE(cols, (v->viewport()->width() - 4) / cell.width());
        QCOMPARE(rows, (v->viewport()->height() - 4) / cell.height());
        QVERIFY(cols > 40 && cols < 300);
        QVERIFY(rows > 10 && rows < 100);
        QCOMPARE(v->screen()->cols(), cols);
        QCOMPARE(v->screen()->rows(), rows);
        QCOMPARE(v->columns(), cols);
        QCOMPARE(v->rows(), rows);
    }

    void zoomChangesGrid()
    {
        auto v = makeView({800, 500});
        QVERIFY(v);
        const int cols = v->columns();
        const int rows = v->rows();
        QSignalSpy spy(v.get(), &TerminalView::sizeChanged);
        QTest::keyClick(v.get(), Qt::Key_Equal, Qt::ControlModifier);
        v->zoomIn();
        v->zoomIn();
        QCOMPARE(v->zoomSteps(), 3);
        QVERIFY(v->columns() < cols);
        QVERIFY(v->rows() < rows);
        QVERIFY(spy.count() >= 1);
        QCOMPARE(spy.last().at(0).toInt(), v->columns());
        QTest::keyClick(v.get(), Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(v->zoomSteps(), 0);
        QCOMPARE(v->columns(), cols);
        QCOMPARE(v->rows(), rows);
        const QSize cell = v->cellSize();
        v->zoomOut();
        v->zoomOut();
        QVERIFY(v->cellSize().width() < cell.width() || v->cellSize().height() < cell.height());
        QVERIFY(v->columns() >= cols && v->rows() >= rows && v->columns() * v->rows() > cols * rows);
    }

    void scrollbackAndSearch()
    {
        auto v = makeView({640, 300});
        QVERIFY(v);
        QByteArray out;
        for (int i = 0; i < 300; ++i)
            out += "row " + QByteArray::number(i) + (i == 42 ? " needle" : "") + "\r\n";
        v->feed(out);
        v->flushFrame();
        const int history = v->screen()->historyLines();
        QVERIFY(history > 200);
        QVERIFY(v->isAtBottom());
        QCOMPARE(v->verticalScrollBar()->maximum(), history);
        QTest::keyClick(v.get(), Qt::Key_PageUp, Qt::ShiftModifier);
        QVERIFY(!v->isAtBottom());
        QVERIFY(v->topLine() < history);
        // New output keeps the scrolled-back view where it is.
        const int top = v->topLine();
        v->feed("more\r\n");
        v->flushFrame();
        QCOMPARE(v->topLine(), top);

        QVERIFY(v->find(QStringLiteral("NEEDLE")));
        QVERIFY(v->topLine() <= 42 && v->topLine() + v->rows() > 42);
        QVERIFY(!v->find(QStringLiteral("haystack")));

        // Typing brings the view back to the bottom.
        QTest::keyClick(v.get(), Qt::Key_X);
        QVERIFY(v->isAtBottom());

        // The search bar opens with Ctrl+Shift+F and closes with Escape.
        QTest::keyClick(v.get(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(v->searchBar()->isVisible());
        QTest::keyClick(v->searchBar()->lineEdit(), Qt::Key_Escape);
        QVERIFY(!v->searchBar()->isVisible());
    }

    void titleAndScreenSwap()
    {
        auto v = makeView();
        QVERIFY(v);
        QSignalSpy titles(v.get(), &TerminalView::titleChanged);
        v->feed("\x1b]0;remote host\x07");
        QCOMPARE(titles.count(), 1);
        QCOMPARE(titles.at(0).at(0).toString(), QStringLiteral("remote host"));

        // An external screen is resized to the view and its output comes out of the view.
        auto *other = new TerminalScreen(10, 3, v.get());
        v->setScreen(other);
        QCOMPARE(other->cols(), v->columns());
        Sent sent(*v);
        QTest::keyClicks(v.get(), QStringLiteral("q"));
        QCOMPARE(sent.take(), QByteArray("q"));
        delete other;   // the view falls back to its own screen
        QVERIFY(v->screen());
        QTest::keyClicks(v.get(), QStringLiteral("z"));
        QCOMPARE(sent.take(), QByteArray("z"));
    }
};

QTEST_MAIN(TestTerminalView)
#include "tst_terminalview.moc"
