#include "search/searchindex.h"

#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>

using namespace mist;

namespace {

SearchQuery parsed(const QString &text)
{
    auto query = SearchQuery::parse(text);
    if (!query)
        qFatal("unexpected parse error for %s: %s", qPrintable(text), qPrintable(query.error().toString()));
    return query.value();
}

SearchFields named(const QString &name, const QString &state = QStringLiteral("running"))
{
    SearchFields f;
    f.name = name;
    f.state = state;
    return f;
}

// What the index should hold, kept the plain way: parent links by key and raw fields.
// It applies the index's documented tree rules itself (unknown parent or cycle -> top level,
// children of a removed row -> top level).
class Reference
{
public:
    void upsert(quintptr key, quintptr parent, const SearchFields &fields)
    {
        if (parent != 0 && (!m_fields.contains(parent) || isInSubtree(parent, key)))
            parent = 0;
        m_parent.insert(key, parent);
        m_fields.insert(key, fields);
    }

    void remove(quintptr key)
    {
        m_fields.remove(key);
        m_parent.remove(key);
        for (auto it = m_parent.begin(); it != m_parent.end(); ++it) {
            if (*it == key)
                *it = 0;
        }
    }

    bool isInSubtree(quintptr node, quintptr root) const
    {
        for (quintptr n = node; n != 0; n = m_parent.value(n))
            if (n == root)
                return true;
        return false;
    }

    // Parents before children, so a fresh index gets the same tree.
    QList<quintptr> topologicalKeys() const
    {
        QList<quintptr> keys = m_fields.keys();
        const auto depth = [&](quintptr k) {
            int d = 0;
            for (quintptr n = m_parent.value(k); n != 0; n = m_parent.value(n))
                ++d;
            return d;
        };
        std::stable_sort(keys.begin(), keys.end(), [&](quintptr a, quintptr b) { return depth(a) < depth(b); });
        return keys;
    }

    QHash<quintptr, quintptr> m_parent;
    QHash<quintptr, SearchFields> m_fields;
};

class RandomRows
{
public:
    explicit RandomRows(quint32 seed)
        : m_random(seed)
    {
    }

    // Dense: most rows contain a "w"; sparse: a few do, as in real inventories.
    SearchFields fields(bool sparse = false)
    {
        static const QStringList dense{QStringLiteral("web"), QStringLiteral("Web"), QStringLiteral("we"),
            QStringLiteral("db"), QStringLiteral("cache"), QStringLiteral("api"), QStringLiteral("worker")};
        static const QStringList many{QStringLiteral("web"), QStringLiteral("db"), QStringLiteral("cache"),
            QStringLiteral("api"), QStringLiteral("Worker"), QStringLiteral("mq"), QStringLiteral("auth"),
            QStringLiteral("batch"), QStringLiteral("search"), QStringLiteral("gateway"), QStringLiteral("proxy"),
            QStringLiteral("edge")};
        const QStringList &words = sparse ? many : dense;
        static const QStringList states{
            QStringLiteral("running"), QStringLiteral("stopped"), QStringLiteral("pending"), QStringLiteral("error")};
        static const QStringList envs{QStringLiteral("prod"), QStringLiteral("staging"), QStringLiteral("dev")};
        SearchFields f;
        f.name = pick(words) + QLatin1Char('-') + QString::number(m_random.bounded(30));
        if (m_random.bounded(8) == 0)
            f.name += QStringLiteral(" web-1"); // sometimes a longer text (exercises text moves)
        if (m_random.bounded(10) == 0)
            f.name = QStringLiteral("Wéb-Ærø ") + QString::number(m_random.bounded(30));
        f.state = m_random.bounded(10) == 0 ? QString() : pick(states);
        if (m_random.bounded(3) == 0)
            f.os = QStringLiteral("Linux");
        f.cloud = QStringLiteral("Cloud-") + QString::number(m_random.bounded(4));
        f.kind = m_random.bounded(2) ? QStringLiteral("vm") : QStringLiteral("container");
        f.ips = {QStringLiteral("10.0.%1.%2").arg(m_random.bounded(3)).arg(m_random.bounded(20))};
        if (m_random.bounded(3))
            f.tags.insert(QStringLiteral("Env"), pick(envs));
        if (m_random.bounded(4) == 0)
            f.tags.insert(QStringLiteral("team"), pick(words));
        return f;
    }

    QString pick(const QStringList &list) { return list.at(int(m_random.bounded(quint32(list.size())))); }
    quint32 bounded(quint32 n) { return m_random.bounded(n); }

private:
    QRandomGenerator m_random;
};

const QStringList kQueries{
    QStringLiteral("w"),
    QStringLiteral("we"),
    QStringLiteral("web"),
    QStringLiteral("web-"),
    QStringLiteral("web-1"),
    QStringLiteral("state:running"),
    QStringLiteral("env:prod"),
    QStringLiteral("tag:team"),
    QStringLiteral("web OR db"),
    QStringLiteral("-state:running cloud:cloud-1"),
    QStringLiteral("\"web-1\""),
    QStringLiteral("/^(web|db)-1\\d$/"),
    QStringLiteral("/1\\srunning/"),
    QStringLiteral("ip:10.0.1."),
    QStringLiteral("NOT (vm OR prod)"),
    QStringLiteral("kind:container web"),
    QStringLiteral("wéb"),
    QStringLiteral("name:ærø"),
    QStringLiteral("/^$/"),
    QStringLiteral("os:/^$/"),
    QStringLiteral("state:/^$/"),
    QStringLiteral("tag:nokey"),
    QStringLiteral("nokey:x OR we"),
    QStringLiteral("\"container\""),
    QStringLiteral("kind:\"vm\""),
    QStringLiteral("tag:env=prod"),
    QStringLiteral("tag:/^t/"),
    QStringLiteral("\"Linux\" -env:dev"),
};

} // namespace

class TestSearchIndex : public QObject
{
    Q_OBJECT
private slots:
    void emptyQueryShowsEverything()
    {
        SearchIndex index;
        index.upsert(1, 0, named(QStringLiteral("cloud")));
        index.upsert(2, 1, named(QStringLiteral("vm")));
        QCOMPARE(index.size(), 2);
        QVERIFY(index.isVisible(1) && index.isVisible(2));
        QVERIFY(index.isMatch(2));
        QCOMPARE(index.matchCount(), 2);
        QVERIFY(!index.isVisible(99));
        index.setQuery(parsed(QStringLiteral("nothing-like-this")));
        QVERIFY(!index.isVisible(1) && !index.isVisible(2));
        QCOMPARE(index.matchCount(), 0);
        index.setQuery(SearchQuery());
        QVERIFY(index.isVisible(1) && index.isVisible(2));
        QCOMPARE(index.matchCount(), 2);

        index.setQuery(parsed(QStringLiteral("vm")));
        index.clear();
        QCOMPARE(index.size(), 0);
        QCOMPARE(index.matchCount(), 0);
        index.upsert(3, 0, named(QStringLiteral("vm-3")));   // the query stays set
        QVERIFY(index.isMatch(3));
        QCOMPARE(index.matchCount(), 1);
    }

    void ancestorsOfMatchesStayVisible()
    {
        SearchIndex index;
        index.upsert(1, 0, named(QStringLiteral("cloud-a")));
        index.upsert(2, 1, named(QStringLiteral("host")));
        index.upsert(3, 2, named(QStringLiteral("target-vm")));
        index.upsert(4, 1, named(QStringLiteral("other")));
        index.upsert(5, 0, named(QStringLiteral("cloud-b")));
        index.setQuery(parsed(QStringLiteral("target")));
        QVERIFY(index.isMatch(3) && index.isVisible(3));
        QVERIFY(!index.isMatch(2) && index.isVisible(2));
        QVERIFY(!index.isMatch(1) && index.isVisible(1));
        QVERIFY(!index.isVisible(4));
        QVERIFY(!index.isVisible(5));
        QCOMPARE(index.matchCount(), 1);

        // A parent that matches does not show its children.
        index.setQuery(parsed(QStringLiteral("host")));
        QVERIFY(index.isVisible(2) && index.isVisible(1));
        QVERIFY(!index.isVisible(3));
    }

    void updatesUnderAQueryAreIncremental()
    {
        SearchIndex index;
        index.upsert(1, 0, named(QStringLiteral("cloud-a")));
        index.upsert(2, 1, named(QStringLiteral("host")));
        index.upsert(3, 2, named(QStringLiteral("vm")));
        index.upsert(5, 0, named(QStringLiteral("cloud-b")));
        index.setQuery(parsed(QStringLiteral("state:stopped")));
        QCOMPARE(index.matchCount(), 0);

        index.upsert(3, 2, named(QStringLiteral("vm"), QStringLiteral("stopped"))); // now matches
        QCOMPARE(index.matchCount(), 1);
        QVERIFY(index.isVisible(1) && index.isVisible(2) && index.isVisible(3));

        index.upsert(3, 5, named(QStringLiteral("vm"), QStringLiteral("stopped"))); // moves
        QCOMPARE(index.parentKey(3), quintptr(5));
        QVERIFY(!index.isVisible(1) && !index.isVisible(2));
        QVERIFY(index.isVisible(5) && index.isVisible(3));

        index.upsert(2, 5, named(QStringLiteral("host"))); // the whole subtree moves too
        index.upsert(3, 2, named(QStringLiteral("vm"), QStringLiteral("stopped")));
        index.upsert(1, 0, named(QStringLiteral("cloud-a"), QStringLiteral("stopped")));
        QCOMPARE(index.matchCount(), 2);
        QVERIFY(index.isVisible(5) && index.isVisible(2) && index.isVisible(1));

        index.remove(3);
        QCOMPARE(index.matchCount(), 1);
        QVERIFY(!index.isVisible(2) && !index.isVisible(5));
        QVERIFY(index.isVisible(1));
        QVERIFY(!index.contains(3));
        QCOMPARE(index.size(), 3);
    }

    void childrenOfARemovedRowBecomeTopLevel()
    {
        SearchIndex index;
        index.upsert(1, 0, named(QStringLiteral("cloud")));
        index.upsert(2, 1, named(QStringLiteral("host")));
        index.upsert(3, 2, named(QStringLiteral("match-me")));
        index.setQuery(parsed(QStringLiteral("match")));
        index.remove(2);
        QCOMPARE(index.parentKey(3), quintptr(0));
        QVERIFY(index.isVisible(3));
        QVERIFY(!index.isVisible(1)); // no longer an ancestor of a match
        // The slot is reused without leftovers.
        index.upsert(4, 3, named(QStringLiteral("child")));
        QCOMPARE(index.parentKey(4), quintptr(3));
        QVERIFY(!index.isVisible(4));
    }

    void unknownParentsAndCyclesFileRowsAtTopLevel()
    {
        SearchIndex index;
        index.upsert(1, 42, named(QStringLiteral("orphan")));
        QCOMPARE(index.parentKey(1), quintptr(0));
        index.upsert(2, 1, named(QStringLiteral("child")));
        index.upsert(3, 2, named(QStringLiteral("grandchild")));
        index.upsert(1, 3, named(QStringLiteral("orphan"))); // would be its own ancestor
        QCOMPARE(index.parentKey(1), quintptr(0));
        index.upsert(2, 2, named(QStringLiteral("child"))); // its own parent
        QCOMPARE(index.parentKey(2), quintptr(0));
        index.setQuery(parsed(QStringLiteral("grandchild")));
        QVERIFY(index.isVisible(2) && index.isVisible(3) && !index.isVisible(1));
    }

    // A regex may match the joined row text across two fields; only one field counts.
    void regexAndExactStayWithinOneField()
    {
        SearchIndex index;
        index.upsert(1, 0, named(QStringLiteral("web-1")));
        const auto matches = [&](const char *query) {
            index.setQuery(parsed(QString::fromUtf8(query)));
            return index.isMatch(1);
        };
        QVERIFY(!matches("/1\\srunning/"));
        QVERIFY(!matches("/1.running/"));
        QVERIFY(matches("/^running$/"));
        QVERIFY(matches("/\\Aweb/")); // \A skips the row-text prefilter
        QVERIFY(matches("/(?<!x)web/"));
        QVERIFY(matches("\"running\""));
        QVERIFY(!matches("\"runn\""));
        QVERIFY(!matches("\"web-1 running\""));
        QVERIFY(matches("\"web-1\""));
    }

    void textIsRewrittenAndCompacted()
    {
        SearchIndex index;
        for (quintptr key = 1; key <= 500; ++key)
            index.upsert(key, 0, named(QStringLiteral("vm-%1").arg(key)));
        index.setQuery(parsed(QStringLiteral("grown")));
        for (int round = 1; round <= 6; ++round) {
            for (quintptr key = 1; key <= 500; ++key)
                index.upsert(key, 0, named(QStringLiteral("vm-%1 %2 grown").arg(key).arg(QString(round * 20, u'x'))));
        }
        for (quintptr key = 1; key <= 500; key += 2) // shorter again: rewritten in place
            index.upsert(key, 0, named(QStringLiteral("vm-%1").arg(key)));
        QCOMPARE(index.matchCount(), 250);
        index.setQuery(parsed(QString(120, u'x')));
        QCOMPARE(index.matchCount(), 250);
        index.setQuery(parsed(QStringLiteral("\"vm-7\"")));
        QCOMPARE(index.matchCount(), 1);
        QVERIFY(index.isMatch(7));
    }

    // Random trees and random edits under an active query must agree with (1) a brute-force
    // reference computed with SearchQuery::matches and (2) a fresh index built from scratch.
    void randomEditsMatchAFullRecomputation_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed = 1; seed <= 12; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }

    void randomEditsMatchAFullRecomputation()
    {
        QFETCH(quint32, seed);
        RandomRows random(seed);
        Reference reference;
        SearchIndex index;
        SearchQuery query = parsed(random.pick(kQueries));
        index.setQuery(query);
        quintptr nextKey = 1;
        for (int step = 0; step < 1500; ++step) {
            const QList<quintptr> keys = reference.m_fields.keys();
            const quint32 op = random.bounded(100);
            const auto anyKey = [&]() { return keys.at(int(random.bounded(quint32(keys.size())))); };
            if (keys.isEmpty() || op < 40) {
                const quintptr parent = keys.isEmpty() || random.bounded(4) == 0 ? 0 : anyKey();
                const SearchFields f = random.fields();
                index.upsert(nextKey, parent, f);
                reference.upsert(nextKey, parent, f);
                ++nextKey;
            } else if (op < 65) { // change fields, often keeping the parent
                const quintptr key = anyKey();
                quintptr parent = reference.m_parent.value(key);
                if (random.bounded(3) == 0)
                    parent = random.bounded(5) == 0 ? 0 : anyKey();
                if (random.bounded(20) == 0)
                    parent = 1'000'000; // not in the index
                const SearchFields f = random.fields();
                index.upsert(key, parent, f);
                reference.upsert(key, parent, f);
            } else if (op < 85) {
                const quintptr key = anyKey();
                index.remove(key);
                reference.remove(key);
            } else if (op < 90) {
                index.remove(nextKey + 5); // unknown: ignored
            } else {
                query = parsed(random.pick(kQueries));
                index.setQuery(query);
            }
            if (step % 25 == 0 || step > 1450) {
                verifyAgainstReference(index, reference, query);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }

    // Typing more letters narrows from the previous matches; the result equals a full run.
    void narrowingEqualsFullEvaluation()
    {
        RandomRows random(77);
        Reference reference;
        SearchIndex index;
        for (quintptr key = 1; key <= 600; ++key) {
            const quintptr parent = key > 20 ? quintptr(random.bounded(quint32(key - 1)) + 1) : 0;
            const SearchFields f = random.fields(true);
            index.upsert(key, parent, f);
            reference.upsert(key, parent, f);
        }
        const QStringList typed{QStringLiteral("w"), QStringLiteral("we"), QStringLiteral("web"),
            QStringLiteral("web-"), QStringLiteral("web-1"), QStringLiteral("web-1 env:p"),
            QStringLiteral("web-1 env:prod"), QStringLiteral("web-1 env:prod -state:stopped")};
        int narrowedSteps = 0;
        for (int i = 0; i < typed.size(); ++i) {
            const SearchQuery query = parsed(typed.at(i));
            // Narrowing pays when few rows matched before (see SearchIndex::setQuery).
            const bool fewMatched = index.matchCount() * 3 <= index.size();
            index.setQuery(query);
            QCOMPARE(index.lastQueryWasNarrowed(), i > 0 && fewMatched);
            narrowedSteps += index.lastQueryWasNarrowed() ? 1 : 0;
            verifyAgainstReference(index, reference, query);
            if (QTest::currentTestFailed())
                return;
            // Polls keep arriving while the user types.
            for (int k = 0; k < 10; ++k) {
                const quintptr key = quintptr(random.bounded(600) + 1);
                const SearchFields f = random.fields(true);
                index.upsert(key, reference.m_parent.value(key), f);
                reference.upsert(key, reference.m_parent.value(key), f);
            }
        }
        QVERIFY2(narrowedSteps >= 5, "the typed words should mostly narrow");
        index.setQuery(parsed(QStringLiteral("web"))); // a deleted letter: full run
        QVERIFY(!index.lastQueryWasNarrowed());
        verifyAgainstReference(index, reference, parsed(QStringLiteral("web")));
    }

    // A model reset: reserve() and pre-normalized fields give the same index as raw upserts,
    // then take incremental edits (rows rewritten in place, moved, removed) the same way.
    void bulkLoadEqualsIncrementalUpserts_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed = 101; seed <= 106; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }

    void bulkLoadEqualsIncrementalUpserts()
    {
        QFETCH(quint32, seed);
        RandomRows random(seed);
        Reference reference;
        SearchIndex incremental, bulk;
        const SearchQuery query = parsed(random.pick(kQueries));
        incremental.setQuery(query);
        bulk.setQuery(query);
        bulk.upsert(999, 0, named(QStringLiteral("before the reset")));
        bulk.clear();
        const int rows = 800;
        bulk.reserve(rows);
        bulk.reserve(rows / 2);   // smaller than reserved already: no-op
        for (quintptr key = 1; key <= quintptr(rows); ++key) {
            const quintptr parent = key > 10 && random.bounded(3) ? quintptr(random.bounded(quint32(key - 1)) + 1) : 0;
            const SearchFields f = random.fields(random.bounded(2) == 0);
            incremental.upsert(key, parent, f);
            bulk.upsert(key, parent, f.normalized(), SearchIndex::Fields::Normalized);
            reference.upsert(key, parent, f);
        }
        verifyAgainstReference(bulk, reference, query);
        verifyAgainstReference(incremental, reference, query);
        for (int step = 0; step < 400; ++step) {
            const quintptr key = quintptr(random.bounded(quint32(rows)) + 1);
            if (!reference.m_fields.contains(key))
                continue;
            if (random.bounded(5) == 0) {
                incremental.remove(key);
                bulk.remove(key);
                reference.remove(key);
                continue;
            }
            const SearchFields f = random.fields();
            const quintptr parent = reference.m_parent.value(key);
            incremental.upsert(key, parent, f);
            bulk.upsert(key, parent, f.normalized(), SearchIndex::Fields::Normalized);
            reference.upsert(key, parent, f);
        }
        verifyAgainstReference(bulk, reference, query);
        for (const QString &text : kQueries) {
            const SearchQuery q = parsed(text);
            bulk.setQuery(q);
            incremental.setQuery(q);
            QCOMPARE(bulk.matchCount(), incremental.matchCount());
            QCOMPARE(bulk.lastQueryVisibilityChanges(), incremental.lastQueryVisibilityChanges());
            for (quintptr key : reference.m_fields.keys()) {
                QCOMPARE(bulk.isVisible(key), incremental.isVisible(key));
                QCOMPARE(bulk.fields(key).name, incremental.fields(key).name);
                QCOMPARE(bulk.fields(key).tags, incremental.fields(key).tags);
            }
        }
    }

    void visibilityChangesAreCounted()
    {
        SearchIndex index;
        index.upsert(1, 0, named(QStringLiteral("cloud")));
        index.upsert(2, 1, named(QStringLiteral("web-1")));
        index.upsert(3, 1, named(QStringLiteral("db-1")));
        index.upsert(4, 0, named(QStringLiteral("other")));
        index.setQuery(parsed(QStringLiteral("web")));   // hides db-1 and other
        QCOMPARE(index.lastQueryVisibilityChanges(), 2);
        index.setQuery(parsed(QStringLiteral("web-")));  // same rows
        QCOMPARE(index.lastQueryVisibilityChanges(), 0);
        index.setQuery(parsed(QStringLiteral("db")));    // web-1 goes, db-1 comes
        QCOMPARE(index.lastQueryVisibilityChanges(), 2);
        index.setQuery(SearchQuery());                   // web-1 and other come back
        QCOMPARE(index.lastQueryVisibilityChanges(), 2);
    }

private:
    static void verifyAgainstReference(const SearchIndex &index, const Reference &reference, const SearchQuery &query)
    {
        SearchIndex fresh;
        for (quintptr key : reference.topologicalKeys())
            fresh.upsert(key, reference.m_parent.value(key), reference.m_fields.value(key));
        fresh.setQuery(query);

        QHash<quintptr, bool> expectedMatch;
        QHash<quintptr, bool> expectedVisible;
        for (auto it = reference.m_fields.cbegin(); it != reference.m_fields.cend(); ++it) {
            QVERIFY(index.contains(it.key()));
            const SearchFields stored = index.fields(it.key());
            const bool match = query.matches(stored);
            QCOMPARE(query.matches(it.value().normalized()), match);
            QCOMPARE(stored.name, it.value().name.toLower());
            QCOMPARE(stored.ips, it.value().normalized().ips);
            QCOMPARE(stored.tags, it.value().normalized().tags);
            expectedMatch.insert(it.key(), match);
            if (!match)
                continue;
            for (quintptr n = it.key(); n != 0; n = reference.m_parent.value(n))
                expectedVisible.insert(n, true);
        }
        int matches = 0;
        for (auto it = expectedMatch.cbegin(); it != expectedMatch.cend(); ++it) {
            const quintptr key = it.key();
            const QByteArray where = "key " + QByteArray::number(qulonglong(key)) + " for " + query.text().toUtf8();
            QVERIFY2(index.isMatch(key) == it.value(), where.constData());
            QVERIFY2(index.isVisible(key) == (query.isEmpty() || expectedVisible.value(key)), where.constData());
            QVERIFY2(fresh.isMatch(key) == index.isMatch(key), where.constData());
            QVERIFY2(fresh.isVisible(key) == index.isVisible(key), where.constData());
            QCOMPARE(index.parentKey(key), reference.m_parent.value(key));
            matches += it.value() ? 1 : 0;
        }
        QCOMPARE(index.size(), int(reference.m_fields.size()));
        QCOMPARE(index.matchCount(), matches);
        QCOMPARE(fresh.matchCount(), matches);
    }
};

QTEST_GUILESS_MAIN(TestSearchIndex)
#include "tst_searchindex.moc"
