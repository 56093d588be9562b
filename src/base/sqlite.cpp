#include "base/sqlite.h"

#include <sqlite3.h>

#include <cctype>
#include <utility>

namespace berth {
namespace {

// The statement's first three words ("INSERT INTO tags"), so an error names what failed without
// quoting a whole schema.
std::string labelOf(std::string_view sql) {
  std::string out;
  int words = 0;
  size_t i = 0;
  while (i < sql.size() && words < 3) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    size_t start = i;
    while (i < sql.size() && !std::isspace(static_cast<unsigned char>(sql[i])) && sql[i] != '(' &&
           sql[i] != ';')
      ++i;
    if (i == start) break;
    if (!out.empty()) out += ' ';
    out.append(sql.substr(start, i - start));
    ++words;
  }
  return out.empty() ? std::string("sqlite") : out;
}

ErrorKind kindOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorKind::Unavailable;
    case SQLITE_CONSTRAINT:
      return ErrorKind::Conflict;
    default:
      return ErrorKind::Internal;
  }
}

Error sqliteError(sqlite3* db, int rc, const std::string& label) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error(kindOf(rc), fmt::format("{}: {}", label, msg ? msg : sqlite3_errstr(rc)));
}

}  // namespace

// ---- SqliteStmt ----

SqliteStmt::~SqliteStmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStmt::SqliteStmt(SqliteStmt&& o) noexcept
    : stmt_(std::exchange(o.stmt_, nullptr)),
      label_(std::move(o.label_)),
      bindError_(std::move(o.bindError_)) {}

SqliteStmt& SqliteStmt::operator=(SqliteStmt&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(o.stmt_, nullptr);
    label_ = std::move(o.label_);
    bindError_ = std::move(o.bindError_);
  }
  return *this;
}

void SqliteStmt::noteBind(int rc, int index) {
  if (rc == SQLITE_OK || bindError_) return;
  bindError_ = Error(kindOf(rc),
                     fmt::format("{}: bind parameter {}: {}", label_, index, sqlite3_errstr(rc)));
}

SqliteStmt& SqliteStmt::bindInt64(int index, int64_t v) {
  noteBind(sqlite3_bind_int64(stmt_, index, v), index);
  return *this;
}

SqliteStmt& SqliteStmt::bind(int index, std::string_view v) {
  // A non-null pointer even for "", so an empty string binds as '' and not as NULL.
  noteBind(sqlite3_bind_text64(stmt_, index, v.empty() ? "" : v.data(), v.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8),
           index);
  return *this;
}

SqliteStmt& SqliteStmt::bind(int index, std::nullptr_t) {
  noteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Result<bool> SqliteStmt::step() {
  if (!stmt_) return Error::internal("{}: statement not prepared", label_);
  if (bindError_) return *bindError_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqliteError(sqlite3_db_handle(stmt_), rc, label_);
  // Leaves the statement steppable again after a reset by the caller, and releases its locks.
  sqlite3_reset(stmt_);
  return e;
}

Status SqliteStmt::run() {
  while (TRY(step())) {
  }
  return ok();
}

void SqliteStmt::reset() {
  if (stmt_) sqlite3_reset(stmt_);
}

void SqliteStmt::clearBindings() {
  if (stmt_) sqlite3_clear_bindings(stmt_);
  bindError_.reset();
}

int64_t SqliteStmt::columnInt64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string SqliteStmt::columnText(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool SqliteStmt::columnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int SqliteStmt::columnCount() const {
  return stmt_ ? sqlite3_column_count(stmt_) : 0;
}

// ---- SqliteDb ----

Result<SqliteDb> SqliteDb::open(const std::string& path, const SqliteOptions& opts) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE,
      nullptr);
  SqliteDb db(raw);  // closes raw on every path below, including a failed open
  if (rc != SQLITE_OK) {
    int err = raw ? sqlite3_system_errno(raw) : 0;
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    if (err) return Error::sys(err, "open database {}", path);
    return Error(kindOf(rc), fmt::format("open database {}: {}", path, msg));
  }
  // Before anything that may need the write lock (switching to WAL does).
  sqlite3_busy_timeout(raw, opts.busyTimeoutMs);
  TRY_CTX(db.exec("PRAGMA journal_mode=WAL"), "open database {}", path);
  TRY_CTX(db.exec(opts.fullSync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"),
          "open database {}", path);
  TRY_CTX(db.exec("PRAGMA foreign_keys=ON"), "open database {}", path);
  return db;
}

SqliteDb::~SqliteDb() {
  // close_v2 defers the close until the last statement is finalized instead of failing.
  if (db_) sqlite3_close_v2(db_);
}

SqliteDb::SqliteDb(SqliteDb&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

Status SqliteDb::exec(std::string_view sql) {
  if (!db_) return Error::internal("{}: database not open", labelOf(sql));
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqliteError(db_, rc, labelOf(sql));
  return ok();
}

Result<SqliteStmt> SqliteDb::prepare(std::string_view sql) {
  if (!db_) return Error::internal("{}: database not open", labelOf(sql));
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (stmt) sqlite3_finalize(stmt);
    return sqliteError(db_, rc, labelOf(sql));
  }
  return SqliteStmt(stmt, labelOf(sql));
}

Result<SqliteTransaction> SqliteDb::begin() {
  TRY(exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(this);
}

int64_t SqliteDb::changes() const {
  return sqlite3_changes64(db_);
}

int64_t SqliteDb::lastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_);
}

bool SqliteDb::inTransaction() const {
  return db_ && sqlite3_get_autocommit(db_) == 0;
}

// ---- SqliteTransaction ----

SqliteTransaction::SqliteTransaction(SqliteTransaction&& o) noexcept
    : db_(o.db_), done_(std::exchange(o.done_, true)) {}

SqliteTransaction::~SqliteTransaction() {
  rollback();
}

Status SqliteTransaction::commit() {
  if (done_) return Error(ErrorKind::FailedPrecondition, "COMMIT: transaction already finished");
  TRY(db_->exec("COMMIT"));
  done_ = true;
  return ok();
}

void SqliteTransaction::rollback() {
  if (done_) return;
  done_ = true;
  // SQLite may already have rolled back on its own (after SQLITE_FULL or an I/O error);
  // a ROLLBACK then would only fail with "no transaction is active".
  if (db_->inTransaction()) (void)db_->exec("ROLLBACK");
}

}  // namespace berth
