#include "alerts/alertrule.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("mist::AlertHistory", text);
}

// Append-only list of steps; PRAGMA user_version is the number of steps applied.
const QStringList &migrations()
{
    static const QStringList steps{
        QStringLiteral("CREATE TABLE history(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, rule_id TEXT NOT NULL,"
                       " rule_name TEXT NOT NULL, machine_id INTEGER NOT NULL, machine_name TEXT NOT NULL,"
                       " event TEXT NOT NULL, action TEXT NOT NULL DEFAULT '', success INTEGER NOT NULL,"
                       " message TEXT NOT NULL DEFAULT '');"
                       "CREATE INDEX history_rule_at ON history(rule_id, at_ms);"
                       "CREATE INDEX history_at ON history(at_ms);"),
    };
    return steps;
}

Error fileError(const QString &path, const Error &cause)
{
    return Error{tr("The alert history %1 cannot be used.").arg(QDir::toNativeSeparators(path)), cause.toString()};
}

// Every statement checks that the file is open first: a failed open must not crash later calls.
Result<sql::Statement> statement(sql::Database &db, const QString &sql, bool cached = false)
{
    if (!db.isOpen())
        return Error{tr("The alert history is not open."), {}};
    return cached ? db.cached(sql) : db.prepare(sql);
}

} // namespace

QString AlertHistory::filePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("alerts.db"));
}

Status AlertHistory::open(const QString &path, sql::Database::Mode mode)
{
    const bool readOnly = mode == sql::Database::Mode::ReadOnly;
    // Nothing recorded yet: a reader sees an empty history rather than an error.
    const bool empty = readOnly && !QFileInfo::exists(path);
    if (Status s = m_db.open(empty ? QStringLiteral(":memory:") : path, empty ? sql::Database::Mode::ReadWrite : mode); !s)
        return fileError(path, s.error());
    auto version = m_db.scalar(QStringLiteral("PRAGMA user_version"));
    if (!version) {
        m_db.close();
        return fileError(path, version.error());   // e.g. not an SQLite file
    }
    const qint64 steps = migrations().size();
    if (version.value() > steps) {
        m_db.close();
        return Error{tr("The alert history %1 was written by a newer Mist Desktop.").arg(QDir::toNativeSeparators(path)),
                     QStringLiteral("user_version %1 > %2").arg(version.value()).arg(steps)};
    }
    if (readOnly && !empty) {
        if (version.value() < steps) {
            m_db.close();
            return Error{tr("The alert history %1 is from an older Mist Desktop; open the app once to update it.")
                             .arg(QDir::toNativeSeparators(path)), {}};
        }
        return {};
    }
    if (Status s = m_db.exec(QStringLiteral("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")); !s && !empty) {
        m_db.close();
        return fileError(path, s.error());
    }
    for (qint64 step = version.value(); step < steps; ++step) {
        sql::Transaction tx(m_db);
        Status s = tx.begin();
        if (s)
            s = m_db.exec(migrations().at(int(step)) + QStringLiteral(";PRAGMA user_version = %1;").arg(step + 1));
        if (s)
            s = tx.commit();
        if (!s) {
            m_db.close();
            return fileError(path, s.error());
        }
    }
    return {};
}

Status AlertHistory::append(const AlertHistoryEntry &e)
{
    auto st = statement(m_db, QStringLiteral(
        "INSERT INTO history(at_ms, rule_id, rule_name, machine_id, machine_name, event, action, success, message)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"), true);
    if (!st)
        return st.error();
    // NULL is not allowed in the text columns: a null QString becomes ''.
    auto text = [](const QString &s) { return s.isNull() ? QStringLiteral("") : s; };
    st.value()
        .bind(1, e.atMs)
        .bind(2, text(e.ruleId))
        .bind(3, text(e.ruleName))
        .bind(4, e.machineId)
        .bind(5, text(e.machineName))
        .bind(6, text(e.event))
        .bind(7, text(e.action))
        .bind(8, e.success)
        .bind(9, text(e.message));
    return st.value().exec();
}

Result<QVector<AlertHistoryEntry>> AlertHistory::recent(const QString &ruleId, int limit)
{
    auto st = statement(m_db, QStringLiteral(
        "SELECT id, at_ms, rule_id, rule_name, machine_id, machine_name, event, action, success, message FROM history"
        " WHERE (?1 = '' OR rule_id = ?1) ORDER BY at_ms DESC, id DESC LIMIT ?2"));
    if (!st)
        return st.error();
    st.value().bind(1, ruleId.isNull() ? QStringLiteral("") : ruleId).bind(2, qint64(limit > 0 ? limit : -1));
    QVector<AlertHistoryEntry> out;
    while (st.value().step()) {
        const sql::Statement &r = st.value();
        AlertHistoryEntry e;
        e.id = r.int64(0);
        e.atMs = r.int64(1);
        e.ruleId = r.text(2);
        e.ruleName = r.text(3);
        e.machineId = r.int64(4);
        e.machineName = r.text(5);
        e.event = r.text(6);
        e.action = r.text(7);
        e.success = r.int64(8) != 0;
        e.message = r.text(9);
        out.append(e);
    }
    if (st.value().failed())
        return st.value().error();
    return out;
}

Status AlertHistory::prune(qint64 olderThanMs)
{
    auto st = statement(m_db, QStringLiteral("DELETE FROM history WHERE at_ms < ?1"));
    if (!st)
        return st.error();
    st.value().bind(1, olderThanMs);
    return st.value().exec();
}

} // namespace mist
