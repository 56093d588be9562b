#pragma once
// A thin RAII layer over SQLite: a connection, prepared statements and transactions, with every
// failure as an Error naming the statement ("INSERT INTO tags: UNIQUE constraint failed: ...").
// SQLITE_BUSY/LOCKED (another process kept the write lock past the busy timeout) is Unavailable,
// SQLITE_CONSTRAINT is Conflict, anything else Internal. Schemas and queries are the callers'.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace berth {

class SqliteDb;

// One prepared statement. It must not outlive the SqliteDb that prepared it.
class SqliteStmt {
 public:
  SqliteStmt() = default;
  ~SqliteStmt();
  SqliteStmt(SqliteStmt&& o) noexcept;
  SqliteStmt& operator=(SqliteStmt&& o) noexcept;
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  // Parameters are 1-based, as in SQLite. A bind failure is kept and returned by the next step(),
  // so binds chain: stmt.bind(1, id).bind(2, name).
  template <typename T>
  requires std::is_integral_v<T> SqliteStmt& bind(int index, T v) {
    return bindInt64(index, static_cast<int64_t>(v));
  }
  SqliteStmt& bind(int index, std::string_view v);  // copied by SQLite
  SqliteStmt& bind(int index, std::nullptr_t);

  /// True when a row is available, false when the statement is done. Unavailable on
  /// SQLITE_BUSY/LOCKED, Conflict on a constraint violation, Internal otherwise.
  Result<bool> step();
  /// Steps to the end, for statements that return no rows (or whose rows do not matter).
  Status run();
  /// Makes the statement ready to step again; bindings are kept until clearBindings().
  void reset();
  void clearBindings();

  // Column accessors for the current row; columns are 0-based. NULL reads as 0 / "".
  int64_t columnInt64(int col) const;
  std::string columnText(int col) const;
  bool columnIsNull(int col) const;
  int columnCount() const;

 private:
  friend class SqliteDb;
  SqliteStmt(sqlite3_stmt* stmt, std::string label) : stmt_(stmt), label_(std::move(label)) {}
  SqliteStmt& bindInt64(int index, int64_t v);
  void noteBind(int rc, int index);

  sqlite3_stmt* stmt_ = nullptr;
  std::string label_;  // the statement's first words, for error messages
  std::optional<Error> bindError_;
};

struct SqliteOptions {
  // How long a writer waits for another connection's (or process's) write lock before
  // giving up with Unavailable.
  int busyTimeoutMs = 10000;
  // synchronous=FULL: also fsync the WAL on every commit. The default, NORMAL, keeps the database
  // consistent through any crash and durable through a process crash (the WAL is in the page
  // cache); only a power loss or kernel crash can lose the last commits. That trade is what WAL
  // with NORMAL is designed for, and an fsync costs up to 60 ms on some virtual disks, which a
  // `run -d` (one commit for the image user) cannot afford.
  bool fullSync = false;
};

class SqliteTransaction;

// A connection in WAL mode with foreign keys on. Serialized (SQLITE_OPEN_FULLMUTEX), but a
// transaction belongs to the connection, not the thread: callers sharing one SqliteDb between
// threads serialise their transactions themselves.
class SqliteDb {
 public:
  /// Opens (creating) the database file; the errno's kind when the file cannot be opened.
  static Result<SqliteDb> open(const std::string& path, const SqliteOptions& opts = {});

  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& o) noexcept;
  SqliteDb& operator=(SqliteDb&& o) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  /// Runs one or more statements that return no rows of interest (schema, pragmas).
  Status exec(std::string_view sql);
  Result<SqliteStmt> prepare(std::string_view sql);
  /// BEGIN IMMEDIATE: takes the write lock now (waiting up to the busy timeout), so a
  /// transaction never fails half-way because another writer got there first.
  Result<SqliteTransaction> begin();

  /// Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const;
  int64_t lastInsertRowid() const;
  bool inTransaction() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// An open write transaction: commit() or the destructor rolls it back.
class SqliteTransaction {
 public:
  ~SqliteTransaction();
  SqliteTransaction(SqliteTransaction&& o) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  /// On failure the transaction stays open and the destructor rolls it back.
  Status commit();
  /// Rolls back now; a no-op once committed or rolled back.
  void rollback();

 private:
  friend class SqliteDb;
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
  bool done_ = false;
};

}  // namespace berth
