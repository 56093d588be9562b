// Drives a real v1 cgroup on the host: root only, skipped elsewhere.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

std::string readTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

TEST(CgroupV1Integration, LimitsFreezesAndRemovesARealCgroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  if (!std::filesystem::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
    GTEST_SKIP() << "no v1 memory hierarchy";
  auto layout = detectLayout();
  ASSERT_TRUE(layout) << layout.error().what();
  ASSERT_NE(layout->mode, Mode::V2);

  std::string path = "/berth-test-cgroups-" + std::to_string(::getpid());
  auto manager = makeManager(*layout, path);
  pid_t child = -1;
  struct Cleanup {
    Manager& m;
    pid_t& child;
    ~Cleanup() {
      if (child > 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
      }
      (void)m.thaw();
      (void)m.destroy();
    }
  } cleanup{*manager, child};

  ASSERT_TRUE(manager->create());
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 64 << 20};
  r.pidsLimit = 10;
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  r.devices.push_back({.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"});
  auto st = manager->apply(r);
  ASSERT_TRUE(st) << st.error().what();
  std::string memDir = layout->forController("memory")->mountpoint + path;
  EXPECT_EQ(readTrimmed(memDir + "/memory.limit_in_bytes"), "67108864");
  if (const auto* pids = layout->forController("pids")) {
    EXPECT_EQ(readTrimmed(pids->mountpoint + path + "/pids.max"), "10");
  }
  if (const auto* devices = layout->forController("devices")) {
    EXPECT_EQ(readTrimmed(devices->mountpoint + path + "/devices.list"), "c 1:3 rwm");
  }

  if (std::filesystem::exists(memDir + "/memory.memsw.limit_in_bytes")) {
    // Raising and then lowering both limits works only when memsw goes first when raising.
    for (auto [limit, swap] : {std::pair{256 << 20, 512 << 20}, {32 << 20, 64 << 20}}) {
      oci::Resources m;
      m.memory = oci::MemoryResources{.limit = limit, .swap = swap};
      auto st2 = manager->apply(m);
      ASSERT_TRUE(st2) << st2.error().what();
      EXPECT_EQ(readTrimmed(memDir + "/memory.memsw.limit_in_bytes"), std::to_string(swap));
    }
  }

  child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    while (true) ::pause();
  }
  st = manager->addProcess(child);
  ASSERT_TRUE(st) << st.error().what();
  auto pids = manager->pids();
  ASSERT_TRUE(pids) << pids.error().what();
  EXPECT_NE(std::find(pids->begin(), pids->end(), child), pids->end());

  auto stats = manager->stats();
  ASSERT_TRUE(stats) << stats.error().what();
  EXPECT_GT(stats->memoryLimit, 0u);
  if (layout->forController("pids")) {
    EXPECT_EQ(stats->pidsCurrent, 1u);
    EXPECT_EQ(stats->pidsLimit, 10u);
  }

  if (layout->forController("freezer")) {
    st = manager->freeze();
    ASSERT_TRUE(st) << st.error().what();
    EXPECT_TRUE(manager->frozen().value());
    ASSERT_TRUE(manager->thaw());
    EXPECT_FALSE(manager->frozen().value());
  }

  // With a process inside, removal must refuse rather than pretend.
  st = manager->destroy();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::Conflict);

  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  child = -1;
  st = manager->destroy();
  ASSERT_TRUE(st) << st.error().what();
  for (const auto& h : layout->hierarchies)
    EXPECT_FALSE(std::filesystem::exists(h.mountpoint + path)) << h.mountpoint;
}

}  // namespace
}  // namespace berth::runtime::cgroups
