#include <gtest/gtest.h>

#include "fake_tree.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

using testing::FakeTree;

Layout v2Layout() {
  Layout l;
  l.mode = Mode::V2;
  l.hierarchies.push_back({.mountpoint = "/sys/fs/cgroup", .unified = true});
  return l;
}

class CgroupV2Manager : public ::testing::Test {
 protected:
  void SetUp() override {
    tree.write("/sys/fs/cgroup/cgroup.controllers",
               "cpuset cpu io memory hugetlb pids rdma misc\n");
    manager = makeManager(v2Layout(), "/berth/c1", tree.root());
  }
  const std::string dir = "/sys/fs/cgroup/berth/c1";
  FakeTree tree;
  std::unique_ptr<Manager> manager;
};

TEST_F(CgroupV2Manager, CreatesTheDirectoryAndEnablesControllersInEveryAncestor) {
  auto st = manager->create();
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_TRUE(tree.exists(dir));
  EXPECT_EQ(tree.read("/sys/fs/cgroup/cgroup.subtree_control"), "+cpu +memory +pids +cpuset +io");
  EXPECT_EQ(tree.read("/sys/fs/cgroup/berth/cgroup.subtree_control"),
            "+cpu +memory +pids +cpuset +io");
  EXPECT_FALSE(tree.exists(dir + "/cgroup.subtree_control"));
}

TEST_F(CgroupV2Manager, EnablesOnlyTheControllersTheHostOffers) {
  tree.write("/sys/fs/cgroup/cgroup.controllers", "memory pids\n");
  ASSERT_TRUE(manager->create());
  EXPECT_EQ(tree.read("/sys/fs/cgroup/cgroup.subtree_control"), "+memory +pids");
}

TEST_F(CgroupV2Manager, WritesMemoryMaxFromResources) {
  ASSERT_TRUE(manager->create());
  tree.write(dir + "/memory.swap.max", "max\n");
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 64 << 20, .reservation = 1 << 20, .swap = 96 << 20};
  r.cpu = oci::CpuResources{.shares = 1024, .quota = 50000, .period = 100000};
  r.pidsLimit = 10;
  r.unified["memory.high"] = "50000000";
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  auto st = manager->apply(r);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(tree.read(dir + "/memory.max"), "67108864");
  EXPECT_EQ(tree.read(dir + "/memory.low"), "1048576");
  EXPECT_EQ(tree.read(dir + "/memory.swap.max"), "33554432");
  EXPECT_EQ(tree.read(dir + "/memory.high"), "50000000");
  EXPECT_EQ(tree.read(dir + "/cpu.weight"), "39");
  EXPECT_EQ(tree.read(dir + "/cpu.max"), "50000 100000");
  EXPECT_EQ(tree.read(dir + "/pids.max"), "10");
}

TEST_F(CgroupV2Manager, SkipsSwapMaxWhenSwapAccountingIsOff) {
  ASSERT_TRUE(manager->create());
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 64 << 20, .swap = 96 << 20};
  ASSERT_TRUE(manager->apply(r));
  EXPECT_FALSE(tree.exists(dir + "/memory.swap.max"));
  EXPECT_EQ(tree.read(dir + "/memory.max"), "67108864");
}

TEST_F(CgroupV2Manager, AddsTheProcessToCgroupProcs) {
  ASSERT_TRUE(manager->create());
  ASSERT_TRUE(manager->addProcess(77));
  EXPECT_EQ(tree.read(dir + "/cgroup.procs"), "77");
}

TEST_F(CgroupV2Manager, FreezesThroughCgroupFreezeAndWaitsForTheEvent) {
  ASSERT_TRUE(manager->create());
  tree.write(dir + "/cgroup.freeze", "0\n");
  tree.write(dir + "/cgroup.events", "populated 1\nfrozen 1\n");
  ASSERT_TRUE(manager->freeze());
  EXPECT_EQ(tree.read(dir + "/cgroup.freeze"), "1");
  EXPECT_TRUE(manager->frozen().value());
  tree.write(dir + "/cgroup.events", "populated 1\nfrozen 0\n");
  ASSERT_TRUE(manager->thaw());
  EXPECT_EQ(tree.read(dir + "/cgroup.freeze"), "0");
  EXPECT_FALSE(manager->frozen().value());
}

TEST_F(CgroupV2Manager, GivesUpFreezingWhenTheCgroupNeverFreezes) {
  ASSERT_TRUE(manager->create());
  tree.write(dir + "/cgroup.freeze", "0\n");
  tree.write(dir + "/cgroup.events", "populated 1\nfrozen 0\n");
  auto st = manager->freeze();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::Unavailable);
  EXPECT_EQ(tree.read(dir + "/cgroup.freeze"), "0");
}

TEST_F(CgroupV2Manager, AnswersNotImplementedWithoutCgroupFreeze) {
  ASSERT_TRUE(manager->create());
  auto st = manager->freeze();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::NotImplemented);
}

TEST_F(CgroupV2Manager, ListsPidsRecursively) {
  ASSERT_TRUE(manager->create());
  tree.write(dir + "/cgroup.procs", "5\n");
  tree.write(dir + "/a/cgroup.procs", "6\n7\n");
  tree.write(dir + "/a/b/cgroup.procs", "8\n");
  EXPECT_EQ(manager->pids().value(), (std::vector<pid_t>{5, 6, 7, 8}));
}

TEST_F(CgroupV2Manager, ReadsStatsFromV2Files) {
  ASSERT_TRUE(manager->create());
  tree.write(dir + "/memory.current", "4096\n");
  tree.write(dir + "/memory.max", "max\n");
  tree.write(dir + "/memory.peak", "8192\n");
  tree.write(dir + "/memory.swap.current", "12\n");
  tree.write(dir + "/memory.stat", "anon 100\nfile 2048\nkernel 5\n");
  tree.write(dir + "/cpu.stat",
             "usage_usec 300\nuser_usec 200\nsystem_usec 100\nnr_periods 9\nnr_throttled 2\n"
             "throttled_usec 40\n");
  tree.write(dir + "/pids.current", "3\n");
  tree.write(dir + "/pids.max", "50\n");
  auto s = manager->stats();
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ(s->memoryUsage, 4096u);
  EXPECT_EQ(s->memoryLimit, UINT64_MAX);
  EXPECT_EQ(s->memoryMaxUsage, 8192u);
  EXPECT_EQ(s->swapUsage, 12u);
  EXPECT_EQ(s->memoryCache, 2048u);
  EXPECT_EQ(s->cpuUsageNs, 300000u);
  EXPECT_EQ(s->cpuUserNs, 200000u);
  EXPECT_EQ(s->cpuSystemNs, 100000u);
  EXPECT_EQ(s->periods, 9u);
  EXPECT_EQ(s->throttledPeriods, 2u);
  EXPECT_EQ(s->throttledTimeNs, 40000u);
  EXPECT_EQ(s->pidsCurrent, 3u);
  EXPECT_EQ(s->pidsLimit, 50u);
}

TEST_F(CgroupV2Manager, DestroyRemovesTheCgroupAndItsChildren) {
  ASSERT_TRUE(manager->create());
  tree.write(dir + "/a/b/cgroup.procs", "");
  ASSERT_TRUE(manager->destroy());
  EXPECT_FALSE(tree.exists(dir));
  EXPECT_TRUE(tree.exists("/sys/fs/cgroup/berth"));
  EXPECT_TRUE(manager->destroy());
}

}  // namespace
}  // namespace berth::runtime::cgroups
