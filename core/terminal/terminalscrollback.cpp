#include "terminalscrollback.h"

#include <algorithm>

namespace mist {

TerminalScrollback::TerminalScrollback(int capacity)
    : m_capacity(std::max(0, capacity))
{
}

void TerminalScrollback::setCapacity(int capacity)
{
    capacity = std::max(0, capacity);
    linearize();
    if (m_size > capacity) {
        const int drop = m_size - capacity;
        m_lines.erase(m_lines.begin(), m_lines.begin() + drop);
        m_size = capacity;
        m_dropped += quint64(drop);
    }
    if (int(m_lines.size()) > capacity) {
        m_lines.resize(size_t(capacity));
        m_lines.shrink_to_fit();
    }
    m_capacity = capacity;
}

const std::vector<TerminalCell> &TerminalScrollback::line(int index) const
{
    Q_ASSERT(index >= 0 && index < m_size);
    return m_lines[size_t(slot(index))];
}

void TerminalScrollback::push(const TerminalCell *cells, int count)
{
    if (m_capacity == 0) {
        ++m_dropped;
        return;
    }
    if (m_size == m_capacity) {
        // Full: the oldest line's storage becomes the newest line.
        std::vector<TerminalCell> &reuse = m_lines[m_head];
        reuse.assign(cells, cells + count);
        m_head = (m_head + 1) % m_lines.size();
        ++m_dropped;
        return;
    }
    if (m_size == int(m_lines.size())) {
        linearize();
        m_lines.emplace_back(cells, cells + count);
    } else {
        m_lines[size_t(slot(m_size))].assign(cells, cells + count);
    }
    ++m_size;
}

bool TerminalScrollback::popNewest(std::vector<TerminalCell> &out)
{
    if (m_size == 0)
        return false;
    out.swap(m_lines[size_t(slot(m_size - 1))]);
    --m_size;
    return true;
}

void TerminalScrollback::clear()
{
    m_dropped += quint64(m_size);
    m_lines.clear();
    m_lines.shrink_to_fit();
    m_head = 0;
    m_size = 0;
}

void TerminalScrollback::linearize()
{
    if (m_head != 0) {
        std::rotate(m_lines.begin(), m_lines.begin() + ptrdiff_t(m_head), m_lines.end());
        m_head = 0;
    }
}

} // namespace mist
