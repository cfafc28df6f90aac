#pragma once

#include <QByteArray>

#include <cstddef>
#include <functional>

namespace mist {

// Sanitises the host's byte stream before libvterm sees it. libvterm (0.1.x and 0.3.x) trusts
// its input in a few places: a CSI sequence with more than 16 parameters writes past its
// argument array, a REP (CSI n b) with no printable character before it loops forever, and
// very long numbers overflow. Hostile or corrupt output must never crash or hang the app, so:
//   * CSI sequences with more than 16 parameters, a number of more than 9 digits or more than
//     256 bytes are dropped whole;
//   * REP is replaced by the repeated character itself (at most one line's worth), or dropped
//     when there is no character to repeat;
//   * an OSC/DCS string cut by the end of a chunk is held back (up to 8 KiB) and delivered
//     whole with the next chunk, since libvterm 0.1 garbles strings split across writes;
//   * after a cursor restore the caller gets a hook: libvterm 0.1 restores a position saved
//     before a resize without clamping it and then reads past its line arrays.
// Everything else passes through unchanged, in as few pieces as possible (normally one per
// chunk). A sequence cut by the end of a chunk is held back until the next chunk.
class VtInputGuard
{
public:
    using Sink = std::function<void(const char *, size_t)>;

    static constexpr int MaxCsiParams = 16;
    static constexpr int MaxCsiDigits = 9;
    static constexpr size_t MaxCsiLength = 256;
    static constexpr size_t MaxHeldString = 8192;

    // `restored` (optional) runs right after a sequence that restores a saved cursor has been
    // passed on (DECRC, leaving 1048/1049), so the caller can clamp a cursor saved on a
    // larger screen before anything is drawn with it.
    void process(const char *data, size_t len, int cols, const Sink &sink, const std::function<void()> &restored = {});
    void reset();

    bool hasPending() const { return !m_pending.isEmpty(); }

private:
    enum class State : quint8 { Ground, String, DiscardCsi };

    void noteText(const char *begin, const char *end);

    State m_state = State::Ground;
    QByteArray m_pending;   // an escape sequence cut by the end of the previous chunk
    char m_last[4] = {};    // the last printed character, UTF-8
    int m_lastLen = 0;
};

} // namespace mist
