#include "runtime/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class BuildInitPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-plan-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    rootfs_ = tmpl;
    fs::create_directories(rootfs_ + "/etc");
    spec_ = oci::defaultSpec();
    spec_.process->args = {"/bin/true"};
    layout_ = *cgroups::parseLayout(
        "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
        "31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
        "32 25 0:28 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n");
  }
  void TearDown() override { fs::remove_all(rootfs_); }
  Result<InitPlan> build() {
    PlanOptions o;
    o.rootfs = rootfs_;
    o.cgroupLayout = &layout_;
    o.cgroupPath = "/berth/x";
    return buildInitPlan(spec_, o);
  }
  std::string rootfs_;
  oci::Spec spec_;
  cgroups::Layout layout_;
};

TEST_F(BuildInitPlan, RefusesAMountThroughAnAbsoluteSymlinkBeforeAnythingIsCreated) {
  ASSERT_EQ(::symlink("/etc", (rootfs_ + "/evil").c_str()), 0);
  spec_.mounts.push_back({"/evil/x", "tmpfs", "tmpfs", {}});
  auto p = build();
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().what(), HasSubstr("/evil is an absolute symlink"));
}

TEST_F(BuildInitPlan, MountsInTheRuntimesNamespaceOnlyWithoutOneOfItsOwn) {
  auto p = build();
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_FALSE(p->hostMountNamespace);
  std::erase_if(spec_.linux->namespaces,
                [](const oci::Namespace& n) { return n.type == oci::NamespaceType::Mount; });
  p = build();
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_TRUE(p->hostMountNamespace);
  EXPECT_EQ(p->newNamespaces & CLONE_NEWNS, 0u);
  // Joining one by path is a mount namespace of its own.
  spec_.linux->namespaces.push_back({oci::NamespaceType::Mount, "/proc/self/ns/mnt"});
  p = build();
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_FALSE(p->hostMountNamespace);
  for (auto& [type, fd] : p->joinNamespaces) ::close(fd);
}

TEST_F(BuildInitPlan, CreatesTheDefaultDevicesAndLinks) {
  auto p = build();
  ASSERT_TRUE(p) << p.error().what();
  int nodes = 0, links = 0;
  for (const auto& s : p->mounts) {
    if (s.kind == MountStep::Kind::Mknod) ++nodes;
    if (s.kind == MountStep::Kind::Symlink && s.target == "/dev/ptmx") ++links;
  }
  EXPECT_EQ(nodes, 6);
  EXPECT_EQ(links, 1);
}

TEST_F(BuildInitPlan, ExpandsAV1CgroupMountIntoOneDirectoryPerHierarchy) {
  auto p = build();
  ASSERT_TRUE(p) << p.error().what();
  std::vector<std::string> cgroupTargets, symlinks;
  for (const auto& s : p->mounts) {
    if (!s.cgroupMount) continue;
    if (s.kind == MountStep::Kind::Mount && s.fstype != "tmpfs" && !(s.flags & MS_REMOUNT)) {
      cgroupTargets.push_back(s.target);
    }
    if (s.kind == MountStep::Kind::Symlink) symlinks.push_back(s.target + "->" + s.source);
  }
  EXPECT_THAT(cgroupTargets,
              ::testing::ElementsAre("/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu,cpuacct",
                                     "/sys/fs/cgroup/unified"));
  EXPECT_THAT(symlinks, ::testing::ElementsAre("/sys/fs/cgroup/cpu->cpu,cpuacct",
                                               "/sys/fs/cgroup/cpuacct->cpu,cpuacct"));
}

TEST_F(BuildInitPlan, DefersCgroupMountsOnlyWhenNothingDependsOnThem) {
  auto p = build();
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->deferCgroupMounts);
  spec_.mounts.push_back({"/sys/fs/cgroup/extra", "tmpfs", "tmpfs", {}});
  auto q = build();
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->deferCgroupMounts);
}

TEST_F(BuildInitPlan, DoesNotDeferWhenCreateContainerHooksWouldLook) {
  spec_.hooks.createContainer.push_back({"/bin/true", {}, {}, {}});
  auto p = build();
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->deferCgroupMounts);
}

TEST_F(BuildInitPlan, WithoutACgroupNamespaceBindsTheContainersOwnCgroups) {
  for (auto& ns : spec_.linux->namespaces) {
    if (ns.type == oci::NamespaceType::Cgroup) ns.type = oci::NamespaceType::Ipc;
  }
  std::erase_if(spec_.linux->namespaces,
                [](const oci::Namespace& n) { return n.type == oci::NamespaceType::Ipc; });
  spec_.linux->namespaces.push_back({oci::NamespaceType::Ipc, ""});
  auto p = build();
  ASSERT_TRUE(p) << p.error().what();
  bool bound = false;
  for (const auto& s : p->mounts) {
    if (s.cgroupMount && s.kind == MountStep::Kind::Bind &&
        s.source == "/sys/fs/cgroup/memory/berth/x")
      bound = true;
  }
  EXPECT_TRUE(bound);
  EXPECT_FALSE(p->deferCgroupMounts);  // host paths are gone after pivot_root
}

TEST_F(BuildInitPlan, CreatesAMissingWorkingDirectory) {
  spec_.process->cwd = "/work/dir";
  auto p = build();
  ASSERT_TRUE(p);
  bool mk = false;
  for (const auto& s : p->mounts) mk |= s.kind == MountStep::Kind::Mkdir && s.target == "/work/dir";
  EXPECT_TRUE(mk);
}

TEST_F(BuildInitPlan, TurnsSysctlKeysIntoProcPaths) {
  spec_.linux->sysctl["net.ipv4.ip_forward"] = "1";
  auto p = build();
  ASSERT_TRUE(p) << p.error().what();
  ASSERT_EQ(p->sysctl.size(), 1u);
  EXPECT_EQ(p->sysctl[0].first, "/proc/sys/net/ipv4/ip_forward");
}

}  // namespace
}  // namespace berth::runtime
