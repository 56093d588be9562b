#include "runtime/rootfs/path_resolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ResolveInRootfs : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-resolve-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/usr/lib");
    fs::create_directories(root_ + "/etc");
    fs::create_directories(root_ + "/a/b");
  }
  void TearDown() override { fs::remove_all(root_); }
  void link(const std::string& target, const std::string& at) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ + at).c_str()), 0);
  }
  std::string root_;
};

TEST_F(ResolveInRootfs, KeepsAPlainPathUnderTheRoot) {
  auto r = resolveInRootfs(root_, "/usr/lib");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*r, root_ + "/usr/lib");
}

TEST_F(ResolveInRootfs, KeepsMissingComponentsAsWritten) {
  auto r = resolveInRootfs(root_, "/usr/lib/new/dir");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, root_ + "/usr/lib/new/dir");
}

TEST_F(ResolveInRootfs, FollowsARelativeSymlinkInsideTheRootfs) {
  link("usr/lib", "/lib");
  auto r = resolveInRootfs(root_, "/lib/x");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*r, root_ + "/usr/lib/x");
}

TEST_F(ResolveInRootfs, FollowsChainedRelativeSymlinks) {
  link("../usr", "/a/u");
  link("u/lib", "/a/l");
  auto r = resolveInRootfs(root_, "/a/l");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*r, root_ + "/usr/lib");
}

TEST_F(ResolveInRootfs, RefusesAnAbsoluteSymlink) {
  link("/etc", "/evil");
  auto r = resolveInRootfs(root_, "/evil/passwd");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(r.error().what(), HasSubstr("/evil is an absolute symlink"));
}

TEST_F(ResolveInRootfs, RefusesARelativeSymlinkThatClimbsOutOfTheRoot) {
  link("../../../../etc", "/a/b/up");
  auto r = resolveInRootfs(root_, "/a/b/up");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what(), HasSubstr("escapes the rootfs"));
}

TEST_F(ResolveInRootfs, RefusesDotDotInThePathItself) {
  auto r = resolveInRootfs(root_, "/../etc");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what(), HasSubstr("escapes the rootfs"));
}

TEST_F(ResolveInRootfs, AllowsDotDotThatStaysInside) {
  auto r = resolveInRootfs(root_, "/a/b/../../etc");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, root_ + "/etc");
}

TEST_F(ResolveInRootfs, DetectsSymlinkLoops) {
  link("loop2", "/loop1");
  link("loop1", "/loop2");
  auto r = resolveInRootfs(root_, "/loop1/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sysErrno(), ELOOP);
}

TEST_F(ResolveInRootfs, RefusesARelativePath) {
  EXPECT_FALSE(resolveInRootfs(root_, "etc"));
}

TEST(CleanContainerPath, CollapsesSlashesAndDots) {
  EXPECT_EQ(*cleanContainerPath("//a/./b//c/"), "/a/b/c");
  EXPECT_EQ(*cleanContainerPath("/a/b/../c"), "/a/c");
  EXPECT_EQ(*cleanContainerPath("/"), "/");
}

TEST(CleanContainerPath, RefusesClimbingAboveTheRoot) {
  auto r = cleanContainerPath("/a/../../b");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what(), HasSubstr("escapes the rootfs"));
}

}  // namespace
}  // namespace berth::runtime
