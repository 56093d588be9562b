#include "image/metadata.h"

#include <time.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "base/sqlite.h"

namespace berth::image {
namespace {

// Digests are stored as "sha256:<hex>" (what Docker prints and what prefix lookups want). The
// parent columns are NULL rather than '' so their foreign keys can hold; other empty digests are
// ''. layers.parent is checked at commit (DEFERRABLE), so a layer may arrive before its parent
// within one transaction. Removal of a record that someone still uses fails on the foreign keys
// even if a bug skips the checks in removeImage.
constexpr const char* kSchemaV1 = R"(
CREATE TABLE layers (
  chain_id        TEXT PRIMARY KEY,
  diff_id         TEXT NOT NULL,
  parent          TEXT REFERENCES layers(chain_id) DEFERRABLE INITIALLY DEFERRED,
  size            INTEGER NOT NULL,
  blob_digest     TEXT NOT NULL,
  blob_media_type TEXT NOT NULL,
  blob_size       INTEGER NOT NULL
);
CREATE INDEX layers_parent ON layers(parent);
CREATE INDEX layers_blob ON layers(blob_digest);
CREATE TABLE images (
  id                  TEXT PRIMARY KEY,
  manifest_digest     TEXT NOT NULL,
  manifest_media_type TEXT NOT NULL,
  created             TEXT NOT NULL,
  size                INTEGER NOT NULL,
  added_at            INTEGER NOT NULL,
  parent              TEXT REFERENCES images(id)
);
CREATE INDEX images_parent ON images(parent);
CREATE INDEX images_manifest ON images(manifest_digest);
CREATE TABLE image_layers (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx      INTEGER NOT NULL,
  chain_id TEXT NOT NULL REFERENCES layers(chain_id),
  PRIMARY KEY (image_id, idx)
);
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE TABLE tags (
  ref      TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX tags_image ON tags(image_id);
CREATE TABLE repo_digests (
  ref      TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX repo_digests_image ON repo_digests(image_id);
CREATE TABLE image_users (
  image_id TEXT NOT NULL REFERENCES images(id),
  user     TEXT NOT NULL,
  PRIMARY KEY (image_id, user)
);
)";

// Each entry migrates from version i to i+1; user_version is the number applied.
constexpr const char* kMigrations[] = {kSchemaV1};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

constexpr const char* kImageColumns =
    "id, manifest_digest, manifest_media_type, created, size, added_at, parent";
constexpr const char* kLayerColumns =
    "chain_id, diff_id, parent, size, blob_digest, blob_media_type, blob_size";

Result<Digest> parseStored(const std::string& s) {
  if (s.empty()) return Digest();
  auto d = Digest::parse(s);
  if (!d) return Error::internal("corrupt digest {:?} in image database", s);
  return d;
}

// The parent columns: NULL for none.
void bindOptionalDigest(SqliteStmt& st, int index, const Digest& d) {
  if (d.empty())
    st.bind(index, nullptr);
  else
    st.bind(index, d.str());
}

Result<ImageRecord> imageFromRow(const SqliteStmt& st) {
  ImageRecord r;
  r.id = TRY(parseStored(st.columnText(0)));
  r.manifestDigest = TRY(parseStored(st.columnText(1)));
  r.manifestMediaType = st.columnText(2);
  r.created = st.columnText(3);
  r.size = st.columnInt64(4);
  r.addedAt = st.columnInt64(5);
  r.parent = TRY(parseStored(st.columnText(6)));
  return r;
}

Result<LayerRecord> layerFromRow(const SqliteStmt& st) {
  LayerRecord l;
  l.chainId = TRY(parseStored(st.columnText(0)));
  l.diffId = TRY(parseStored(st.columnText(1)));
  l.parent = TRY(parseStored(st.columnText(2)));
  l.size = st.columnInt64(3);
  l.blobDigest = TRY(parseStored(st.columnText(4)));
  l.blobMediaType = st.columnText(5);
  l.blobSize = st.columnInt64(6);
  return l;
}

bool isDigestRef(std::string_view ref) {
  return ref.find('@') != std::string_view::npos;
}

class SqliteImageDb final : public ImageDb {
 public:
  explicit SqliteImageDb(SqliteDb db) : db_(std::move(db)) {}

  Status migrate() {
    std::lock_guard lock(mu_);
    auto tx = TRY(db_.begin());
    // Read inside the write transaction: two processes opening a new database at once must not
    // both create the schema.
    int64_t version = TRY(queryInt("PRAGMA user_version"));
    if (version > kSchemaVersion)
      return Error(ErrorKind::FailedPrecondition,
                   fmt::format("image database schema version {} is newer than this berth's {}",
                               version, kSchemaVersion));
    for (int64_t v = version; v < kSchemaVersion; ++v) TRY(db_.exec(kMigrations[v]));
    if (version != kSchemaVersion)
      TRY(db_.exec(fmt::format("PRAGMA user_version={}", kSchemaVersion)));
    return tx.commit();
  }

  Status addImage(const ImageRecord& img, const std::vector<LayerRecord>& layers,
                  const std::vector<std::string>& refs,
                  const std::vector<std::string>& repoDigests) override {
    if (img.id.empty()) return Error::invalid("add image: empty image ID");
    for (const auto& ref : refs)
      if (ref.empty() || isDigestRef(ref))
        return Error::invalid("add image {}: {:?} is not a name:tag reference", img.id.str(), ref);
    for (const auto& ref : repoDigests)
      if (!isDigestRef(ref))
        return Error::invalid("add image {}: {:?} is not a name@digest reference", img.id.str(),
                              ref);
    std::lock_guard lock(mu_);
    auto tx = TRY(db_.begin());
    TRY_CTX(insertLayers(layers), "add image {}", img.id.str());
    if (TRY(imageExists(img.id))) {
      // The same content again (a re-pull, a load): the record stays; a manifest learned now
      // fills a gap left by an import that had none.
      if (!img.manifestDigest.empty()) {
        auto st =
            TRY(db_.prepare("UPDATE images SET manifest_digest = ?, manifest_media_type = ? "
                            "WHERE id = ? AND manifest_digest = ''"));
        TRY(st.bind(1, img.manifestDigest.str())
                .bind(2, img.manifestMediaType)
                .bind(3, img.id.str())
                .run());
      }
    } else {
      TRY_CTX(insertImage(img), "add image {}", img.id.str());
    }
    for (const auto& ref : refs) TRY(pointRef("tags", ref, img.id));
    for (const auto& ref : repoDigests) TRY(pointRef("repo_digests", ref, img.id));
    TRY_CTX(tx.commit(), "add image {}", img.id.str());
    return ok();
  }

  Result<ImageRecord> image(const Digest& id) const override {
    std::lock_guard lock(mu_);
    return loadImage(id);
  }

  Result<std::vector<ImageRecord>> images() const override {
    std::lock_guard lock(mu_);
    // Docker lists the newest first.
    auto st = TRY(db_.prepare(
        fmt::format("SELECT {} FROM images ORDER BY added_at DESC, id", kImageColumns)));
    std::vector<ImageRecord> out;
    std::map<std::string, size_t> index;
    while (TRY(st.step())) {
      out.push_back(TRY(imageFromRow(st)));
      index[out.back().id.str()] = out.size() - 1;
    }
    auto ls =
        TRY(db_.prepare("SELECT image_id, chain_id FROM image_layers ORDER BY image_id, idx"));
    while (TRY(ls.step())) {
      auto it = index.find(ls.columnText(0));
      if (it != index.end()) out[it->second].chainIds.push_back(TRY(parseStored(ls.columnText(1))));
    }
    return out;
  }

  Result<LayerRecord> layer(const Digest& chainId) const override {
    std::lock_guard lock(mu_);
    auto st =
        TRY(db_.prepare(fmt::format("SELECT {} FROM layers WHERE chain_id = ?", kLayerColumns)));
    st.bind(1, chainId.str());
    if (!TRY(st.step())) return Error::notFound("layer {} not found", chainId.str());
    return layerFromRow(st);
  }

  Result<std::vector<LayerRecord>> layers() const override {
    std::lock_guard lock(mu_);
    auto st =
        TRY(db_.prepare(fmt::format("SELECT {} FROM layers ORDER BY chain_id", kLayerColumns)));
    std::vector<LayerRecord> out;
    while (TRY(st.step())) out.push_back(TRY(layerFromRow(st)));
    return out;
  }

  Result<int64_t> layerUsers(const Digest& chainId) const override {
    std::lock_guard lock(mu_);
    return countUsers(chainId);
  }

  Status tag(const std::string& ref, const Digest& id) override {
    if (ref.empty() || isDigestRef(ref))
      return Error::invalid("tag: {:?} is not a name:tag reference", ref);
    std::lock_guard lock(mu_);
    auto tx = TRY(db_.begin());
    if (!TRY(imageExists(id))) return Error::notFound("No such image: {}", id.str());
    TRY(pointRef("tags", ref, id));
    return tx.commit();
  }

  Status untag(const std::string& ref) override {
    std::lock_guard lock(mu_);
    auto tx = TRY(db_.begin());
    auto st = TRY(db_.prepare(isDigestRef(ref) ? "DELETE FROM repo_digests WHERE ref = ?"
                                               : "DELETE FROM tags WHERE ref = ?"));
    TRY(st.bind(1, ref).run());
    if (db_.changes() == 0) return Error::notFound("No such image: {}", ref);
    return tx.commit();
  }

  Result<Digest> resolve(const std::string& ref) const override {
    std::lock_guard lock(mu_);
    auto st = TRY(db_.prepare(isDigestRef(ref) ? "SELECT image_id FROM repo_digests WHERE ref = ?"
                                               : "SELECT image_id FROM tags WHERE ref = ?"));
    st.bind(1, ref);
    if (!TRY(st.step())) return Error::notFound("No such image: {}", ref);
    return parseStored(st.columnText(0));
  }

  Result<Digest> resolveIdPrefix(std::string_view hexPrefix) const override {
    std::string_view hex = hexPrefix;
    if (hex.starts_with("sha256:")) hex.remove_prefix(7);
    if (hex.empty()) return Error::invalid("empty image ID prefix");
    // Also keeps GLOB's wildcards out of the pattern.
    bool isHex = std::all_of(hex.begin(), hex.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!isHex || hex.size() > 64) return Error::notFound("No such image: {}", hexPrefix);
    std::lock_guard lock(mu_);
    // GLOB with a literal prefix is case-sensitive and uses the primary key's index.
    auto st = TRY(db_.prepare("SELECT id FROM images WHERE id GLOB ? LIMIT 2"));
    st.bind(1, fmt::format("sha256:{}*", hex));
    if (!TRY(st.step())) return Error::notFound("No such image: {}", hexPrefix);
    Digest found = TRY(parseStored(st.columnText(0)));
    if (TRY(st.step()))
      return Error::invalid("ambiguous image ID prefix {:?}: it matches several images", hexPrefix);
    return found;
  }

  Result<std::vector<std::string>> tagsOf(const Digest& id) const override {
    std::lock_guard lock(mu_);
    return refsOf("tags", id);
  }

  Result<std::vector<std::string>> repoDigestsOf(const Digest& id) const override {
    std::lock_guard lock(mu_);
    return refsOf("repo_digests", id);
  }

  Result<std::vector<Digest>> childrenOf(const Digest& id) const override {
    std::lock_guard lock(mu_);
    return children(id);
  }

  Status addUser(const Digest& id, const std::string& user) override {
    std::lock_guard lock(mu_);
    auto tx = TRY(db_.begin());
    if (!TRY(imageExists(id))) return Error::notFound("No such image: {}", id.str());
    auto st = TRY(db_.prepare("INSERT OR IGNORE INTO image_users (image_id, user) VALUES (?, ?)"));
    TRY(st.bind(1, id.str()).bind(2, user).run());
    return tx.commit();
  }

  // Idempotent: removing a container twice (a retry after a crash) must not fail here.
  Status removeUser(const Digest& id, const std::string& user) override {
    std::lock_guard lock(mu_);
    auto st = TRY(db_.prepare("DELETE FROM image_users WHERE image_id = ? AND user = ?"));
    return st.bind(1, id.str()).bind(2, user).run();
  }

  Result<std::vector<std::string>> usersOf(const Digest& id) const override {
    std::lock_guard lock(mu_);
    return users(id);
  }

  Result<Removal> removeImage(const Digest& id, bool force) override {
    std::lock_guard lock(mu_);
    auto tx = TRY(db_.begin());
    auto img = TRY(loadImage(id));
    auto holders = TRY(users(id));
    auto kids = TRY(children(id));
    if (!force) {
      if (!holders.empty())
        return Error::make(ErrorKind::Conflict,
                           "conflict: unable to delete {} (must be forced) - image is being used "
                           "by {}",
                           id.shortHex(), holders.front());
      if (!kids.empty())
        return Error::make(ErrorKind::Conflict,
                           "conflict: unable to delete {} - image has dependent child images",
                           id.shortHex());
    }

    Removal out;
    out.untagged = TRY(refsOf("tags", id));
    for (auto& ref : TRY(refsOf("repo_digests", id))) out.untagged.push_back(std::move(ref));
    auto delRefs = TRY(db_.prepare("DELETE FROM tags WHERE image_id = ?"));
    TRY(delRefs.bind(1, id.str()).run());
    auto delDigests = TRY(db_.prepare("DELETE FROM repo_digests WHERE image_id = ?"));
    TRY(delDigests.bind(1, id.str()).run());
    if (!holders.empty() || !kids.empty()) {
      // Forced, but a container or a child image still needs the record: untag only, as
      // `docker rmi -f` does for an image a container uses.
      TRY(tx.commit());
      return out;
    }

    auto del = TRY(db_.prepare("DELETE FROM images WHERE id = ?"));  // cascades to image_layers
    TRY(del.bind(1, id.str()).run());
    out.deleted.push_back(id);

    // Candidate blobs: the config (the ID), the manifest, the blobs of layers that died.
    std::set<Digest> candidates{id};
    if (!img.manifestDigest.empty()) candidates.insert(img.manifestDigest);
    std::set<Digest> seen;
    for (const auto& chainId : img.chainIds) {
      if (!seen.insert(chainId).second) continue;
      if (TRY(countUsers(chainId)) > 0) continue;
      auto row = TRY(db_.prepare("SELECT blob_digest FROM layers WHERE chain_id = ?"));
      row.bind(1, chainId.str());
      if (TRY(row.step())) {
        Digest blob = TRY(parseStored(row.columnText(0)));
        if (!blob.empty()) candidates.insert(blob);
      }
      out.layers.push_back(chainId);
    }
    // Top layer first: the order a caller removes their directories in, and the order that
    // keeps each parent until its children are gone.
    std::reverse(out.layers.begin(), out.layers.end());
    auto hasChild = TRY(db_.prepare("SELECT 1 FROM layers WHERE parent = ? LIMIT 1"));
    auto delLayer = TRY(db_.prepare("DELETE FROM layers WHERE chain_id = ?"));
    std::vector<Digest> gone;
    for (const auto& chainId : out.layers) {
      hasChild.reset();
      hasChild.bind(1, chainId.str());
      // A layer record no image uses but that sits below one (added without an image) stays.
      if (TRY(hasChild.step())) continue;
      delLayer.reset();
      TRY(delLayer.bind(1, chainId.str()).run());
      gone.push_back(chainId);
    }
    out.layers = std::move(gone);
    for (const auto& blob : candidates)
      if (!TRY(blobReferenced(blob))) out.blobs.push_back(blob);
    TRY(tx.commit());
    return out;
  }

  Result<std::vector<Digest>> referencedBlobs() const override {
    std::lock_guard lock(mu_);
    auto st =
        TRY(db_.prepare("SELECT id FROM images UNION SELECT manifest_digest FROM images WHERE "
                        "manifest_digest != '' "
                        "UNION SELECT blob_digest FROM layers WHERE blob_digest != '' ORDER BY 1"));
    std::vector<Digest> out;
    while (TRY(st.step())) out.push_back(TRY(parseStored(st.columnText(0))));
    return out;
  }

 private:
  // The helpers below run under mu_, inside the caller's transaction when there is one.

  Result<int64_t> queryInt(std::string_view sql) const {
    auto st = TRY(db_.prepare(sql));
    if (!TRY(st.step())) return Error::internal("{}: no row", sql);
    return st.columnInt64(0);
  }

  Result<bool> imageExists(const Digest& id) const {
    auto st = TRY(db_.prepare("SELECT 1 FROM images WHERE id = ?"));
    st.bind(1, id.str());
    return st.step();
  }

  Result<ImageRecord> loadImage(const Digest& id) const {
    auto st = TRY(db_.prepare(fmt::format("SELECT {} FROM images WHERE id = ?", kImageColumns)));
    st.bind(1, id.str());
    if (!TRY(st.step())) return Error::notFound("No such image: {}", id.str());
    ImageRecord r = TRY(imageFromRow(st));
    auto ls = TRY(db_.prepare("SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY idx"));
    ls.bind(1, id.str());
    while (TRY(ls.step())) r.chainIds.push_back(TRY(parseStored(ls.columnText(0))));
    return r;
  }

  Status insertLayers(const std::vector<LayerRecord>& layers) {
    auto st = TRY(db_.prepare(fmt::format(
        "INSERT INTO layers ({}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chain_id) DO NOTHING",
        kLayerColumns)));
    for (const auto& l : layers) {
      if (l.chainId.empty()) return Error::invalid("layer with an empty chain ID");
      st.reset();
      st.bind(1, l.chainId.str()).bind(2, l.diffId.str());
      bindOptionalDigest(st, 3, l.parent);
      st.bind(4, l.size).bind(5, l.blobDigest.str()).bind(6, l.blobMediaType).bind(7, l.blobSize);
      TRY(st.run());
    }
    // Checked here rather than left to the deferred foreign key, whose failure at COMMIT would
    // not say which layer was wrong.
    auto known = TRY(db_.prepare("SELECT 1 FROM layers WHERE chain_id = ?"));
    for (const auto& l : layers) {
      if (l.parent.empty()) continue;
      known.reset();
      known.bind(1, l.parent.str());
      if (!TRY(known.step()))
        return Error::invalid("layer {} has an unknown parent {}", l.chainId.str(), l.parent.str());
    }
    return ok();
  }

  Status insertImage(const ImageRecord& img) {
    auto known = TRY(db_.prepare("SELECT size FROM layers WHERE chain_id = ?"));
    int64_t layerSum = 0;
    for (const auto& chainId : img.chainIds) {
      known.reset();
      known.bind(1, chainId.str());
      if (!TRY(known.step())) return Error::invalid("unknown layer {}", chainId.str());
      layerSum += known.columnInt64(0);
    }
    if (!img.parent.empty() && !TRY(imageExists(img.parent)))
      return Error::invalid("unknown parent image {}", img.parent.str());
    auto st = TRY(db_.prepare(
        fmt::format("INSERT INTO images ({}) VALUES (?, ?, ?, ?, ?, ?, ?)", kImageColumns)));
    st.bind(1, img.id.str())
        .bind(2, img.manifestDigest.str())
        .bind(3, img.manifestMediaType)
        .bind(4, img.created)
        // The sum of the layers unless the caller computed it already.
        .bind(5, img.size ? img.size : layerSum)
        .bind(6, img.addedAt ? img.addedAt : static_cast<int64_t>(::time(nullptr)));
    bindOptionalDigest(st, 7, img.parent);
    TRY(st.run());
    auto ls =
        TRY(db_.prepare("INSERT INTO image_layers (image_id, idx, chain_id) VALUES (?, ?, ?)"));
    for (size_t i = 0; i < img.chainIds.size(); ++i) {
      ls.reset();
      TRY(ls.bind(1, img.id.str()).bind(2, i).bind(3, img.chainIds[i].str()).run());
    }
    return ok();
  }

  // Points ref at id, taking it off whichever image had it.
  Status pointRef(const char* table, const std::string& ref, const Digest& id) {
    auto st =
        TRY(db_.prepare(fmt::format("INSERT INTO {} (ref, image_id) VALUES (?, ?) "
                                    "ON CONFLICT (ref) DO UPDATE SET image_id = excluded.image_id",
                                    table)));
    return st.bind(1, ref).bind(2, id.str()).run();
  }

  Result<std::vector<std::string>> refsOf(const char* table, const Digest& id) const {
    auto st =
        TRY(db_.prepare(fmt::format("SELECT ref FROM {} WHERE image_id = ? ORDER BY ref", table)));
    st.bind(1, id.str());
    std::vector<std::string> out;
    while (TRY(st.step())) out.push_back(st.columnText(0));
    return out;
  }

  Result<std::vector<Digest>> children(const Digest& id) const {
    auto st = TRY(db_.prepare("SELECT id FROM images WHERE parent = ? ORDER BY id"));
    st.bind(1, id.str());
    std::vector<Digest> out;
    while (TRY(st.step())) out.push_back(TRY(parseStored(st.columnText(0))));
    return out;
  }

  Result<std::vector<std::string>> users(const Digest& id) const {
    auto st = TRY(db_.prepare("SELECT user FROM image_users WHERE image_id = ? ORDER BY user"));
    st.bind(1, id.str());
    std::vector<std::string> out;
    while (TRY(st.step())) out.push_back(st.columnText(0));
    return out;
  }

  Result<int64_t> countUsers(const Digest& chainId) const {
    auto st =
        TRY(db_.prepare("SELECT COUNT(DISTINCT image_id) FROM image_layers WHERE chain_id = ?"));
    st.bind(1, chainId.str());
    TRY(st.step());
    return st.columnInt64(0);
  }

  Result<bool> blobReferenced(const Digest& blob) const {
    auto st =
        TRY(db_.prepare("SELECT EXISTS (SELECT 1 FROM images WHERE id = ?1) "
                        "OR EXISTS (SELECT 1 FROM images WHERE manifest_digest = ?1) "
                        "OR EXISTS (SELECT 1 FROM layers WHERE blob_digest = ?1)"));
    st.bind(1, blob.str());
    TRY(st.step());
    return st.columnInt64(0) != 0;
  }

  // One connection shared by the daemon's threads: the mutex keeps one transaction (and one
  // statement's use of the connection) at a time.
  mutable std::mutex mu_;
  mutable SqliteDb db_;
};

}  // namespace

Result<std::unique_ptr<ImageDb>> openImageDb(const std::string& path) {
  auto db = TRY_CTX(SqliteDb::open(path), "open image database");
  auto out = std::make_unique<SqliteImageDb>(std::move(db));
  TRY_CTX(out->migrate(), "open image database {}", path);
  return std::unique_ptr<ImageDb>(std::move(out));
}

}  // namespace berth::image
