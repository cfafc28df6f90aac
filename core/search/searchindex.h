#pragma once

#include "search/searchfields.h"
#include "search/searchquery.h"

#include <QHash>
#include <QRegularExpression>
#include <QString>
#include <QStringView>

#include <vector>

namespace mist {

// Precomputed search state for a tree of rows (clouds > machines > children), so a filter
// proxy only asks isVisible(key) per row: QSortFilterProxyModel's recursive filtering is too
// slow at 100k rows. Rows are keyed by a non-zero quintptr (the model uses node pointers).
//
// Tree rules:
//  * parentKey 0 means top level. A parentKey that is not in the index (or that would make a
//    cycle) also files the row at top level; it is not remembered, so upsert the row again
//    once its parent is there. Upsert parents before their children.
//  * remove() removes one row. Callers remove children first; children still there when
//    their parent goes become top-level rows (parentKey() then returns 0).
//
// With a query set, upsert/remove update the row's match and its ancestors' counts of
// matching descendants incrementally (walking up the parent chain), never rescanning.
// Not thread-safe: use it from one thread (the model's).
class SearchIndex
{
public:
    // Whether upsert() still has to apply SearchFields::normalized(). machineSearchFields() and
    // cloudSearchFields() return normalized fields; passing Normalized for anything else breaks
    // matching (and regular expressions trust the texts to be valid UTF-16).
    enum class Fields { Raw, Normalized };

    void upsert(quintptr key, quintptr parentKey, const SearchFields &fields, Fields given = Fields::Raw);
    void remove(quintptr key);
    // Removes every row; keeps the query (the next upserts are matched against it).
    void clear();
    // Makes room for `rows` rows in total, for a bulk load (a model reset): the row table, the
    // key map, the string pool and the text/cell buffers then grow once instead of by doubling.
    void reserve(int rows);

    // Matches every row against `query`. While the user types more letters (the new query
    // refines() the current one) and at most a third of the rows matched, only the rows that
    // matched before are tested again.
    void setQuery(const SearchQuery &query);
    const SearchQuery &query() const { return m_query; }

    // The row matches or has a matching descendant; every row is visible with an empty query.
    // Unknown keys are not visible.
    bool isVisible(quintptr key) const;
    // The row itself matches (every row does with an empty query).
    bool isMatch(quintptr key) const;
    int matchCount() const;
    int size() const { return int(m_slots.size()); }

    bool contains(quintptr key) const { return m_slots.contains(key); }
    quintptr parentKey(quintptr key) const;
    // The row's fields as stored (normalized); empty fields for an unknown key.
    SearchFields fields(quintptr key) const;
    // The last setQuery() only re-tested the previous matches (for tests and benchmarks).
    bool lastQueryWasNarrowed() const { return m_narrowed; }
    // How many rows the last setQuery() showed or hid (isVisible() changed): a filter proxy
    // can tell a small re-filter (row signals) from a sweeping one (one layout change).
    int lastQueryVisibilityChanges() const { return m_visibilityChanges; }

private:
    static constexpr int kNarrowBelowFraction = 3;   // narrow when <= 1/3 of the rows matched
    static constexpr int kFixedCells = 10;   // name, state, cloud, provider, kind, id, size, image, location, os

    // Interned strings with reference counts: rows hold ids, so a field term is tested once
    // per distinct value (a few states and clouds) and rows are read from contiguous memory.
    class StringPool
    {
    public:
        quint32 intern(const QString &text);
        // intern(), trying `hint` (an id that held the same field in a previous row) first:
        // a compare instead of a hash lookup for the fields most rows share.
        quint32 intern(const QString &text, quint32 hint);
        void reserve(qsizetype strings);
        void release(quint32 id);
        int find(const QString &text) const;   // -1 if no row has it
        const QString &text(quint32 id) const { return m_texts[id]; }
        size_t capacity() const { return m_texts.size(); }
        void clear();

    private:
        QHash<QString, quint32> m_ids;
        std::vector<QString> m_texts;
        std::vector<quint32> m_refs;
        std::vector<quint32> m_free;
    };

    struct Row
    {
        quintptr key = 0;       // 0: a free slot
        int parent = -1;        // slot of the parent, -1 at top level
        int childCount = 0;
        int matchesBelow = 0;   // matching descendants; kept only while a query is set
        bool match = false;     // kept only while a query is set
        qsizetype textOffset = 0;
        int textLength = 0;
        int textCapacity = 0;
        qsizetype cellOffset = 0;
        int cellCapacity = 0;
        int ipCount = 0;
        int tagCount = 0;

        int cellCount() const { return kFixedCells + ipCount + 2 * tagCount; }
    };

    // A term ready for the bulk scan.
    struct PreparedTerm
    {
        const SearchTerm *term = nullptr;
        bool never = false;          // no row can match (a value with a line break, an unknown tag key)
        bool useText = false;        // free-text substring/exact: `needle` in the row text decides
        QString needle;              // the row text must contain it (Any, and Name/Id/Ip: a prefilter)
        qsizetype anchor = 0;        // the needle character to scan for (not a separator)
        bool prefilterRegex = false; // free-text regex: try `multiline` on the row text first
        QRegularExpression multiline;
        int keyId = -1;              // TagValue's key, TagKey's exact key
    };

    using Slots = std::vector<int>;   // ascending slot numbers

    int allocateSlot(quintptr key);
    int resolveParent(int slot, quintptr parentKey) const;
    void detach(int slot);
    void attach(int slot, int parent);
    void addToAncestors(int slot, int delta);
    void writeCells(int slot, const SearchFields &fields);
    void releaseCells(const Row &row);
    void writeText(int slot, const SearchFields &fields);
    void countChars(QStringView text, int sign);
    qsizetype rarestChar(QStringView needle) const;
    void compactIfWasteful();

    void prepareTerms();
    Slots liveSlots() const;
    Slots matchedSlots() const;
    Slots evaluate(int node, const Slots &candidates) const;
    Slots evaluateTerm(const PreparedTerm &term, const Slots &candidates) const;
    Slots rowsWhoseTextMatches(const QRegularExpression &regex, const Slots &candidates) const;
    bool rowMatchesTerm(const PreparedTerm &term, const Row &row, std::vector<qint8> &memo) const;
    bool cellsMatch(const PreparedTerm &term, const Row &row, std::vector<qint8> &memo) const;
    QStringView rowText(const Row &row) const;
    static qsizetype rowEnd(const Row &row);
    void applyFullResult(const Slots &matches);
    void applyNarrowedResult(const Slots &candidates, const Slots &matches);

    std::vector<Row> m_rows;
    std::vector<int> m_freeSlots;
    QHash<quintptr, int> m_slots;   // key -> slot
    StringPool m_pool;
    // Each row's string ids, in order: the kFixedCells fields, its IPs, its tags' key, value.
    std::vector<quint32> m_cells;
    qsizetype m_wastedCells = 0;
    // Each row's non-empty fields lowercased and joined as "\nname\nstate\n...\ntagkey\ntagvalue\n":
    // one contiguous substring search per row finds a word in any field, "\nword\n" an exact one.
    QString m_text;
    qsizetype m_wastedText = 0;
    // The row's new string ids, reused by every upsert (no allocation per row once warm).
    std::vector<quint32> m_scratchIds;
    // The string id each cell position got last time: most rows share states, clouds, tag keys.
    std::vector<quint32> m_hints;
    // How often each ASCII character occurs in the rows' texts: a search scans for the
    // needle's rarest character ("b" in "web"), so fewer false starts need a compare.
    std::vector<qint64> m_charCounts = std::vector<qint64>(128, 0);

    SearchQuery m_query;
    bool m_active = false;                 // a non-empty query is set
    std::vector<PreparedTerm> m_prepared;  // by term index of m_query
    int m_matchCount = 0;
    bool m_narrowed = false;
    int m_visibilityChanges = 0;
};

} // namespace mist
