#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QVariant>
#include <QVector>

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace mist::sql {

// Thin RAII layer over the SQLite C API. We use the C API rather than QtSql for prepared
// statements that are reused across a whole poll (no QVariant boxing per cell), exact control
// of transactions and pragmas, and no SQL driver plugin to deploy next to the app.
// The UTF-8 of the text values bound to one statement, by parameter index. SQLite reads them
// in place (SQLITE_STATIC) until the statement is reset, instead of copying every value once
// more; a cached statement keeps its buffers, so a poll's thousands of binds allocate nothing.
using BoundText = QVector<QByteArray>;

class Statement
{
    friend class Database;

public:
    Statement() = default;
    // Owned: finalized when destroyed.
    Statement(sqlite3 *db, sqlite3_stmt *stmt) : m_db(db), m_stmt(stmt) {}
    // Borrowed (from Database::cached): reset, not finalized, when destroyed; `text` belongs
    // to the cache entry.
    Statement(sqlite3 *db, sqlite3_stmt *stmt, BoundText *text) : m_db(db), m_stmt(stmt), m_text(text), m_owned(false) {}
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    bool isValid() const { return m_stmt != nullptr; }

    Statement &bind(int index, qint64 value);
    Statement &bind(int index, int value) { return bind(index, qint64(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, bool value) { return bind(index, qint64(value ? 1 : 0)); }
    Statement &bind(int index, const QString &value);   // null QString binds NULL
    Statement &bindNull(int index);

    // Returns true while a row is available; false at the end or on error (see error()).
    bool step();
    bool failed() const;   // the last step ended in an error, not SQLITE_ROW/SQLITE_DONE
    Status exec();   // step to completion, then reset
    void reset();

    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    bool isNull(int column) const;

    Error error() const;

private:
    QByteArray &textBuffer(int index);

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    BoundText *m_text = nullptr;            // m_ownText, or the cache entry's
    std::unique_ptr<BoundText> m_ownText;   // owned statements only, made on the first text bind
    int m_lastRc = 0;
    bool m_owned = true;
};

class Database
{
public:
    Database() = default;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    enum class Mode { ReadWrite, ReadOnly };
    Status open(const QString &path, Mode mode = Mode::ReadWrite);
    void close();
    bool isOpen() const { return m_db != nullptr; }
    QString path() const { return m_path; }

    Status exec(const QString &sql);                // one or more statements, no results
    Result<Statement> prepare(const QString &sql);
    // Prepared once per connection and reused: for statements run thousands of times per
    // poll. Only one handle of the same SQL may be alive at a time.
    Result<Statement> cached(const QString &sql);
    Result<qint64> scalar(const QString &sql);      // first column of first row
    qint64 lastInsertId() const;
    int changes() const;
    // Rows written by this connection since it was opened (incl. triggers): lets a cache
    // notice writes it was not told about.
    qint64 totalChanges() const;
    // Changes when another connection commits to the file (PRAGMA data_version).
    Result<qint64> dataVersion();

    // Checkpoints: by default SQLite copies the WAL back into the file inside the commit that
    // makes the WAL pass 1000 pages (and syncs), which can triple that commit's time. With
    // deferred checkpoints the commit never does; the owner calls checkpoint() when idle.
    void setDeferredCheckpoints(bool deferred);
    int walFrames() const { return m_walFrames; }   // in the WAL after the last commit (deferred mode)
    Status checkpoint();                            // PASSIVE: never waits for readers or writers
    Error lastError(const QString &message) const;

private:
    sqlite3 *m_db = nullptr;
    QString m_path;
    struct CachedStatement
    {
        sqlite3_stmt *stmt = nullptr;
        BoundText *text = nullptr;   // deleted in close()
    };
    QHash<QString, CachedStatement> m_cache;
    int m_walFrames = 0;
    bool m_deferredCheckpoints = false;
};

// Commits on commit(), rolls back when destroyed without it.
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    enum class Kind { Write, Read };
    // Write: BEGIN IMMEDIATE. Read: BEGIN (DEFERRED), one consistent view for several queries.
    Status begin(Kind kind = Kind::Write);
    Status commit();
    Status rollback();

private:
    Database &m_db;
    bool m_open = false;
};

} // namespace mist::sql
