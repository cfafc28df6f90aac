#include "search/searchquery.h"

#include <QtTest>

using namespace mist;

namespace {

// Rows as a provider would describe them (mixed case); the test normalizes them like the index.
SearchFields fixture(const QString &which)
{
    SearchFields f;
    if (which == QLatin1String("web1")) {
        f.name = QStringLiteral("Web-1");
        f.state = QStringLiteral("running");
        f.cloud = QStringLiteral("KVM Lab");
        f.provider = QStringLiteral("libvirt");
        f.kind = QStringLiteral("vm");
        f.id = QStringLiteral("i-0abc123");
        f.size = QStringLiteral("t3.large");
        f.image = QStringLiteral("Ubuntu 22.04");
        f.location = QStringLiteral("eu-west-1");
        f.os = QStringLiteral("Linux");
        f.ips = {QStringLiteral("10.0.0.5"), QStringLiteral("203.0.113.7")};
        f.tags = {
            {QStringLiteral("Env"), QStringLiteral("Prod")}, {QStringLiteral("Team"), QStringLiteral("Web Platform")}};
    } else if (which == QLatin1String("db")) {
        f.name = QStringLiteral("db-primary");
        f.state = QStringLiteral("stopped");
        f.cloud = QStringLiteral("AWS Prod");
        f.provider = QStringLiteral("ec2");
        f.kind = QStringLiteral("machine");
        f.id = QStringLiteral("i-0def456");
        f.size = QStringLiteral("m5.xlarge");
        f.image = QStringLiteral("debian-12");
        f.location = QStringLiteral("us-east-1");
        f.os = QStringLiteral("linux");
        f.ips = {QStringLiteral("10.0.1.9")};
        f.tags = {
            {QStringLiteral("env"), QStringLiteral("staging")}, {QStringLiteral("role"), QStringLiteral("database")}};
    } else {
        Q_ASSERT(which == QLatin1String("host"));
        f.name = QStringLiteral("hypervisor-a");
        f.state = QStringLiteral("running");
        f.cloud = QStringLiteral("KVM Lab");
        f.provider = QStringLiteral("libvirt");
        f.kind = QStringLiteral("hypervisor");
        f.id = QStringLiteral("hv-a");
        f.location = QStringLiteral("ns/kube-system");   // a Kubernetes node in a namespace
        f.os = QStringLiteral("Debian GNU/Linux");
        f.ips = {QStringLiteral("192.168.1.2"), QStringLiteral("fe80::1")};
        f.tags = {{QStringLiteral("kubernetes.io/role"), QStringLiteral("master")}};
    }
    return f;
}

SearchQuery parsed(const QString &text)
{
    auto query = SearchQuery::parse(text);
    if (!query)
        qFatal("unexpected parse error for %s: %s", qPrintable(text), qPrintable(query.error().toString()));
    return query.value();
}

// One data row per fixture row: "query | web1", "query | db", "query | host".
void addMatchRows(const char *query, bool web1, bool db, bool host)
{
    const QString q = QString::fromUtf8(query);
    QTest::addRow("%s | web1", query) << q << QStringLiteral("web1") << web1;
    QTest::addRow("%s | db", query) << q << QStringLiteral("db") << db;
    QTest::addRow("%s | host", query) << q << QStringLiteral("host") << host;
}

} // namespace

class TestSearchQuery : public QObject
{
    Q_OBJECT
private slots:
    void matches_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("row");
        QTest::addColumn<bool>("expected");
        //                                                    web1   db     host
        addMatchRows("", true, true, true);
        addMatchRows("   ", true, true, true);
        // Plain words: case-insensitive substrings of any field, IP, tag key or tag value.
        addMatchRows("web", true, false, false);
        addMatchRows("WEB", true, false, false);
        addMatchRows("web-1", true, false, false);
        addMatchRows("web-", true, false, false);
        addMatchRows("prod", true, true, false); // tag value / cloud name
        addMatchRows("10.0.", true, true, false);
        addMatchRows("fe80::1", false, false, true); // an IPv6 address, not a field
        addMatchRows("role", false, true, true); // tag keys count too
        addMatchRows("-", true, true, true); // a lone "-" is a word
        addMatchRows("prod or", true, false, false); // lowercase "or" is a word ("platform")
        addMatchRows("web db", false, false, false);
        // Fields.
        addMatchRows("state:running", true, false, true);
        addMatchRows("State:RUN", true, false, true);
        addMatchRows("name:web", true, false, false);
        addMatchRows("name:lab", false, false, false);
        addMatchRows("cloud:kvm", true, false, true);
        addMatchRows("provider:ec2", false, true, false);
        addMatchRows("kind:vm", true, false, false);
        addMatchRows("kind:hyper", false, false, true);
        addMatchRows("id:i-0", true, true, false);
        addMatchRows("size:t3", true, false, false);
        addMatchRows("image:ubuntu", true, false, false);
        addMatchRows("location:east", false, true, false);
        addMatchRows("namespace:kube-system", false, false, true);
        addMatchRows("ns:kube", false, false, true);
        addMatchRows("namespace:\"kube\"", false, false, false);
        addMatchRows("namespace:system", false, false, false);   // a namespace filter matches from the start
        addMatchRows("namespace:/system$/", false, false, true);
        addMatchRows("os:linux", true, true, true);
        addMatchRows("ip:203.0", true, false, false);
        addMatchRows("ip:10.0.1", false, true, false);
        addMatchRows("ip:fe80::1", false, false, true);
        addMatchRows("ip:\"10.0.0.5\"", true, false, false);
        addMatchRows("ip:\"10.0.0\"", false, false, false);
        addMatchRows("ip:/^192\\./", false, false, true);
        // Tags.
        addMatchRows("env:prod", true, false, false);
        addMatchRows("ENV:Stag", false, true, false);
        addMatchRows("env:\"prod\"", true, false, false);
        addMatchRows("env:\"pro\"", false, false, false);
        addMatchRows("missing:x", false, false, false);
        addMatchRows("kubernetes.io/role:mast", false, false, true);
        addMatchRows("tag:env", true, true, false);
        addMatchRows("tag:en", false, false, false); // has-tag is the whole key
        addMatchRows("tag:\"team\"", true, false, false);
        addMatchRows("tag:env=prod", true, false, false);
        addMatchRows("tag:env=pro", false, false, false); // key=value is the exact value
        addMatchRows("tag:team=\"web platform\"", true, false, false);
        addMatchRows("tag:env=/^stag/", false, true, false);
        addMatchRows("tag:/^ro/", false, true, false);
        addMatchRows("tag:/role$/", false, true, true);
        // Exact phrases and regular expressions.
        addMatchRows("\"web-1\"", true, false, false);
        addMatchRows("\"web\"", false, false, false);
        addMatchRows("\"Web Platform\"", true, false, false);
        addMatchRows("\"env\"", true, true, false);
        addMatchRows("name:\"web-1\"", true, false, false);
        addMatchRows("name:\"web\"", false, false, false);
        addMatchRows("/^web-\\d+$/", true, false, false);
        addMatchRows("/prod$/", true, true, false);
        addMatchRows("/web.*platform/", true, false, false);
        addMatchRows("/web-1\\srunning/", false, false, false); // one field at a time
        addMatchRows("/^running$/", true, false, true);
        addMatchRows("name:/^DB/", false, true, false);
        // Boolean structure.
        addMatchRows("state:running cloud:kvm", true, false, true);
        addMatchRows("state:running AND cloud:aws", false, false, false);
        addMatchRows("state:stopped OR kind:hypervisor", false, true, true);
        addMatchRows("web OR db state:stopped", true, true, false); // OR binds weaker
        addMatchRows("(web OR db) state:stopped", false, true, false);
        addMatchRows("NOT web", false, true, true);
        addMatchRows("-web", false, true, true);
        addMatchRows("-state:running", false, true, false);
        addMatchRows("NOT (web OR db)", false, false, true);
        addMatchRows("-(state:running)", false, true, false);
        addMatchRows("NOT NOT web", true, false, false);
        addMatchRows("--web", true, false, false);
        addMatchRows("web -\"web-1\"", false, false, false);
        addMatchRows("-\"web-1\" linux", false, true, true);
        addMatchRows("-/^db/", true, false, true);
        addMatchRows("(((web)))", true, false, false);
        addMatchRows("a-missing-word OR x-missing OR web", true, false, false);
        addMatchRows("state:running (cloud:kvm OR cloud:aws) -kind:hypervisor", true, false, false);
        addMatchRows("kind:vm OR kind:machine AND env:staging", true, true, false);
    }

    void matches()
    {
        QFETCH(QString, query);
        QFETCH(QString, row);
        QFETCH(bool, expected);
        QCOMPARE(parsed(query).matches(fixture(row).normalized()), expected);
    }

    void parseErrors_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("message");
        const auto add = [](const char *query, const char *message) {
            QTest::addRow("%s", query) << QString::fromUtf8(query) << QString::fromUtf8(message);
        };
        add("\"web", "The quote at position 1 is never closed.");
        add("web \"", "The quote at position 5 is never closed.");
        add("name:\"web", "The quote at position 6 is never closed.");
        add("web\"", "The quote at position 4 is never closed.");
        add("\"\"", "Empty quotes at position 1: put the exact text between them.");
        add("\"a\"b", "Unexpected text at position 4: put a space after the closing \".");
        add("/var/lib", "Unexpected text at position 6: put a space after the closing /.");
        add("(web", "The parenthesis opened at position 1 is never closed.");
        add("((web) db", "The parenthesis opened at position 1 is never closed.");
        add("web)", "The closing parenthesis at position 4 has no opening one.");
        add(")", "The closing parenthesis at position 1 has no opening one.");
        add("a ) (b", "The closing parenthesis at position 3 has no opening one.");
        add("()", "Empty parentheses at position 1.");
        add("web ( )", "Empty parentheses at position 5.");
        add("/web", "The regular expression starting at position 1 has no closing /.");
        add("name:/a\\/", "The regular expression starting at position 6 has no closing /.");
        add("//", "Empty regular expression at position 1.");
        add("state:", "\"state:\" at position 1 needs a value after the colon.");
        add("web state: running", "\"state:\" at position 5 needs a value after the colon.");
        add("env:", "\"env:\" at position 1 needs a value after the colon.");
        add("(name:)", "\"name:\" at position 2 needs a value after the colon.");
        add("tag:", "\"tag:\" at position 1 needs a value after the colon.");
        add("tag:=prod", "\"tag:\" at position 1 needs a tag key, as in tag:env or tag:env=prod.");
        add("tag:env=", "\"tag:env=\" at position 1 needs a value after the equals sign.");
        add("tag:/e/=x", "Unexpected text at position 8: put a space after the closing /.");
        add("web AND", "AND at position 5 needs a search term after it.");
        add("AND web", "AND at position 1 needs a search term before it.");
        add("web AND OR db", "AND at position 5 needs a search term after it.");
        add("web OR", "OR at position 5 needs a search term after it.");
        add("OR web", "OR at position 1 needs a search term before it.");
        add("(web OR)", "OR at position 6 needs a search term after it.");
        add("(AND web)", "AND at position 2 needs a search term before it.");
        add("NOT", "NOT at position 1 needs a search term after it.");
        add("web NOT", "NOT at position 5 needs a search term after it.");
        add("NOT OR web", "NOT at position 1 needs a search term after it.");
        add("web -)", "The closing parenthesis at position 6 has no opening one.");
    }

    void parseErrors()
    {
        QFETCH(QString, query);
        QFETCH(QString, message);
        const auto result = SearchQuery::parse(query);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message, message);
    }

    void invalidRegexSaysWhereAndWhy()
    {
        const auto result = SearchQuery::parse(QStringLiteral("web name:/a(b/"));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.startsWith(QLatin1String("The regular expression at position ")),
            qPrintable(result.error().message));
        QVERIFY(!result.error().detail.isEmpty()); // QRegularExpression's own explanation
    }

    // Hostile input must give an answer, not a stack overflow.
    void deepInputDoesNotCrash()
    {
        const QString opens(10000, QLatin1Char('('));
        const auto deep = SearchQuery::parse(opens + QStringLiteral("web") + QString(10000, QLatin1Char(')')));
        QVERIFY(!deep.ok());
        QVERIFY(deep.error().message.startsWith(QLatin1String("Too many nested parentheses")));
        QVERIFY(!SearchQuery::parse(opens).ok());

        const auto negations = SearchQuery::parse(QString(10001, QLatin1Char('-')) + QStringLiteral("web"));
        QVERIFY(negations.ok());
        QCOMPARE(negations->describe(), QStringLiteral("(NOT any~\"web\")"));
        QString nots;
        for (int i = 0; i < 5000; ++i)
            nots += QStringLiteral("NOT ");
        QCOMPARE(parsed(nots + QStringLiteral("web")).describe(), QStringLiteral("any~\"web\""));
    }

    void describe_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("expected");
        const auto add = [](const char *query, const char *expected) {
            QTest::addRow("%s", query) << QString::fromUtf8(query) << QString::fromUtf8(expected);
        };
        add("", "(ALL)");
        add(" \t ", "(ALL)");
        add("web", "any~\"web\"");
        add("Web state:Running", "(AND any~\"web\" state~\"running\")");
        add("web and db", "(AND any~\"web\" any~\"and\" any~\"db\")");
        add("web And db", "(AND any~\"web\" any~\"and\" any~\"db\")");
        add("a OR b c", "(OR any~\"a\" (AND any~\"b\" any~\"c\"))");
        add("a AND b OR c AND d", "(OR (AND any~\"a\" any~\"b\") (AND any~\"c\" any~\"d\"))");
        add("(a b) c", "(AND any~\"a\" any~\"b\" any~\"c\")");
        add("a OR (b OR c)", "(OR any~\"a\" any~\"b\" any~\"c\")");
        add("NOT NOT a", "any~\"a\"");
        add("-(a OR b)", "(NOT (OR any~\"a\" any~\"b\"))");
        add("NOT -a", "any~\"a\"");
        add("\"Exact Name\"", "any=\"exact name\"");
        add("/Web-\\d/", "any~/Web-\\d/");
        add("name:/^a\\/b$/", "name~/^a\\/b$/");
        add("tag:env", "has-tag=\"env\"");
        add("tag:Env=Prod", "tag[env]=\"prod\"");
        add("tag:\"my key\"=\"a b\"", "tag[my key]=\"a b\"");
        add("tag:env=/^p/", "tag[env]~/^p/");
        add("tag:/^e/", "has-tag~/^e/");
        add("env:prod", "tag[env]~\"prod\"");
        add("aws:cloudformation:stack", "tag[aws]~\"cloudformation:stack\"");
        add("tag:aws:cloudformation:stack=x", "tag[aws:cloudformation:stack]=\"x\"");
        add("fe80::1", "any~\"fe80::1\"");
        add("ip:fe80::1", "ip~\"fe80::1\"");
        add(":x", "any~\":x\"");
        add("a/b", "any~\"a/b\"");
        add("ID:I-0ABC", "id~\"i-0abc\"");
        add("a(b)", "(AND any~\"a\" any~\"b\")");
    }

    void describe()
    {
        QFETCH(QString, query);
        QFETCH(QString, expected);
        QCOMPARE(parsed(query).describe(), expected);
    }

    void emptyQuery()
    {
        const SearchQuery none;
        QVERIFY(none.isEmpty());
        QVERIFY(none.matches(SearchFields{}));
        QVERIFY(parsed(QStringLiteral("  ")).isEmpty());
        QVERIFY(!parsed(QStringLiteral("x")).isEmpty());
        QCOMPARE(parsed(QStringLiteral(" web ")).text(), QStringLiteral(" web "));
    }

    void refines_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("previous");
        QTest::addColumn<bool>("expected");
        const auto add = [](const char *query, const char *previous, bool expected) {
            QTest::addRow("'%s' after '%s'", query, previous)
                << QString::fromUtf8(query) << QString::fromUtf8(previous) << expected;
        };
        // Typing more letters.
        add("we", "w", true);
        add("web", "we", true);
        add("web-1", "web", true);
        add("WEB-1", "web", true);
        add("eb", "web", false);
        add("w", "we", false); // deleting letters widens
        add("web", "web", true);
        // More or fewer terms.
        add("web db", "web", true);
        add("db web", "web", true);
        add("web-1 db", "web db", true);
        add("web", "web db", false);
        add("web state:running", "web", true);
        add("web (db OR x)", "web", true);
        add("web -db", "web", true);
        // Same field, same tag key, containing value.
        add("name:web-1", "name:web", true);
        add("name:web", "web", false);
        add("web", "name:web", false);
        add("env:prod", "env:pro", true);
        add("env:prod", "team:pro", false);
        add("state:running", "state:run", true);
        // Exact contains the substring; regexes only refine themselves.
        add("\"web-1\"", "web", true);
        add("name:\"web-1\"", "name:web", true);
        add("web", "\"web\"", false);
        add("\"web-1\"", "\"web\"", false);
        add("/web/", "/web/", true);
        add("/web-1/", "/web/", false);
        add("web", "/web/", false);
        add("tag:env", "tag:env", true);
        add("tag:env=prod", "env:pro", true);
        // Anything but a plain AND of positive terms before gives no proof.
        add("web", "web OR db", false);
        add("web db", "web OR db", false);
        add("web OR db", "web", false);
        add("web", "-db", false);
        add("web -db", "web -d", false);
        add("web -d", "web -db", false);
        // The empty query matches everything.
        add("web", "", true);
        add("", "", true);
        add("", "web", false);
    }

    void refines()
    {
        QFETCH(QString, query);
        QFETCH(QString, previous);
        QFETCH(bool, expected);
        QCOMPARE(parsed(query).refines(parsed(previous)), expected);
    }

    // refines() is only useful if it is sound: check it against matches() on many rows.
    void refinesIsSound()
    {
        const QStringList queries{
            QStringLiteral("w"),
            QStringLiteral("we"),
            QStringLiteral("web"),
            QStringLiteral("web-1"),
            QStringLiteral("\"web-1\""),
            QStringLiteral("web state:running"),
            QStringLiteral("state:run"),
            QStringLiteral("env:pro"),
            QStringLiteral("env:prod"),
            QStringLiteral("tag:env=prod"),
            QStringLiteral("web -db"),
            QStringLiteral("web OR db"),
            QStringLiteral("db"),
            QStringLiteral("/web/"),
        };
        const QList<SearchFields> rows{fixture(QStringLiteral("web1")).normalized(),
            fixture(QStringLiteral("db")).normalized(), fixture(QStringLiteral("host")).normalized()};
        for (const QString &a : queries) {
            for (const QString &b : queries) {
                const SearchQuery q = parsed(a), previous = parsed(b);
                if (!q.refines(previous))
                    continue;
                for (const SearchFields &row : rows)
                    QVERIFY2(!q.matches(row) || previous.matches(row), qPrintable(a + QStringLiteral(" / ") + b));
            }
        }
    }

    void normalizedFields()
    {
        SearchFields f;
        f.name = QStringLiteral("Two\nLines");
        f.ips = {QStringLiteral("FE80::A")};
        f.tags = {{QStringLiteral("Env"), QStringLiteral("PROD\r\n")}};
        const SearchFields n = f.normalized();
        QCOMPARE(n.name, QStringLiteral("two lines"));
        QCOMPARE(n.ips, QStringList{QStringLiteral("fe80::a")});
        QCOMPARE(n.tags.value(QStringLiteral("env")), QStringLiteral("prod  "));

        // Lowercase ASCII is returned as it is (shared), anything else goes the long way.
        const QString plain = QStringLiteral("web-1.example:22");
        QCOMPARE(SearchFields::normalizedText(plain).constData(), plain.constData());
        QCOMPARE(SearchFields::normalizedText(QStringLiteral("two\nlines\r")), QStringLiteral("two lines "));
        QCOMPARE(SearchFields::normalizedText(QStringLiteral("ÄPFEL-Z")), QStringLiteral("äpfel-z"));
        QCOMPARE(SearchFields::normalizedText(QStringLiteral("é")), QStringLiteral("é"));
        const QString loneSurrogate = QStringLiteral("a") + QChar(0xD800) + QStringLiteral("b");
        QCOMPARE(SearchFields::normalizedText(loneSurrogate),
                 QStringLiteral("a") + QChar(QChar::ReplacementCharacter) + QStringLiteral("b"));
    }
};

QTEST_GUILESS_MAIN(TestSearchQuery)
#include "tst_searchquery.moc"
