#pragma once

#include "terminal/terminaltypes.h"

#include <vector>

namespace mist {

// The lines that scrolled off the top of the primary screen, oldest first, in a ring of at
// most capacity() lines. Lines are stored without their trailing blank cells; once the ring is
// full a push reuses the oldest line's storage (no allocation per line in steady state).
class TerminalScrollback
{
public:
    explicit TerminalScrollback(int capacity);

    int capacity() const { return m_capacity; }
    // Drops the oldest lines that no longer fit.
    void setCapacity(int capacity);

    int size() const { return m_size; }
    // Lines lost at the front since creation (each one shifts the unified line numbers by one).
    quint64 dropped() const { return m_dropped; }

    const std::vector<TerminalCell> &line(int index) const;   // 0 = oldest
    void push(const TerminalCell *cells, int count);
    // Moves the newest line into `out` (for libvterm's sb_popline); false when empty.
    bool popNewest(std::vector<TerminalCell> &out);
    void clear();

private:
    int slot(int index) const { return int((m_head + index) % m_lines.size()); }
    void linearize();

    std::vector<std::vector<TerminalCell>> m_lines;
    size_t m_head = 0;   // slot of the oldest line
    int m_size = 0;
    int m_capacity = 0;
    quint64 m_dropped = 0;
};

} // namespace mist
