// ImageService on a real data root in a temp dir: import, names, removal rules, garbage
// collection, save/load and OCI layout round trips, commit.

#include "engine/image_service.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/unique_fd.h"
#include "engine/image_internal.h"
#include "image/layer.h"

namespace berth::engine {
namespace {

namespace fs = std::filesystem;

class ImageServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/var/tmp/berth-engine-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = ImageService::open(dir_ + "/data");
    ASSERT_TRUE(s) << s.error().what();
    svc_ = std::move(*s);
  }
  void TearDown() override {
    svc_.reset();
    fs::remove_all(dir_);
  }

  // A rootfs tar with the given files (path -> content), written by berth's own tar writer.
  UniqueFd rootfsTar(const std::map<std::string, std::string>& files) {
    auto root = dir_ + "/src" + std::to_string(counter_++);
    for (auto& [path, content] : files) {
      fs::create_directories(fs::path(root + "/" + path).parent_path());
      std::ofstream(root + "/" + path) << content;
    }
    fs::create_directories(root);
    UniqueFd fd(::open(dir_.c_str(), O_TMPFILE | O_RDWR, 0600));
    image::TarOptions to;
    to.overlayWhiteouts = false;
    auto st = image::writeLayerTar(root, fd.get(), to);
    EXPECT_TRUE(st) << st.error().what();
    ::lseek(fd.get(), 0, SEEK_SET);
    return fd;
  }

  Digest import(const std::map<std::string, std::string>& files, const std::string& ref) {
    auto fd = rootfsTar(files);
    ImportOptions o;
    o.reference = ref;
    o.changes = {"CMD [\"sh\"]"};
    auto id = svc_->import(fd.get(), o);
    EXPECT_TRUE(id) << id.error().what();
    return id ? *id : Digest();
  }

  size_t blobCount() {
    return std::distance(fs::directory_iterator(dir_ + "/data/blobs/sha256"), {});
  }
  size_t layerCount() {
    size_t n = 0;
    for (auto& e : fs::directory_iterator(dir_ + "/data/layers"))
      if (e.path().filename().string()[0] != '.') ++n;
    return n;
  }

  std::string dir_;
  std::unique_ptr<ImageService> svc_;
  int counter_ = 0;
};

TEST_F(ImageServiceTest, ResolveByNameTagIdAndPrefix) {
  auto id = import({{"etc/hello", "hi\n"}}, "hello:1");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(*svc_->resolve("hello:1"), id);
  EXPECT_EQ(*svc_->resolve("docker.io/library/hello:1"), id);
  EXPECT_EQ(*svc_->resolve(id.str()), id);
  EXPECT_EQ(*svc_->resolve(id.hex()), id);
  EXPECT_EQ(*svc_->resolve(id.hex().substr(0, 12)), id);
  auto missing = svc_->resolve("hello");  // hello:latest does not exist
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(missing.error().what(), "No such image: hello:latest");
  auto bad = svc_->resolve("Hello:1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(ImageServiceTest, ImportRecordsConfigLayerAndHistory) {
  auto id = import({{"a", "1"}}, "x:1");
  auto cfg = svc_->config(id);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->os, "linux");
  EXPECT_EQ(cfg->diffIds.size(), 1u);
  EXPECT_EQ(cfg->config.cmd, (std::vector<std::string>{"sh"}));
  auto h = svc_->history("x:1");
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ(h->front().id, id.str());
  EXPECT_EQ(h->front().comment, "Imported from -");
  EXPECT_GT(h->front().size, 0);
  auto dirs = svc_->layerDirs(id);
  ASSERT_TRUE(dirs);
  ASSERT_EQ(dirs->size(), 1u);
  EXPECT_TRUE(fs::exists(dirs->front() + "/a"));
}

TEST_F(ImageServiceTest, RemoveByTagUntagsWhileOtherNamesRemain) {
  auto id = import({{"a", "1"}}, "x:1");
  ASSERT_TRUE(svc_->tag("x:1", "y:2"));
  auto r = svc_->remove("y:2", false);
  ASSERT_TRUE(r) << r.error().what();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().untagged, "y:2");
  EXPECT_TRUE(svc_->record(id));
  r = svc_->remove("x:1", false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_FALSE(svc_->record(id));
  EXPECT_EQ(blobCount(), 0u);
  EXPECT_EQ(layerCount(), 0u);
}

TEST_F(ImageServiceTest, RemoveRefusesUsedImagesUnlessForced) {
  auto id = import({{"a", "1"}}, "x:1");
  ASSERT_TRUE(svc_->addUser(id, "c0ffee"));
  auto r = svc_->remove("x:1", false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::Conflict);
  EXPECT_NE(r.error().what().find("container c0ffee"), std::string::npos);
  r = svc_->remove(id.hex().substr(0, 12), false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::Conflict);
  // Forced: the names go, the data stays for the container.
  r = svc_->remove("x:1", true);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(svc_->layerDirs(id));
  ASSERT_TRUE(svc_->removeUser(id, "c0ffee"));
  auto p = svc_->prune(false);
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_FALSE(svc_->record(id));
}

TEST_F(ImageServiceTest, SharedLayersSurviveRemovalOfOneImage) {
  auto base = import({{"shared", "s"}}, "base:1");
  ASSERT_TRUE(svc_->tag("base:1", "other:1"));
  // A second image with the same layer content: the same diff ID, one layer dir.
  auto again = import({{"shared", "s"}}, "copy:1");
  EXPECT_NE(base, again);  // different created time, different config
  EXPECT_EQ(layerCount(), 1u);
  ASSERT_TRUE(svc_->remove(base.str(), true));
  EXPECT_EQ(layerCount(), 1u);
  auto dirs = svc_->layerDirs(again);
  ASSERT_TRUE(dirs);
  EXPECT_TRUE(fs::exists(dirs->front() + "/shared"));
}

TEST_F(ImageServiceTest, CollectGarbageRemovesOrphansOnly) {
  auto id = import({{"a", "1"}}, "x:1");
  // What a crash between the blob and the record leaves: an unreferenced blob and layer dir.
  auto orphan = svc_->parts().content->put("orphan");
  ASSERT_TRUE(orphan);
  ASSERT_TRUE(svc_->parts().layers->create(sha256Of("layer"), [](const std::string& d) -> Status {
    std::ofstream(d + "/f") << "x";
    return ok();
  }));
  EXPECT_EQ(layerCount(), 2u);
  fs::create_directories(dir_ + "/data/tmp/stage-0123/diff");  // an interrupted load's
  ASSERT_TRUE(svc_->collectGarbage());
  EXPECT_FALSE(fs::exists(dir_ + "/data/tmp"));
  EXPECT_FALSE(svc_->parts().content->has(*orphan));
  EXPECT_EQ(layerCount(), 1u);
  EXPECT_TRUE(svc_->layerDirs(id));
  EXPECT_TRUE(svc_->config(id));
}

TEST_F(ImageServiceTest, SaveLoadRoundTripIntoAnotherDataRoot) {
  auto id = import({{"etc/x", "x"}, {"bin/y", "y"}}, "app:1");
  auto path = dir_ + "/out.tar";
  UniqueFd out(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600));
  ASSERT_TRUE(svc_->save({"app:1"}, out.get()));
  auto other = ImageService::open(dir_ + "/data2");
  ASSERT_TRUE(other);
  ::lseek(out.get(), 0, SEEK_SET);
  std::vector<std::string> lines;
  auto loaded = (*other)->load(out.get(), [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(loaded) << loaded.error().what();
  EXPECT_EQ(*loaded, (std::vector<std::string>{"app:1"}));
  EXPECT_EQ(lines, (std::vector<std::string>{"Loaded image: app:1"}));
  EXPECT_EQ(*(*other)->resolve("app:1"), id);
  EXPECT_EQ((*other)->config(id)->diffIds, svc_->config(id)->diffIds);
}

TEST_F(ImageServiceTest, OciLayoutRoundTrip) {
  auto id = import({{"f", "1"}}, "app:1");
  ASSERT_TRUE(svc_->saveOciLayout({"app:1"}, dir_ + "/layout"));
  EXPECT_TRUE(fs::exists(dir_ + "/layout/oci-layout"));
  auto other = ImageService::open(dir_ + "/data2");
  ASSERT_TRUE(other);
  auto loaded = (*other)->loadOciLayout(dir_ + "/layout", "1", "");
  ASSERT_TRUE(loaded) << loaded.error().what();
  EXPECT_EQ(*(*other)->resolve("app:1"), id);
  auto none = (*other)->loadOciLayout(dir_ + "/layout", "nosuch", "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind(), ErrorKind::NotFound);
}

TEST_F(ImageServiceTest, CommitAddsALayerOnTopOfTheParent) {
  auto parent = import({{"etc/a", "a"}}, "base:1");
  auto upper = dir_ + "/upper";
  fs::create_directories(upper + "/etc");
  std::ofstream(upper + "/etc/b") << "b";
  CommitOptions o;
  o.reference = "child:1";
  o.message = "added b";
  o.changes = {"ENV X=1"};
  auto id = svc_->commit(upper, parent, o);
  ASSERT_TRUE(id) << id.error().what();
  auto rec = svc_->record(*id);
  EXPECT_EQ(rec->parent, parent);
  EXPECT_EQ(rec->chainIds.size(), 2u);
  auto cfg = svc_->config(*id);
  EXPECT_EQ(cfg->config.env, (std::vector<std::string>{"X=1"}));
  EXPECT_EQ(cfg->history.back().comment, "added b");
  // The parent has a child now: removing it by ID is refused.
  auto r = svc_->remove(parent.str(), false);
  EXPECT_FALSE(r);
  // Untagged, the parent goes with its last child, as docker rmi prunes.
  ASSERT_TRUE(svc_->remove("base:1", false));
  EXPECT_TRUE(svc_->record(parent));
  r = svc_->remove("child:1", false);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_FALSE(svc_->record(*id));
  EXPECT_FALSE(svc_->record(parent));
  EXPECT_EQ(layerCount(), 0u);
  EXPECT_EQ(blobCount(), 0u);
}

TEST_F(ImageServiceTest, BadArchivesLeaveNothingBehind) {
  auto path = dir_ + "/junk";
  std::ofstream(path) << std::string(200000, 'x');
  UniqueFd fd(::open(path.c_str(), O_RDONLY));
  auto r = svc_->load(fd.get());
  ASSERT_FALSE(r);
  EXPECT_EQ(blobCount(), 0u);
  EXPECT_EQ(layerCount(), 0u);
}

TEST(ImageTime, ParseAndFormatRfc3339) {
  EXPECT_EQ(detail::parseTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(detail::parseTime("2024-01-02T03:04:05.123456789Z"), 1704164645);
  EXPECT_EQ(detail::parseTime("2024-01-02T05:04:05+02:00"), 1704164645);
  EXPECT_EQ(detail::parseTime(""), 0);
  EXPECT_EQ(detail::parseTime("garbage"), 0);
  EXPECT_EQ(detail::formatTime(1704164645), "2024-01-02T03:04:05Z");
  EXPECT_EQ(detail::formatTime(1704164645, 500000000), "2024-01-02T03:04:05.5Z");
}

}  // namespace
}  // namespace berth::engine
