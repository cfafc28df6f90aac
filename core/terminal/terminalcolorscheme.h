#pragma once

#include "terminal/terminaltypes.h"

#include <QString>
#include <QStringList>

#include <array>

namespace mist {

// A terminal colour scheme: default foreground/background, cursor, selection, search highlight
// and the 16 ANSI colours. Colours are 0xRRGGBB (core has no QColor). Entries 16..255 of the
// 256-colour palette are the standard xterm cube and grey ramp, the same in every scheme.
struct TerminalColorScheme
{
    QString id;       // stable key for settings ("dark", "light", ...)
    QString name;     // translated display name
    quint32 foreground = 0xd0d0d0;
    quint32 background = 0x1e1e1e;
    quint32 cursor = 0xd0d0d0;
    quint32 selectionBackground = 0x264f78;
    quint32 selectionForeground = 0xffffff;
    quint32 searchBackground = 0x806000;
    quint32 currentMatchBackground = 0xd08000;
    std::array<quint32, 16> ansi{};

    // The full 256-colour palette of this scheme.
    std::array<quint32, 256> palette() const;

    // The RGB of a cell colour; `foreground` says which default applies.
    quint32 resolve(TerminalColor color, bool foreground) const;

    static TerminalColorScheme dark();
    static TerminalColorScheme light();
    static QList<TerminalColorScheme> builtIn();
    // The built-in scheme with this id, or dark() when unknown.
    static TerminalColorScheme byId(const QString &id);
};

} // namespace mist
