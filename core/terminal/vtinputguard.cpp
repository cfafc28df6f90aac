#include "vtinputguard.h"

#include <algorithm>
#include <cstring>

namespace mist {

namespace {

constexpr char Esc = 0x1b;
constexpr unsigned char Can = 0x18;
constexpr unsigned char Sub = 0x1a;
constexpr unsigned char Bel = 0x07;

bool abortsSequence(unsigned char c) { return c == Esc || c == Can || c == Sub; }
bool isFinal(unsigned char c) { return c >= 0x40 && c <= 0x7e; }

// Bytes of a UTF-8 sequence started by `lead` (0 for a continuation or invalid byte).
int utf8Length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xe0) == 0xc0)
        return 2;
    if ((lead & 0xf0) == 0xe0)
        return 3;
    if ((lead & 0xf8) == 0xf0)
        return 4;
    return 0;
}

// True when the DEC private mode list contains 1048 or 1049 (their reset restores the cursor).
bool restoresCursor(const char *p, const char *end)
{
    long value = 0;
    for (; p <= end; ++p) {
        if (p < end && *p >= '0' && *p <= '9') {
            value = value * 10 + (*p - '0');
            continue;
        }
        if (value == 1048 || value == 1049)
            return true;
        value = 0;
    }
    return false;
}

} // namespace

void VtInputGuard::reset()
{
    m_state = State::Ground;
    m_pending.clear();
    m_lastLen = 0;
}

void VtInputGuard::noteText(const char *begin, const char *end)
{
    // The last printable character of a run of text (controls are not repeated by REP).
    const char *p = end;
    while (p > begin) {
        const auto c = static_cast<unsigned char>(p[-1]);
        if (c >= 0x20 && c != 0x7f)
            break;
        --p;
    }
    if (p == begin)
        return;
    const char *start = p - 1;
    while (start > begin && start > p - 4 && (static_cast<unsigned char>(*start) & 0xc0) == 0x80)
        --start;
    const int len = int(p - start);
    if (utf8Length(static_cast<unsigned char>(*start)) != len) {
        m_lastLen = 0;   // invalid UTF-8: nothing sensible to repeat
        return;
    }
    std::memcpy(m_last, start, size_t(len));
    m_lastLen = len;
}

void VtInputGuard::process(const char *data, size_t len, int cols, const Sink &sink, const std::function<void()> &restored)
{
    QByteArray joined;
    if (!m_pending.isEmpty()) {
        joined = std::exchange(m_pending, {});
        joined.append(data, qsizetype(len));
        data = joined.constData();
        len = size_t(joined.size());
    }

    size_t flushFrom = 0;   // start of the bytes not yet handed to the sink
    auto flushTo = [&](size_t upto) {
        if (upto > flushFrom)
            sink(data + flushFrom, upto - flushFrom);
        flushFrom = upto;
    };
    auto holdBack = [&](size_t from) {
        flushTo(from);
        m_pending = QByteArray(data + from, qsizetype(len - from));
        flushFrom = len;
    };

    constexpr size_t npos = size_t(-1);
    size_t stringStart = npos;   // where the string being scanned began, if in this buffer
    size_t i = 0;
    while (i < len) {
        if (m_state == State::String) {
            // OSC/DCS/APC payload: passes through; ends at BEL, CAN, SUB, or an ESC (ST or
            // the start of the next sequence, which the ground state then checks). A string
            // cut by the chunk end is held back whole (libvterm 0.1 loses the first part of a
            // title split across writes) unless it is too long to be anything but garbage.
            while (i < len) {
                const auto c = static_cast<unsigned char>(data[i]);
                if (c == Bel || c == Can || c == Sub) {
                    ++i;
                    m_state = State::Ground;
                    break;
                }
                if (c == Esc && i + 1 < len) {
                    m_state = State::Ground;
                    break;
                }
                ++i;
            }
            if (i >= len && m_state == State::String) {
                const bool escAtEnd = data[len - 1] == Esc;
                if (stringStart != npos && len - stringStart <= MaxHeldString) {
                    holdBack(stringStart);
                    m_state = State::Ground;
                } else if (escAtEnd) {
                    holdBack(len - 1);   // ST or the next sequence: the ground state decides
                    m_state = State::Ground;
                }
            }
            stringStart = npos;
            continue;
        }
        if (m_state == State::DiscardCsi) {
            flushTo(i);
            while (i < len) {
                const auto c = static_cast<unsigned char>(data[i]);
                if (abortsSequence(c)) {
                    m_state = State::Ground;
                    break;
                }
                ++i;
                if (isFinal(c)) {
                    m_state = State::Ground;
                    break;
                }
            }
            flushFrom = i;
            continue;
        }

        // Ground: text up to the next ESC.
        const void *hit = std::memchr(data + i, Esc, len - i);
        const size_t esc = hit ? size_t(static_cast<const char *>(hit) - data) : len;
        noteText(data + i, data + esc);
        if (!hit) {
            i = len;
            break;
        }
        // libvterm executes C0 controls and ignores 8-bit bytes between ESC and the byte that
        // says what the sequence is ("ESC \xaa [" is a CSI), so look past them too.
        size_t kindPos = esc + 1;
        while (kindPos < len && kindPos - esc < MaxCsiLength) {
            const auto c = static_cast<unsigned char>(data[kindPos]);
            if ((c >= 0x20 && c <= 0x7e) || abortsSequence(c))
                break;
            ++kindPos;
        }
        if (kindPos >= len) {
            if (len - esc < MaxCsiLength) {
                holdBack(esc);
                i = len;
                break;
            }
            i = len;
            continue;
        }
        const char kind = data[kindPos];
        if (abortsSequence(static_cast<unsigned char>(kind)) || kindPos - esc >= MaxCsiLength) {
            i = kindPos;
            continue;
        }
        if (kind == ']' || kind == 'P' || kind == '_' || kind == '^' || kind == 'X') {
            m_state = State::String;
            stringStart = esc;
            i = kindPos + 1;
            continue;
        }
        if (kind == 'c') {   // RIS: nothing printed any more
            m_lastLen = 0;
            i = kindPos + 1;
            continue;
        }
        if (kind == '8') {   // DECRC: the saved cursor may be outside a since-shrunk screen
            flushTo(kindPos + 1);
            if (restored)
                restored();
            i = kindPos + 1;
            continue;
        }
        if (kind != '[') {
            i = kindPos + 1;   // other escapes are harmless; their bytes are scanned as text
            continue;
        }
        const size_t params = kindPos + 1;

        // CSI: find its end and judge it.
        size_t k = params;
        int separators = 0;
        int digits = 0;
        int longestNumber = 0;
        bool leaderOrIntermediate = false;
        for (; k < len && k - esc < MaxCsiLength; ++k) {
            const auto c = static_cast<unsigned char>(data[k]);
            if (c >= '0' && c <= '9') {
                longestNumber = std::max(longestNumber, ++digits);
                continue;
            }
            digits = 0;
            if (c == ';' || c == ':')
                ++separators;
            else if ((c >= 0x3c && c <= 0x3f) || (c >= 0x20 && c <= 0x2f))
                leaderOrIntermediate = true;
            else if (isFinal(c) || abortsSequence(c))
                break;
            // Other controls are executed inside the sequence by libvterm; keep scanning.
        }
        const bool bad = separators >= MaxCsiParams || longestNumber > MaxCsiDigits;
        if (k - esc >= MaxCsiLength) {   // absurdly long: drop it whole
            flushTo(esc);
            flushFrom = k;
            i = k;
            m_state = State::DiscardCsi;
            continue;
        }
        if (k >= len) {
            if (bad) {
                flushTo(esc);
                flushFrom = len;
                i = len;
                m_state = State::DiscardCsi;
            } else {
                holdBack(esc);   // cut by the chunk end: judge it with the next chunk
                i = len;
            }
            break;
        }
        const auto end = static_cast<unsigned char>(data[k]);
        const bool aborted = abortsSequence(end);
        const size_t next = aborted ? k : k + 1;
        if (bad) {
            flushTo(esc);
            flushFrom = next;
        } else if (!aborted && end == 'l' && k > params && data[params] == '?' && restoresCursor(data + params + 1, data + k)) {
            flushTo(next);   // leaving the alternate screen restores the saved cursor
            if (restored)
                restored();
        } else if (!aborted && end == 'b' && !leaderOrIntermediate) {
            // REP: repeat the last character ourselves, through libvterm's normal text path.
            flushTo(esc);
            flushFrom = next;
            long count = 0;
            for (size_t p = params; p < k && data[p] >= '0' && data[p] <= '9'; ++p)
                count = count * 10 + (data[p] - '0');
            count = std::clamp<long>(count, 1, std::max(1, cols));
            if (m_lastLen > 0) {
                QByteArray repeated;
                repeated.reserve(qsizetype(count) * m_lastLen);
                for (long n = 0; n < count; ++n)
                    repeated.append(m_last, m_lastLen);
                sink(repeated.constData(), size_t(repeated.size()));
            }
        }
        i = next;
    }
    if (m_state == State::String && stringStart != npos && len - stringStart <= MaxHeldString) {
        holdBack(stringStart);   // the string began right at the end of the chunk
        m_state = State::Ground;
    }
    flushTo(len);
}

} // namespace mist
