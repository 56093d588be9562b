#include <gtest/gtest.h>

#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

// A Debian 10 / CentOS 7 style v1 host: cpu and cpuacct share a hierarchy.
constexpr char kV1Host[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup "
    "cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup "
    "cgroup rw,cpu,cpuacct\n"
    "30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup "
    "cgroup rw,memory\n"
    "31 25 0:28 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - "
    "cgroup cgroup rw,net_cls,net_prio\n"
    "32 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup "
    "rw,pids\n"
    "33 25 0:30 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup "
    "rw,cpuset,clone_children\n";

// This machine: every v1 controller on its own, name=systemd, and an empty cgroup2 mount.
constexpr char kHybridHost[] =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

constexpr char kV2Host[] =
    "24 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

TEST(CgroupLayout, ParsesAV1HostWithJointCpuAndCpuacct) {
  auto layout = parseLayout(kV1Host);
  ASSERT_TRUE(layout) << layout.error().what();
  EXPECT_EQ(layout->mode, Mode::V1);
  EXPECT_EQ(layout->hierarchies.size(), 6u);
  ASSERT_NE(layout->forController("cpu"), nullptr);
  EXPECT_EQ(layout->forController("cpu"), layout->forController("cpuacct"));
  EXPECT_EQ(layout->forController("cpu")->mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(layout->forController("cpu")->controllers,
            (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(layout->forController("net_prio")->mountpoint, "/sys/fs/cgroup/net_cls,net_prio");
  EXPECT_EQ(layout->forController("cpuset")->controllers, std::vector<std::string>{"cpuset"});
  EXPECT_EQ(layout->forController("freezer"), nullptr);
  EXPECT_EQ(layout->unifiedHierarchy(), nullptr);
  bool sawSystemd = false;
  for (const auto& h : layout->hierarchies) {
    if (h.name != "systemd") continue;
    sawSystemd = true;
    EXPECT_EQ(h.mountpoint, "/sys/fs/cgroup/systemd");
    EXPECT_TRUE(h.controllers.empty());
  }
  EXPECT_TRUE(sawSystemd);
}

TEST(CgroupLayout, ParsesThisHybridHost) {
  auto layout = parseLayout(kHybridHost);
  ASSERT_TRUE(layout) << layout.error().what();
  EXPECT_EQ(layout->mode, Mode::Hybrid);
  EXPECT_EQ(layout->hierarchies.size(), 10u);
  EXPECT_EQ(layout->forController("memory")->mountpoint, "/sys/fs/cgroup/memory");
  EXPECT_EQ(layout->forController("cpuacct")->mountpoint, "/sys/fs/cgroup/cpuacct");
  EXPECT_NE(layout->forController("cpu"), layout->forController("cpuacct"));
  ASSERT_NE(layout->unifiedHierarchy(), nullptr);
  EXPECT_EQ(layout->unifiedHierarchy()->mountpoint, "/sys/fs/cgroup/unified");
  EXPECT_TRUE(layout->unifiedHierarchy()->unified);
}

TEST(CgroupLayout, ParsesAPureV2Host) {
  auto layout = parseLayout(kV2Host);
  ASSERT_TRUE(layout) << layout.error().what();
  EXPECT_EQ(layout->mode, Mode::V2);
  ASSERT_EQ(layout->hierarchies.size(), 1u);
  EXPECT_EQ(layout->unifiedHierarchy()->mountpoint, "/sys/fs/cgroup");
  EXPECT_TRUE(layout->unifiedHierarchy()->controllers.empty());
  EXPECT_EQ(layout->forController("memory"), nullptr);
}

TEST(CgroupLayout, TreatsANamedV1HierarchyBesideCgroup2AsV2) {
  std::string text = std::string(kV2Host) +
                     "40 35 0:40 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
  auto layout = parseLayout(text);
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->mode, Mode::V2);
}

TEST(CgroupLayout, KeepsTheSysFsCgroupMountOfADuplicatedHierarchy) {
  std::string text =
      "50 22 0:31 /x /var/lib/foo/memory rw - cgroup cgroup rw,memory\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "60 22 0:31 / /mnt/memory rw - cgroup cgroup rw,memory\n";
  auto layout = parseLayout(text);
  ASSERT_TRUE(layout);
  ASSERT_EQ(layout->hierarchies.size(), 1u);
  EXPECT_EQ(layout->forController("memory")->mountpoint, "/sys/fs/cgroup/memory");
}

TEST(CgroupLayout, UnescapesOctalSequencesInMountpoints) {
  auto layout = parseLayout("34 30 0:31 / /mnt/my\\040cgroups rw - cgroup cgroup rw,pids\n");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->forController("pids")->mountpoint, "/mnt/my cgroups");
}

TEST(CgroupLayout, ReadsOptionalFieldsBeforeTheSeparator) {
  auto layout = parseLayout(
      "34 30 0:31 / /sys/fs/cgroup/pids rw shared:5 master:3 unbindable - cgroup cgroup rw,pids\n");
  ASSERT_TRUE(layout);
  EXPECT_NE(layout->forController("pids"), nullptr);
}

TEST(CgroupLayout, FailsWhenNoCgroupIsMounted) {
  auto layout = parseLayout("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
  ASSERT_FALSE(layout);
  EXPECT_EQ(layout.error().kind(), ErrorKind::FailedPrecondition);
}

TEST(CgroupLayout, DetectsThisMachinesLayout) {
  auto layout = detectLayout();
  ASSERT_TRUE(layout) << layout.error().what();
  EXPECT_FALSE(layout->hierarchies.empty());
}

}  // namespace
}  // namespace berth::runtime::cgroups
