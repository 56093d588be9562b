// TarSplitter + rebuildTar: a layer unpacked with its split gives back the exact tar bytes.

#include "image/tar_split.h"

#include <gtest/gtest.h>

#include "image/layer.h"
#include "layer_test_util.h"

namespace berth::image {
namespace {

using testing::TarBuilder;

class TarSplitTest : public testing::LayerDirTest {
 protected:
  // Unpacks tar into the layer dir while splitting it; returns the split (or nullopt).
  std::optional<std::string> unpackAndSplit(const std::string& tar) {
    TarSplitter splitter;
    UnpackOptions o;
    o.onTarBytes = [&](const void* p, size_t n) { splitter.feed(p, n); };
    auto fd = testing::memFd(tar);
    auto st = unpackLayer(fd.get(), root_, o);
    EXPECT_TRUE(st) << st.error().what();
    return splitter.finish();
  }
  Result<std::string> rebuild(const std::string& split, const std::string& tar) {
    std::string out;
    TRY(rebuildTar(split, root_, sha256Of(tar), static_cast<int64_t>(tar.size()),
                   [&](const void* p, size_t n) {
                     out.append(static_cast<const char*>(p), n);
                     return ok();
                   }));
    return out;
  }
};

TEST_F(TarSplitTest, RebuildsTheExactBytesOfEveryEntryType) {
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  auto tar = TarBuilder()
                 .dir("etc")
                 .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
                 .xattr("user.k", "v")
                 .file("big", big)
                 .file("empty", "")
                 .symlink("link", "/etc/passwd")
                 .hardlink("etc/hard", "etc/passwd")
                 .fifo("fifo")
                 .dir("deep/a/b/c")
                 .file(std::string(150, 'n'), "long name via PAX")
                 .file("deep/a/b/c/" + std::string(120, 'm'), "long path")
                 .times(1700000000, 123456789)
                 .build();
  auto split = unpackAndSplit(tar);
  ASSERT_TRUE(split);
  EXPECT_LT(split->size(), 64u << 10);  // the framing only, not the 3 MiB of data
  auto again = rebuild(*split, tar);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_EQ(*again, tar);
}

TEST_F(TarSplitTest, WhiteoutsAndOpaqueDirsRebuild) {
  auto tar = TarBuilder()
                 .dir("d")
                 .file("d/.wh..wh..opq", "")
                 .file("d/.wh.gone", "")
                 .file("d/new", "n")
                 .build();
  auto split = unpackAndSplit(tar);
  ASSERT_TRUE(split);
  auto again = rebuild(*split, tar);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_EQ(*again, tar);
}

TEST_F(TarSplitTest, APathGivenTwiceCannotBeSplit) {
  auto tar = TarBuilder().file("f", "first").file("f", "second").build();
  EXPECT_FALSE(unpackAndSplit(tar));
}

TEST_F(TarSplitTest, AFileReplacedByAWhiteoutCannotBeSplit) {
  auto tar = TarBuilder().file("f", "data").file(".wh.f", "").build();
  EXPECT_FALSE(unpackAndSplit(tar));
}

TEST_F(TarSplitTest, ATruncatedStreamCannotBeSplit) {
  TarSplitter s;
  auto tar = TarBuilder().file("f", std::string(4096, 'a')).build();
  s.feed(tar.data(), 700);
  EXPECT_FALSE(s.finish());
}

TEST_F(TarSplitTest, RebuildNoticesAChangedLayer) {
  auto tar = TarBuilder().file("f", "original").build();
  auto split = unpackAndSplit(tar);
  ASSERT_TRUE(split);
  ASSERT_TRUE(writeFileAtomic(at("f"), "changed!", 0644, Durability::Volatile));  // same size
  auto r = rebuild(*split, tar);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what().find("no longer matches"), std::string::npos) << r.error().what();
  ASSERT_TRUE(writeFileAtomic(at("f"), "short", 0644, Durability::Volatile));
  r = rebuild(*split, tar);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what().find("is not the 8-byte file"), std::string::npos) << r.error().what();
}

TEST_F(TarSplitTest, RebuildNeverFollowsASymlinkOutOfTheLayer) {
  auto tar = TarBuilder().dir("d").file("d/f", "x").build();
  auto split = unpackAndSplit(tar);
  ASSERT_TRUE(split);
  std::filesystem::remove_all(at("d"));
  std::filesystem::create_directory_symlink(outer_, at("d"));
  ASSERT_TRUE(writeFileAtomic(outer_ + "/f", "x", 0644, Durability::Volatile));
  auto r = rebuild(*split, tar);
  EXPECT_FALSE(r);
  std::filesystem::remove(outer_ + "/f");
}

TEST_F(TarSplitTest, GarbageSplitIsRefused) {
  auto r = rebuildTar("not a split", root_, Digest(), 0, [](const void*, size_t) { return ok(); });
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace berth::image
