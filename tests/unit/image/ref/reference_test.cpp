#include "image/reference.h"

#include <gtest/gtest.h>

#include <string>

// Expected values are those of github.com/distribution/reference (Docker 28), many of them taken
// from its normalize_test.go and reference_test.go.

namespace berth::image {
namespace {

const std::string kHex = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";

struct ValidCase {
  std::string input;
  std::string domain;
  std::string path;
  std::string tag;
  std::string str;       // fully qualified
  std::string familiar;  // familiarString()
};

class ParseNormalizedNamedValid : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseNormalizedNamedValid, NormalisesAsDocker) {
  const ValidCase& c = GetParam();
  auto r = parseNormalizedNamed(c.input);
  ASSERT_TRUE(r) << c.input << ": " << r.error().what();
  EXPECT_EQ(r->domain, c.domain);
  EXPECT_EQ(r->path, c.path);
  EXPECT_EQ(r->tag, c.tag);
  EXPECT_EQ(r->str(), c.str);
  EXPECT_EQ(r->familiarString(), c.familiar);
  // The fully qualified and the familiar forms parse back to the same reference.
  auto again = parseNormalizedNamed(r->str());
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_EQ(*again, *r);
  // (A familiar name of 64 hex digits reads as an image ID, which Docker refuses as a name.)
  if (!isFullImageId(r->familiarString())) {
    auto familiar = parseNormalizedNamed(r->familiarString());
    ASSERT_TRUE(familiar) << familiar.error().what();
    EXPECT_EQ(*familiar, *r);
  }
}

const std::string kTag128 = std::string(128, 't');
const std::string kPath255 = std::string(255, 'p');

INSTANTIATE_TEST_SUITE_P(
    Docker, ParseNormalizedNamedValid,
    ::testing::Values(
        ValidCase{"busybox", "docker.io", "library/busybox", "", "docker.io/library/busybox",
                  "busybox"},
        ValidCase{"busybox:1.36", "docker.io", "library/busybox", "1.36",
                  "docker.io/library/busybox:1.36", "busybox:1.36"},
        ValidCase{"library/busybox", "docker.io", "library/busybox", "",
                  "docker.io/library/busybox", "busybox"},
        ValidCase{"docker.io/busybox", "docker.io", "library/busybox", "",
                  "docker.io/library/busybox", "busybox"},
        ValidCase{"index.docker.io/busybox:latest", "docker.io", "library/busybox", "latest",
                  "docker.io/library/busybox:latest", "busybox:latest"},
        ValidCase{"index.docker.io/docker/docker", "docker.io", "docker/docker", "",
                  "docker.io/docker/docker", "docker/docker"},
        ValidCase{"user/app:v2", "docker.io", "user/app", "v2", "docker.io/user/app:v2",
                  "user/app:v2"},
        ValidCase{"docker.io/library/foo/bar", "docker.io", "library/foo/bar", "",
                  "docker.io/library/foo/bar", "library/foo/bar"},
        ValidCase{"other/library", "docker.io", "other/library", "", "docker.io/other/library",
                  "other/library"},
        ValidCase{"localhost/a", "localhost", "a", "", "localhost/a", "localhost/a"},
        ValidCase{"localhost:5000/a/b:tag", "localhost:5000", "a/b", "tag",
                  "localhost:5000/a/b:tag", "localhost:5000/a/b:tag"},
        // A single component is never a host: "host:5000" is repository "host", tag "5000".
        ValidCase{"host:5000", "docker.io", "library/host", "5000", "docker.io/library/host:5000",
                  "host:5000"},
        ValidCase{"localhost", "docker.io", "library/localhost", "", "docker.io/library/localhost",
                  "localhost"},
        ValidCase{"[::1]:5000/a", "[::1]:5000", "a", "", "[::1]:5000/a", "[::1]:5000/a"},
        ValidCase{"[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000",
                  "library/debian", "", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
                  "[fc00:1:2:3:4:5:6:7]:5000/library/debian"},
        ValidCase{"[::1]/a", "[::1]", "a", "", "[::1]/a", "[::1]/a"},
        ValidCase{"127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", "", "127.0.0.1:5000/debian",
                  "127.0.0.1:5000/debian"},
        ValidCase{"192.168.0.1", "docker.io", "library/192.168.0.1", "",
                  "docker.io/library/192.168.0.1", "192.168.0.1"},
        ValidCase{"192.168.0.1:80", "docker.io", "library/192.168.0.1", "80",
                  "docker.io/library/192.168.0.1:80", "192.168.0.1:80"},
        ValidCase{"example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", "",
                  "example.com:8000/private/moonbase", "example.com:8000/private/moonbase"},
        ValidCase{"xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", "", "xn--n3h.com:18080/foo",
                  "xn--n3h.com:18080/foo"},
        // Uppercase is allowed in a host, and an uppercase first component is a host.
        ValidCase{"Docker/docker", "Docker", "docker", "", "Docker/docker", "Docker/docker"},
        ValidCase{"REGISTRY.Example.COM:5000/app:V1", "REGISTRY.Example.COM:5000", "app", "V1",
                  "REGISTRY.Example.COM:5000/app:V1", "REGISTRY.Example.COM:5000/app:V1"},
        ValidCase{"test_com/foo", "docker.io", "test_com/foo", "", "docker.io/test_com/foo",
                  "test_com/foo"},
        ValidCase{"dock__er/docker---rules", "docker.io", "dock__er/docker---rules", "",
                  "docker.io/dock__er/docker---rules", "dock__er/docker---rules"},
        ValidCase{"a.b-c/e", "a.b-c", "e", "", "a.b-c/e", "a.b-c/e"},
        // "a_b.c" looks like a host to splitDockerDomain but is none, so the whole is a path
        // with no domain at all: Docker keeps that quirk and so do we.
        ValidCase{"a_b.c/x", "", "a_b.c/x", "", "a_b.c/x", "a_b.c/x"},
        ValidCase{"busybox:latest@sha256:" + kHex, "docker.io", "library/busybox", "latest",
                  "docker.io/library/busybox:latest@sha256:" + kHex,
                  "busybox:latest@sha256:" + kHex},
        ValidCase{"busybox@sha256:" + kHex, "docker.io", "library/busybox", "",
                  "docker.io/library/busybox@sha256:" + kHex, "busybox@sha256:" + kHex},
        ValidCase{"localhost:5000/a/b:tag@sha256:" + kHex, "localhost:5000", "a/b", "tag",
                  "localhost:5000/a/b:tag@sha256:" + kHex, "localhost:5000/a/b:tag@sha256:" + kHex},
        ValidCase{"docker.io/" + kHex, "docker.io", "library/" + kHex, "",
                  "docker.io/library/" + kHex, kHex},
        ValidCase{"busybox:" + kTag128, "docker.io", "library/busybox", kTag128,
                  "docker.io/library/busybox:" + kTag128, "busybox:" + kTag128},
        ValidCase{"busybox:_x.Y-1", "docker.io", "library/busybox", "_x.Y-1",
                  "docker.io/library/busybox:_x.Y-1", "busybox:_x.Y-1"},
        // The 255-character limit is on the path; the host does not count.
        ValidCase{"registry.example.com/" + kPath255, "registry.example.com", kPath255, "",
                  "registry.example.com/" + kPath255, "registry.example.com/" + kPath255}));

struct InvalidCase {
  std::string input;
  std::string message;
};

class ParseNormalizedNamedInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ParseNormalizedNamedInvalid, FailsWithDockersMessage) {
  const InvalidCase& c = GetParam();
  auto r = parseNormalizedNamed(c.input);
  ASSERT_FALSE(r) << c.input << " parsed as " << r->str();
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(r.error().what(), c.message) << c.input;
}

const std::string kFormat = "invalid reference format";

INSTANTIATE_TEST_SUITE_P(
    Docker, ParseNormalizedNamedInvalid,
    ::testing::Values(
        InvalidCase{"", kFormat},
        InvalidCase{"Busybox",
                    "invalid reference format: repository name (library/Busybox) must be "
                    "lowercase"},
        InvalidCase{"docker/Docker",
                    "invalid reference format: repository name (docker/Docker) must be lowercase"},
        InvalidCase{"docker.io/docker/Docker",
                    "invalid reference format: repository name (docker/Docker) must be lowercase"},
        InvalidCase{"example.com/UPPER:tag",
                    "invalid reference format: repository name (UPPER) must be lowercase"},
        // An uppercase first component is a host; this one is not a valid host either.
        InvalidCase{"Foo_x/bar", "repository name must be lowercase"},
        InvalidCase{"-docker", kFormat}, InvalidCase{"docker-/docker", kFormat},
        InvalidCase{"_docker/_docker", kFormat}, InvalidCase{"dock..er/docker", kFormat},
        InvalidCase{"dock_.er/docker", kFormat}, InvalidCase{"dock___er/docker", kFormat},
        InvalidCase{"docker///docker", kFormat}, InvalidCase{"docker/", kFormat},
        InvalidCase{"docker.io/", kFormat},
        InvalidCase{"https://github.com/docker/docker", kFormat}, InvalidCase{"[fc00::1]", kFormat},
        InvalidCase{"[fc00::1]:5000", kFormat}, InvalidCase{"fc00::1:5000/debian", kFormat},
        InvalidCase{"[fe80::1%eth0]:5000/debian", kFormat},
        InvalidCase{"[2001:db8:3:4::192.0.2.33]:5000/debian", kFormat},
        InvalidCase{"localhost:/a", kFormat}, InvalidCase{"localhost:port/a", kFormat},
        InvalidCase{"-host.com/a", kFormat}, InvalidCase{"busybox:", kFormat},
        InvalidCase{"busybox:-x", kFormat}, InvalidCase{"busybox:.x", kFormat},
        InvalidCase{"busybox:a:b", kFormat},
        InvalidCase{"busybox:" + std::string(129, 't'), kFormat}, InvalidCase{"busybox@", kFormat},
        InvalidCase{"busybox@sha256:abc", kFormat},
        InvalidCase{"busybox@sha256:" + kHex + "@sha256:" + kHex, kFormat},
        InvalidCase{"busybox@sha256:" + kHex.substr(1), "invalid checksum digest length"},
        InvalidCase{"busybox@sha256:" + std::string(64, 'A'), "invalid checksum digest format"},
        InvalidCase{"busybox@md5:" + kHex.substr(0, 32), "unsupported digest algorithm"},
        InvalidCase{"busybox@sha512:" + kHex + kHex, "unsupported digest algorithm"},
        InvalidCase{kHex, "invalid repository name (" + kHex +
                              "), cannot specify 64-byte hexadecimal strings"},
        InvalidCase{"example.com/" + std::string(256, 'p'),
                    "repository name must not be more than 255 characters"},
        InvalidCase{std::string(260, 'p'),
                    "repository name must not be more than 255 characters"}));

TEST(ParseReference, DefaultsTheTagToLatestOnlyWhenNeitherTagNorDigestIsGiven) {
  auto plain = parseReference("busybox");
  ASSERT_TRUE(plain) << plain.error().what();
  EXPECT_EQ(plain->tag, "latest");
  EXPECT_EQ(plain->str(), "docker.io/library/busybox:latest");
  EXPECT_EQ(plain->nameTag(), "docker.io/library/busybox:latest");
  EXPECT_EQ(plain->familiarString(), "busybox:latest");

  auto tagged = parseReference("user/app:1.0");
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->tag, "1.0");

  auto digested = parseReference("busybox@sha256:" + kHex);
  ASSERT_TRUE(digested);
  EXPECT_EQ(digested->tag, "");
  ASSERT_TRUE(digested->digest);
  EXPECT_EQ(digested->digest->hex(), kHex);

  auto bad = parseReference("Busybox");
  EXPECT_FALSE(bad);
}

TEST(ParseNormalizedNamed, DoesNotAddATag) {
  auto r = parseNormalizedNamed("busybox");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->tag.empty());
  EXPECT_FALSE(r->digest);
  EXPECT_EQ(r->name(), "docker.io/library/busybox");
  EXPECT_EQ(r->familiarName(), "busybox");
}

TEST(Reference, FamiliarNameStripsOnlyTheDefaultRegistryAndOfficialPrefix) {
  Reference official{"docker.io", "library/redis", "", std::nullopt};
  EXPECT_EQ(official.familiarName(), "redis");
  Reference nested{"docker.io", "library/distros/ubuntu", "", std::nullopt};
  EXPECT_EQ(nested.familiarName(), "library/distros/ubuntu");
  Reference user{"docker.io", "dmcgowan/myapp", "1", std::nullopt};
  EXPECT_EQ(user.familiarString(), "dmcgowan/myapp:1");
  Reference other{"quay.io", "library/redis", "", std::nullopt};
  EXPECT_EQ(other.familiarName(), "quay.io/library/redis");
}

TEST(ValidateTag, AcceptsDockerTagsUpTo128Characters) {
  EXPECT_TRUE(validateTag("latest"));
  EXPECT_TRUE(validateTag("1.36"));
  EXPECT_TRUE(validateTag("_"));
  EXPECT_TRUE(validateTag("V1.0-rc_2"));
  EXPECT_TRUE(validateTag(std::string(128, 'a')));
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string(".x"),
                          std::string("-x"), std::string("a/b"), std::string("a:b"),
                          std::string("a@b"), std::string("tag with space")}) {
    auto s = validateTag(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().what(), "invalid tag format");
  }
}

TEST(IsFullImageId, RecognisesBareAndPrefixedSha256Hex) {
  EXPECT_TRUE(isFullImageId(kHex));
  EXPECT_TRUE(isFullImageId("sha256:" + kHex));
  EXPECT_FALSE(isFullImageId(kHex.substr(1)));
  EXPECT_FALSE(isFullImageId(kHex.substr(0, 12)));
  EXPECT_FALSE(isFullImageId("sha512:" + kHex));
  EXPECT_FALSE(isFullImageId(std::string(64, 'A')));
  EXPECT_FALSE(isFullImageId("busybox"));
}

}  // namespace
}  // namespace berth::image
