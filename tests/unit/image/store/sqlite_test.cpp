// The SQLite wrapper lives in base but is tested here: base_tests links only berth_base.
#include "base/sqlite.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "temp_dir.h"

namespace berth {
namespace {

class SqliteTest : public image::testing::TempDirTest {
 protected:
  std::string path() const { return dir() + "/test.db"; }

  SqliteDb openDb(SqliteOptions opts = {}) {
    auto db = SqliteDb::open(path(), opts);
    EXPECT_TRUE(db) << (db ? "" : db.error().what());
    return std::move(*db);
  }

  static int64_t count(SqliteDb& db, const char* sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st);
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    return st->columnInt64(0);
  }

  static std::string text(SqliteDb& db, const char* sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st);
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    return st->columnText(0);
  }
};

TEST_F(SqliteTest, OpensInWalModeWithForeignKeysAndNormalSync) {
  auto db = openDb();
  EXPECT_EQ(text(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(count(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(count(db, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST_F(SqliteTest, FullSyncOptionSetsSynchronousFull) {
  auto db = openDb({.fullSync = true});
  EXPECT_EQ(count(db, "PRAGMA synchronous"), 2);
}

TEST_F(SqliteTest, OpenInAMissingDirectoryIsNotFound) {
  auto db = SqliteDb::open(dir() + "/missing/x.db");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind(), ErrorKind::NotFound) << db.error().what();
}

TEST_F(SqliteTest, BindsAndReadsBackIntegersTextAndNull) {
  auto db = openDb();
  ASSERT_TRUE(db.exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)"));
  auto ins = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
  ASSERT_TRUE(ins);
  ASSERT_TRUE(
      ins->bind(1, int64_t{1} << 40).bind(2, std::string_view("héllo")).bind(3, nullptr).run());
  ins->reset();
  ASSERT_TRUE(ins->bind(1, 0).bind(2, "").bind(3, "x").run());
  EXPECT_EQ(db.changes(), 1);

  auto sel = db.prepare("SELECT a, b, c FROM t ORDER BY a DESC");
  ASSERT_TRUE(sel);
  EXPECT_EQ(sel->columnCount(), 3);
  ASSERT_TRUE(*sel->step());
  EXPECT_EQ(sel->columnInt64(0), int64_t{1} << 40);
  EXPECT_EQ(sel->columnText(1), "héllo");
  EXPECT_TRUE(sel->columnIsNull(2));
  ASSERT_TRUE(*sel->step());
  EXPECT_EQ(sel->columnInt64(0), 0);
  // An empty string is '' and not NULL.
  EXPECT_FALSE(sel->columnIsNull(1));
  EXPECT_EQ(sel->columnText(1), "");
  EXPECT_FALSE(*sel->step());
}

TEST_F(SqliteTest, ConstraintViolationIsConflictNamingTheStatement) {
  auto db = openDb();
  ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  ASSERT_TRUE(db.exec("INSERT INTO t VALUES ('a')"));
  auto st = db.prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(st);
  auto r = st->bind(1, "a").run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::Conflict);
  EXPECT_NE(r.error().what().find("INSERT INTO t"), std::string::npos) << r.error().what();
  EXPECT_NE(r.error().what().find("UNIQUE constraint failed"), std::string::npos);
}

TEST_F(SqliteTest, ForeignKeysAreEnforced) {
  auto db = openDb();
  ASSERT_TRUE(
      db.exec("CREATE TABLE p (id TEXT PRIMARY KEY); "
              "CREATE TABLE c (p TEXT REFERENCES p(id))"));
  auto r = db.exec("INSERT INTO c VALUES ('nope')");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::Conflict);
}

TEST_F(SqliteTest, SyntaxErrorIsInternalAndNamesTheStatement) {
  auto db = openDb();
  auto st = db.prepare("SELEKT 1 FROM nowhere");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::Internal);
  EXPECT_NE(st.error().what().find("SELEKT 1 FROM"), std::string::npos) << st.error().what();
}

TEST_F(SqliteTest, BindOutOfRangeIsReportedByStep) {
  auto db = openDb();
  auto st = db.prepare("SELECT ?");
  ASSERT_TRUE(st);
  auto r = st->bind(2, 5).step();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what().find("bind parameter 2"), std::string::npos) << r.error().what();
}

TEST_F(SqliteTest, TransactionRollsBackWhenNotCommitted) {
  auto db = openDb();
  ASSERT_TRUE(db.exec("CREATE TABLE t (a INTEGER)"));
  {
    auto tx = db.begin();
    ASSERT_TRUE(tx);
    EXPECT_TRUE(db.inTransaction());
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_FALSE(db.inTransaction());
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM t"), 0);
}

TEST_F(SqliteTest, CommittedTransactionSurvivesReopen) {
  {
    auto db = openDb();
    ASSERT_TRUE(db.exec("CREATE TABLE t (a INTEGER)"));
    auto tx = db.begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1), (2)"));
    ASSERT_TRUE(tx->commit());
    EXPECT_FALSE(tx->commit());  // only once
  }
  auto db = openDb();
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM t"), 2);
}

TEST_F(SqliteTest, SecondWriterIsUnavailableAfterTheBusyTimeout) {
  auto a = openDb();
  ASSERT_TRUE(a.exec("CREATE TABLE t (a INTEGER)"));
  auto b = openDb({.busyTimeoutMs = 50});
  auto txA = a.begin();
  ASSERT_TRUE(txA);
  auto start = std::chrono::steady_clock::now();
  auto txB = b.begin();
  ASSERT_FALSE(txB);
  EXPECT_EQ(txB.error().kind(), ErrorKind::Unavailable) << txB.error().what();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
  // Readers are not blocked by the writer in WAL mode.
  EXPECT_EQ(count(b, "SELECT COUNT(*) FROM t"), 0);
}

TEST_F(SqliteTest, SecondWriterWaitsForTheFirstToCommit) {
  auto a = openDb();
  ASSERT_TRUE(a.exec("CREATE TABLE t (a INTEGER)"));
  auto b = openDb({.busyTimeoutMs = 10000});
  auto txA = a.begin();
  ASSERT_TRUE(txA);
  ASSERT_TRUE(a.exec("INSERT INTO t VALUES (1)"));
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(txA->commit());
  });
  auto txB = b.begin();
  committer.join();
  ASSERT_TRUE(txB) << txB.error().what();
  ASSERT_TRUE(b.exec("INSERT INTO t VALUES (2)"));
  ASSERT_TRUE(txB->commit());
  EXPECT_EQ(count(a, "SELECT COUNT(*) FROM t"), 2);
}

}  // namespace
}  // namespace berth
