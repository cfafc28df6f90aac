#include "searchquery.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>
#include <optional>
#include <utility>

namespace mist {

namespace {

// Deeper nesting is certainly not typed by hand; the limit keeps recursion off the stack's edge.
constexpr int kMaxDepth = 64;

// Positions in messages count characters from 1, as people do.
QString at(qsizetype index)
{
    return QString::number(index + 1);
}

struct Token
{
    enum class Type : quint8 { Term, And, Or, Not, Open, Close, End };
    Type type = Type::End;
    qsizetype pos = 0;
    QString text; // as typed, for messages ("NOT" or "-", "AND", "OR")
    int term = -1; // Term: index into the term list
};

bool isBoundary(QChar c)
{
    return c.isSpace() || c == QLatin1Char('(') || c == QLatin1Char(')');
}

// Characters of a field name or tag key written before ':' ("env", "kubernetes.io/role").
bool isKeyChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.')
        || c == QLatin1Char('/');
}

std::optional<SearchTerm::Field> fieldFromName(const QString &name)
{
    using F = SearchTerm::Field;
    static const QHash<QString, F> fields{
        {QStringLiteral("name"), F::Name},
        {QStringLiteral("state"), F::State},
        {QStringLiteral("cloud"), F::Cloud},
        {QStringLiteral("provider"), F::Provider},
        {QStringLiteral("kind"), F::Kind},
        {QStringLiteral("id"), F::Id},
        {QStringLiteral("size"), F::Size},
        {QStringLiteral("image"), F::Image},
        {QStringLiteral("location"), F::Location},
        {QStringLiteral("os"), F::Os},
        {QStringLiteral("ip"), F::Ip},
    };
    const auto it = fields.constFind(name);
    if (it == fields.cend())
        return std::nullopt;
    return *it;
}

QString fieldName(SearchTerm::Field field)
{
    using F = SearchTerm::Field;
    switch (field) {
    case F::Any:
        return QStringLiteral("any");
    case F::Name:
        return QStringLiteral("name");
    case F::State:
        return QStringLiteral("state");
    case F::Cloud:
        return QStringLiteral("cloud");
    case F::Provider:
        return QStringLiteral("provider");
    case F::Kind:
        return QStringLiteral("kind");
    case F::Id:
        return QStringLiteral("id");
    case F::Size:
        return QStringLiteral("size");
    case F::Image:
        return QStringLiteral("image");
    case F::Location:
        return QStringLiteral("location");
    case F::Os:
        return QStringLiteral("os");
    case F::Ip:
        return QStringLiteral("ip");
    case F::TagKey:
        return QStringLiteral("has-tag");
    case F::TagValue:
        return QStringLiteral("tag");
    }
    return {};
}

// A value after "field:" or a free-standing quoted/regex term.
struct Value
{
    SearchTerm::Mode mode = SearchTerm::Mode::Substring;
    QString text;
    QRegularExpression regex;
    qsizetype pos = 0;
    qsizetype end = 0; // one past the value
};

// Splits the text into tokens, building the terms on the way.
class Lexer
{
    Q_DECLARE_TR_FUNCTIONS(SearchQuery)

public:
    explicit Lexer(const QString &text)
        : m_s(text)
    {
    }

    std::optional<Error> run()
    {
        qsizetype i = 0;
        while (!m_error) {
            while (i < m_s.size() && m_s.at(i).isSpace())
                ++i;
            if (i >= m_s.size())
                break;
            i = lexOne(i);
        }
        m_tokens.append({Token::Type::End, m_s.size(), {}, -1});
        return m_error;
    }

    QVector<Token> tokens() const { return m_tokens; }
    QVector<SearchTerm> terms() const { return m_terms; }

private:
    qsizetype lexOne(qsizetype i)
    {
        const QChar c = m_s.at(i);
        if (c == QLatin1Char('(') || c == QLatin1Char(')')) {
            m_tokens.append({c == QLatin1Char('(') ? Token::Type::Open : Token::Type::Close, i, c, -1});
            return i + 1;
        }
        // "-word" and "-(...)" negate; a lone "-" is just a word.
        const bool negates = i + 1 < m_s.size() && !m_s.at(i + 1).isSpace() && m_s.at(i + 1) != QLatin1Char(')');
        if (c == QLatin1Char('-') && negates) {
            m_tokens.append({Token::Type::Not, i, QStringLiteral("-"), -1});
            return i + 1;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('/')) {
            const auto value = scanValue(i, false);
            if (!value)
                return m_s.size();
            addTerm(i, SearchTerm::Field::Any, {}, *value);
            return value->end;
        }
        return lexWord(i);
    }

    qsizetype lexWord(qsizetype i)
    {
        qsizetype k = i;
        while (k < m_s.size() && isKeyChar(m_s.at(k)))
            ++k;
        // "key:value", but not "fe80::1" (IPv6) or ":x".
        const bool isField = k > i && k < m_s.size() && m_s.at(k) == QLatin1Char(':')
            && !(k + 1 < m_s.size() && m_s.at(k + 1) == QLatin1Char(':'));
        if (isField)
            return lexField(i, k);
        k = i;
        while (k < m_s.size() && !isBoundary(m_s.at(k)) && m_s.at(k) != QLatin1Char('"'))
            ++k;
        const QString word = m_s.mid(i, k - i);
        if (word == QLatin1String("AND"))
            m_tokens.append({Token::Type::And, i, word, -1});
        else if (word == QLatin1String("OR"))
            m_tokens.append({Token::Type::Or, i, word, -1});
        else if (word == QLatin1String("NOT"))
            m_tokens.append({Token::Type::Not, i, word, -1});
        else
            addTerm(i, SearchTerm::Field::Any, {}, Value{SearchTerm::Mode::Substring, word, {}, i, k});
        return k;
    }

    // `colon` is the index of the ':' after the name starting at `start`.
    qsizetype lexField(qsizetype start, qsizetype colon)
    {
        const QString name = m_s.mid(start, colon - start);
        const qsizetype v = colon + 1;
        if (v >= m_s.size() || isBoundary(m_s.at(v))) {
            fail(tr("\"%1:\" at position %2 needs a value after the colon.").arg(name, at(start)));
            return m_s.size();
        }
        const QString lower = SearchFields::normalizedText(name);
        if (lower == QLatin1String("tag"))
            return lexTag(start, v);
        const auto value = scanValue(v, false);
        if (!value)
            return m_s.size();
        if (lower == QLatin1String("namespace") || lower == QLatin1String("ns")) {
            // Kubernetes namespaces live in the location as "ns/<namespace>" (contracts).
            Value inLocation = *value;
            if (inLocation.mode != SearchTerm::Mode::Regex)
                inLocation.text.prepend(QStringLiteral("ns/"));
            addTerm(start, SearchTerm::Field::Location, {}, inLocation);
        } else if (const auto field = fieldFromName(lower))
            addTerm(start, *field, {}, *value);
        else
            addTerm(start, SearchTerm::Field::TagValue, lower, *value);
        return value->end;
    }

    // tag:key, tag:"key", tag:/regex/, tag:key=value (value bare or quoted: exact; or /regex/).
    qsizetype lexTag(qsizetype start, qsizetype v)
    {
        const auto key = scanValue(v, true);
        if (!key)
            return m_s.size();
        if (key->text.isEmpty()) {
            fail(tr("\"tag:\" at position %1 needs a tag key, as in tag:env or tag:env=prod.").arg(at(start)));
            return m_s.size();
        }
        const bool hasValue
            = key->mode != SearchTerm::Mode::Regex && key->end < m_s.size() && m_s.at(key->end) == QLatin1Char('=');
        if (!hasValue) {
            Value keyValue = *key;
            if (keyValue.mode == SearchTerm::Mode::Substring)
                keyValue.mode = SearchTerm::Mode::Exact; // tag:env means "has the tag env"
            addTerm(start, SearchTerm::Field::TagKey, {}, keyValue);
            return key->end;
        }
        const qsizetype eq = key->end;
        if (eq + 1 >= m_s.size() || isBoundary(m_s.at(eq + 1))) {
            fail(tr("\"tag:%1=\" at position %2 needs a value after the equals sign.").arg(key->text, at(start)));
            return m_s.size();
        }
        auto value = scanValue(eq + 1, false);
        if (!value)
            return m_s.size();
        if (value->mode == SearchTerm::Mode::Substring)
            value->mode = SearchTerm::Mode::Exact; // tag:key=value means that very value
        addTerm(start, SearchTerm::Field::TagValue, SearchFields::normalizedText(key->text), *value);
        return value->end;
    }

    std::optional<Value> scanValue(qsizetype p, bool stopAtEquals)
    {
        const QChar c = m_s.at(p);
        std::optional<Value> value;
        if (c == QLatin1Char('"'))
            value = scanQuoted(p);
        else if (c == QLatin1Char('/'))
            value = scanRegex(p);
        else
            return scanBare(p, stopAtEquals);
        if (!value)
            return value;
        // `"a"b` or `/a/b` is most likely a typo (a path?): say so rather than guess.
        const qsizetype e = value->end;
        const bool equalsAllowed = stopAtEquals && value->mode != SearchTerm::Mode::Regex;
        if (e < m_s.size() && !isBoundary(m_s.at(e)) && !(equalsAllowed && m_s.at(e) == QLatin1Char('='))) {
            fail(tr("Unexpected text at position %1: put a space after the closing %2.")
                     .arg(at(e), value->mode == SearchTerm::Mode::Regex ? QStringLiteral("/") : QStringLiteral("\"")));
            return std::nullopt;
        }
        return value;
    }

    Value scanBare(qsizetype p, bool stopAtEquals) const
    {
        qsizetype k = p;
        while (k < m_s.size() && !isBoundary(m_s.at(k)) && m_s.at(k) != QLatin1Char('"')
            && !(stopAtEquals && m_s.at(k) == QLatin1Char('=')))
            ++k;
        return Value{SearchTerm::Mode::Substring, m_s.mid(p, k - p), {}, p, k};
    }

    std::optional<Value> scanQuoted(qsizetype p)
    {
        const qsizetype close = m_s.indexOf(QLatin1Char('"'), p + 1);
        if (close < 0) {
            fail(tr("The quote at position %1 is never closed.").arg(at(p)));
            return std::nullopt;
        }
        if (close == p + 1) {
            fail(tr("Empty quotes at position %1: put the exact text between them.").arg(at(p)));
            return std::nullopt;
        }
        return Value{SearchTerm::Mode::Exact, m_s.mid(p + 1, close - p - 1), {}, p, close + 1};
    }

    std::optional<Value> scanRegex(qsizetype p)
    {
        qsizetype k = p + 1;
        while (k < m_s.size() && m_s.at(k) != QLatin1Char('/'))
            k += m_s.at(k) == QLatin1Char('\\') ? 2 : 1;
        if (k >= m_s.size()) {
            fail(tr("The regular expression starting at position %1 has no closing /.").arg(at(p)));
            return std::nullopt;
        }
        const QString pattern = m_s.mid(p + 1, k - p - 1);
        if (pattern.isEmpty()) {
            fail(tr("Empty regular expression at position %1.").arg(at(p)));
            return std::nullopt;
        }
        QRegularExpression regex(pattern, QRegularExpression::CaseInsensitiveOption);
        if (!regex.isValid()) {
            fail(tr("The regular expression at position %1 is not valid.").arg(at(p + 1 + regex.patternErrorOffset())),
                regex.errorString());
            return std::nullopt;
        }
        return Value{SearchTerm::Mode::Regex, pattern, regex, p, k + 1};
    }

    void addTerm(qsizetype pos, SearchTerm::Field field, const QString &tagKey, const Value &value)
    {
        SearchTerm term;
        term.field = field;
        term.mode = value.mode;
        term.tagKey = tagKey;
        term.value = value.mode == SearchTerm::Mode::Regex ? value.text : SearchFields::normalizedText(value.text);
        term.regex = value.regex;
        m_terms.append(term);
        m_tokens.append({Token::Type::Term, pos, {}, int(m_terms.size() - 1)});
    }

    void fail(const QString &message, const QString &detail = {})
    {
        if (!m_error)
            m_error = Error{message, detail};
    }

    const QString &m_s;
    QVector<Token> m_tokens;
    QVector<SearchTerm> m_terms;
    std::optional<Error> m_error;
};

// Recursive descent over the tokens:  or := and (OR and)*   and := unary ([AND] unary)*
// unary := (NOT | -)* primary   primary := term | ( or )
class Parser
{
    Q_DECLARE_TR_FUNCTIONS(SearchQuery)

public:
    explicit Parser(QVector<Token> tokens)
        : m_tokens(std::move(tokens))
    {
    }

    // The root node, or -1 with error() set.
    int run()
    {
        const int root = parseOr();
        if (m_error)
            return -1;
        if (peek().type == Token::Type::Close)
            return fail(tr("The closing parenthesis at position %1 has no opening one.").arg(at(peek().pos)));
        return root;
    }

    const std::optional<Error> &error() const { return m_error; }
    QVector<SearchNode> nodes() const { return m_nodes; }

private:
    const Token &peek() const { return m_tokens.at(m_next); }
    const Token &take() { return m_tokens.at(m_next++); }

    static bool endsOperand(Token::Type t)
    {
        return t == Token::Type::End || t == Token::Type::Close || t == Token::Type::And || t == Token::Type::Or;
    }

    int parseOr()
    {
        QVector<int> items{parseAnd()};
        while (!m_error && peek().type == Token::Type::Or) {
            const Token op = take();
            if (endsOperand(peek().type))
                return needsTermAfter(op);
            items.append(parseAnd());
        }
        return m_error ? -1 : combine(SearchNode::Op::Or, items);
    }

    int parseAnd()
    {
        QVector<int> items;
        while (!m_error) {
            const Token &t = peek();
            if (t.type == Token::Type::And) {
                const Token op = take();
                if (items.isEmpty())
                    return fail(tr("%1 at position %2 needs a search term before it.").arg(op.text, at(op.pos)));
                if (endsOperand(peek().type))
                    return needsTermAfter(op);
                continue;
            }
            if (endsOperand(t.type))
                break;
            items.append(parseUnary());
        }
        if (m_error)
            return -1;
        if (items.isEmpty())
            return emptyOperand();
        return combine(SearchNode::Op::And, items);
    }

    int emptyOperand()
    {
        const Token &t = peek();
        if (t.type == Token::Type::Or)
            return fail(tr("%1 at position %2 needs a search term before it.").arg(t.text, at(t.pos)));
        if (t.type == Token::Type::Close)
            return fail(tr("The closing parenthesis at position %1 has no opening one.").arg(at(t.pos)));
        return fail(tr("A search term is missing at position %1.").arg(at(t.pos)));
    }

    int parseUnary()
    {
        bool negate = false;
        while (peek().type == Token::Type::Not) {
            const Token op = take();
            if (endsOperand(peek().type))
                return needsTermAfter(op);
            negate = !negate;
        }
        const int operand = parsePrimary();
        if (m_error || !negate)
            return operand;
        if (m_nodes.at(operand).op == SearchNode::Op::Not)
            return m_nodes.at(operand).children.constFirst(); // NOT (NOT x) = x
        return addNode({SearchNode::Op::Not, -1, {operand}});
    }

    int parsePrimary()
    {
        const Token open = take();
        if (open.type == Token::Type::Term)
            return addNode({SearchNode::Op::Term, open.term, {}});
        // Only Open gets here: callers stop at End, Close, And and Or.
        if (peek().type == Token::Type::Close)
            return fail(tr("Empty parentheses at position %1.").arg(at(open.pos)));
        if (++m_depth > kMaxDepth)
            return fail(tr("Too many nested parentheses at position %1.").arg(at(open.pos)));
        const int inner = parseOr();
        --m_depth;
        if (m_error)
            return -1;
        if (peek().type != Token::Type::Close)
            return fail(tr("The parenthesis opened at position %1 is never closed.").arg(at(open.pos)));
        take();
        return inner;
    }

    int needsTermAfter(const Token &op)
    {
        return fail(tr("%1 at position %2 needs a search term after it.").arg(op.text, at(op.pos)));
    }

    // One node for several items, merging nested nodes of the same kind ((a b) c = a b c).
    int combine(SearchNode::Op op, const QVector<int> &items)
    {
        if (items.size() == 1)
            return items.constFirst();
        SearchNode node{op, -1, {}};
        for (int item : items) {
            if (m_nodes.at(item).op == op)
                node.children += m_nodes.at(item).children;
            else
                node.children.append(item);
        }
        return addNode(std::move(node));
    }

    int addNode(SearchNode node)
    {
        m_nodes.append(std::move(node));
        return int(m_nodes.size() - 1);
    }

    int fail(const QString &message)
    {
        if (!m_error)
            m_error = Error{message, {}};
        return -1;
    }

    QVector<Token> m_tokens;
    qsizetype m_next = 0;
    int m_depth = 0;
    QVector<SearchNode> m_nodes;
    std::optional<Error> m_error;
};

QString quoted(const QString &value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

} // namespace

// ---- SearchTerm ----------------------------------------------------------------------------

bool SearchTerm::matchesText(QStringView text) const
{
    switch (mode) {
    case Mode::Substring:
        return text.contains(value);
    case Mode::Exact:
        return text == value;
    case Mode::Regex:
        return regex.match(text).hasMatch();
    }
    return false;
}

bool SearchTerm::matches(const SearchFields &f) const
{
    switch (field) {
    case Field::Any: {
        for (const QString *s :
            {&f.name, &f.state, &f.cloud, &f.provider, &f.kind, &f.id, &f.size, &f.image, &f.location, &f.os}) {
            if (matchesText(*s))
                return true;
        }
        for (const QString &ip : f.ips) {
            if (matchesText(ip))
                return true;
        }
        for (auto it = f.tags.cbegin(); it != f.tags.cend(); ++it) {
            if (matchesText(it.key()) || matchesText(it.value()))
                return true;
        }
        return false;
    }
    case Field::Name:
        return matchesText(f.name);
    case Field::State:
        return matchesText(f.state);
    case Field::Cloud:
        return matchesText(f.cloud);
    case Field::Provider:
        return matchesText(f.provider);
    case Field::Kind:
        return matchesText(f.kind);
    case Field::Id:
        return matchesText(f.id);
    case Field::Size:
        return matchesText(f.size);
    case Field::Image:
        return matchesText(f.image);
    case Field::Location:
        return matchesText(f.location);
    case Field::Os:
        return matchesText(f.os);
    case Field::Ip:
        for (const QString &ip : f.ips) {
            if (matchesText(ip))
                return true;
        }
        return false;
    case Field::TagKey:
        for (auto it = f.tags.cbegin(); it != f.tags.cend(); ++it) {
            if (matchesText(it.key()))
                return true;
        }
        return false;
    case Field::TagValue: {
        const auto it = f.tags.constFind(tagKey);
        return it != f.tags.cend() && matchesText(*it);
    }
    }
    return false;
}

bool SearchTerm::implies(const SearchTerm &other) const
{
    if (field != other.field || tagKey != other.tagKey)
        return false;
    if (mode == other.mode && value == other.value)
        return true; // the same condition (regexes: the same pattern and options)
    // Containing "web-1" (or being exactly "web-1") implies containing "web".
    return other.mode == Mode::Substring && mode != Mode::Regex && value.contains(other.value);
}

QString SearchTerm::describe() const
{
    QString where = fieldName(field);
    if (field == Field::TagValue)
        where += QLatin1Char('[') + tagKey + QLatin1Char(']');
    switch (mode) {
    case Mode::Substring:
        return where + QLatin1Char('~') + quoted(value);
    case Mode::Exact:
        return where + QLatin1Char('=') + quoted(value);
    case Mode::Regex:
        return where + QStringLiteral("~/") + value + QLatin1Char('/');
    }
    return where;
}

// ---- SearchQuery ---------------------------------------------------------------------------

SearchQuery::SearchQuery(QString text, QVector<SearchNode> nodes, QVector<SearchTerm> terms, int root)
    : m_text(std::move(text))
    , m_nodes(std::move(nodes))
    , m_terms(std::move(terms))
    , m_root(root)
{
}

Result<SearchQuery> SearchQuery::parse(const QString &text)
{
    Lexer lexer(text);
    if (auto error = lexer.run())
        return *error;
    const QVector<Token> tokens = lexer.tokens();
    if (tokens.size() == 1) // only End: blank text
        return SearchQuery(text, {}, {}, -1);
    Parser parser(tokens);
    const int root = parser.run();
    if (parser.error())
        return *parser.error();
    return SearchQuery(text, parser.nodes(), lexer.terms(), root);
}

bool SearchQuery::matches(const SearchFields &lowercasedFields) const
{
    return isEmpty() || matchesNode(m_root, lowercasedFields);
}

bool SearchQuery::matchesNode(int index, const SearchFields &fields) const
{
    const SearchNode &node = m_nodes.at(index);
    switch (node.op) {
    case SearchNode::Op::Term:
        return m_terms.at(node.term).matches(fields);
    case SearchNode::Op::Not:
        return !matchesNode(node.children.constFirst(), fields);
    case SearchNode::Op::And:
        for (int child : node.children) {
            if (!matchesNode(child, fields))
                return false;
        }
        return true;
    case SearchNode::Op::Or:
        for (int child : node.children) {
            if (matchesNode(child, fields))
                return true;
        }
        return false;
    }
    return false;
}

QVector<int> SearchQuery::conjuncts() const
{
    if (isEmpty())
        return {};
    const SearchNode &root = m_nodes.at(m_root);
    return root.op == SearchNode::Op::And ? root.children : QVector<int>{m_root};
}

bool SearchQuery::refines(const SearchQuery &previous) const
{
    if (previous.isEmpty())
        return true;
    if (isEmpty())
        return false;
    const QVector<int> mine = conjuncts();
    for (int p : previous.conjuncts()) {
        const SearchNode &old = previous.m_nodes.at(p);
        if (old.op != SearchNode::Op::Term)
            return false; // OR / NOT in the previous query: no cheap proof
        const SearchTerm &oldTerm = previous.m_terms.at(old.term);
        const bool implied = std::any_of(mine.cbegin(), mine.cend(), [&](int m) {
            const SearchNode &node = m_nodes.at(m);
            return node.op == SearchNode::Op::Term && m_terms.at(node.term).implies(oldTerm);
        });
        if (!implied)
            return false;
    }
    return true;
}

QString SearchQuery::describe() const
{
    return isEmpty() ? QStringLiteral("(ALL)") : describeNode(m_root);
}

QString SearchQuery::describeNode(int index) const
{
    const SearchNode &node = m_nodes.at(index);
    if (node.op == SearchNode::Op::Term)
        return m_terms.at(node.term).describe();
    QStringList parts{node.op == SearchNode::Op::And ? QStringLiteral("AND")
            : node.op == SearchNode::Op::Or          ? QStringLiteral("OR")
                                                     : QStringLiteral("NOT")};
    for (int child : node.children)
        parts.append(describeNode(child));
    return QLatin1Char('(') + parts.join(QLatin1Char(' ')) + QLatin1Char(')');
}

} // namespace mist
