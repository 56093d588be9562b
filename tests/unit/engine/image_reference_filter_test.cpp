// The reference filter of GET /images/json: Go's path.Match and distribution/reference's
// FamiliarMatch, and the narrowing of an image's tags and digests that moby's image list does.

#include "engine/image_reference_filter.h"

#include <gtest/gtest.h>

namespace berth::engine {
namespace {

bool m(std::string_view pattern, std::string_view name) {
  auto r = pathMatch(pattern, name);
  EXPECT_TRUE(r.has_value()) << pattern;
  return r && *r;
}

TEST(PathMatch, LiteralsStarsAndQuestionMarks) {
  EXPECT_TRUE(m("busybox", "busybox"));
  EXPECT_FALSE(m("busybox", "busybox:latest"));
  EXPECT_TRUE(m("busy*", "busybox"));
  EXPECT_TRUE(m("*", ""));
  EXPECT_TRUE(m("*:latest", "busybox:latest"));
  EXPECT_TRUE(m("b?sybox", "busybox"));
  EXPECT_FALSE(m("b?sybox", "bsybox"));
  EXPECT_TRUE(m("a*b*c", "axxbyyc"));
  EXPECT_FALSE(m("a*b*c", "axxbyy"));
  EXPECT_TRUE(m("localhost:5000/app:1.*", "localhost:5000/app:1.36"));
}

TEST(PathMatch, StarAndQuestionMarkStopAtSlash) {
  EXPECT_FALSE(m("*", "foo/bar"));
  EXPECT_TRUE(m("*/bar", "foo/bar"));
  EXPECT_FALSE(m("*/bar", "a/foo/bar"));
  EXPECT_FALSE(m("foo?bar", "foo/bar"));
  EXPECT_TRUE(m("*/*", "foo/bar"));
}

TEST(PathMatch, ClassesAndEscapes) {
  EXPECT_TRUE(m("app:[0-9]", "app:7"));
  EXPECT_FALSE(m("app:[0-9]", "app:x"));
  EXPECT_TRUE(m("app:[^0-9]", "app:x"));
  EXPECT_TRUE(m("app:[a-cx]", "app:x"));
  EXPECT_TRUE(m("a\\*b", "a*b"));
  EXPECT_FALSE(m("a\\*b", "axb"));
  EXPECT_TRUE(m("[\\]]", "]"));
}

TEST(PathMatch, MalformedPatternsAreErrorsWhateverTheName) {
  for (std::string_view bad : {"[", "a[", "[]", "[a-]", "[abc-]", "[-a]", "a\\", "[^]", "x*[z"}) {
    auto r = pathMatch(bad, "zzz");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(r.error().message().find("syntax error in pattern"), std::string::npos);
  }
}

TEST(FamiliarMatch, ReferenceThenName) {
  EXPECT_TRUE(*familiarMatch("busybox", "busybox:latest"));
  EXPECT_TRUE(*familiarMatch("busybox:*", "busybox:latest"));
  EXPECT_FALSE(*familiarMatch("busybox:*", "busybox@sha256:abc"));
  EXPECT_TRUE(*familiarMatch("busybox", "busybox@sha256:abc"));
  EXPECT_FALSE(*familiarMatch("busybox", "busyboxy:latest"));
  EXPECT_TRUE(*familiarMatch("*/foo", "user/foo:1"));
  EXPECT_FALSE(*familiarMatch("*/foo", "foo:1"));
  EXPECT_TRUE(*familiarMatch("localhost:5000/app", "localhost:5000/app:2"));
  EXPECT_TRUE(*familiarMatch("localhost:5000/app:1.*", "localhost:5000/app:1.0"));
  EXPECT_FALSE(*familiarMatch("localhost:5000/app:1.*", "localhost:5000/app:2.0"));
  EXPECT_FALSE(*familiarMatch("localhost:5000/*", "localhost:5000/a/b:1"));
}

TEST(KeepMatchingReferences, NarrowsTagsAndDigests) {
  ImageSummary s;
  s.repoTags = {"busybox:latest", "bcref-one:1", "bcref-two:1"};
  s.repoDigests = {"busybox@sha256:abc"};
  ImageSummary one = s;
  ASSERT_TRUE(*keepMatchingReferences(one, {"bcref-one"}));
  EXPECT_EQ(one.repoTags, std::vector<std::string>{"bcref-one:1"});
  EXPECT_TRUE(one.repoDigests.empty());

  ImageSummary bb = s;
  ASSERT_TRUE(*keepMatchingReferences(bb, {"busybox"}));
  EXPECT_EQ(bb.repoTags, std::vector<std::string>{"busybox:latest"});
  EXPECT_EQ(bb.repoDigests, std::vector<std::string>{"busybox@sha256:abc"});

  ImageSummary both = s;
  ASSERT_TRUE(*keepMatchingReferences(both, {"bcref-one", "bcref-t*:1"}));
  EXPECT_EQ(both.repoTags, (std::vector<std::string>{"bcref-one:1", "bcref-two:1"}));

  ImageSummary none = s;
  EXPECT_FALSE(*keepMatchingReferences(none, {"nothing*"}));
  EXPECT_TRUE(none.repoTags.empty());
}

TEST(KeepMatchingReferences, UntaggedImagesAreLeftOutAndBadPatternsFail) {
  ImageSummary dangling;
  EXPECT_FALSE(*keepMatchingReferences(dangling, {"*"}));
  EXPECT_FALSE(keepMatchingReferences(dangling, {"[oops"}).has_value());
}

}  // namespace
}  // namespace berth::engine
