#include "base/digest.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace berth {
namespace {

constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, ParsesSha256AndRendersIt) {
  auto d = Digest::parse(std::string("sha256:") + kEmpty);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hex(), kEmpty);
  EXPECT_EQ(d->str(), std::string("sha256:") + kEmpty);
  EXPECT_EQ(d->shortHex(), "e3b0c44298fc");
  EXPECT_EQ(*Digest::fromHex(kEmpty), *d);
}

TEST(Digest, RefusesMalformedDigests) {
  for (const char* bad :
       {"", "sha256", "sha256:", ":abc", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g"}) {
    auto d = Digest::parse(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().kind(), ErrorKind::InvalidArgument) << bad;
  }
}

TEST(Digest, StreamingEqualsOneShotWhateverTheChunks) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 7));
  Sha256 h;
  for (size_t off = 0, step = 1; off < data.size(); off += step, step = step * 3 % 4099 + 1)
    h.update(data.data() + off, std::min(step, data.size() - off));
  EXPECT_EQ(h.digest(), sha256Of(data));
  EXPECT_EQ(sha256Of("").hex(), kEmpty);
  // A known vector: sha256("abc").
  EXPECT_EQ(sha256Of("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, FileDigestMatchesContent) {
  char path[] = "/var/tmp/berth-digest-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "abc";
  auto d = sha256File(path);
  std::remove(path);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, sha256Of("abc"));
  auto missing = sha256File(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::NotFound);
}

}  // namespace
}  // namespace berth
