#include "terminalcolorscheme.h"

#include <QCoreApplication>

namespace mist {

namespace {

// xterm's 6x6x6 cube levels and 24-step grey ramp.
constexpr quint32 cubeLevel(int v) { return v == 0 ? 0 : quint32(55 + 40 * v); }

quint32 xtermColor(int index)
{
    if (index >= 232) {
        const quint32 g = quint32(8 + 10 * (index - 232));
        return (g << 16) | (g << 8) | g;
    }
    const int i = index - 16;
    return (cubeLevel(i / 36) << 16) | (cubeLevel((i / 6) % 6) << 8) | cubeLevel(i % 6);
}

} // namespace

std::array<quint32, 256> TerminalColorScheme::palette() const
{
    std::array<quint32, 256> p{};
    for (int i = 0; i < 16; ++i)
        p[i] = ansi[i];
    for (int i = 16; i < 256; ++i)
        p[i] = xtermColor(i);
    return p;
}

quint32 TerminalColorScheme::resolve(TerminalColor color, bool fg) const
{
    switch (color.kind()) {
    case TerminalColor::Indexed:
        return color.index() < 16 ? ansi[color.index()] : xtermColor(color.index());
    case TerminalColor::Rgb:
        return color.rgb24();
    case TerminalColor::Default:
        break;
    }
    return fg ? foreground : background;
}

TerminalColorScheme TerminalColorScheme::dark()
{
    TerminalColorScheme s;
    s.id = QStringLiteral("dark");
    s.name = QCoreApplication::translate("mist::TerminalColorScheme", "Dark");
    s.foreground = 0xd4d4d4;
    s.background = 0x1e1e1e;
    s.cursor = 0xe0e0e0;
    s.selectionBackground = 0x264f78;
    s.selectionForeground = 0xffffff;
    s.searchBackground = 0x6b5a00;
    s.currentMatchBackground = 0xc07000;
    s.ansi = {0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xe5e5e5,
              0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff};
    return s;
}

TerminalColorScheme TerminalColorScheme::light()
{
    TerminalColorScheme s;
    s.id = QStringLiteral("light");
    s.name = QCoreApplication::translate("mist::TerminalColorScheme", "Light");
    s.foreground = 0x1e1e1e;
    s.background = 0xfdfdfd;
    s.cursor = 0x202020;
    s.selectionBackground = 0xadd6ff;
    s.selectionForeground = 0x000000;
    s.searchBackground = 0xfff08a;
    s.currentMatchBackground = 0xffb347;
    s.ansi = {0x000000, 0xc91b00, 0x00a600, 0x9a7d00, 0x0225c7, 0xb22bb4, 0x0086a0, 0xbfbfbf,
              0x686868, 0xe5342c, 0x22b81e, 0xb89600, 0x3a5cff, 0xd54fd9, 0x00a8c6, 0x2a2a2a};
    return s;
}

QList<TerminalColorScheme> TerminalColorScheme::builtIn()
{
    return {dark(), light()};
}

TerminalColorScheme TerminalColorScheme::byId(const QString &id)
{
    for (const TerminalColorScheme &s : builtIn()) {
        if (s.id == id)
            return s;
    }
    return dark();
}

} // namespace mist
