#include "base/error.h"

#include <gtest/gtest.h>

#include "base/strings.h"

namespace berth {
namespace {

Result<int> failing() {
  return Error::sys(EPERM, "mount {}", "/proc");
}
Result<int> wrapped() {
  int v = TRY_CTX(failing(), "create container {}", "3f2a");
  return v + 1;
}
Result<int> succeeding() {
  return 41;
}
Result<int> plusOne() {
  return TRY(succeeding()) + 1;
}

TEST(Error, RendersContextOutermostFirstWithTheErrnoText) {
  auto r = wrapped();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what(), "create container 3f2a: mount /proc: Operation not permitted");
  EXPECT_EQ(r.error().kind(), ErrorKind::PermissionDenied);
}

TEST(Error, TryYieldsTheValueOnSuccess) {
  auto r = plusOne();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
}

TEST(Error, KeepsCleanupFailuresBesideThePrimaryError) {
  Error e = Error::invalid("bad config");
  e.addCleanupError(Error::sys(EBUSY, "rmdir {}", "/sys/fs/cgroup/x"));
  EXPECT_EQ(e.what(), "bad config (cleanup: rmdir /sys/fs/cgroup/x: Device or resource busy)");
}

TEST(Error, MapsErrnoToKinds) {
  EXPECT_EQ(errorKindFromErrno(ENOENT), ErrorKind::NotFound);
  EXPECT_EQ(errorKindFromErrno(EEXIST), ErrorKind::AlreadyExists);
  EXPECT_EQ(errorKindFromErrno(EACCES), ErrorKind::PermissionDenied);
  EXPECT_EQ(errorKindFromErrno(EIO), ErrorKind::Internal);
}

TEST(Strings, SplitsAndJoins) {
  EXPECT_EQ(split("a:b::c", ':'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split("a:b::c", ':', true), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(join({"a", "b"}, ", "), "a, b");
}

TEST(Strings, ParsesWholeIntegersOnly) {
  EXPECT_EQ(*parseInt("-12", "n"), -12);
  EXPECT_FALSE(parseInt("12x", "n"));
  EXPECT_FALSE(parseUint("-1", "n"));
  EXPECT_FALSE(parseUint("", "n"));
}

}  // namespace
}  // namespace berth
