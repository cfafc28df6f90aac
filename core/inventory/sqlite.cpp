#include "sqlite.h"

#include <QCoreApplication>

#include <sqlite3.h>

#include <mutex>

namespace mist::sql {

Statement::Statement(Statement &&other) noexcept
    : m_db(other.m_db), m_stmt(other.m_stmt), m_text(other.m_text), m_ownText(std::move(other.m_ownText)),
      m_lastRc(other.m_lastRc), m_owned(other.m_owned)
{
    other.m_stmt = nullptr;
    other.m_text = nullptr;
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        if (m_owned)
            sqlite3_finalize(m_stmt);
        else if (m_stmt)
            reset();
        m_db = other.m_db;
        m_stmt = other.m_stmt;
        m_text = other.m_text;
        m_ownText = std::move(other.m_ownText);
        m_lastRc = other.m_lastRc;
        m_owned = other.m_owned;
        other.m_stmt = nullptr;
        other.m_text = nullptr;
    }
    return *this;
}

Statement::~Statement()
{
    if (m_owned)
        sqlite3_finalize(m_stmt);
    else if (m_stmt)
        reset();
}

Statement &Statement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    sqlite3_bind_double(m_stmt, index, value);
    return *this;
}

QByteArray &Statement::textBuffer(int index)
{
    if (!m_text) {
        m_ownText = std::make_unique<BoundText>();
        m_text = m_ownText.get();
    }
    if (index >= m_text->size())
        m_text->resize(index + 1);
    return (*m_text)[index];
}

Statement &Statement::bind(int index, const QString &value)
{
    if (value.isNull())
        return bindNull(index);
    // The buffer's old text is not read by SQLite any more: a bind replaces the previous
    // binding of the index, and reset() clears them all.
    QByteArray &utf8 = textBuffer(index);
    const qsizetype n = value.size();
    utf8.resize(n);   // keeps the capacity: no allocation once the buffer has grown
    char *out = utf8.data();
    const QChar *in = value.constData();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = in[i].unicode();
        if (c >= 0x80) {   // not ASCII: Qt's converter
            utf8 = value.toUtf8();
            break;
        }
        out[i] = char(c);
    }
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool Statement::step()
{
    m_lastRc = sqlite3_step(m_stmt);
    return m_lastRc == SQLITE_ROW;
}

bool Statement::failed() const
{
    return m_lastRc != SQLITE_ROW && m_lastRc != SQLITE_DONE;
}

Status Statement::exec()
{
    while (step()) {
    }
    const bool ok = m_lastRc == SQLITE_DONE;
    Error err = ok ? Error{} : error();
    reset();
    if (!ok)
        return err;
    return {};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    if (!data)
        return {};
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Error Statement::error() const
{
    return Error{QCoreApplication::translate("Database", "A database statement failed"),
                 QString::fromUtf8(sqlite3_errmsg(m_db))};
}

Database::~Database()
{
    close();
}

Status Database::open(const QString &path, Mode mode)
{
    // SQLite's memory statistics take a global mutex on every allocation, and nothing here
    // reads them: ~4 % of a poll's instructions. Only possible before SQLite initializes.
    static std::once_flag configured;
    std::call_once(configured, [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        sqlite3_initialize();
    });
    close();
    m_path = path;
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                      | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = lastError(QCoreApplication::translate("Database", "Could not open the database %1").arg(path));
        close();
        return e;
    }
    // Another process (the CLI next to the GUI) may hold the write lock for a moment.
    sqlite3_busy_timeout(m_db, 5000);
    sqlite3_extended_result_codes(m_db, 1);
    if (m_deferredCheckpoints)
        setDeferredCheckpoints(true);
    return {};
}

void Database::close()
{
    for (const CachedStatement &c : std::as_const(m_cache)) {
        sqlite3_finalize(c.stmt);
        delete c.text;
    }
    m_cache.clear();
    m_walFrames = 0;
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

Status Database::exec(const QString &sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        Error e{QCoreApplication::translate("Database", "A database command failed"),
                message ? QString::fromUtf8(message) : QString::fromUtf8(sqlite3_errstr(rc))};
        sqlite3_free(message);
        return e;
    }
    return {};
}

Result<Statement> Database::prepare(const QString &sql)
{
    sqlite3_stmt *stmt = nullptr;
    const QByteArray utf8 = sql.toUtf8();
    const int rc = sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        return lastError(QCoreApplication::translate("Database", "Could not prepare a database query"));
    return Statement(m_db, stmt);
}

Result<Statement> Database::cached(const QString &sql)
{
    if (const auto it = m_cache.constFind(sql); it != m_cache.cend())
        return Statement(m_db, it->stmt, it->text);
    auto prepared = prepare(sql);
    if (!prepared)
        return prepared.error();
    CachedStatement c;
    std::swap(c.stmt, prepared.value().m_stmt);
    c.text = new BoundText;
    m_cache.insert(sql, c);
    return Statement(m_db, c.stmt, c.text);
}

Result<qint64> Database::scalar(const QString &sql)
{
    auto stmt = prepare(sql);
    if (!stmt)
        return stmt.error();
    if (!stmt.value().step())
        return stmt.value().failed() ? Result<qint64>(stmt.value().error()) : Result<qint64>(qint64(0));
    return stmt.value().int64(0);
}

qint64 Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

qint64 Database::totalChanges() const
{
#if SQLITE_VERSION_NUMBER >= 3037000
    return sqlite3_total_changes64(m_db);
#else
    return sqlite3_total_changes(m_db);
#endif
}

Result<qint64> Database::dataVersion()
{
    auto s = cached(QStringLiteral("PRAGMA data_version"));
    if (!s)
        return s.error();
    if (!s.value().step())
        return s.value().error();
    return s.value().int64(0);
}

void Database::setDeferredCheckpoints(bool deferred)
{
    m_deferredCheckpoints = deferred;   // also for a later open()
    if (!m_db)
        return;
    if (!deferred) {
        sqlite3_wal_autocheckpoint(m_db, 1000);   // SQLite's default (replaces our hook)
        return;
    }
    // Our own WAL hook replaces the automatic checkpoint; it only notes the WAL's size.
    sqlite3_wal_hook(m_db, [](void *self, sqlite3 *, const char *, int frames) {
        static_cast<Database *>(self)->m_walFrames = frames;
        return SQLITE_OK;
    }, this);
}

Status Database::checkpoint()
{
    int log = 0, done = 0;
    const int rc = sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return lastError(QCoreApplication::translate("Database", "Could not write the journal back into the database"));
    // The next commit restarts the WAL from its beginning once everything was copied.
    m_walFrames = log - done;
    return {};
}

Error Database::lastError(const QString &message) const
{
    return Error{message, m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("out of memory")};
}

Transaction::Transaction(Database &db) : m_db(db) {}

Transaction::~Transaction()
{
    if (m_open)
        (void)m_db.exec(QStringLiteral("ROLLBACK"));
}

Status Transaction::begin(Kind kind)
{
    // IMMEDIATE takes the write lock up front so a concurrent writer waits instead of
    // failing half-way with SQLITE_BUSY.
    Status s = m_db.exec(kind == Kind::Write ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN"));
    m_open = s.ok();
    return s;
}

Status Transaction::commit()
{
    Status s = m_db.exec(QStringLiteral("COMMIT"));
    if (s.ok())
        m_open = false;
    return s;
}

Status Transaction::rollback()
{
    Status s = m_db.exec(QStringLiteral("ROLLBACK"));
    m_open = false;   // failed or not, SQLite has no transaction of ours open any more
    return s;
}

} // namespace mist::sql
