// Drives a real cgroup2 directory with the v2 manager: on a hybrid host the unified mount has no
// resource controllers, but processes, freezing and the eBPF device filter work there. Root only.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

// The child opens /dev/null read-write and /dev/zero read-only each time it is poked, and
// answers with one byte per open: '1' when it succeeded.
[[noreturn]] void prober(int cmd, int answer) {
  char c;
  while (::read(cmd, &c, 1) == 1) {
    char out[2];
    int fd = ::open("/dev/null", O_RDWR);
    out[0] = fd >= 0 ? '1' : '0';
    if (fd >= 0) ::close(fd);
    fd = ::open("/dev/zero", O_RDONLY);
    out[1] = fd >= 0 ? '1' : '0';
    if (fd >= 0) ::close(fd);
    if (::write(answer, out, 2) != 2) break;
  }
  ::_exit(0);
}

TEST(CgroupV2Integration, FreezesAndFiltersDevicesInARealCgroup2) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto detected = detectLayout();
  ASSERT_TRUE(detected) << detected.error().what();
  const Hierarchy* unified = detected->unifiedHierarchy();
  if (!unified) GTEST_SKIP() << "no cgroup2 mount";
  if (!std::filesystem::exists(unified->mountpoint + "/cgroup.procs"))
    GTEST_SKIP() << "cgroup2 mount is not usable";
  Layout layout{.mode = Mode::V2, .hierarchies = {*unified}};

  std::string path = "/berth-test-cgroups-v2-" + std::to_string(::getpid());
  std::string dir = unified->mountpoint + path;
  auto manager = makeManager(layout, path);
  int cmd[2], answer[2];
  ASSERT_EQ(::pipe2(cmd, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(answer, O_CLOEXEC), 0);
  pid_t child = -1;
  struct Cleanup {
    Manager& m;
    pid_t& child;
    int fds[4];
    ~Cleanup() {
      if (child > 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
      }
      (void)m.thaw();
      (void)m.destroy();
      for (int fd : fds) ::close(fd);
    }
  } cleanup{*manager, child, {cmd[0], cmd[1], answer[0], answer[1]}};

  auto st = manager->create();
  ASSERT_TRUE(st) << st.error().what();
  child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) prober(cmd[0], answer[1]);
  st = manager->addProcess(child);
  ASSERT_TRUE(st) << st.error().what();
  auto pids = manager->pids();
  ASSERT_TRUE(pids) << pids.error().what();
  EXPECT_EQ(*pids, std::vector<pid_t>{child});

  auto probe = [&]() {
    char out[3] = {};
    EXPECT_EQ(::write(cmd[1], "x", 1), 1);
    EXPECT_EQ(::read(answer[0], out, 2), 2);
    return std::string(out);
  };
  EXPECT_EQ(probe(), "11");

  oci::Resources r;
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  r.devices.push_back({.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"});
  st = manager->apply(r);
  if (!st && st.error().kind() == ErrorKind::NotImplemented)
    GTEST_SKIP() << "no cgroup device programs here: " << st.error().what();
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(probe(), "10");

  // A second apply replaces the filter instead of stacking another one on it.
  r.devices = {{.allow = true, .type = "a", .access = "rwm"}};
  st = manager->apply(r);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(probe(), "11");

  if (std::filesystem::exists(dir + "/cgroup.freeze")) {
    st = manager->freeze();
    ASSERT_TRUE(st) << st.error().what();
    EXPECT_TRUE(manager->frozen().value());
    st = manager->thaw();
    ASSERT_TRUE(st) << st.error().what();
    EXPECT_FALSE(manager->frozen().value());
    EXPECT_EQ(probe(), "11") << "the thawed child answers again";
  }

  st = manager->destroy();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::Conflict);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  child = -1;
  st = manager->destroy();
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace berth::runtime::cgroups
