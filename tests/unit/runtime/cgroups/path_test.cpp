#include <gtest/gtest.h>

#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

TEST(CgroupContainerPath, DefaultsToBerthSlashId) {
  EXPECT_EQ(containerPath("", "abc").value(), "/berth/abc");
}

TEST(CgroupContainerPath, KeepsAnAbsolutePath) {
  EXPECT_EQ(containerPath("/docker/abc", "x").value(), "/docker/abc");
}

TEST(CgroupContainerPath, PutsARelativePathUnderBerth) {
  EXPECT_EQ(containerPath("pod1/abc", "x").value(), "/berth/pod1/abc");
}

TEST(CgroupContainerPath, NormalizesSlashesAndDots) {
  EXPECT_EQ(containerPath("//a/./b//", "x").value(), "/a/b");
}

TEST(CgroupContainerPath, RejectsDotDotComponents) {
  for (auto p : {"/a/../b", "../x", "/..", "a/.."}) {
    auto r = containerPath(p, "x");
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  }
  EXPECT_EQ(containerPath("/a/..b", "x").value(), "/a/..b");
}

TEST(CgroupContainerPath, RejectsTheSystemdForm) {
  auto r = containerPath("system.slice:docker:abc", "abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
}

TEST(CgroupContainerPath, RejectsTheRootCgroup) {
  EXPECT_FALSE(containerPath("/", "x"));
  EXPECT_FALSE(containerPath("/./", "x"));
}

TEST(CgroupContainerPath, RejectsAnIdThatIsNotAName) {
  EXPECT_FALSE(containerPath("", ""));
  EXPECT_FALSE(containerPath("", ".."));
  EXPECT_FALSE(containerPath("", "a/b"));
}

}  // namespace
}  // namespace berth::runtime::cgroups
