#pragma once

#include "search/searchfields.h"
#include "util/result.h"

#include <QRegularExpression>
#include <QString>
#include <QStringView>
#include <QVector>

namespace mist {

// One leaf of a query: "where" (field) and "how" (mode) a value must match.
struct SearchTerm
{
    enum class Field : quint8 {
        Any,        // plain word, "quoted words", /regex/: every field, IP, tag key and tag value
        Name, State, Cloud, Provider, Kind, Id, Size, Image, Location, Os,
        Ip,         // any public or private IP
        TagKey,     // tag:key (Exact) or tag:/regex/ (Regex): the row has such a tag key
        TagValue,   // key:value or tag:key=value: tag `tagKey` exists and its value matches
    };
    enum class Mode : quint8 {
        Substring,  // case-insensitive "contains"
        Exact,      // case-insensitive whole-field equality
        Regex,      // QRegularExpression search, case-insensitive
    };

    Field field = Field::Any;
    Mode mode = Mode::Substring;
    QString tagKey;             // TagValue only; normalized
    QString value;              // normalized text; for Regex the pattern as typed
    QRegularExpression regex;   // Regex only

    // `fields` must be normalized (SearchFields::normalized()).
    bool matches(const SearchFields &fields) const;
    bool matchesText(QStringView text) const;
    // Every row matching this term also matches `other` (used to narrow while typing).
    bool implies(const SearchTerm &other) const;
    QString describe() const;
};

// A node of the parsed query tree. And/Or have two or more children (nested ones are
// flattened), Not has one; double negations are removed.
struct SearchNode
{
    enum class Op : quint8 { Term, And, Or, Not };
    Op op = Op::Term;
    int term = -1;              // Term: index into SearchQuery::terms()
    QVector<int> children;      // indexes into SearchQuery::nodes()
};

// A parsed search in Mist's search syntax (see parse()). Cheap to copy; immutable.
class SearchQuery
{
public:
    SearchQuery() = default;    // the empty query: matches everything

    // Words are ANDed; AND / OR (uppercase; OR binds weaker) and parentheses combine them;
    // NOT term or -term negates. field:value (name state cloud provider kind ip size image
    // location os id) matches one field, tag:key has the tag, tag:key=value has it with that
    // exact value, any other key:value is tag `key` whose value contains value. "quoted" is an
    // exact whole-field match, /regex/ a regular expression; both work after field: too.
    // Everything is case-insensitive. Bad input gives an Error saying what and where.
    static Result<SearchQuery> parse(const QString &text);

    bool isEmpty() const { return m_root < 0; }
    QString text() const { return m_text; }

    bool matches(const SearchFields &lowercasedFields) const;

    // True when every row matching this query matches `previous` too, known from the terms
    // alone: this query is an AND of conditions and each term of `previous` (an AND of positive
    // terms) is implied by one of them — same field, same tag key, and this value contains the
    // previous one ("web" -> "web-1", "web" -> "web state:running"). An empty `previous`
    // matches everything, so any query refines it.
    bool refines(const SearchQuery &previous) const;

    // The tree as an S-expression, e.g. (AND any~"web" (NOT state="running")); (ALL) if empty.
    QString describe() const;

    // The parsed tree, for SearchIndex's bulk evaluation. root() is -1 for the empty query.
    int root() const { return m_root; }
    const QVector<SearchNode> &nodes() const { return m_nodes; }
    const QVector<SearchTerm> &terms() const { return m_terms; }

private:
    SearchQuery(QString text, QVector<SearchNode> nodes, QVector<SearchTerm> terms, int root);

    bool matchesNode(int node, const SearchFields &fields) const;
    QString describeNode(int node) const;
    // The top-level AND's members (or the root alone).
    QVector<int> conjuncts() const;

    QString m_text;
    QVector<SearchNode> m_nodes;
    QVector<SearchTerm> m_terms;
    int m_root = -1;
};

} // namespace mist
