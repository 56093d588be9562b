#include "image/layer_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::image {
namespace {

using ::testing::HasSubstr;

std::string clean(std::string_view name) {
  auto r = cleanEntryPath(name, name);
  EXPECT_TRUE(r) << name;
  return r ? *r : std::string("<error>");
}

TEST(CleanEntryPath, DropsDotSlashEmptyAndDotComponents) {
  EXPECT_EQ(clean("a/b/c"), "a/b/c");
  EXPECT_EQ(clean("./a/b/"), "a/b");
  EXPECT_EQ(clean(".//a//./b"), "a/b");
  EXPECT_EQ(clean("./"), "");
  EXPECT_EQ(clean("."), "");
  EXPECT_EQ(clean("..."), "...");
  EXPECT_EQ(clean("a/..b/c.."), "a/..b/c..");
}

TEST(CleanEntryPath, RefusesDotDotComponentsNamingTheEntry) {
  for (std::string_view n : {"..", "../x", "a/../b", "a/..", "./../x", "a/b/../../.."}) {
    auto r = cleanEntryPath(n, n);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(r.error().what(), HasSubstr(std::string(n)));
  }
}

TEST(CleanEntryPath, RefusesAbsoluteNames) {
  for (std::string_view n : {"/", "/etc/passwd", "//x"}) {
    auto r = cleanEntryPath(n, n);
    ASSERT_FALSE(r) << n;
    EXPECT_THAT(r.error().what(), HasSubstr("absolute"));
  }
}

TEST(SymlinkStaysInside, AcceptsRelativeTargetsThatStayBelowTheRoot) {
  EXPECT_TRUE(symlinkStaysInside("a", "b"));
  EXPECT_TRUE(symlinkStaysInside("a/b", "../c"));
  EXPECT_TRUE(symlinkStaysInside("a/b/c", "../../x/../y"));
  EXPECT_TRUE(symlinkStaysInside("a/b", "./././."));
  EXPECT_TRUE(symlinkStaysInside("usr/lib/libc.so", "../../lib/libc.so.6"));
}

TEST(SymlinkStaysInside, RefusesRelativeTargetsClimbingAboveTheRoot) {
  EXPECT_FALSE(symlinkStaysInside("a", ".."));
  EXPECT_FALSE(symlinkStaysInside("a", "../../.."));
  EXPECT_FALSE(symlinkStaysInside("a/b", "../../c"));
  EXPECT_FALSE(symlinkStaysInside("a/b", "x/../../../c"));
  EXPECT_FALSE(symlinkStaysInside("usr/lib/x", "../../../etc/passwd"));
}

TEST(SymlinkStaysInside, TreatsAbsoluteTargetsAsRootedAtTheLayer) {
  EXPECT_TRUE(symlinkStaysInside("a", "/"));
  EXPECT_TRUE(symlinkStaysInside("a/b/c", "/etc/passwd"));
  EXPECT_TRUE(symlinkStaysInside("a", "/../../etc"));
}

TEST(SplitParent, SplitsAtTheLastSlash) {
  EXPECT_EQ(splitParent("a/b/c").first, "a/b");
  EXPECT_EQ(splitParent("a/b/c").second, "c");
  EXPECT_EQ(splitParent("c").first, "");
  EXPECT_EQ(splitParent("c").second, "c");
}

}  // namespace
}  // namespace berth::image
