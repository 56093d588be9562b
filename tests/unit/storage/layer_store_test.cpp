#include "storage/layer_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "scratch_dir.h"

namespace berth::storage {
namespace {

using testing::ScratchDirTest;

Digest chain(const std::string& seed) {
  return sha256Of(seed);
}

class LayerStoreTest : public ScratchDirTest {
 protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto s = openLayerStore(dir_);
    ASSERT_TRUE(s) << s.error().what();
    store_ = std::move(*s);
  }

  // Fills a layer with one file "name" holding data.
  static std::function<Status(const std::string&)> oneFile(std::string name, std::string data) {
    return [name = std::move(name), data = std::move(data)](const std::string& diff) -> Status {
      spit(diff + "/" + name, data);
      return ok();
    };
  }

  std::string layersDir() const { return dir_ + "/layers"; }

  std::unique_ptr<LayerStore> store_;
};

TEST_F(LayerStoreTest, CreateFillsATempDirAndRenamesItIntoPlace) {
  Digest id = chain("a");
  EXPECT_FALSE(store_->has(id));
  EXPECT_EQ(store_->diffDir(id), layersDir() + "/" + id.hex() + "/diff");
  std::string seenDir;
  auto st = store_->create(id, [&](const std::string& diff) -> Status {
    seenDir = diff;
    spit(diff + "/hello", "world");
    return ok();
  });
  ASSERT_TRUE(st) << st.error().what();
  // The fill ran in a temp dir, never under the layer's real name.
  EXPECT_NE(seenDir.find("/layers/.tmp-" + id.hex() + "-"), std::string::npos) << seenDir;
  EXPECT_TRUE(store_->has(id));
  EXPECT_EQ(slurp(store_->diffDir(id) + "/hello"), "world");
  EXPECT_EQ(list(layersDir()), std::vector<std::string>{id.hex()});
}

TEST_F(LayerStoreTest, CreateOfAPresentLayerDoesNotRunFill) {
  Digest id = chain("a");
  ASSERT_TRUE(store_->create(id, oneFile("f", "first")));
  bool ran = false;
  auto st = store_->create(id, [&](const std::string&) -> Status {
    ran = true;
    return ok();
  });
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_FALSE(ran);
  EXPECT_EQ(slurp(store_->diffDir(id) + "/f"), "first");
}

TEST_F(LayerStoreTest, FailedFillLeavesNothingBehind) {
  Digest id = chain("a");
  auto st = store_->create(id, [](const std::string& diff) -> Status {
    spit(diff + "/partial", "half");
    std::filesystem::create_directories(diff + "/sub/dir");
    return Error::invalid("bad tar entry ../x");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(st.error().what().find("bad tar entry"), std::string::npos) << st.error().what();
  EXPECT_NE(st.error().what().find("create layer " + id.hex()), std::string::npos);
  EXPECT_FALSE(store_->has(id));
  EXPECT_TRUE(list(layersDir()).empty());
}

TEST_F(LayerStoreTest, RemoveDeletesTheLayerAndAbsentIsNotAnError) {
  Digest a = chain("a"), b = chain("b");
  ASSERT_TRUE(store_->create(a, oneFile("f", "a")));
  ASSERT_TRUE(store_->create(b, oneFile("f", "b")));
  auto st = store_->remove(a);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_FALSE(store_->has(a));
  EXPECT_TRUE(store_->has(b));
  EXPECT_EQ(list(layersDir()), std::vector<std::string>{b.hex()});
  EXPECT_TRUE(store_->remove(a));
  EXPECT_EQ(store_->remove(Digest()).error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(LayerStoreTest, CollectGarbageRemovesUnkeptLayersAndCrashLeftovers) {
  Digest keep = chain("keep"), drop = chain("drop");
  ASSERT_TRUE(store_->create(keep, oneFile("f", "k")));
  ASSERT_TRUE(store_->create(drop, oneFile("f", "d")));
  // What a crash in create and in remove leaves.
  mkdir("layers/.tmp-" + drop.hex() + "-Ab12Cd/diff/sub");
  spit(layersDir() + "/.tmp-" + drop.hex() + "-Ab12Cd/diff/sub/x", "x");
  mkdir("layers/.tmp-del-" + keep.hex() + "-0a0b0c/diff");
  // Not a layer: not the store's to judge.
  spit(layersDir() + "/README", "hands off");

  auto st = store_->collectGarbage({keep});
  ASSERT_TRUE(st) << st.error().what();
  std::vector<std::string> want{"README", keep.hex()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(list(layersDir()), want);
  EXPECT_EQ(slurp(store_->diffDir(keep) + "/f"), "k");
}

TEST_F(LayerStoreTest, CollectGarbageSparesTheTempDirOfACreateInProgress) {
  Digest id = chain("busy");
  Status gc = ok();
  std::vector<std::string> duringFill;
  auto st = store_->create(id, [&](const std::string& diff) -> Status {
    spit(diff + "/f", "x");
    gc = store_->collectGarbage({});
    duringFill = list(layersDir());
    return ok();
  });
  ASSERT_TRUE(gc) << gc.error().what();
  ASSERT_TRUE(st) << st.error().what();
  ASSERT_EQ(duringFill.size(), 1u);
  EXPECT_EQ(duringFill[0].rfind(".tmp-" + id.hex() + "-", 0), 0u) << duringFill[0];
  EXPECT_EQ(slurp(store_->diffDir(id) + "/f"), "x");
}

TEST_F(LayerStoreTest, ConcurrentCreatesOfOneLayerLeaveOneWholeCopy) {
  Digest id = chain("race");
  int ready[2], go[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  pid_t kids[2];
  for (pid_t& kid : kids) {
    kid = ::fork();
    ASSERT_GE(kid, 0);
    if (kid == 0) {
      // Both fills run at once: each says it started and waits for the parent's go.
      auto st = store_->create(id, [&](const std::string& diff) -> Status {
        char c = 'r';
        if (::write(ready[1], &c, 1) != 1 || ::read(go[0], &c, 1) != 1) {
          return Error::internal("pipe");
        }
        std::string me = std::to_string(::getpid());
        for (int i = 0; i < 50; ++i) spit(diff + "/f" + std::to_string(i), me);
        return ok();
      });
      ::_exit(st ? 0 : 1);
    }
  }
  char buf[2];
  ASSERT_EQ(::read(ready[0], buf, 1), 1);
  ASSERT_EQ(::read(ready[0], buf + 1, 1), 1);
  ASSERT_EQ(::write(go[1], "gg", 2), 2);
  for (int fd : {ready[0], ready[1], go[0], go[1]}) ::close(fd);
  for (pid_t kid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(kid, &status, 0), kid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  ASSERT_TRUE(store_->has(id));
  EXPECT_EQ(list(layersDir()), std::vector<std::string>{id.hex()});
  // Every file from one winner, none mixed in from the loser.
  std::string winner = slurp(store_->diffDir(id) + "/f0");
  EXPECT_TRUE(winner == std::to_string(kids[0]) || winner == std::to_string(kids[1])) << winner;
  EXPECT_EQ(list(store_->diffDir(id)).size(), 50u);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(slurp(store_->diffDir(id) + "/f" + std::to_string(i)), winner);
}

TEST_F(LayerStoreTest, DiskUsageCountsFileBytesAndHardlinksOnce) {
  Digest plain = chain("plain"), linked = chain("linked");
  std::string mib(1 << 20, 'x');
  ASSERT_TRUE(store_->create(plain, oneFile("big", mib)));
  ASSERT_TRUE(store_->create(linked, [&](const std::string& diff) -> Status {
    spit(diff + "/big", mib);
    if (::link((diff + "/big").c_str(), (diff + "/again").c_str()) < 0) {
      return Error::sys(errno, "link");
    }
    // Directories count nothing, a symlink its target's length (docker's directory.Size).
    if (::mkdir((diff + "/sub").c_str(), 0755) < 0) return Error::sys(errno, "mkdir");
    if (::symlink("big", (diff + "/sub/ln").c_str()) < 0) return Error::sys(errno, "symlink");
    return ok();
  }));
  auto a = store_->diskUsage(plain);
  auto b = store_->diskUsage(linked);
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_EQ(*a, 1 << 20);
  EXPECT_EQ(*b, (1 << 20) + 3);
  EXPECT_EQ(store_->diskUsage(chain("absent")).error().kind(), ErrorKind::NotFound);
}

// Deeper than PATH_MAX, and walked under a file limit far below its depth: a walk keeping one
// fd per level, or one using whole paths, would fail.
TEST_F(LayerStoreTest, RemovesAndMeasuresATreeDeeperThanPathMaxAndTheFdLimit) {
  Digest id = chain("deep");
  constexpr int kDepth = 100;
  const std::string name(50, 'd');  // 100 x 51 bytes > PATH_MAX (4096)
  ASSERT_TRUE(store_->create(id, [&](const std::string& diff) -> Status {
    int fd = ::open(diff.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < kDepth && fd >= 0; ++i) {
      if (::mkdirat(fd, name.c_str(), 0755) < 0) return Error::sys(errno, "mkdirat");
      int sub = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = sub;
    }
    if (fd < 0) return Error::sys(errno, "openat");
    int f = ::openat(fd, "leaf", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ::close(f);
    ::close(fd);
    return ok();
  }));
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit low = saved;
  low.rlim_cur = 40;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  auto usage = store_->diskUsage(id);
  auto st = store_->remove(id);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_TRUE(usage) << usage.error().what();
  EXPECT_EQ(*usage, 0);  // only directories and an empty file
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_TRUE(list(layersDir()).empty());
}

TEST_F(LayerStoreTest, RemoveRefusesToDeleteThroughAMountPoint) {
  Digest id = chain("mounted");
  ASSERT_TRUE(store_->create(id, [](const std::string& diff) -> Status {
    std::filesystem::create_directories(diff + "/mnt");
    return ok();
  }));
  std::string mnt = store_->diffDir(id) + "/mnt";
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m"), 0);
  spit(mnt + "/precious", "keep me");
  auto st = store_->remove(id);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::FailedPrecondition);
  EXPECT_NE(st.error().what().find("mount point"), std::string::npos) << st.error().what();
  // The layer is out of its name (never half-visible), the mounted data untouched.
  EXPECT_FALSE(store_->has(id));
  auto mounts = mountsUnderDir();
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(slurp(mounts[0] + "/precious"), "keep me");
}

TEST_F(LayerStoreTest, OpenCreatesTheLayersDir) {
  std::string root = dir_ + "/nested/root";
  auto s = openLayerStore(root);
  ASSERT_TRUE(s) << s.error().what();
  struct stat st;
  ASSERT_EQ(::stat((root + "/layers").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

// A measurement, not a check: run with --gtest_also_run_disabled_tests.
TEST_F(LayerStoreTest, DISABLED_MeasureSyncfsOfA100MiBLayer) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 1000.0;
  };
  constexpr int kFiles = 1600;  // 64 KiB each: 100 MiB
  std::string chunk(64 * 1024, 'z');
  auto writeAll = [&](const std::string& dir, bool fsyncEach) {
    for (int i = 0; i < kFiles; ++i) {
      std::string p = dir + "/f" + std::to_string(i);
      int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(::write(fd, chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
      if (fsyncEach) ::fsync(fd);
      ::close(fd);
    }
  };
  ::sync();
  Clock::duration fillTime{};
  auto t0 = Clock::now();
  ASSERT_TRUE(store_->create(chain("big"), [&](const std::string& diff) -> Status {
    auto f0 = Clock::now();
    writeAll(diff, false);
    fillTime = Clock::now() - f0;
    return ok();
  }));
  auto total = Clock::now() - t0;
  std::string other = mkdir("fsync-each");
  ::sync();
  auto t1 = Clock::now();
  writeAll(other, true);
  auto perFile = Clock::now() - t1;
  std::cout << "100 MiB in " << kFiles << " files: write " << ms(fillTime)
            << " ms, syncfs+rename+fsync(dir) " << ms(total - fillTime)
            << " ms; write with fsync per file " << ms(perFile) << " ms\n";
}

}  // namespace
}  // namespace berth::storage
