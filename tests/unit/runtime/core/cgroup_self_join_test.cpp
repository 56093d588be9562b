// A child joins the container's cgroup by itself (cgroups::SelfJoin): born in its cgroup2 part
// through clone3(CLONE_INTO_CGROUP), moved into the v1 hierarchies by writing "0" into their
// `tasks` files. Drives real cgroups: root only.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "runtime/cgroups/cgroups.h"
#include "sys/syscalls.h"

namespace berth::runtime::cgroups {
namespace {

struct JoinArgs {
  const SelfJoin* join;
  const std::string* path;
};

// 0 when every line of /proc/self/cgroup names `path`, after moving into the v1 hierarchies.
int joinAndCheck(void* p) {
  const auto& a = *static_cast<JoinArgs*>(p);
  for (const auto& fd : a.join->tasks) {
    if (::write(fd.get(), "0", 1) != 1) return 2;
  }
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    // "ID:controllers:/path"
    if (line.substr(line.rfind(':') + 1) != *a.path) return 3;
  }
  return lines > 0 ? 0 : 4;
}

class CgroupSelfJoin : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    auto layout = detectLayout();
    ASSERT_TRUE(layout) << layout.error().what();
    path_ = "/berth-test-selfjoin-" + std::to_string(::getpid());
    manager_ = makeManager(*layout, path_);
    auto st = manager_->create();
    ASSERT_TRUE(st) << st.error().what();
    auto j = manager_->openSelfJoin();
    ASSERT_TRUE(j) << j.error().what();
    join_ = std::move(*j);
    hasCgroup2_ = layout->unifiedHierarchy() != nullptr;
  }
  void TearDown() override {
    if (manager_) (void)manager_->destroy();
  }

  static int statusOf(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
  }

  std::string path_;
  std::unique_ptr<Manager> manager_;
  SelfJoin join_;
  bool hasCgroup2_ = false;
};

TEST_F(CgroupSelfJoin, OpensTheCgroup2DirAndOneTasksFilePerV1Hierarchy) {
  EXPECT_EQ(join_.cloneInto.valid(), hasCgroup2_);
  auto layout = detectLayout();
  ASSERT_TRUE(layout);
  size_t v1 = 0;
  for (const auto& h : layout->hierarchies) v1 += h.unified ? 0 : 1;
  // The manager uses the v1 hierarchies of the controllers it knows and name=systemd.
  EXPECT_LE(join_.tasks.size(), v1);
  if (v1 > 0) {
    EXPECT_GT(join_.tasks.size(), 0u);
  }
}

TEST_F(CgroupSelfJoin, ACopiedChildIsBornInTheCgroupAndJoinsTheRestItself) {
  if (!join_.cloneInto.valid()) GTEST_SKIP() << "no cgroup2 part";
  JoinArgs args{&join_, &path_};
  pid_t pid = sys::cloneProcessInto(0, join_.cloneInto.get());
  ASSERT_GE(pid, 0) << "clone3: " << ::strerror(-pid);
  if (pid == 0) ::_exit(joinAndCheck(&args));
  EXPECT_EQ(statusOf(pid), 0);
}

TEST_F(CgroupSelfJoin, AChildSharingOurMemoryIsBornInTheCgroupToo) {
  if (!join_.cloneInto.valid()) GTEST_SKIP() << "no cgroup2 part";
  auto stack = sys::ChildStack::allocate(256 * 1024);
  ASSERT_TRUE(stack);
  JoinArgs args{&join_, &path_};
  pid_t pid = sys::cloneSharedMemoryInto(0, joinAndCheck, &args, *stack, join_.cloneInto.get());
  if (pid == -ENOSYS) GTEST_SKIP() << "no clone3 trampoline on this architecture";
  ASSERT_GT(pid, 0) << "clone3: " << ::strerror(-pid);
  EXPECT_EQ(statusOf(pid), 0);
}

TEST_F(CgroupSelfJoin, ABadCgroupFdFailsTheCloneAndStartsNothing) {
  pid_t pid = sys::cloneProcessInto(0, -1);
  if (pid == 0) ::_exit(0);
  EXPECT_LT(pid, 0);
}

}  // namespace
}  // namespace berth::runtime::cgroups
