#include <gtest/gtest.h>

#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

std::vector<Write> writesOf(const oci::Resources& r) {
  auto w = v2Writes(r);
  EXPECT_TRUE(w) << w.error().what();
  return w ? *w : std::vector<Write>{};
}

oci::Resources memory(std::optional<int64_t> limit, std::optional<int64_t> swap) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = limit;
  r.memory->swap = swap;
  return r;
}

oci::Resources cpu(std::optional<int64_t> quota, std::optional<uint64_t> period) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->quota = quota;
  r.cpu->period = period;
  return r;
}

TEST(CgroupV2Writes, ConvertsSharesToWeight) {
  EXPECT_EQ(sharesToWeight(0), 0u);
  EXPECT_EQ(sharesToWeight(2), 1u);
  EXPECT_EQ(sharesToWeight(1024), 39u);
  EXPECT_EQ(sharesToWeight(262144), 10000u);
  EXPECT_EQ(sharesToWeight(1), 1u);
  EXPECT_EQ(sharesToWeight(1u << 20), 10000u);
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 1024;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"", "cpu.weight", "39"}}));
}

TEST(CgroupV2Writes, WritesMemoryMaxLowAndSwapOnly) {
  auto r = memory(64 << 20, 96 << 20);
  r.memory->reservation = 16 << 20;
  r.memory->swappiness = 30;
  r.memory->disableOOMKiller = true;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"", "memory.swap.max", "33554432"},
                                             {"", "memory.max", "67108864"},
                                             {"", "memory.low", "16777216"}}));
}

TEST(CgroupV2Writes, WritesMaxForUnlimitedMemoryAndSwap) {
  EXPECT_EQ(writesOf(memory(-1, std::nullopt)),
            (std::vector<Write>{{"", "memory.swap.max", "max"}, {"", "memory.max", "max"}}));
  EXPECT_EQ(writesOf(memory(1 << 20, -1)),
            (std::vector<Write>{{"", "memory.swap.max", "max"}, {"", "memory.max", "1048576"}}));
  EXPECT_EQ(writesOf(memory(1 << 20, 1 << 20)),
            (std::vector<Write>{{"", "memory.swap.max", "0"}, {"", "memory.max", "1048576"}}));
  EXPECT_EQ(writesOf(memory(1 << 20, std::nullopt)),
            (std::vector<Write>{{"", "memory.max", "1048576"}}));
}

TEST(CgroupV2Writes, RejectsImpossibleSwap) {
  EXPECT_FALSE(v2Writes(memory(2 << 20, 1 << 20)));
  EXPECT_FALSE(v2Writes(memory(std::nullopt, 1 << 20)));
  EXPECT_FALSE(v2Writes(memory(-1, 1 << 20)));
  EXPECT_FALSE(v2Writes(memory(-3, std::nullopt)));
}

TEST(CgroupV2Writes, WritesCpuMaxFromQuotaAndPeriod) {
  EXPECT_EQ(writesOf(cpu(50000, 100000)), (std::vector<Write>{{"", "cpu.max", "50000 100000"}}));
  EXPECT_EQ(writesOf(cpu(-1, 100000)), (std::vector<Write>{{"", "cpu.max", "max 100000"}}));
  EXPECT_EQ(writesOf(cpu(std::nullopt, 250000)),
            (std::vector<Write>{{"", "cpu.max", "max 250000"}}));
  EXPECT_EQ(writesOf(cpu(-1, std::nullopt)), (std::vector<Write>{{"", "cpu.max", "max"}}));
  EXPECT_EQ(writesOf(cpu(20000, std::nullopt)), (std::vector<Write>{{"", "cpu.max", "20000"}}));
  EXPECT_TRUE(writesOf(cpu(std::nullopt, std::nullopt)).empty());
  EXPECT_FALSE(v2Writes(cpu(-7, 100000)));
}

TEST(CgroupV2Writes, WritesCpusetAndPids) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->cpus = "1,3";
  r.cpu->mems = "0-1";
  r.pidsLimit = 100;
  EXPECT_EQ(writesOf(r),
            (std::vector<Write>{
                {"", "cpuset.cpus", "1,3"}, {"", "cpuset.mems", "0-1"}, {"", "pids.max", "100"}}));
  r = {};
  r.pidsLimit = -1;
  EXPECT_EQ(writesOf(r), (std::vector<Write>{{"", "pids.max", "max"}}));
}

TEST(CgroupV2Writes, RejectsRealtimeCpu) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->realtimeRuntime = 1000;
  auto w = v2Writes(r);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind(), ErrorKind::InvalidArgument);
}

TEST(CgroupV2Writes, WritesUnifiedEntriesVerbatimAndLast) {
  oci::Resources r;
  r.pidsLimit = 5;
  r.unified["memory.high"] = "1000000";
  r.unified["pids.max"] = "7";
  EXPECT_EQ(writesOf(r),
            (std::vector<Write>{
                {"", "pids.max", "5"}, {"", "memory.high", "1000000"}, {"", "pids.max", "7"}}));
}

TEST(CgroupV2Writes, RejectsUnifiedKeysThatAreNotFileNames) {
  for (auto key : {"../x", "a/b", "..", "", "memory..high"}) {
    oci::Resources r;
    r.unified[key] = "1";
    auto w = v2Writes(r);
    ASSERT_FALSE(w) << key;
    EXPECT_EQ(w.error().kind(), ErrorKind::InvalidArgument);
  }
}

TEST(CgroupV2Writes, WritesNoFileForDevicesButChecksThem) {
  oci::Resources r;
  r.devices.push_back({.allow = false, .type = "a", .access = "rwm"});
  EXPECT_TRUE(writesOf(r).empty());
  r.devices.push_back({.allow = true, .type = "q", .access = "rwm"});
  EXPECT_FALSE(v2Writes(r));
}

}  // namespace
}  // namespace berth::runtime::cgroups
