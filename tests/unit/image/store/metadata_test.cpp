#include "image/metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/sqlite.h"
#include "temp_dir.h"

namespace berth::image {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Digest dg(std::string_view seed) {
  return sha256Of(seed);
}

// A digest with a chosen hex prefix, for prefix lookups.
Digest withPrefix(std::string_view prefix, char fill) {
  std::string hex(prefix);
  hex.append(64 - hex.size(), fill);
  return *Digest::fromHex(hex);
}

LayerRecord layerRec(std::string_view name, const Digest& parent = {}, int64_t size = 100) {
  LayerRecord l;
  l.chainId = dg(std::string("chain-") + std::string(name));
  l.diffId = dg(std::string("diff-") + std::string(name));
  l.parent = parent;
  l.size = size;
  l.blobDigest = dg(std::string("blob-") + std::string(name));
  l.blobMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  l.blobSize = size / 2;
  return l;
}

ImageRecord imageRec(std::string_view name, const std::vector<LayerRecord>& layers) {
  ImageRecord img;
  img.id = dg(std::string("config-") + std::string(name));
  img.manifestDigest = dg(std::string("manifest-") + std::string(name));
  img.manifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";
  img.created = "2024-01-02T03:04:05Z";
  img.addedAt = 1700000000;
  for (const auto& l : layers) img.chainIds.push_back(l.chainId);
  return img;
}

class ImageDbTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    db_ = reopen();
    // Two images sharing a base: base <- mid <- (A's top | B's top).
    base_ = layerRec("base");
    mid_ = layerRec("mid", base_.chainId);
    topA_ = layerRec("topA", mid_.chainId);
    topB_ = layerRec("topB", mid_.chainId);
    a_ = imageRec("a", {base_, mid_, topA_});
    b_ = imageRec("b", {base_, mid_, topB_});
  }

  std::string path() const { return dir() + "/berth.db"; }

  std::unique_ptr<ImageDb> reopen() {
    db_.reset();
    auto db = openImageDb(path());
    EXPECT_TRUE(db) << (db ? "" : db.error().what());
    return db ? std::move(*db) : nullptr;
  }

  void addA(std::vector<std::string> refs = {"docker.io/library/a:latest"}) {
    auto st = db_->addImage(a_, {base_, mid_, topA_}, refs,
                            {"docker.io/library/a@" + a_.manifestDigest.str()});
    ASSERT_TRUE(st) << st.error().what();
  }
  void addB(std::vector<std::string> refs = {"docker.io/library/b:latest"}) {
    auto st = db_->addImage(b_, {base_, mid_, topB_}, refs);
    ASSERT_TRUE(st) << st.error().what();
  }

  std::unique_ptr<ImageDb> db_;
  LayerRecord base_, mid_, topA_, topB_;
  ImageRecord a_, b_;
};

TEST_F(ImageDbTest, AddedImageReadsBackWithEveryField) {
  addA();
  auto img = db_->image(a_.id);
  ASSERT_TRUE(img) << img.error().what();
  EXPECT_EQ(img->id, a_.id);
  EXPECT_EQ(img->manifestDigest, a_.manifestDigest);
  EXPECT_EQ(img->manifestMediaType, a_.manifestMediaType);
  EXPECT_EQ(img->created, "2024-01-02T03:04:05Z");
  EXPECT_EQ(img->addedAt, 1700000000);
  EXPECT_EQ(img->size, 300);  // the layers' sum, as the caller left it 0
  EXPECT_TRUE(img->parent.empty());
  EXPECT_THAT(img->chainIds, ElementsAre(base_.chainId, mid_.chainId, topA_.chainId));
}

TEST_F(ImageDbTest, UnknownImageIsNotFound) {
  auto img = db_->image(dg("nope"));
  ASSERT_FALSE(img);
  EXPECT_EQ(img.error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, LayersReadBackWithTheirParentsAndBlobs) {
  addA();
  auto l = db_->layer(mid_.chainId);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->diffId, mid_.diffId);
  EXPECT_EQ(l->parent, base_.chainId);
  EXPECT_EQ(l->size, 100);
  EXPECT_EQ(l->blobDigest, mid_.blobDigest);
  EXPECT_EQ(l->blobMediaType, mid_.blobMediaType);
  EXPECT_EQ(l->blobSize, 50);
  EXPECT_TRUE(db_->layer(base_.chainId)->parent.empty());
  EXPECT_EQ(db_->layers()->size(), 3u);
  EXPECT_EQ(db_->layer(dg("x")).error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, ImagesListsNewestFirstWithTheirLayers) {
  b_.addedAt = a_.addedAt + 10;
  addA();
  addB();
  auto all = db_->images();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b_.id);
  EXPECT_EQ((*all)[1].id, a_.id);
  EXPECT_THAT((*all)[0].chainIds, ElementsAre(base_.chainId, mid_.chainId, topB_.chainId));
  EXPECT_THAT((*all)[1].chainIds, ElementsAre(base_.chainId, mid_.chainId, topA_.chainId));
}

TEST_F(ImageDbTest, AddedAtDefaultsToNow) {
  a_.addedAt = 0;
  addA();
  EXPECT_GE(db_->image(a_.id)->addedAt, ::time(nullptr) - 60);
}

TEST_F(ImageDbTest, UnknownLayerIsInvalidArgumentAndAddsNothing) {
  // Brings base and mid but names topA without bringing it.
  auto st = db_->addImage(a_, {base_, mid_}, {"docker.io/library/a:latest"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(st.error().what().find(topA_.chainId.str()), std::string::npos) << st.error().what();
  // One transaction: the layers it did bring are gone too.
  EXPECT_THAT(*db_->layers(), IsEmpty());
  EXPECT_THAT(*db_->images(), IsEmpty());
  EXPECT_EQ(db_->resolve("docker.io/library/a:latest").error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, LayerWithAnUnknownParentIsInvalidArgument) {
  auto st = db_->addImage(imageRec("x", {mid_}), {mid_}, {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument) << st.error().what();
  EXPECT_THAT(*db_->layers(), IsEmpty());
}

TEST_F(ImageDbTest, LayersKnownAlreadyNeedNotBeBroughtAgain) {
  addA();
  auto st = db_->addImage(b_, {topB_}, {"docker.io/library/b:latest"});
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(db_->layers()->size(), 4u);
  EXPECT_EQ(*db_->layerUsers(base_.chainId), 2);
  EXPECT_EQ(*db_->layerUsers(topB_.chainId), 1);
  EXPECT_EQ(*db_->layerUsers(dg("unused")), 0);
}

TEST_F(ImageDbTest, AddingAnImageAgainKeepsTheRecordAndMovesTags) {
  addA({"docker.io/library/a:latest"});
  addB({"docker.io/library/b:latest", "docker.io/library/app:1"});
  ImageRecord again = a_;
  again.addedAt = a_.addedAt + 500;
  again.created = "changed";
  auto st = db_->addImage(again, {base_, mid_, topA_}, {"docker.io/library/app:1"},
                          {"docker.io/library/app@" + a_.manifestDigest.str()});
  ASSERT_TRUE(st) << st.error().what();
  auto img = db_->image(a_.id);
  EXPECT_EQ(img->addedAt, a_.addedAt);
  EXPECT_EQ(img->created, a_.created);
  EXPECT_EQ(img->chainIds.size(), 3u);
  EXPECT_EQ(db_->images()->size(), 2u);
  EXPECT_EQ(db_->layers()->size(), 4u);
  EXPECT_THAT(*db_->tagsOf(a_.id),
              ElementsAre("docker.io/library/a:latest", "docker.io/library/app:1"));
  EXPECT_THAT(*db_->tagsOf(b_.id), ElementsAre("docker.io/library/b:latest"));
  EXPECT_THAT(*db_->repoDigestsOf(a_.id),
              ElementsAre("docker.io/library/a@" + a_.manifestDigest.str(),
                          "docker.io/library/app@" + a_.manifestDigest.str()));
}

TEST_F(ImageDbTest, ReAddingFillsAManifestTheFirstAddLacked) {
  ImageRecord loaded = a_;
  loaded.manifestDigest = {};
  loaded.manifestMediaType = "";
  ASSERT_TRUE(db_->addImage(loaded, {base_, mid_, topA_}, {}));
  EXPECT_TRUE(db_->image(a_.id)->manifestDigest.empty());
  addA();
  EXPECT_EQ(db_->image(a_.id)->manifestDigest, a_.manifestDigest);
}

TEST_F(ImageDbTest, RejectsMalformedReferences) {
  auto st = db_->addImage(a_, {base_, mid_, topA_}, {"a@sha256:abc"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  st = db_->addImage(a_, {base_, mid_, topA_}, {}, {"a:latest"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_FALSE(db_->tag("", a_.id));
}

TEST_F(ImageDbTest, TagMovesAReferenceBetweenImages) {
  addA();
  addB();
  ASSERT_TRUE(db_->tag("docker.io/library/app:v1", a_.id));
  EXPECT_EQ(*db_->resolve("docker.io/library/app:v1"), a_.id);
  ASSERT_TRUE(db_->tag("docker.io/library/app:v1", b_.id));
  EXPECT_EQ(*db_->resolve("docker.io/library/app:v1"), b_.id);
  EXPECT_THAT(*db_->tagsOf(a_.id), ElementsAre("docker.io/library/a:latest"));
  EXPECT_THAT(*db_->tagsOf(b_.id),
              ElementsAre("docker.io/library/app:v1", "docker.io/library/b:latest"));
}

TEST_F(ImageDbTest, TaggingAnUnknownImageIsNotFound) {
  auto st = db_->tag("docker.io/library/x:1", dg("nope"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(db_->resolve("docker.io/library/x:1").error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, UntagRemovesTagsAndRepoDigests) {
  addA();
  ASSERT_TRUE(db_->untag("docker.io/library/a:latest"));
  EXPECT_THAT(*db_->tagsOf(a_.id), IsEmpty());
  ASSERT_TRUE(db_->untag("docker.io/library/a@" + a_.manifestDigest.str()));
  EXPECT_THAT(*db_->repoDigestsOf(a_.id), IsEmpty());
  EXPECT_TRUE(db_->image(a_.id));  // the image itself stays
  auto again = db_->untag("docker.io/library/a:latest");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, ResolvesByTagAndByRepoDigest) {
  addA();
  EXPECT_EQ(*db_->resolve("docker.io/library/a:latest"), a_.id);
  EXPECT_EQ(*db_->resolve("docker.io/library/a@" + a_.manifestDigest.str()), a_.id);
  auto other = db_->resolve("docker.io/library/b@" + a_.manifestDigest.str());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(db_->resolve("docker.io/library/a:other").error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, ResolvesUniqueIdPrefixes) {
  a_.id = withPrefix("abc1", '0');
  b_.id = withPrefix("abc2", '0');
  addA();
  addB();
  EXPECT_EQ(*db_->resolveIdPrefix("abc1"), a_.id);
  EXPECT_EQ(*db_->resolveIdPrefix("abc2"), b_.id);
  EXPECT_EQ(*db_->resolveIdPrefix(a_.id.hex()), a_.id);
  EXPECT_EQ(*db_->resolveIdPrefix("sha256:abc2"), b_.id);
  EXPECT_EQ(*db_->resolveIdPrefix(a_.id.str()), a_.id);
}

TEST_F(ImageDbTest, AmbiguousIdPrefixIsInvalidArgument) {
  a_.id = withPrefix("abc1", '0');
  b_.id = withPrefix("abc2", '0');
  addA();
  addB();
  auto r = db_->resolveIdPrefix("abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(r.error().message().find("ambiguous"), std::string::npos);
}

TEST_F(ImageDbTest, UnmatchedOrNonHexIdPrefixIsNotFound) {
  a_.id = withPrefix("abc1", '0');
  addA();
  EXPECT_EQ(db_->resolveIdPrefix("abd").error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(db_->resolveIdPrefix("ABC1").error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(db_->resolveIdPrefix("a*").error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(db_->resolveIdPrefix("").error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(ImageDbTest, UsersAreRecordedOnceAndRemovedIdempotently) {
  addA();
  ASSERT_TRUE(db_->addUser(a_.id, "container-1"));
  ASSERT_TRUE(db_->addUser(a_.id, "container-1"));
  ASSERT_TRUE(db_->addUser(a_.id, "container-2"));
  EXPECT_THAT(*db_->usersOf(a_.id), ElementsAre("container-1", "container-2"));
  ASSERT_TRUE(db_->removeUser(a_.id, "container-1"));
  ASSERT_TRUE(db_->removeUser(a_.id, "container-1"));
  EXPECT_THAT(*db_->usersOf(a_.id), ElementsAre("container-2"));
  EXPECT_EQ(db_->addUser(dg("nope"), "c").error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, AUserBlocksRemovalUntilItGoes) {
  addA();
  ASSERT_TRUE(db_->addUser(a_.id, "container-1"));
  auto r = db_->removeImage(a_.id, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::Conflict);
  EXPECT_NE(r.error().message().find("container-1"), std::string::npos) << r.error().message();
  EXPECT_THAT(*db_->tagsOf(a_.id), ElementsAre("docker.io/library/a:latest"));  // untouched
  ASSERT_TRUE(db_->removeUser(a_.id, "container-1"));
  r = db_->removeImage(a_.id, false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->deleted, ElementsAre(a_.id));
}

TEST_F(ImageDbTest, ForcedRemovalOfAUsedImageOnlyUntagsIt) {
  addA();
  ASSERT_TRUE(db_->addUser(a_.id, "container-1"));
  auto r = db_->removeImage(a_.id, true);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->untagged, ElementsAre("docker.io/library/a:latest",
                                       "docker.io/library/a@" + a_.manifestDigest.str()));
  EXPECT_THAT(r->deleted, IsEmpty());
  EXPECT_THAT(r->layers, IsEmpty());
  EXPECT_THAT(r->blobs, IsEmpty());
  EXPECT_TRUE(db_->image(a_.id));
  EXPECT_THAT(*db_->tagsOf(a_.id), IsEmpty());
  EXPECT_EQ(db_->resolve("docker.io/library/a:latest").error().kind(), ErrorKind::NotFound);
  EXPECT_THAT(*db_->usersOf(a_.id), ElementsAre("container-1"));
}

TEST_F(ImageDbTest, ChildImagesBlockRemovalOfTheirParent) {
  addA();
  ImageRecord child = imageRec("child", {base_, mid_, topA_});
  child.parent = a_.id;
  child.manifestDigest = {};
  ASSERT_TRUE(db_->addImage(child, {}, {"docker.io/library/child:latest"}));
  EXPECT_THAT(*db_->childrenOf(a_.id), ElementsAre(child.id));
  EXPECT_EQ(db_->image(child.id)->parent, a_.id);

  auto r = db_->removeImage(a_.id, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::Conflict);
  EXPECT_NE(r.error().message().find("child"), std::string::npos);

  // Forced: untagged, but the record stays for the child's sake.
  r = db_->removeImage(a_.id, true);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->deleted, IsEmpty());
  EXPECT_TRUE(db_->image(a_.id));

  // Once the child is gone the parent goes too.
  r = db_->removeImage(child.id, false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->layers, IsEmpty());  // still the parent's
  EXPECT_THAT(r->blobs, ElementsAre(child.id));
  r = db_->removeImage(a_.id, false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->deleted, ElementsAre(a_.id));
}

TEST_F(ImageDbTest, UnknownParentIsInvalidArgument) {
  ImageRecord orphan = a_;
  orphan.parent = dg("missing-parent");
  auto st = db_->addImage(orphan, {base_, mid_, topA_}, {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(ImageDbTest, RemovalReturnsRefsIdLayersAndBlobs) {
  addA();
  auto r = db_->removeImage(a_.id, false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->untagged, ElementsAre("docker.io/library/a:latest",
                                       "docker.io/library/a@" + a_.manifestDigest.str()));
  EXPECT_THAT(r->deleted, ElementsAre(a_.id));
  EXPECT_THAT(r->layers, ElementsAre(topA_.chainId, mid_.chainId, base_.chainId));  // top first
  EXPECT_THAT(r->blobs, UnorderedElementsAre(a_.id, a_.manifestDigest, base_.blobDigest,
                                             mid_.blobDigest, topA_.blobDigest));
  EXPECT_THAT(*db_->images(), IsEmpty());
  EXPECT_THAT(*db_->layers(), IsEmpty());
  EXPECT_THAT(*db_->referencedBlobs(), IsEmpty());
  EXPECT_EQ(db_->resolve("docker.io/library/a:latest").error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, SharedLayersSurviveRemovalOfOneOfTwoImages) {
  addA();
  addB();
  auto r = db_->removeImage(a_.id, false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_THAT(r->layers, ElementsAre(topA_.chainId));
  EXPECT_THAT(r->blobs, UnorderedElementsAre(a_.id, a_.manifestDigest, topA_.blobDigest));
  EXPECT_TRUE(db_->layer(base_.chainId));
  EXPECT_TRUE(db_->layer(mid_.chainId));
  EXPECT_EQ(db_->layer(topA_.chainId).error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(*db_->layerUsers(base_.chainId), 1);
  EXPECT_EQ(db_->image(b_.id)->chainIds.size(), 3u);

  r = db_->removeImage(b_.id, false);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->layers, ElementsAre(topB_.chainId, mid_.chainId, base_.chainId));
  EXPECT_THAT(r->blobs, UnorderedElementsAre(b_.id, b_.manifestDigest, base_.blobDigest,
                                             mid_.blobDigest, topB_.blobDigest));
}

TEST_F(ImageDbTest, ABlobAnotherLayerStillUsesIsNotGarbage) {
  // The same compressed blob under two chains (same diff on different parents).
  LayerRecord other = layerRec("other");
  LayerRecord sameBlob = layerRec("same-blob", other.chainId);
  sameBlob.blobDigest = topA_.blobDigest;
  ImageRecord c = imageRec("c", {other, sameBlob});
  addA();
  ASSERT_TRUE(db_->addImage(c, {other, sameBlob}, {}));
  auto r = db_->removeImage(a_.id, false);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->layers, ElementsAre(topA_.chainId, mid_.chainId, base_.chainId));
  EXPECT_THAT(r->blobs,
              UnorderedElementsAre(a_.id, a_.manifestDigest, base_.blobDigest, mid_.blobDigest));
}

TEST_F(ImageDbTest, RemovingAnUnknownImageIsNotFound) {
  auto r = db_->removeImage(dg("nope"), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageDbTest, ReferencedBlobsListsConfigsManifestsAndLayerBlobs) {
  addA();
  ImageRecord noManifest = b_;
  noManifest.manifestDigest = {};
  ASSERT_TRUE(db_->addImage(noManifest, {topB_}, {}));
  auto blobs = db_->referencedBlobs();
  ASSERT_TRUE(blobs);
  EXPECT_THAT(*blobs, UnorderedElementsAre(a_.id, a_.manifestDigest, b_.id, base_.blobDigest,
                                           mid_.blobDigest, topA_.blobDigest, topB_.blobDigest));
  EXPECT_TRUE(std::is_sorted(blobs->begin(), blobs->end()));
}

TEST_F(ImageDbTest, RecordsSurviveReopen) {
  addA();
  ASSERT_TRUE(db_->addUser(a_.id, "c1"));
  db_ = reopen();
  EXPECT_EQ(*db_->resolve("docker.io/library/a:latest"), a_.id);
  EXPECT_THAT(*db_->usersOf(a_.id), ElementsAre("c1"));
  EXPECT_EQ(db_->layers()->size(), 3u);
}

TEST_F(ImageDbTest, SchemaVersionIsRecordedAndANewerOneIsRefused) {
  db_.reset();
  {
    auto raw = SqliteDb::open(path());
    ASSERT_TRUE(raw);
    auto st = raw->prepare("PRAGMA user_version");
    ASSERT_TRUE(st);
    ASSERT_TRUE(*st->step());
    EXPECT_EQ(st->columnInt64(0), 1);
    st = SqliteStmt();
    ASSERT_TRUE(raw->exec("PRAGMA user_version=99"));
  }
  auto db = openImageDb(path());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind(), ErrorKind::FailedPrecondition);
  EXPECT_NE(db.error().what().find("99"), std::string::npos) << db.error().what();
}

// The child writes a large transaction (enough to spill pages into the WAL) and kills itself
// before COMMIT: the next open must see none of it, and the earlier commit intact.
TEST_F(ImageDbTest, ATransactionKilledBeforeCommitLeavesNoRecord) {
  addA();
  db_.reset();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto raw = SqliteDb::open(path());
    if (!raw) ::_exit(2);
    auto tx = raw->begin();
    if (!tx) ::_exit(3);
    auto st = raw->prepare(
        "INSERT INTO images (id, manifest_digest, manifest_media_type, created, size, added_at) "
        "VALUES (?, '', '', ?, 0, 0)");
    if (!st) ::_exit(4);
    std::string filler(4096, 'f');
    for (int i = 0; i < 5000; ++i) {
      st->reset();
      if (!st->bind(1, dg(std::to_string(i)).str()).bind(2, filler).run()) ::_exit(5);
    }
    if (!raw->exec("INSERT INTO tags (ref, image_id) VALUES ('docker.io/library/x:1', '" +
                   dg("0").str() + "')"))
      ::_exit(6);
    ::raise(SIGKILL);
    ::_exit(7);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;

  db_ = reopen();
  auto all = db_->images();
  ASSERT_TRUE(all) << all.error().what();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, a_.id);
  EXPECT_EQ(db_->resolve("docker.io/library/x:1").error().kind(), ErrorKind::NotFound);
  // And the database takes writes again: the dead writer's lock went with it.
  addB();
}

TEST_F(ImageDbTest, TwoProcessesAddingImagesAtOnceBothSucceed) {
  db_.reset();
  pid_t pids[2];
  for (int p = 0; p < 2; ++p) {
    pids[p] = ::fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      auto db = openImageDb(path());
      if (!db) ::_exit(2);
      for (int i = 0; i < 50; ++i) {
        std::string name = std::to_string(p) + "-" + std::to_string(i);
        LayerRecord l = layerRec("shared");
        LayerRecord own = layerRec(name, l.chainId);
        if (!(*db)->addImage(imageRec(name, {l, own}), {l, own}, {"docker.io/library/img:" + name}))
          ::_exit(3);
      }
      ::_exit(0);
    }
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  db_ = reopen();
  EXPECT_EQ(db_->images()->size(), 100u);
  EXPECT_EQ(*db_->layerUsers(layerRec("shared").chainId), 100);
}

}  // namespace
}  // namespace berth::image
