#include <gtest/gtest.h>

#include <algorithm>

#include "fake_tree.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

using testing::FakeTree;

Hierarchy v1(std::string controller) {
  return {.mountpoint = "/sys/fs/cgroup/" + controller, .controllers = {controller}};
}

// This machine's hybrid layout, each v1 controller in its own hierarchy.
Layout hybridLayout() {
  Layout l;
  l.mode = Mode::Hybrid;
  for (auto c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer"})
    l.hierarchies.push_back(v1(c));
  l.hierarchies.push_back({.mountpoint = "/sys/fs/cgroup/systemd", .name = "systemd"});
  l.hierarchies.push_back({.mountpoint = "/sys/fs/cgroup/elogind", .name = "elogind"});
  l.hierarchies.push_back({.mountpoint = "/sys/fs/cgroup/unified", .unified = true});
  return l;
}

class CgroupV1Manager : public ::testing::Test {
 protected:
  void SetUp() override {
    tree.write("/sys/fs/cgroup/cpuset/cpuset.cpus", "0-1\n");
    tree.write("/sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
    manager = makeManager(hybridLayout(), "/berth/c1", tree.root());
  }
  std::string dir(const std::string& hierarchy) const {
    return "/sys/fs/cgroup/" + hierarchy + "/berth/c1";
  }

  FakeTree tree;
  std::unique_ptr<Manager> manager;
};

TEST_F(CgroupV1Manager, CreatesTheDirectoryInEveryHierarchyItUses) {
  ASSERT_TRUE(manager->create());
  for (auto h :
       {"cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer", "systemd", "unified"})
    EXPECT_TRUE(tree.exists(dir(h))) << h;
  EXPECT_FALSE(tree.exists(dir("elogind")));
  EXPECT_EQ(manager->path(), "/berth/c1");
  EXPECT_TRUE(manager->create()) << "create is idempotent";
}

TEST_F(CgroupV1Manager, CopiesCpusetDownEachLevel) {
  ASSERT_TRUE(manager->create());
  EXPECT_EQ(tree.read("/sys/fs/cgroup/cpuset/berth/cpuset.cpus"), "0-1");
  EXPECT_EQ(tree.read("/sys/fs/cgroup/cpuset/berth/cpuset.mems"), "0");
  EXPECT_EQ(tree.read(dir("cpuset") + "/cpuset.cpus"), "0-1");
  EXPECT_EQ(tree.read(dir("cpuset") + "/cpuset.mems"), "0");
}

TEST_F(CgroupV1Manager, KeepsCpusetValuesALevelAlreadyHas) {
  tree.write("/sys/fs/cgroup/cpuset/berth/cpuset.cpus", "1\n");
  tree.write("/sys/fs/cgroup/cpuset/berth/cpuset.mems", "\n");
  ASSERT_TRUE(manager->create());
  EXPECT_EQ(tree.read("/sys/fs/cgroup/cpuset/berth/cpuset.cpus"), "1\n");
  EXPECT_EQ(tree.read("/sys/fs/cgroup/cpuset/berth/cpuset.mems"), "0");
  EXPECT_EQ(tree.read(dir("cpuset") + "/cpuset.cpus"), "1");
}

TEST_F(CgroupV1Manager, WritesEachLimitIntoItsControllersHierarchy) {
  ASSERT_TRUE(manager->create());
  tree.write(dir("memory") + "/memory.memsw.limit_in_bytes", "9223372036854771712\n");
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 64 << 20, .swap = 128 << 20};
  r.cpu = oci::CpuResources{.shares = 512, .quota = 50000, .period = 100000, .cpus = "1"};
  r.pidsLimit = 10;
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  auto st = manager->apply(r);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(tree.read(dir("memory") + "/memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(tree.read(dir("memory") + "/memory.memsw.limit_in_bytes"), "134217728");
  EXPECT_EQ(tree.read(dir("cpu") + "/cpu.shares"), "512");
  EXPECT_EQ(tree.read(dir("cpu") + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(tree.read(dir("cpu") + "/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(tree.read(dir("cpuset") + "/cpuset.cpus"), "1");
  EXPECT_EQ(tree.read(dir("pids") + "/pids.max"), "10");
  EXPECT_EQ(tree.read(dir("devices") + "/devices.deny"), "a *:* rwm");
}

TEST_F(CgroupV1Manager, SkipsTheSwapLimitWhenTheHostHasNoMemswFile) {
  ASSERT_TRUE(manager->create());
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 64 << 20, .swap = 128 << 20};
  ASSERT_TRUE(manager->apply(r));
  EXPECT_EQ(tree.read(dir("memory") + "/memory.limit_in_bytes"), "67108864");
  EXPECT_FALSE(tree.exists(dir("memory") + "/memory.memsw.limit_in_bytes"));
}

TEST_F(CgroupV1Manager, SkipsControllersTheHostLacks) {
  Layout l = hybridLayout();
  l.hierarchies.erase(std::remove_if(l.hierarchies.begin(), l.hierarchies.end(),
                                     [](const Hierarchy& h) {
                                       return !h.controllers.empty() && h.controllers[0] == "pids";
                                     }),
                      l.hierarchies.end());
  auto m = makeManager(l, "/berth/c1", tree.root());
  ASSERT_TRUE(m->create());
  oci::Resources r;
  r.pidsLimit = 10;
  EXPECT_TRUE(m->apply(r));
  EXPECT_FALSE(tree.exists(dir("pids")));
}

TEST_F(CgroupV1Manager, RejectsUnifiedResources) {
  ASSERT_TRUE(manager->create());
  oci::Resources r;
  r.unified["memory.high"] = "1";
  auto st = manager->apply(r);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(CgroupV1Manager, AddsTheProcessToEveryHierarchy) {
  ASSERT_TRUE(manager->create());
  ASSERT_TRUE(manager->addProcess(4242));
  for (auto h : {"cpu", "memory", "pids", "freezer", "systemd", "unified"})
    EXPECT_EQ(tree.read(dir(h) + "/cgroup.procs"), "4242") << h;
}

TEST_F(CgroupV1Manager, FreezesAndThawsThroughFreezerState) {
  ASSERT_TRUE(manager->create());
  ASSERT_TRUE(manager->freeze());
  EXPECT_EQ(tree.read(dir("freezer") + "/freezer.state"), "FROZEN");
  EXPECT_TRUE(manager->frozen().value());
  ASSERT_TRUE(manager->thaw());
  EXPECT_EQ(tree.read(dir("freezer") + "/freezer.state"), "THAWED");
  EXPECT_FALSE(manager->frozen().value());
}

TEST_F(CgroupV1Manager, ListsPidsOfTheCgroupAndItsDescendants) {
  ASSERT_TRUE(manager->create());
  tree.write(dir("freezer") + "/cgroup.procs", "10\n11\n");
  tree.write(dir("freezer") + "/sub/cgroup.procs", "12\n");
  tree.write(dir("memory") + "/cgroup.procs", "99\n");
  auto pids = manager->pids();
  ASSERT_TRUE(pids) << pids.error().what();
  EXPECT_EQ(*pids, (std::vector<pid_t>{10, 11, 12}));
}

TEST_F(CgroupV1Manager, ReadsStatsFromEachController) {
  ASSERT_TRUE(manager->create());
  tree.write(dir("memory") + "/memory.usage_in_bytes", "1000\n");
  tree.write(dir("memory") + "/memory.limit_in_bytes", "67108864\n");
  tree.write(dir("memory") + "/memory.max_usage_in_bytes", "2000\n");
  tree.write(dir("memory") + "/memory.memsw.usage_in_bytes", "1500\n");
  tree.write(dir("memory") + "/memory.stat", "cache 300\nrss 700\ntotal_cache 300\n");
  tree.write(dir("cpuacct") + "/cpuacct.usage", "5000000\n");
  tree.write(dir("cpuacct") + "/cpuacct.usage_percpu", "3000000 2000000 \n");
  tree.write(dir("cpuacct") + "/cpuacct.stat", "user 2\nsystem 1\n");
  tree.write(dir("cpu") + "/cpu.stat", "nr_periods 7\nnr_throttled 3\nthrottled_time 900\n");
  tree.write(dir("pids") + "/pids.current", "4\n");
  tree.write(dir("pids") + "/pids.max", "max\n");
  auto s = manager->stats();
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ(s->memoryUsage, 1000u);
  EXPECT_EQ(s->memoryLimit, 67108864u);
  EXPECT_EQ(s->memoryMaxUsage, 2000u);
  EXPECT_EQ(s->memoryCache, 300u);
  EXPECT_EQ(s->swapUsage, 500u);
  EXPECT_EQ(s->cpuUsageNs, 5000000u);
  EXPECT_EQ(s->perCpuNs, (std::vector<uint64_t>{3000000, 2000000}));
  uint64_t tick = 1'000'000'000ULL / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  EXPECT_EQ(s->cpuUserNs, 2 * tick);
  EXPECT_EQ(s->cpuSystemNs, tick);
  EXPECT_EQ(s->periods, 7u);
  EXPECT_EQ(s->throttledPeriods, 3u);
  EXPECT_EQ(s->throttledTimeNs, 900u);
  EXPECT_EQ(s->pidsCurrent, 4u);
  EXPECT_EQ(s->pidsLimit, 0u);
}

TEST_F(CgroupV1Manager, DestroyRemovesEveryDirectoryDeepestFirst) {
  ASSERT_TRUE(manager->create());
  ASSERT_TRUE(manager->addProcess(1));
  tree.write(dir("memory") + "/child/grandchild/cgroup.procs", "");
  auto st = manager->destroy();
  ASSERT_TRUE(st) << st.error().what();
  for (auto h :
       {"cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer", "systemd", "unified"}) {
    EXPECT_FALSE(tree.exists(dir(h))) << h;
    EXPECT_TRUE(tree.exists("/sys/fs/cgroup/" + std::string(h) + "/berth")) << h;
  }
  EXPECT_TRUE(manager->destroy()) << "a second destroy finds nothing to do";
}

}  // namespace
}  // namespace berth::runtime::cgroups
