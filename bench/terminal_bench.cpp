// Terminal throughput: the same mixed output (plain text, SGR colour runs, long wrapped
// lines, constant scrolling) fed
//   (a) into TerminalScreen alone (libvterm + our scrollback, damage and guard),
//   (b) into a shown TerminalView on the offscreen platform, with the event loop running
//       between chunks so frames are painted as in the app (at most one per 16 ms),
//   (c) into bare libvterm (vterm_input_write on a screen without callbacks), for reference.
// Usage: terminal_bench [megabytes=64] [chunk-kilobytes=32]

#include "terminal/terminalscreen.h"
#include "terminal/terminalview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTextStream>

#include <vterm.h>

using namespace mist;

namespace {

const char *const Words[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "kernel:", "systemd[1]:",
                             "Started", "session", "eth0", "link", "up", "200", "GET", "/api/v1/machines", "ok", "warning"};

QByteArray word(QRandomGenerator &rng)
{
    return Words[rng.bounded(int(std::size(Words)))];
}

// Deterministic mixed terminal output of about `bytes` bytes.
QByteArray generate(qsizetype bytes)
{
    QRandomGenerator rng(4242);
    QByteArray out;
    out.reserve(bytes + 4096);
    while (out.size() < bytes) {
        switch (rng.bounded(10)) {
        case 0: case 1: case 2: case 3: {   // plain log line
            const int n = 4 + rng.bounded(12);
            for (int i = 0; i < n; ++i)
                out += word(rng) + ' ';
            out += "\r\n";
            break;
        }
        case 4: case 5: case 6: {   // colourful line (ls --color, compiler output, prompts)
            const int n = 3 + rng.bounded(10);
            for (int i = 0; i < n; ++i) {
                switch (rng.bounded(4)) {
                case 0: out += "\x1b[1;3" + QByteArray::number(1 + rng.bounded(7)) + 'm'; break;
                case 1: out += "\x1b[38;5;" + QByteArray::number(rng.bounded(256)) + 'm'; break;
                case 2: out += "\x1b[38;2;" + QByteArray::number(rng.bounded(256)) + ';' + QByteArray::number(rng.bounded(256))
                               + ';' + QByteArray::number(rng.bounded(256)) + 'm'; break;
                default: out += "\x1b[4;7m"; break;
                }
                out += word(rng) + "\x1b[0m ";
            }
            out += "\r\n";
            break;
        }
        case 7: case 8: {   // long line wrapping over several rows
            const int n = 300 + rng.bounded(700);
            for (int i = 0; i < n; ++i)
                out += char('a' + (i * 7 + n) % 26);
            out += "\r\n";
            break;
        }
        default: {   // a progress bar redrawn in place, then a UTF-8 line
            for (int p = 0; p <= 100; p += 20)
                out += "\r[" + QByteArray(p / 5, '#') + QByteArray(20 - p / 5, ' ') + "] " + QByteArray::number(p) + "%\x1b[K";
            out += "\r\n" + QStringLiteral("défaut – ünïcode 中文 ✓").toUtf8() + "\r\n";
            break;
        }
        }
    }
    out.truncate(bytes);
    return out;
}

double mbPerSecond(qsizetype bytes, qint64 nanos)
{
    return (double(bytes) / (1024.0 * 1024.0)) / (double(nanos) / 1e9);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const int megabytes = args.size() > 1 ? std::max(1, args.at(1).toInt()) : 64;
    const int chunkKb = args.size() > 2 ? std::max(1, args.at(2).toInt()) : 32;
    const qsizetype chunk = qsizetype(chunkKb) * 1024;
    const int cols = 120;
    const int rows = 40;

    QTextStream out(stdout);
    const QByteArray data = generate(qsizetype(megabytes) * 1024 * 1024);
    out << "terminal_bench: " << megabytes << " MiB of mixed output, " << chunkKb << " KiB chunks, " << cols << "x" << rows
        << ", libvterm " << VTERM_VERSION_MAJOR << "." << VTERM_VERSION_MINOR << "\n";
    out.flush();

    // (c) bare libvterm: screen layer, no callbacks at all.
    qint64 rawNs = 0;
    {
        VTerm *vt = vterm_new(rows, cols);
        vterm_set_utf8(vt, 1);
        VTermScreen *screen = vterm_obtain_screen(vt);
        vterm_screen_set_damage_merge(screen, VTERM_DAMAGE_SCROLL);
        vterm_screen_enable_altscreen(screen, 1);
        vterm_screen_reset(screen, 1);
        QElapsedTimer t;
        t.start();
        for (qsizetype pos = 0; pos < data.size(); pos += chunk) {
            vterm_input_write(vt, data.constData() + pos, size_t(std::min(chunk, data.size() - pos)));
            vterm_screen_flush_damage(screen);
        }
        rawNs = t.nsecsElapsed();
        vterm_free(vt);
    }

    // (a) TerminalScreen alone.
    qint64 screenNs = 0;
    int history = 0;
    {
        TerminalScreen screen(cols, rows);
        QElapsedTimer t;
        t.start();
        for (qsizetype pos = 0; pos < data.size(); pos += chunk) {
            screen.feed(data.constData() + pos, std::min(chunk, data.size() - pos));
            screen.takeDamage();
        }
        screenNs = t.nsecsElapsed();
        history = screen.historyLines();
    }

    // (b) a shown TerminalView painting frames while the data streams in.
    qint64 viewNs = 0;
    quint64 frames = 0;
    {
        TerminalView view;
        view.show();
        // The same grid as the others, whatever the font: size the widget to cols x rows.
        const QSize cell = view.cellSize();
        view.resize(cols * cell.width() + 4 + view.verticalScrollBar()->sizeHint().width(), rows * cell.height() + 4);
        QCoreApplication::processEvents();
        if (view.columns() != cols || view.rows() != rows)
            out << "warning: view grid is " << view.columns() << "x" << view.rows() << "\n";
        const quint64 framesBefore = view.framesPainted();
        QElapsedTimer t;
        t.start();
        for (qsizetype pos = 0; pos < data.size(); pos += chunk) {
            view.feed(QByteArray::fromRawData(data.constData() + pos, std::min(chunk, data.size() - pos)));
            QCoreApplication::processEvents();   // frame timer, update requests, paints
        }
        view.flushFrame();
        view.viewport()->repaint();   // the last frame is part of the work
        viewNs = t.nsecsElapsed();
        frames = view.framesPainted() - framesBefore;
    }

    const double raw = mbPerSecond(data.size(), rawNs);
    const double screen = mbPerSecond(data.size(), screenNs);
    const double view = mbPerSecond(data.size(), viewNs);
    out << Qt::fixed;
    out.setRealNumberPrecision(1);
    out << "(c) libvterm alone (vterm_input_write, no callbacks): " << raw << " MB/s  (" << rawNs / 1000000 << " ms)\n";
    out << "(a) TerminalScreen (libvterm + scrollback/damage):     " << screen << " MB/s  (" << screenNs / 1000000
        << " ms, " << history << " history lines)\n";
    out << "(b) TerminalView painting on offscreen:                " << view << " MB/s  (" << viewNs / 1000000 << " ms, "
        << frames << " frames, " << (viewNs / 1e9 > 0 ? frames / (viewNs / 1e9) : 0) << " fps)\n";
    out.setRealNumberPrecision(3);
    out << "ratio view/screen = " << view / screen << "   ratio view/libvterm = " << view / raw
        << "   ratio screen/libvterm = " << screen / raw << "\n";
    return 0;
}
