#include "storage/snapshot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>

#include "base/strings.h"
#include "scratch_dir.h"
#include "storage/layer_store.h"

namespace berth::storage {
namespace {

using testing::ScratchDirTest;

class SnapshotStoreTest : public ScratchDirTest {
 protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto s = openSnapshotStore(dir_);
    ASSERT_TRUE(s) << s.error().what();
    store_ = std::move(*s);
    auto l = openLayerStore(dir_);
    ASSERT_TRUE(l) << l.error().what();
    layers_ = std::move(*l);
  }

  // Two layers, base first: base has base-only and shared="base"; top has top-only and
  // shared="top".
  std::vector<std::string> twoLayers() {
    std::vector<std::string> dirs;
    for (std::string name : {"base", "top"}) {
      Digest id = sha256Of(name);
      auto st = layers_->create(id, [&](const std::string& diff) -> Status {
        spit(diff + "/" + name + "-only", name);
        spit(diff + "/shared", name);
        return ok();
      });
      EXPECT_TRUE(st) << st.error().what();
      dirs.push_back(layers_->diffDir(id));
    }
    return dirs;
  }

  std::string containerDir(const std::string& id) const { return dir_ + "/containers/" + id; }

  // The super options of the mount at target, split; empty when nothing is mounted there.
  static std::vector<std::string> superOptionsAt(const std::string& target) {
    auto mounts = readMountInfo();
    EXPECT_TRUE(mounts) << mounts.error().what();
    std::vector<std::string> out;
    for (const auto& m : mounts ? *mounts : std::vector<MountEntry>{}) {
      if (m.mountPoint == target) out = split(m.superOptions, ',');
    }
    return out;
  }

  // Kernels since 6.8 show "volatile" as "fsync=volatile".
  static bool isVolatile(const std::vector<std::string>& opts) {
    return std::find_if(opts.begin(), opts.end(), [](const std::string& o) {
             return o == "volatile" || o == "fsync=volatile";
           }) != opts.end();
  }

  std::unique_ptr<SnapshotStore> store_;
  std::unique_ptr<LayerStore> layers_;
};

TEST_F(SnapshotStoreTest, CreateMakesUpperAndWorkOnce) {
  auto st = store_->create("c1");
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(store_->upperDir("c1"), containerDir("c1") + "/upper");
  EXPECT_EQ(list(containerDir("c1")), (std::vector<std::string>{"upper", "work"}));
  auto again = store_->create("c1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::AlreadyExists);
}

TEST_F(SnapshotStoreTest, CreateWorksBesideTheEnginesOwnFiles) {
  mkdir("containers/c1");
  spit(containerDir("c1") + "/config.json", "{}");
  ASSERT_TRUE(store_->create("c1"));
  EXPECT_EQ(list(containerDir("c1")), (std::vector<std::string>{"config.json", "upper", "work"}));
}

TEST_F(SnapshotStoreTest, BadIdsAreRejected) {
  for (std::string id : {"", ".", "..", "a/b", "/abs", "../escape"}) {
    EXPECT_EQ(store_->create(id).error().kind(), ErrorKind::InvalidArgument) << id;
    EXPECT_EQ(store_->mount(id, {}, mkdir("target")).error().kind(), ErrorKind::InvalidArgument)
        << id;
    EXPECT_EQ(store_->remove(id).error().kind(), ErrorKind::InvalidArgument) << id;
    EXPECT_EQ(store_->diskUsage(id).error().kind(), ErrorKind::InvalidArgument) << id;
  }
  EXPECT_EQ(list(dir_ + "/containers"), std::vector<std::string>{});
}

TEST_F(SnapshotStoreTest, MountStacksLayersGivenBaseFirst) {
  auto lowers = twoLayers();
  ASSERT_TRUE(store_->create("c1"));
  std::string target = dir_ + "/rootfs/c1";  // made by mount
  auto st = store_->mount("c1", lowers, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/base-only"), "base");
  EXPECT_EQ(slurp(target + "/top-only"), "top");
  EXPECT_EQ(slurp(target + "/shared"), "top");
  ASSERT_TRUE(store_->unmount(target));
  EXPECT_TRUE(mountsUnderDir().empty());
}

TEST_F(SnapshotStoreTest, ChangesLandInUpperAndLeaveLayersAlone) {
  auto lowers = twoLayers();
  ASSERT_TRUE(store_->create("c1"));
  std::string target = mkdir("rootfs");
  ASSERT_TRUE(store_->mount("c1", lowers, target));
  std::string upper = store_->upperDir("c1");
  auto before = store_->diskUsage("c1");
  ASSERT_TRUE(before) << before.error().what();

  spit(target + "/shared", "changed");
  spit(target + "/new", std::string(256 * 1024, 'n'));
  ASSERT_EQ(::unlink((target + "/base-only").c_str()), 0);

  EXPECT_EQ(slurp(upper + "/shared"), "changed");
  EXPECT_EQ(slurp(lowers[1] + "/shared"), "top");
  EXPECT_EQ(slurp(lowers[0] + "/base-only"), "base");
  struct stat wh;
  ASSERT_EQ(::lstat((upper + "/base-only").c_str(), &wh), 0);
  EXPECT_TRUE(S_ISCHR(wh.st_mode) && wh.st_rdev == makedev(0, 0));
  auto after = store_->diskUsage("c1");
  ASSERT_TRUE(after) << after.error().what();
  EXPECT_GE(*after - *before, 256 * 1024);
}

TEST_F(SnapshotStoreTest, ChangesSurviveUnmountAndRemount) {
  auto lowers = twoLayers();
  ASSERT_TRUE(store_->create("c1"));
  std::string target = mkdir("rootfs");
  ASSERT_TRUE(store_->mount("c1", lowers, target));
  spit(target + "/kept", "across restarts");
  ASSERT_TRUE(store_->unmount(target));
  EXPECT_FALSE(exists(target + "/kept"));
  auto st = store_->mount("c1", lowers, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/kept"), "across restarts");
}

TEST_F(SnapshotStoreTest, ImageWithoutLayersMountsOnAnEmptyLower) {
  ASSERT_TRUE(store_->create("scratch"));
  std::string target = mkdir("rootfs");
  auto st = store_->mount("scratch", {}, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_TRUE(list(target).empty());
  spit(target + "/hello", "hi");
  EXPECT_EQ(slurp(store_->upperDir("scratch") + "/hello"), "hi");
  EXPECT_TRUE(list(containerDir("scratch") + "/empty").empty());
}

TEST_F(SnapshotStoreTest, MountOfAnUnknownSnapshotIsNotFound) {
  auto st = store_->mount("nope", {}, mkdir("rootfs"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::NotFound);
  EXPECT_TRUE(mountsUnderDir().empty());
}

TEST_F(SnapshotStoreTest, SecondMountOfOneSnapshotIsRefused) {
  ASSERT_TRUE(store_->create("c1"));
  ASSERT_TRUE(store_->mount("c1", {}, mkdir("rootfs1")));
  auto st = store_->mount("c1", {}, mkdir("rootfs2"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::FailedPrecondition);
  EXPECT_NE(st.error().what().find("rootfs1"), std::string::npos) << st.error().what();
  EXPECT_EQ(mountsUnderDir().size(), 1u);
}

TEST_F(SnapshotStoreTest, UnmountOfANotMountedTargetIsOk) {
  EXPECT_TRUE(store_->unmount(mkdir("rootfs")));
  EXPECT_TRUE(store_->unmount(dir_ + "/never-made"));
}

TEST_F(SnapshotStoreTest, RemoveRefusesWhileMounted) {
  auto lowers = twoLayers();
  ASSERT_TRUE(store_->create("c1"));
  std::string target = mkdir("rootfs");
  ASSERT_TRUE(store_->mount("c1", lowers, target));
  spit(target + "/data", "live");
  auto st = store_->remove("c1");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::FailedPrecondition);
  EXPECT_EQ(slurp(target + "/data"), "live");
  ASSERT_TRUE(store_->unmount(target));
  st = store_->remove("c1");
  ASSERT_TRUE(st) << st.error().what();
}

TEST_F(SnapshotStoreTest, RemoveDeletesUpperAndWorkButNotTheEnginesFiles) {
  ASSERT_TRUE(store_->create("c1"));
  ASSERT_TRUE(store_->create("c2"));
  std::string target = mkdir("rootfs");
  ASSERT_TRUE(store_->mount("c1", {}, target));
  spit(target + "/f", "x");
  ASSERT_TRUE(store_->unmount(target));
  spit(containerDir("c1") + "/config.json", "{}");

  auto st = store_->remove("c1");
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(list(containerDir("c1")), std::vector<std::string>{"config.json"});
  ASSERT_TRUE(store_->remove("c2"));
  EXPECT_FALSE(exists(containerDir("c2")));
  EXPECT_TRUE(store_->remove("c2"));
  EXPECT_TRUE(store_->remove("never"));
  // Gone means creatable again.
  EXPECT_TRUE(store_->create("c1"));
}

TEST_F(SnapshotStoreTest, MoveToTrashTakesTheWholeDirectoryOutAtOnce) {
  auto lowers = twoLayers();
  std::string trash = mkdir("trash");
  ASSERT_TRUE(store_->create("c1"));
  std::string target = mkdir("rootfs");
  ASSERT_TRUE(store_->mount("c1", lowers, target));
  spit(target + "/data", "live");
  auto refused = store_->moveToTrash("c1", trash);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::FailedPrecondition);
  ASSERT_TRUE(store_->unmount(target));
  spit(containerDir("c1") + "/config.json", "{}");

  auto moved = store_->moveToTrash("c1", trash);
  ASSERT_TRUE(moved) << moved.error().what();
  EXPECT_EQ(*moved, trash + "/c1");
  EXPECT_FALSE(exists(containerDir("c1")));
  EXPECT_EQ(slurp(*moved + "/upper/data"), "live");
  EXPECT_EQ(slurp(*moved + "/config.json"), "{}");
  // The id is free at once; a second removal of it replaces what the first left in the trash.
  ASSERT_TRUE(store_->create("c1"));
  auto again = store_->moveToTrash("c1", trash);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_FALSE(exists(*again + "/config.json"));
  auto absent = store_->moveToTrash("never", trash);
  ASSERT_TRUE(absent) << absent.error().what();
  EXPECT_EQ(*absent, "");
}

TEST_F(SnapshotStoreTest, MoveToTrashTakesTheEnginesOwnMountAlong) {
  auto lowers = twoLayers();
  std::string trash = mkdir("trash");
  ASSERT_TRUE(store_->create("c1"));
  std::string target = containerDir("c1") + "/rootfs";
  ASSERT_TRUE(store_->mount("c1", lowers, target));
  spit(target + "/data", "live");
  std::string elsewhere = mkdir("elsewhere");
  ASSERT_TRUE(store_->create("c2"));
  ASSERT_TRUE(store_->mount("c2", lowers, elsewhere));
  // c2's overlay is mounted where the caller did not say: refused.
  EXPECT_FALSE(store_->moveToTrash("c2", trash, containerDir("c2") + "/rootfs"));
  ASSERT_TRUE(store_->unmount(elsewhere));

  auto moved = store_->moveToTrash("c1", trash, target);
  ASSERT_TRUE(moved) << moved.error().what();
  EXPECT_TRUE(superOptionsAt(target).empty());
  EXPECT_FALSE(superOptionsAt(*moved + "/rootfs").empty());
  EXPECT_EQ(slurp(*moved + "/rootfs/data"), "live");
  ASSERT_TRUE(store_->unmount(*moved + "/rootfs"));
}

TEST_F(SnapshotStoreTest, PlainMountIsNotVolatile) {
  ASSERT_TRUE(store_->create("c1"));
  std::string target = mkdir("rootfs");
  ASSERT_TRUE(store_->mount("c1", twoLayers(), target));
  auto opts = superOptionsAt(target);
  ASSERT_FALSE(opts.empty());
  EXPECT_FALSE(isVolatile(opts));
  ASSERT_TRUE(store_->unmount(target));
  EXPECT_FALSE(exists(containerDir("c1") + "/work/work/incompat"));
}

TEST_F(SnapshotStoreTest, VolatileMountCanBeMountedAgainEitherWay) {
  auto lowers = twoLayers();
  ASSERT_TRUE(store_->create("c1"));
  std::string target = mkdir("rootfs");
  auto st = store_->mount("c1", lowers, target, {.volatileUpper = true});
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_TRUE(isVolatile(superOptionsAt(target)));
  spit(target + "/kept", "after a clean unmount");
  ASSERT_TRUE(store_->unmount(target));
  // overlay's marker, which makes it refuse any later mount of this upper and work.
  EXPECT_TRUE(exists(containerDir("c1") + "/work/work/incompat/volatile"));

  st = store_->mount("c1", lowers, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_FALSE(isVolatile(superOptionsAt(target)));
  EXPECT_EQ(slurp(target + "/kept"), "after a clean unmount");
  ASSERT_TRUE(store_->unmount(target));

  // And volatile twice in a row.
  ASSERT_TRUE(store_->mount("c1", lowers, target, {.volatileUpper = true}));
  ASSERT_TRUE(store_->unmount(target));
  st = store_->mount("c1", lowers, target, {.volatileUpper = true});
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_TRUE(isVolatile(superOptionsAt(target)));
  ASSERT_TRUE(store_->unmount(target));
  ASSERT_TRUE(store_->remove("c1"));
}

TEST_F(SnapshotStoreTest, CreateReplacesAWorkDirLeftWithoutItsUpper) {
  mkdir("containers/c1/work/work");
  spit(containerDir("c1") + "/work/stale", "x");
  ASSERT_TRUE(store_->create("c1"));
  EXPECT_TRUE(list(containerDir("c1") + "/work").empty());
}

}  // namespace
}  // namespace berth::storage
