// Times SearchIndex::setQuery on 100,000 synthetic rows (50 clouds, nested machines, tags):
// the letters of a word typed one by one, the same queries from scratch, and field queries.
// Usage: search_bench [rows] [repetitions]

#include "search/searchindex.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTextStream>

#include <algorithm>
#include <vector>

using namespace mist;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// Clouds are keys 1..50; machines follow. About a third of the machines carry children
// (hypervisor VMs, containers, pods) and a few of those children have children again.
int buildRows(SearchIndex &index, int rowCount)
{
    index.reserve(rowCount); // as InventoryModel::resetFrom does
    QRandomGenerator random(2024);
    const auto pick = [&](const QStringList &list) { return list.at(int(random.bounded(quint32(list.size())))); };
    static const QStringList providers{QStringLiteral("libvirt"), QStringLiteral("ec2"), QStringLiteral("gce"),
        QStringLiteral("azure"), QStringLiteral("docker"), QStringLiteral("kubernetes")};
    static const QStringList roles{QStringLiteral("web"), QStringLiteral("db"), QStringLiteral("cache"),
        QStringLiteral("api"), QStringLiteral("worker"), QStringLiteral("batch"), QStringLiteral("gateway"),
        QStringLiteral("mq"), QStringLiteral("search"), QStringLiteral("auth")};
    static const QStringList states{QStringLiteral("running"), QStringLiteral("running"), QStringLiteral("running"),
        QStringLiteral("stopped"), QStringLiteral("pending"), QStringLiteral("error")};
    static const QStringList sizes{QStringLiteral("t3.micro"), QStringLiteral("m5.large"), QStringLiteral("c6g.xlarge"),
        QStringLiteral("2 vcpu / 4 gb")};
    static const QStringList images{QStringLiteral("Ubuntu 22.04"), QStringLiteral("Debian 12"),
        QStringLiteral("CentOS Stream 9"), QStringLiteral("Windows Server 2022")};
    static const QStringList locations{QStringLiteral("eu-west-1"), QStringLiteral("us-east-1"),
        QStringLiteral("ap-south-1"), QStringLiteral("rack 4")};
    static const QStringList envs{QStringLiteral("prod"), QStringLiteral("staging"), QStringLiteral("dev")};
    static const QStringList teams{
        QStringLiteral("payments"), QStringLiteral("search"), QStringLiteral("infra"), QStringLiteral("web")};
    constexpr int kClouds = 50;
    for (int c = 1; c <= kClouds; ++c) {
        SearchFields cloud;
        cloud.name = QStringLiteral("Cloud-%1").arg(c, 2, 10, QLatin1Char('0'));
        cloud.kind = QStringLiteral("cloud");
        cloud.provider = providers.at(c % providers.size());
        index.upsert(quintptr(c), 0, cloud);
    }
    std::vector<quintptr> parents; // machines that can take children
    for (int key = kClouds + 1; key <= rowCount; ++key) {
        const int cloud = 1 + key % kClouds;
        quintptr parent = quintptr(cloud);
        QString kind = QStringLiteral("vm");
        if (!parents.empty() && random.bounded(3) == 0) {
            parent = parents.at(random.bounded(quint32(parents.size())));
            kind = QStringLiteral("container");
        } else if (random.bounded(4) == 0) {
            parents.push_back(quintptr(key));
            kind = QStringLiteral("hypervisor");
        }
        SearchFields f;
        f.name = QStringLiteral("%1-%2").arg(pick(roles)).arg(key / kClouds);
        f.state = pick(states);
        f.cloud = QStringLiteral("Cloud-%1").arg(cloud, 2, 10, QLatin1Char('0'));
        f.provider = providers.at(cloud % providers.size());
        f.kind = kind;
        f.id = QStringLiteral("i-%1").arg(key, 8, 16, QLatin1Char('0'));
        f.size = pick(sizes);
        f.image = pick(images);
        f.location = pick(locations);
        f.os = f.image.startsWith(QLatin1String("Windows")) ? QStringLiteral("windows") : QStringLiteral("linux");
        f.ips = {QStringLiteral("10.%1.%2.%3").arg(cloud).arg(key / 250 % 250).arg(key % 250)};
        if (random.bounded(3) == 0)
            f.ips.append(QStringLiteral("203.0.%1.%2").arg(random.bounded(256)).arg(random.bounded(256)));
        f.tags.insert(QStringLiteral("env"), pick(envs));
        if (random.bounded(2) == 0)
            f.tags.insert(QStringLiteral("team"), pick(teams));
        if (random.bounded(5) == 0)
            f.tags.insert(QStringLiteral("owner"), QStringLiteral("user%1@example.com").arg(random.bounded(300)));
        index.upsert(quintptr(key), parent, f);
    }
    return rowCount;
}

struct Stats
{
    double min = 0, median = 0, p95 = 0;
};

Stats stats(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double q) { return ms.at(std::min(ms.size() - 1, size_t(q * double(ms.size() - 1) + 0.5))); };
    return {ms.front(), at(0.5), at(0.95)};
}

SearchQuery parsed(const QString &text)
{
    auto query = SearchQuery::parse(text);
    if (!query)
        qFatal("bad query %s: %s", qPrintable(text), qPrintable(query.error().toString()));
    return query.value();
}

double timeSetQuery(SearchIndex &index, const SearchQuery &query)
{
    QElapsedTimer timer;
    timer.start();
    index.setQuery(query);
    return double(timer.nsecsElapsed()) / 1e6;
}

void printRow(const QString &query, const QString &mode, int matches, const Stats &s)
{
    out() << qSetFieldWidth(28) << Qt::left << query << qSetFieldWidth(10) << mode << Qt::right << qSetFieldWidth(9)
          << matches << qSetFieldWidth(10) << QString::number(s.min, 'f', 2) << QString::number(s.median, 'f', 2)
          << QString::number(s.p95, 'f', 2) << qSetFieldWidth(0) << '\n';
}

// Each query from the empty query (a full evaluation every time).
void benchFull(SearchIndex &index, const QStringList &queries, int reps)
{
    for (const QString &text : queries) {
        const SearchQuery query = parsed(text);
        std::vector<double> ms;
        for (int r = 0; r < reps; ++r) {
            index.setQuery(SearchQuery());
            ms.push_back(timeSetQuery(index, query));
        }
        printRow(text, QStringLiteral("full"), index.matchCount(), stats(ms));
    }
}

// The queries one after the other, as typed: each step may narrow from the previous one.
void benchTyped(SearchIndex &index, const QStringList &steps, int reps)
{
    std::vector<std::vector<double>> ms(size_t(steps.size()));
    std::vector<int> matches(size_t(steps.size()));
    std::vector<bool> narrowed(size_t(steps.size()));
    for (int r = 0; r < reps; ++r) {
        index.setQuery(SearchQuery());
        for (int i = 0; i < steps.size(); ++i) {
            ms[size_t(i)].push_back(timeSetQuery(index, parsed(steps.at(i))));
            matches[size_t(i)] = index.matchCount();
            narrowed[size_t(i)] = index.lastQueryWasNarrowed();
        }
    }
    for (int i = 0; i < steps.size(); ++i)
        printRow(steps.at(i), narrowed[size_t(i)] ? QStringLiteral("typed") : QStringLiteral("typed*"),
            matches[size_t(i)], stats(ms[size_t(i)]));
}

void benchUpserts(SearchIndex &index, int rowCount)
{
    index.setQuery(parsed(QStringLiteral("web state:running")));
    std::vector<SearchFields> rows;
    QRandomGenerator random(7);
    constexpr int kUpdates = 10000;
    std::vector<quintptr> keys;
    for (int i = 0; i < kUpdates; ++i) {
        const quintptr key = quintptr(51 + random.bounded(quint32(rowCount - 51)));
        SearchFields f = index.fields(key);
        f.state = f.state == QLatin1String("running") ? QStringLiteral("stopped") : QStringLiteral("running");
        rows.push_back(f);
        keys.push_back(key);
    }
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < kUpdates; ++i)
        index.upsert(keys[size_t(i)], index.parentKey(keys[size_t(i)]), rows[size_t(i)]);
    out() << "\n"
          << kUpdates << " upserts under an active query: "
          << QString::number(double(timer.nsecsElapsed()) / 1e3 / kUpdates, 'f', 2) << " us each\n";
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int rowCount = args.size() > 1 ? args.at(1).toInt() : 100000;
    const int reps = args.size() > 2 ? args.at(2).toInt() : 31;

    SearchIndex index;
    QElapsedTimer timer;
    timer.start();
    buildRows(index, rowCount);
    out() << "search_bench: " << index.size() << " rows indexed in " << timer.elapsed() << " ms, " << reps
          << " repetitions"
#ifdef QT_NO_DEBUG
          << " (release build)\n";
#else
          << " (DEBUG build: numbers are not representative)\n";
#endif
    out() << "times in ms; typed = narrowed from the previous step, typed* = full evaluation\n\n";
    out() << qSetFieldWidth(28) << Qt::left << "query" << qSetFieldWidth(10) << "mode" << Qt::right << qSetFieldWidth(9)
          << "matches" << qSetFieldWidth(10) << "min"
          << "median"
          << "p95" << qSetFieldWidth(0) << '\n';

    const QStringList typed{QStringLiteral("w"), QStringLiteral("we"), QStringLiteral("web"), QStringLiteral("web-"),
        QStringLiteral("web-1")};
    benchTyped(index, typed, reps);
    benchFull(index, typed, reps);
    benchFull(index,
        {QStringLiteral("state:running"), QStringLiteral("cloud:cloud-07"), QStringLiteral("env:prod"),
            QStringLiteral("tag:team=payments"), QStringLiteral("kind:vm state:stopped"), QStringLiteral("\"web-100\""),
            QStringLiteral("web OR db"), QStringLiteral("NOT state:running"), QStringLiteral("ip:10.1."),
            QStringLiteral("203.0.11"), QStringLiteral("name:/^web-1\\d$/"), QStringLiteral("/^web-1\\d$/"),
            QStringLiteral("/e/"), QStringLiteral("zzz-no-match")},
        reps);
    benchUpserts(index, rowCount);
    out().flush();
    return 0;
}
