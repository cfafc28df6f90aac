// AlertHistory (alerts.db): append and read back newest first, per rule and with a limit,
// pruning, reopening, the versioned schema in WAL mode, read-only readers (the CLI), and
// files it must refuse (not SQLite, from a newer build).
#include "alerts/alertrule.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace mist;

namespace {

AlertHistoryEntry entry(qint64 at, const QString &rule, const QString &event, bool success = true)
{
    AlertHistoryEntry e;
    e.atMs = at;
    e.ruleId = rule;
    e.ruleName = QStringLiteral("Rule ") + rule;
    e.machineId = 7;
    e.machineName = QStringLiteral("web1");
    e.event = event;
    if (event == QLatin1String("action"))
        e.action = QStringLiteral("webhook");
    e.success = success;
    e.message = QStringLiteral("%1 at %2").arg(event).arg(at);
    return e;
}

} // namespace

class TestAlertHistory : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path() const { return AlertHistory::filePath(m_dir.path()); }

private slots:
    void init()
    {
        QFile::remove(path());
        QFile::remove(path() + QStringLiteral("-wal"));
        QFile::remove(path() + QStringLiteral("-shm"));
    }

    void appendRecentPrune()
    {
        QCOMPARE(AlertHistory::filePath(QStringLiteral("/data")), QStringLiteral("/data/alerts.db"));
        AlertHistory h;
        QVERIFY(h.open(path()).ok());
        QVERIFY(h.append(entry(1000, QStringLiteral("a"), QStringLiteral("fired"))).ok());
        QVERIFY(h.append(entry(2000, QStringLiteral("a"), QStringLiteral("action"), false)).ok());
        QVERIFY(h.append(entry(3000, QStringLiteral("b"), QStringLiteral("fired"))).ok());
        QVERIFY(h.append(entry(4000, QStringLiteral("a"), QStringLiteral("resolved"))).ok());
        AlertHistoryEntry empty;   // null strings are stored as ""
        empty.atMs = 500;
        QVERIFY(h.append(empty).ok());

        auto all = h.recent(QString());
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 5);
        QCOMPARE(all->at(0).atMs, 4000);   // newest first
        QCOMPARE(all->at(4).atMs, 500);

        auto a = h.recent(QStringLiteral("a"));
        QCOMPARE(a->size(), 3);
        const AlertHistoryEntry &failed = a->at(1);
        QCOMPARE(failed.event, QStringLiteral("action"));
        QCOMPARE(failed.action, QStringLiteral("webhook"));
        QVERIFY(!failed.success);
        QCOMPARE(failed.ruleName, QStringLiteral("Rule a"));
        QCOMPARE(failed.machineId, 7);
        QCOMPARE(failed.machineName, QStringLiteral("web1"));
        QCOMPARE(failed.message, QStringLiteral("action at 2000"));
        QVERIFY(failed.id > 0);

        QCOMPARE(h.recent(QStringLiteral("a"), 2)->size(), 2);
        QCOMPARE(h.recent(QStringLiteral("nope"))->size(), 0);

        QVERIFY(h.prune(2500).ok());   // older than 2500 goes
        all = h.recent(QString());
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(1).atMs, 3000);
    }

    void persistsAndReadsReadOnly()
    {
        {
            AlertHistory h;
            QVERIFY(h.open(path()).ok());
            QVERIFY(h.append(entry(1000, QStringLiteral("a"), QStringLiteral("fired"))).ok());
        }
        // The CLI reads next to the running app.
        AlertHistory writer;
        QVERIFY(writer.open(path()).ok());
        QVERIFY(writer.append(entry(2000, QStringLiteral("a"), QStringLiteral("renotify"))).ok());
        AlertHistory reader;
        QVERIFY(reader.open(path(), sql::Database::Mode::ReadOnly).ok());
        auto r = reader.recent(QStringLiteral("a"));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->size(), 2);
        QCOMPARE(r->first().event, QStringLiteral("renotify"));
        QVERIFY(!reader.append(entry(3000, QStringLiteral("a"), QStringLiteral("fired"))).ok());

        // The schema: versioned, WAL.
        sql::Database db;
        QVERIFY(db.open(path()).ok());
        QCOMPARE(db.scalar(QStringLiteral("PRAGMA user_version")).value(), 1);
        auto mode = db.prepare(QStringLiteral("PRAGMA journal_mode"));
        QVERIFY(mode.ok() && mode.value().step());
        QCOMPARE(mode.value().text(0), QStringLiteral("wal"));
    }

    void readOnlyWithoutAFileIsEmpty()
    {
        AlertHistory reader;
        QVERIFY(reader.open(path(), sql::Database::Mode::ReadOnly).ok());
        QCOMPARE(reader.recent(QString())->size(), 0);
        QVERIFY(!QFile::exists(path()));   // a reader creates nothing
    }

    void refusesBadFiles()
    {
        {
            QFile f(path());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        }
        AlertHistory h;
        Status s = h.open(path());
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(QLatin1String("alerts.db")), qPrintable(s.error().toString()));
        QVERIFY(!h.append(entry(1, QStringLiteral("a"), QStringLiteral("fired"))).ok());   // not open: an error, no crash
        QVERIFY(!h.recent(QString()).ok());
        QVERIFY(!h.prune(1).ok());
        QCOMPARE(QFile(path()).size(), 4096);   // left untouched

        init();
        {
            sql::Database db;
            QVERIFY(db.open(path()).ok());
            QVERIFY(db.exec(QStringLiteral("PRAGMA user_version = 99")).ok());
        }
        s = h.open(path());
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(QLatin1String("newer")), qPrintable(s.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestAlertHistory)
#include "tst_alerthistory.moc"
