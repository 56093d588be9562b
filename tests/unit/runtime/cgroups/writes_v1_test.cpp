#include <gtest/gtest.h>

#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

std::vector<Write> writesOf(const oci::Resources& r) {
  auto w = v1Writes(r);
  EXPECT_TRUE(w) << w.error().what();
  return w ? *w : std::vector<Write>{};
}

TEST(CgroupV1Writes, WritesNothingForEmptyResources) {
  EXPECT_TRUE(writesOf({}).empty());
}

TEST(CgroupV1Writes, WritesEveryMemoryFieldLimitBeforeSwap) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 64 << 20;
  r.memory->reservation = 32 << 20;
  r.memory->swap = 128 << 20;
  r.memory->swappiness = 10;
  r.memory->disableOOMKiller = true;
  r.memory->kernel = 1 << 20;
  r.memory->kernelTCP = 1 << 20;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{
                             {"memory", "memory.limit_in_bytes", "67108864"},
                             {"memory", "memory.memsw.limit_in_bytes", "134217728"},
                             {"memory", "memory.soft_limit_in_bytes", "33554432"},
                             {"memory", "memory.swappiness", "10"},
                             {"memory", "memory.oom_control", "1"},
                         }));
}

TEST(CgroupV1Writes, MakesSwapUnlimitedWithUnlimitedMemory) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = -1;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"memory", "memory.limit_in_bytes", "-1"},
                                             {"memory", "memory.memsw.limit_in_bytes", "-1"}}));
}

TEST(CgroupV1Writes, PassesUnlimitedSwapThrough) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 1 << 20;
  r.memory->swap = -1;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"memory", "memory.limit_in_bytes", "1048576"},
                                             {"memory", "memory.memsw.limit_in_bytes", "-1"}}));
}

TEST(CgroupV1Writes, LeavesOomKillerAloneWhenNotDisabled) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->disableOOMKiller = false;
  EXPECT_TRUE(writesOf(r).empty());
}

TEST(CgroupV1Writes, RejectsSwapBelowTheMemoryLimit) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 2 << 20;
  r.memory->swap = 1 << 20;
  auto w = v1Writes(r);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind(), ErrorKind::InvalidArgument);
}

TEST(CgroupV1Writes, RejectsSwapWithoutAMemoryLimit) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->swap = 1 << 20;
  EXPECT_FALSE(v1Writes(r));
}

TEST(CgroupV1Writes, RejectsNegativeLimitsAndSwappinessAbove100) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = -2;
  EXPECT_FALSE(v1Writes(r));
  r.memory->limit.reset();
  r.memory->swappiness = 101;
  EXPECT_FALSE(v1Writes(r));
  oci::Resources c;
  c.cpu = oci::CpuResources{};
  c.cpu->quota = -5;
  EXPECT_FALSE(v1Writes(c));
}

TEST(CgroupV1Writes, WritesCpuPeriodBeforeQuotaAndCpuset) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->realtimePeriod = 1000000;
  r.cpu->realtimeRuntime = 950000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  EXPECT_EQ(writesOf(r), (std::vector<Write>{
                             {"cpu", "cpu.shares", "512"},
                             {"cpu", "cpu.cfs_period_us", "100000"},
                             {"cpu", "cpu.cfs_quota_us", "50000"},
                             {"cpu", "cpu.rt_period_us", "1000000"},
                             {"cpu", "cpu.rt_runtime_us", "950000"},
                             {"cpuset", "cpuset.cpus", "0-1"},
                             {"cpuset", "cpuset.mems", "0"},
                         }));
}

TEST(CgroupV1Writes, WritesAnUnlimitedQuota) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->quota = -1;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"cpu", "cpu.cfs_quota_us", "-1"}}));
}

TEST(CgroupV1Writes, TreatsZeroValuesAsUnset) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 0;
  r.cpu->quota = 0;
  r.cpu->period = 0;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 0;
  r.memory->swap = 0;
  EXPECT_TRUE(writesOf(r).empty());
}

TEST(CgroupV1Writes, WritesPidsMaxWithMaxForUnlimited) {
  oci::Resources r;
  r.pidsLimit = 10;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"pids", "pids.max", "10"}}));
  r.pidsLimit = -1;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"pids", "pids.max", "max"}}));
  r.pidsLimit = 0;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"pids", "pids.max", "max"}}));
}

TEST(CgroupV1Writes, WritesDeviceRulesInOrderWithWildcards) {
  oci::Resources r;
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  r.devices.push_back({.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"});
  r.devices.push_back({.allow = true, .type = "c", .major = 136, .access = "rw"});
  r.devices.push_back({.allow = false, .type = "b", .major = -1, .minor = 0, .access = "m"});
  EXPECT_EQ(writesOf(r), (std::vector<Write>{
                             {"devices", "devices.deny", "a *:* rwm"},
                             {"devices", "devices.allow", "c 1:3 rwm"},
                             {"devices", "devices.allow", "c 136:* rw"},
                             {"devices", "devices.deny", "b *:0 m"},
                         }));
}

TEST(CgroupV1Writes, PutsDevicesFirst) {
  oci::Resources r;
  r.pidsLimit = 5;
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  auto w = writesOf(r);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].controller, "devices");
}

TEST(CgroupV1Writes, RejectsMalformedDeviceRules) {
  for (auto rule :
       {oci::DeviceCgroupRule{.type = "x"}, oci::DeviceCgroupRule{.access = ""},
        oci::DeviceCgroupRule{.access = "rx"}, oci::DeviceCgroupRule{.type = "c", .major = -2}}) {
    oci::Resources r;
    r.devices.push_back(rule);
    auto w = v1Writes(r);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().kind(), ErrorKind::InvalidArgument);
  }
}

TEST(CgroupV1Writes, RejectsUnifiedEntries) {
  oci::Resources r;
  r.unified["memory.high"] = "1000";
  auto w = v1Writes(r);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind(), ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace berth::runtime::cgroups
