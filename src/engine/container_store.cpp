// Containers in berth.db: one row per container holding its inspect document. The image tables
// version themselves with PRAGMA user_version; the container tables keep their own version in
// schema_versions, so the two schemas evolve independently in one file.

#include "base/strings.h"
#include "engine/container_internal.h"

namespace berth::engine {

namespace {

constexpr const char* kMigrations[] = {
    R"(CREATE TABLE containers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL
);)",
    R"(CREATE TABLE volumes (
  name TEXT PRIMARY KEY,
  doc TEXT NOT NULL
);)",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

}  // namespace

Status ContainerService::Impl::openDb() {
  db = TRY_CTX(SqliteDb::open(opts.dataRoot + "/berth.db"), "open container database");
  auto tx = TRY(db.begin());
  TRY(
      db.exec("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version "
              "INTEGER NOT NULL)"));
  auto q = TRY(db.prepare("SELECT version FROM schema_versions WHERE component = 'containers'"));
  int64_t version = TRY(q.step()) ? q.columnInt64(0) : 0;
  q = SqliteStmt();
  if (version > kSchemaVersion) {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("container database schema version {} is newer than this berth's {}",
                             version, kSchemaVersion));
  }
  for (int64_t v = version; v < kSchemaVersion; ++v) TRY(db.exec(kMigrations[v]));
  if (version != kSchemaVersion) {
    auto up = TRY(db.prepare("INSERT OR REPLACE INTO schema_versions VALUES ('containers', ?)"));
    TRY(up.bind(1, kSchemaVersion).run());
  }
  return tx.commit();
}

Status ContainerService::Impl::save(const Container& c) {
  auto st = TRY(db.prepare("INSERT OR REPLACE INTO containers (id, name, doc) VALUES (?, ?, ?)"));
  std::string name = c.doc.value("Name", "/" + c.id);
  return st.bind(1, c.id).bind(2, name).bind(3, dumpJson(c.doc)).run();
}

Status ContainerService::Impl::erase(const std::string& id) {
  auto st = TRY(db.prepare("DELETE FROM containers WHERE id = ?"));
  return st.bind(1, id).run();
}

Result<std::vector<Json>> ContainerService::Impl::loadAll() {
  std::vector<Json> out;
  auto q = TRY(db.prepare("SELECT id, doc FROM containers"));
  while (TRY(q.step())) {
    auto doc = parseJson(q.columnText(1), "container record");
    if (!doc) {
      spdlog::warn("container {}: unreadable record skipped: {}", q.columnText(0),
                   doc.error().what());
      continue;
    }
    out.push_back(std::move(*doc));
  }
  return out;
}

}  // namespace berth::engine
