#include "searchindex.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

namespace mist {

namespace {

const QChar kSeparator = QLatin1Char('\n');

// The texts are valid UTF-16 (SearchFields::normalized() repairs them), so PCRE need not check
// them on every match: on the whole buffer that check would cost more than the search.
constexpr auto kTrustedText = QRegularExpression::DontCheckSubjectStringMatchOption;

// A pattern that matches inside one field also matches the joined row text when ^ and $ match
// at line breaks, unless it looks beyond the field: \A \z \Z \G, lookarounds and other (?...)
// groups, (*VERBS), possessive quantifiers. Those patterns skip the row-text prefilter.
bool canPrefilter(const QString &pattern)
{
    static const char *const risky[] = {"(?", "(*", "\\A", "\\z", "\\Z", "\\G", "*+", "++", "?+", "}+"};
    return std::none_of(
        std::begin(risky), std::end(risky), [&](const char *r) { return pattern.contains(QLatin1String(r)); });
}

// The first `c` in haystack[from, to), or -1. On little-endian machines memchr (much faster
// than QStringView::indexOf on short rows) looks for the character's low byte; the high byte
// is then checked, as are hits at odd byte offsets.
qsizetype findChar(QStringView haystack, QChar c, qsizetype from, qsizetype to)
{
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
    const auto low = uchar(c.unicode() & 0xff);
    if (low != 0) {
        const char *base = reinterpret_cast<const char *>(haystack.data());
        for (size_t at = size_t(from) * 2, end = size_t(to) * 2; at < end;) {
            const auto *hit = static_cast<const char *>(std::memchr(base + at, low, end - at));
            if (!hit)
                return -1;
            const size_t offset = size_t(hit - base);
            if (offset % 2 == 0 && haystack[qsizetype(offset / 2)] == c)
                return qsizetype(offset / 2);
            at = offset + 1;
        }
        return -1;
    }
#endif
    const qsizetype i = haystack.first(to).indexOf(c, from);
    return i;
}

// Substring search: a vectorized scan for one character of the needle (`anchor`), then a
// compare. Much faster than a general search on rows this short.
bool containsText(QStringView haystack, QStringView needle, qsizetype anchor)
{
    const qsizetype n = needle.size();
    if (n == 0)
        return true;
    const qsizetype end = haystack.size() - n + anchor + 1; // past the last possible anchor
    const QChar c = needle[anchor];
    for (qsizetype from = anchor; from < end;) {
        const qsizetype i = findChar(haystack, c, from, end);
        if (i < 0)
            return false;
        const QChar *start = haystack.data() + i - anchor;
        // Ends first: most false starts fail there, without a call.
        if (start[0] == needle[0] && start[n - 1] == needle[n - 1]
            && std::memcmp(start, needle.data(), size_t(n) * sizeof(QChar)) == 0)
            return true;
        from = i + 1;
    }
    return false;
}

template <typename Visit> void forEachCellText(const SearchFields &f, Visit visit)
{
    for (const QString *s :
        {&f.name, &f.state, &f.cloud, &f.provider, &f.kind, &f.id, &f.size, &f.image, &f.location, &f.os})
        visit(*s);
    for (const QString &ip : f.ips)
        visit(ip);
    for (auto it = f.tags.cbegin(); it != f.tags.cend(); ++it) {
        visit(it.key());
        visit(it.value());
    }
}

int fixedCell(SearchTerm::Field field)
{
    static_assert(int(SearchTerm::Field::Os) - int(SearchTerm::Field::Name) == 9, "one cell per fixed field");
    return int(field) - int(SearchTerm::Field::Name);
}

// Puts `count` items at `offset` (reusing the old place when they fit, else appending and
// counting the old place as wasted).
template <typename Buffer, typename Item>
void place(Buffer &buffer, qsizetype &offset, int &capacity, qsizetype &wasted, const Item *items, qsizetype count,
    Item filler)
{
    if (count > capacity) {
        wasted += capacity;
        offset = qsizetype(buffer.size());
        capacity = int(count);
        buffer.resize(decltype(buffer.size())(offset + count));
    }
    auto *out = buffer.data() + offset;
    std::copy(items, items + count, out);
    std::fill(out + count, out + capacity, filler);
}

} // namespace

// ---- StringPool ----------------------------------------------------------------------------

quint32 SearchIndex::StringPool::intern(const QString &text)
{
    const auto it = m_ids.constFind(text);
    if (it != m_ids.cend()) {
        ++m_refs[*it];
        return *it;
    }
    quint32 id;
    if (!m_free.empty()) {
        id = m_free.back();
        m_free.pop_back();
        m_texts[id] = text;
        m_refs[id] = 1;
    } else {
        id = quint32(m_texts.size());
        m_texts.push_back(text);
        m_refs.push_back(1);
    }
    m_ids.insert(text, id);
    return id;
}

quint32 SearchIndex::StringPool::intern(const QString &text, quint32 hint)
{
    // A plain memcmp: QString's operator== costs more than the short strings it compares.
    if (hint < m_texts.size() && m_refs[hint] > 0 && m_texts[hint].size() == text.size()
        && std::memcmp(m_texts[hint].constData(), text.constData(), size_t(text.size()) * sizeof(QChar)) == 0) {
        ++m_refs[hint];
        return hint;
    }
    return intern(text);
}

void SearchIndex::StringPool::reserve(qsizetype strings)
{
    m_ids.reserve(strings);
    m_texts.reserve(size_t(strings));
    m_refs.reserve(size_t(strings));
}

void SearchIndex::StringPool::release(quint32 id)
{
    if (--m_refs[id] > 0)
        return;
    m_ids.remove(m_texts[id]);
    m_texts[id] = QString();
    m_free.push_back(id);
}

int SearchIndex::StringPool::find(const QString &text) const
{
    return int(m_ids.value(text, quint32(-1)));
}

void SearchIndex::StringPool::clear()
{
    m_ids.clear();
    m_texts.clear();
    m_refs.clear();
    m_free.clear();
}

// ---- rows ----------------------------------------------------------------------------------

void SearchIndex::upsert(quintptr key, quintptr parentKey, const SearchFields &fields, Fields given)
{
    Q_ASSERT(key != 0);
    if (key == 0)
        return;
    const auto it = m_slots.constFind(key);
    const bool existed = it != m_slots.cend();
    const int slot = existed ? *it : allocateSlot(key);
    const int parent = resolveParent(slot, parentKey);
    if (existed)
        detach(slot); // takes the row's matches out of its old ancestors' counts
    SearchFields copy;
    if (given == Fields::Raw)
        copy = fields.normalized();
    const SearchFields &normalized = given == Fields::Raw ? copy : fields;
    Q_ASSERT_X(given == Fields::Raw
            || (SearchFields::normalizedText(fields.name) == fields.name
                && SearchFields::normalizedText(fields.state) == fields.state),
        "SearchIndex::upsert", "fields passed as Normalized are not");
    writeCells(slot, normalized);
    writeText(slot, normalized);
    if (m_active) {
        Row &row = m_rows[size_t(slot)];
        const bool match = m_query.matches(normalized);
        m_matchCount += int(match) - int(existed && row.match);
        row.match = match;
    }
    attach(slot, parent);
    compactIfWasteful();
}

void SearchIndex::remove(quintptr key)
{
    const int slot = m_slots.value(key, -1);
    if (slot < 0)
        return;
    m_slots.remove(key);
    detach(slot);
    Row &row = m_rows[size_t(slot)];
    if (row.childCount > 0) {
        // Children still there become top-level; their matches already left the ancestors.
        for (Row &other : m_rows) {
            if (other.parent == slot && other.key != 0)
                other.parent = -1;
        }
    }
    if (m_active && row.match)
        --m_matchCount;
    releaseCells(row);
    m_wastedCells += row.cellCapacity;
    m_wastedText += row.textCapacity;
    countChars(rowText(row), -1);
    row = Row{};
    m_freeSlots.push_back(slot);
    compactIfWasteful();
}

void SearchIndex::clear()
{
    m_rows.clear();
    m_freeSlots.clear();
    m_slots.clear();
    m_pool.clear();
    m_cells.clear();
    m_wastedCells = 0;
    m_text.clear();
    m_wastedText = 0;
    std::fill(m_charCounts.begin(), m_charCounts.end(), 0);
    m_hints.clear();
    m_matchCount = 0;
}

void SearchIndex::reserve(int rows)
{
    if (rows <= size())
        return;
    // Per row, from the rows already in or else a typical machine: ~16 cells and ~110
    // characters, and ~3 strings of its own (name, id, an IP). Pages reserved but never
    // written cost address space, not memory.
    const qsizetype live = size();
    const qsizetype cellsPerRow = live > 0 ? qsizetype(m_cells.size()) / live + 1 : 16;
    const qsizetype charsPerRow = live > 0 ? m_text.size() / live + 1 : 128;
    const qsizetype more = rows - live;
    m_rows.reserve(m_rows.size() + size_t(more));
    m_slots.reserve(rows);
    m_cells.reserve(m_cells.size() + size_t(more * cellsPerRow));
    m_text.reserve(m_text.size() + more * charsPerRow);
    m_pool.reserve(qsizetype(m_pool.capacity()) + 3 * more);
}

int SearchIndex::allocateSlot(quintptr key)
{
    int slot;
    if (!m_freeSlots.empty()) {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
    } else {
        slot = int(m_rows.size());
        m_rows.emplace_back();
    }
    m_rows[size_t(slot)] = Row{};
    m_rows[size_t(slot)].key = key;
    m_slots.insert(key, slot);
    return slot;
}

int SearchIndex::resolveParent(int slot, quintptr parentKey) const
{
    if (parentKey == 0)
        return -1;
    const int parent = m_slots.value(parentKey, -1);
    // A parent inside the row's own subtree would make a cycle: file the row at top level.
    for (int p = parent; p >= 0; p = m_rows[size_t(p)].parent) {
        if (p == slot)
            return -1;
    }
    return parent;
}

// Takes the row (and its subtree's matches) out of its parent.
void SearchIndex::detach(int slot)
{
    Row &row = m_rows[size_t(slot)];
    if (row.parent < 0)
        return;
    if (m_active)
        addToAncestors(slot, -(int(row.match) + row.matchesBelow));
    --m_rows[size_t(row.parent)].childCount;
    row.parent = -1;
}

void SearchIndex::attach(int slot, int parent)
{
    Row &row = m_rows[size_t(slot)];
    row.parent = parent;
    if (parent < 0)
        return;
    ++m_rows[size_t(parent)].childCount;
    if (m_active)
        addToAncestors(slot, int(row.match) + row.matchesBelow);
}

void SearchIndex::addToAncestors(int slot, int delta)
{
    if (delta == 0)
        return;
    for (int p = m_rows[size_t(slot)].parent; p >= 0; p = m_rows[size_t(p)].parent)
        m_rows[size_t(p)].matchesBelow += delta;
}

void SearchIndex::writeCells(int slot, const SearchFields &fields)
{
    m_scratchIds.clear();
    // Intern the new strings before releasing the old ones: unchanged strings keep their ids.
    // A cell most likely holds what it held before, else what the previous row had there.
    Row &row = m_rows[size_t(slot)];
    const quint32 *old = m_cells.data() + row.cellOffset;
    const size_t oldCount = row.cellCapacity > 0 ? size_t(row.cellCount()) : 0;
    size_t position = 0;
    forEachCellText(fields, [&](const QString &cell) {
        if (position == m_hints.size())
            m_hints.push_back(quint32(-1));
        const quint32 hint = position < oldCount ? old[position] : m_hints[position];
        const quint32 id = m_pool.intern(cell, hint);
        m_hints[position++] = id;
        m_scratchIds.push_back(id);
    });
    releaseCells(row);
    place(m_cells, row.cellOffset, row.cellCapacity, m_wastedCells, m_scratchIds.data(), qsizetype(m_scratchIds.size()),
        quint32(0));
    row.ipCount = int(fields.ips.size());
    row.tagCount = int(fields.tags.size());
}

void SearchIndex::releaseCells(const Row &row)
{
    if (row.cellCapacity == 0)
        return; // never written
    const quint32 *cells = m_cells.data() + row.cellOffset;
    for (int i = 0; i < row.cellCount(); ++i)
        m_pool.release(cells[i]);
}

// Writes the row's text in its place when it fits (the rest of the place is filled with
// separators, which never match a needle), else at the end of the buffer.
void SearchIndex::writeText(int slot, const SearchFields &fields)
{
    qsizetype length = 1;
    forEachCellText(fields, [&](const QString &cell) { length += cell.isEmpty() ? 0 : cell.size() + 1; });
    Row &row = m_rows[size_t(slot)];
    countChars(rowText(row), -1);
    if (length > row.textCapacity) {
        m_wastedText += row.textCapacity;
        row.textOffset = m_text.size();
        row.textCapacity = int(length);
        m_text.resize(m_text.size() + length); // grows geometrically (or into reserve())
    }
    row.textLength = int(length);
    QChar *const begin = m_text.data() + row.textOffset;
    QChar *out = begin;
    const auto put = [&](QChar c) { // copy and count in one pass
        if (c.unicode() < 128)
            ++m_charCounts[c.unicode()];
        *out++ = c;
    };
    put(kSeparator);
    forEachCellText(fields, [&](const QString &cell) {
        if (cell.isEmpty())
            return;
        for (QChar c : cell)
            put(c);
        put(kSeparator);
    });
    Q_ASSERT(out == begin + length);
    std::fill(out, begin + row.textCapacity, kSeparator);
}

void SearchIndex::countChars(QStringView text, int sign)
{
    for (QChar c : text) {
        if (c.unicode() < 128)
            m_charCounts[c.unicode()] += sign;
    }
}

// Characters beyond ASCII are taken as rare; separators never (a needle's are at its ends).
qsizetype SearchIndex::rarestChar(QStringView needle) const
{
    qsizetype best = -1;
    qint64 bestCount = 0;
    for (qsizetype i = 0; i < needle.size(); ++i) {
        const char16_t c = needle[i].unicode();
        if (c == kSeparator.unicode())
            continue;
        const qint64 count = c < 128 ? m_charCounts[c] : 0;
        if (best < 0 || count < bestCount) {
            best = i;
            bestCount = count;
        }
    }
    return std::max<qsizetype>(best, 0);
}

// Rows that grow move to the end of the buffers; rebuild them once half is garbage.
void SearchIndex::compactIfWasteful()
{
    const auto wasteful = [](qsizetype wasted, qsizetype total) { return wasted >= 4096 && wasted >= total / 2; };
    if (wasteful(m_wastedCells, qsizetype(m_cells.size()))) {
        std::vector<quint32> cells;
        cells.reserve(m_cells.size() - size_t(m_wastedCells));
        for (Row &row : m_rows) {
            if (row.key == 0)
                continue;
            const auto from = m_cells.cbegin() + row.cellOffset;
            row.cellOffset = qsizetype(cells.size());
            row.cellCapacity = row.cellCount();
            cells.insert(cells.end(), from, from + row.cellCount());
        }
        m_cells = std::move(cells);
        m_wastedCells = 0;
    }
    if (wasteful(m_wastedText, m_text.size())) {
        QString text;
        text.reserve(m_text.size() - m_wastedText);
        for (Row &row : m_rows) {
            if (row.key == 0)
                continue;
            const QStringView old = rowText(row);
            row.textOffset = text.size();
            row.textCapacity = row.textLength;
            text += old;
        }
        m_text = std::move(text);
        m_wastedText = 0;
    }
}

qsizetype SearchIndex::rowEnd(const Row &row)
{
    return row.textOffset + row.textLength;
}

QStringView SearchIndex::rowText(const Row &row) const
{
    return QStringView(m_text).mid(row.textOffset, row.textLength);
}

// ---- lookups -------------------------------------------------------------------------------

bool SearchIndex::isVisible(quintptr key) const
{
    const int slot = m_slots.value(key, -1);
    if (slot < 0)
        return false;
    const Row &row = m_rows[size_t(slot)];
    return !m_active || row.match || row.matchesBelow > 0;
}

bool SearchIndex::isMatch(quintptr key) const
{
    const int slot = m_slots.value(key, -1);
    return slot >= 0 && (!m_active || m_rows[size_t(slot)].match);
}

int SearchIndex::matchCount() const
{
    return m_active ? m_matchCount : size();
}

quintptr SearchIndex::parentKey(quintptr key) const
{
    const int slot = m_slots.value(key, -1);
    if (slot < 0 || m_rows[size_t(slot)].parent < 0)
        return 0;
    return m_rows[size_t(m_rows[size_t(slot)].parent)].key;
}

SearchFields SearchIndex::fields(quintptr key) const
{
    SearchFields f;
    const int slot = m_slots.value(key, -1);
    if (slot < 0)
        return f;
    const Row &row = m_rows[size_t(slot)];
    const quint32 *cells = m_cells.data() + row.cellOffset;
    const auto next = [&]() -> const QString & { return m_pool.text(*cells++); };
    for (QString *s : {&f.name, &f.state, &f.cloud, &f.provider, &f.kind, &f.id, &f.size, &f.image, &f.location, &f.os})
        *s = next();
    for (int i = 0; i < row.ipCount; ++i)
        f.ips.append(next());
    for (int i = 0; i < row.tagCount; ++i) {
        const QString &tagKey = next();
        f.tags.insert(tagKey, next());
    }
    return f;
}

// ---- queries -------------------------------------------------------------------------------

void SearchIndex::setQuery(const SearchQuery &query)
{
    // Narrow only from an up-to-date match set (kept while a query is active), and only when
    // few rows matched: the rows that survived a prefix are the slow ones to test again (they
    // hold the needle's letters), so re-testing most of the rows costs more than a fresh scan.
    m_narrowed
        = m_active && !query.isEmpty() && m_matchCount <= size() / kNarrowBelowFraction && query.refines(m_query);
    const auto visible = [this](const Row &row) { return !m_active || row.match || row.matchesBelow > 0; };
    std::vector<bool> wasVisible(m_rows.size());
    for (size_t i = 0; i < m_rows.size(); ++i)
        wasVisible[i] = visible(m_rows[i]);
    const auto countVisibilityChanges = [&] {
        m_visibilityChanges = 0;
        for (size_t i = 0; i < m_rows.size(); ++i)
            m_visibilityChanges += int(m_rows[i].key != 0 && wasVisible[i] != visible(m_rows[i]));
    };
    m_query = query;
    m_active = !query.isEmpty();
    prepareTerms();
    if (!m_active) {
        m_matchCount = 0;
        countVisibilityChanges();
        return;
    }
    const Slots candidates = m_narrowed ? matchedSlots() : liveSlots();
    const Slots matches = evaluate(m_query.root(), candidates);
    if (m_narrowed)
        applyNarrowedResult(candidates, matches);
    else
        applyFullResult(matches);
    m_matchCount = int(matches.size());
    countVisibilityChanges();
}

void SearchIndex::prepareTerms()
{
    m_prepared.clear();
    m_prepared.reserve(size_t(m_query.terms().size()));
    for (const SearchTerm &term : m_query.terms()) {
        PreparedTerm p;
        p.term = &term;
        const bool regex = term.mode == SearchTerm::Mode::Regex;
        p.never = !regex && term.value.contains(kSeparator);
        // Names, ids and IPs are nearly all distinct, so testing each one costs as much as a
        // text scan: let the scan weed out the rows first. Other fields repeat a few values.
        const bool scanText = term.field == SearchTerm::Field::Any || term.field == SearchTerm::Field::Name
            || term.field == SearchTerm::Field::Id || term.field == SearchTerm::Field::Ip;
        if (scanText && !regex) {
            p.useText = term.field == SearchTerm::Field::Any;
            const bool exact = term.mode == SearchTerm::Mode::Exact;
            p.needle = exact ? kSeparator + term.value + kSeparator : term.value;
            p.anchor = rarestChar(p.needle);
        } else if (term.field == SearchTerm::Field::Any && canPrefilter(term.value)) {
            p.prefilterRegex = true;
            p.multiline = QRegularExpression(
                term.value, QRegularExpression::CaseInsensitiveOption | QRegularExpression::MultilineOption);
        } else if (term.field == SearchTerm::Field::TagValue || (term.field == SearchTerm::Field::TagKey && !regex)) {
            p.keyId = m_pool.find(term.field == SearchTerm::Field::TagValue ? term.tagKey : term.value);
            p.never = p.never || p.keyId < 0;
        }
        m_prepared.push_back(std::move(p));
    }
}

SearchIndex::Slots SearchIndex::liveSlots() const
{
    Slots out;
    out.reserve(m_slots.size());
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].key != 0)
            out.push_back(int(i));
    }
    return out;
}

SearchIndex::Slots SearchIndex::matchedSlots() const
{
    Slots out;
    out.reserve(size_t(m_matchCount));
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].key != 0 && m_rows[i].match)
            out.push_back(int(i));
    }
    return out;
}

// The candidates that match `node`. AND narrows the candidates child by child, OR only tests
// what earlier children did not take, so each row meets the fewest term tests.
SearchIndex::Slots SearchIndex::evaluate(int node, const Slots &candidates) const
{
    const SearchNode &n = m_query.nodes().at(node);
    switch (n.op) {
    case SearchNode::Op::Term:
        return evaluateTerm(m_prepared[size_t(n.term)], candidates);
    case SearchNode::Op::And: {
        Slots left = candidates;
        for (int child : n.children) {
            if (left.empty())
                break;
            left = evaluate(child, left);
        }
        return left;
    }
    case SearchNode::Op::Or: {
        Slots taken;
        Slots rest = candidates;
        for (int child : n.children) {
            if (rest.empty())
                break;
            const Slots hits = evaluate(child, rest);
            Slots merged, remaining;
            std::set_union(taken.cbegin(), taken.cend(), hits.cbegin(), hits.cend(), std::back_inserter(merged));
            std::set_difference(rest.cbegin(), rest.cend(), hits.cbegin(), hits.cend(), std::back_inserter(remaining));
            taken = std::move(merged);
            rest = std::move(remaining);
        }
        return taken;
    }
    case SearchNode::Op::Not: {
        const Slots hits = evaluate(n.children.constFirst(), candidates);
        Slots out;
        std::set_difference(
            candidates.cbegin(), candidates.cend(), hits.cbegin(), hits.cend(), std::back_inserter(out));
        return out;
    }
    }
    return {};
}

SearchIndex::Slots SearchIndex::evaluateTerm(const PreparedTerm &term, const Slots &candidates) const
{
    Slots out;
    if (term.never)
        return out;
    // Per string id: -1 not tested yet, else the answer. A state or cloud is tested once.
    std::vector<qint8> memo;
    if (!term.useText)
        memo.assign(m_pool.capacity(), -1);
    if (term.prefilterRegex && qsizetype(candidates.size()) * 4 >= m_slots.size()) {
        for (int slot : rowsWhoseTextMatches(term.multiline, candidates)) {
            if (cellsMatch(term, m_rows[size_t(slot)], memo))
                out.push_back(slot);
        }
        return out;
    }
    for (int slot : candidates) {
        if (rowMatchesTerm(term, m_rows[size_t(slot)], memo))
            out.push_back(slot);
    }
    return out;
}

// The candidates whose row text `regex` matches, with one scan over the whole text buffer
// instead of one match per row: PCRE skips ahead on its own, only hits cost a match object.
// Row texts start and end with a separator, so ^ and $ (multiline) behave as in a lone row.
SearchIndex::Slots SearchIndex::rowsWhoseTextMatches(const QRegularExpression &regex, const Slots &candidates) const
{
    const auto byOffset = [this](int a, int b) { return m_rows[size_t(a)].textOffset < m_rows[size_t(b)].textOffset; };
    Slots rows = candidates;
    if (!std::is_sorted(rows.cbegin(), rows.cend(), byOffset)) // sorted unless rows grew
        std::sort(rows.begin(), rows.end(), byOffset);
    Slots hits;
    for (size_t next = 0; next < rows.size();) {
        const QRegularExpressionMatch match
            = regex.match(m_text, m_rows[size_t(rows[next])].textOffset, QRegularExpression::NormalMatch, kTrustedText);
        if (!match.hasMatch())
            break;
        const qsizetype at = match.capturedStart();
        while (next < rows.size() && rowEnd(m_rows[size_t(rows[next])]) <= at)
            ++next;
        // A hit between candidate rows (another row, a wasted place) just moves the search on.
        if (next < rows.size() && at >= m_rows[size_t(rows[next])].textOffset)
            hits.push_back(rows[next++]);
    }
    std::sort(hits.begin(), hits.end());
    return hits;
}

bool SearchIndex::rowMatchesTerm(const PreparedTerm &term, const Row &row, std::vector<qint8> &memo) const
{
    if (!term.needle.isEmpty() && !containsText(rowText(row), term.needle, term.anchor))
        return false;
    if (term.useText)
        return true;
    // The joined text can only say "no" for sure; a regex "yes" may span two fields.
    if (term.prefilterRegex
        && !term.multiline.match(rowText(row), 0, QRegularExpression::NormalMatch, kTrustedText).hasMatch())
        return false;
    return cellsMatch(term, row, memo);
}

// SearchTerm::matches() on the row's string ids.
bool SearchIndex::cellsMatch(const PreparedTerm &prepared, const Row &row, std::vector<qint8> &memo) const
{
    const SearchTerm &term = *prepared.term;
    const quint32 *cells = m_cells.data() + row.cellOffset;
    const int firstTag = kFixedCells + row.ipCount;
    const int end = row.cellCount();
    const auto test = [&](quint32 id) {
        qint8 &known = memo[id];
        if (known < 0)
            known = term.matchesText(m_pool.text(id)) ? 1 : 0;
        return known == 1;
    };
    const auto anyCell = [&](int from, int to, int step) {
        for (int i = from; i < to; i += step) {
            if (test(cells[i]))
                return true;
        }
        return false;
    };
    switch (term.field) {
    case SearchTerm::Field::Any:
        return anyCell(0, end, 1);
    case SearchTerm::Field::Ip:
        return anyCell(kFixedCells, firstTag, 1);
    case SearchTerm::Field::TagKey:
        if (term.mode == SearchTerm::Mode::Regex)
            return anyCell(firstTag, end, 2);
        for (int i = firstTag; i < end; i += 2) {
            if (cells[i] == quint32(prepared.keyId))
                return true;
        }
        return false;
    case SearchTerm::Field::TagValue:
        for (int i = firstTag; i < end; i += 2) {
            if (cells[i] == quint32(prepared.keyId))
                return test(cells[i + 1]);
        }
        return false;
    default:
        return test(cells[fixedCell(term.field)]);
    }
}

void SearchIndex::applyFullResult(const Slots &matches)
{
    for (Row &row : m_rows) {
        row.match = false;
        row.matchesBelow = 0;
    }
    for (int slot : matches)
        m_rows[size_t(slot)].match = true;
    for (int slot : matches)
        addToAncestors(slot, 1);
}

// Only rows that matched before were tested: those that no longer match leave their ancestors.
void SearchIndex::applyNarrowedResult(const Slots &candidates, const Slots &matches)
{
    Slots lost;
    std::set_difference(
        candidates.cbegin(), candidates.cend(), matches.cbegin(), matches.cend(), std::back_inserter(lost));
    for (int slot : lost) {
        m_rows[size_t(slot)].match = false;
        addToAncestors(slot, -1);
    }
}

} // namespace mist
