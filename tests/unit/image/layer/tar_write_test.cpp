#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "base/digest.h"
#include "image/layer.h"
#include "layer_test_util.h"

namespace berth::image {
namespace {

using ::testing::ElementsAre;
using testing::LayerDirTest;
using testing::ReadEntry;
using testing::TarBuilder;

class WriteLayerTar : public LayerDirTest {
 protected:
  void SetUp() override {
    LayerDirTest::SetUp();
    char tmpl[] = "/var/tmp/berth-layer-out-XXXXXX";
    int fd = ::mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::unlink(tmpl);
    out_.reset(fd);
  }

  // Writes dir (default the layer root) into a fresh output file; returns stats and the bytes.
  std::pair<TarStats, std::string> write(TarOptions opts = {}, const std::string& dir = "") {
    ::ftruncate(out_.get(), 0);
    ::lseek(out_.get(), 0, SEEK_SET);
    auto r = writeLayerTar(dir.empty() ? root_ : dir, out_.get(), opts);
    EXPECT_TRUE(r) << r.error().what();
    return {r ? *r : TarStats{}, testing::readAll(out_.get())};
  }

  static std::vector<std::string> paths(const std::vector<ReadEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.path);
    return out;
  }

  void mkfile(const std::string& rel, const std::string& data, mode_t mode = 0644) {
    ASSERT_TRUE(writeFileAtomic(at(rel), data, mode, Durability::Volatile));
    ASSERT_EQ(::chmod(at(rel).c_str(), mode), 0);
  }
  void mkdir(const std::string& rel, mode_t mode = 0755) {
    ASSERT_EQ(::mkdir(at(rel).c_str(), mode), 0) << rel;
    ASSERT_EQ(::chmod(at(rel).c_str(), mode), 0);
  }
  void settime(const std::string& rel, time_t t, long nsec = 0) {
    struct timespec ts[2] = {{t, nsec}, {t, nsec}};
    ASSERT_EQ(::utimensat(AT_FDCWD, at(rel).c_str(), ts, AT_SYMLINK_NOFOLLOW), 0) << rel;
  }
  void whiteout(const std::string& rel) {
    ASSERT_EQ(::mknod(at(rel).c_str(), S_IFCHR, makedev(0, 0)), 0) << rel;
  }

  const ReadEntry& find(const std::vector<ReadEntry>& entries, const std::string& path) {
    for (const auto& e : entries) {
      if (e.path == path) return e;
    }
    ADD_FAILURE() << "no entry " << path;
    static ReadEntry none;
    return none;
  }

  UniqueFd out_;
};

TEST_F(WriteLayerTar, WalksEachDirectorySortedWithParentsFirst) {
  mkfile("b", "b");
  mkdir("a");
  mkfile("a.b", "x");
  mkfile("a/z", "z");
  mkdir("a/m");
  mkfile("a/m/1", "1");
  mkfile("A", "upper");
  auto [stats, bytes] = write();
  EXPECT_THAT(paths(testing::readTar(bytes)),
              ElementsAre("A", "a/", "a/m/", "a/m/1", "a/z", "a.b", "b"));
}

TEST_F(WriteLayerTar, RecordsNumericOwnerModeAndWholeSecondMtimeOnly) {
  mkfile("f", "data", 04750);
  ASSERT_EQ(::chown(at("f").c_str(), 1234, 5678), 0);
  ASSERT_EQ(::chmod(at("f").c_str(), 04750), 0);
  settime("f", 1500000000, 987654321);
  mkdir("d", 0711);
  settime("d", 1400000000);
  auto [stats, bytes] = write();
  auto entries = testing::readTar(bytes);
  const auto& f = find(entries, "f");
  EXPECT_EQ(f.type, static_cast<mode_t>(AE_IFREG));
  EXPECT_EQ(f.perm, 04750u);
  EXPECT_EQ(f.uid, 1234);
  EXPECT_EQ(f.gid, 5678);
  EXPECT_EQ(f.mtime, 1500000000);
  EXPECT_EQ(f.mtimeNsec, 0);
  EXPECT_FALSE(f.hasAtime);
  EXPECT_FALSE(f.hasCtime);
  EXPECT_FALSE(f.hasUname);
  EXPECT_EQ(f.data, "data");
  const auto& d = find(entries, "d/");
  EXPECT_EQ(d.type, static_cast<mode_t>(AE_IFDIR));
  EXPECT_EQ(d.perm, 0711u);
  EXPECT_EQ(d.mtime, 1400000000);
}

TEST_F(WriteLayerTar, EqualTreesMadeAtDifferentTimesGiveEqualDigests) {
  std::string other = outer_ + "/other";
  auto build = [&](const std::string& dir, bool reverse) {
    std::vector<std::string> files = {"one", "two", "three", "sub/four", "sub/five"};
    if (reverse) std::reverse(files.begin(), files.end());
    std::filesystem::create_directories(dir + "/sub");
    for (const auto& f : files) {
      ASSERT_TRUE(writeFileAtomic(dir + "/" + f, "content of " + f, 0644, Durability::Volatile));
    }
    ASSERT_EQ(::symlink("one", (dir + "/link").c_str()), 0);
    ASSERT_EQ(::setxattr((dir + "/two").c_str(), "user.k", "v", 1, 0), 0);
    for (const auto& f : {"one", "two", "three", "sub/four", "sub/five", "link", "sub", "."}) {
      struct timespec ts[2] = {{1600000000, 5}, {1600000000, 5}};
      ASSERT_EQ(::utimensat(AT_FDCWD, (dir + "/" + f).c_str(), ts, AT_SYMLINK_NOFOLLOW), 0);
    }
    ASSERT_EQ(::chmod((dir + "/sub").c_str(), 0755), 0);
  };
  build(root_, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  build(other, true);
  for (auto c : {oci::Compression::None, oci::Compression::Gzip, oci::Compression::Zstd}) {
    auto [a, bytesA] = write({.compression = c});
    auto [b, bytesB] = write({.compression = c}, other);
    EXPECT_EQ(a.digest, b.digest);
    EXPECT_EQ(a.diffId, b.diffId);
    EXPECT_EQ(bytesA, bytesB);
  }
  std::filesystem::remove_all(other);
}

TEST_F(WriteLayerTar, WritesSymlinksWithoutFollowingThem) {
  ASSERT_EQ(::symlink("/etc", at("etc").c_str()), 0);
  ASSERT_EQ(::symlink("../outside", at("rel").c_str()), 0);
  auto [stats, bytes] = write();
  auto entries = testing::readTar(bytes);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].path, "etc");
  EXPECT_EQ(entries[0].type, static_cast<mode_t>(AE_IFLNK));
  EXPECT_EQ(entries[0].symlink, "/etc");
  EXPECT_EQ(entries[1].symlink, "../outside");
}

TEST_F(WriteLayerTar, WritesLaterPathsOfAnInodeAsHardlinks) {
  mkdir("bin");
  mkfile("bin/busybox", "elf", 0755);
  ASSERT_EQ(::link(at("bin/busybox").c_str(), at("bin/sh").c_str()), 0);
  ASSERT_EQ(::link(at("bin/busybox").c_str(), at("ash").c_str()), 0);
  auto [stats, bytes] = write();
  auto entries = testing::readTar(bytes);
  EXPECT_THAT(paths(entries), ElementsAre("ash", "bin/", "bin/busybox", "bin/sh"));
  EXPECT_EQ(entries[0].hardlink, "");
  EXPECT_EQ(entries[0].data, "elf");
  EXPECT_EQ(entries[2].hardlink, "ash");
  EXPECT_EQ(entries[2].data, "");
  EXPECT_EQ(entries[3].hardlink, "ash");
}

TEST_F(WriteLayerTar, WritesDevicesAndFifos) {
  ASSERT_EQ(::mknod(at("null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod(at("sda").c_str(), S_IFBLK | 0660, makedev(8, 0)), 0);
  ASSERT_EQ(::mkfifo(at("pipe").c_str(), 0600), 0);
  ASSERT_EQ(::chmod(at("null").c_str(), 0666), 0);
  auto [stats, bytes] = write();
  auto entries = testing::readTar(bytes);
  const auto& n = find(entries, "null");
  EXPECT_EQ(n.type, static_cast<mode_t>(AE_IFCHR));
  EXPECT_EQ(n.devMajor, 1u);
  EXPECT_EQ(n.devMinor, 3u);
  EXPECT_EQ(n.perm, 0666u);
  const auto& s = find(entries, "sda");
  EXPECT_EQ(s.type, static_cast<mode_t>(AE_IFBLK));
  EXPECT_EQ(s.devMajor, 8u);
  EXPECT_EQ(find(entries, "pipe").type, static_cast<mode_t>(AE_IFIFO));
}

TEST_F(WriteLayerTar, WritesXattrsButNotOverlayOnes) {
  mkfile("f", "x");
  mkdir("d");
  ASSERT_EQ(::setxattr(at("f").c_str(), "user.a", "1", 1, 0), 0);
  ASSERT_EQ(::setxattr(at("f").c_str(), "trusted.overlay.origin", "o", 1, 0), 0);
  ASSERT_EQ(::setxattr(at("d").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  ASSERT_EQ(::setxattr(at("d").c_str(), "trusted.other", "t", 1, 0), 0);
  auto [stats, bytes] = write({.overlayWhiteouts = false});
  auto entries = testing::readTar(bytes);
  EXPECT_EQ(find(entries, "f").xattrs, (std::map<std::string, std::string>{{"user.a", "1"}}));
  EXPECT_EQ(find(entries, "d/").xattrs,
            (std::map<std::string, std::string>{{"trusted.other", "t"}}));
  EXPECT_THAT(paths(entries), ElementsAre("d/", "f"));  // no opaque marker when not asked
}

TEST_F(WriteLayerTar, TurnsOverlayWhiteoutsIntoWhFiles) {
  mkdir("etc");
  whiteout("etc/motd");
  ASSERT_EQ(::lchown(at("etc/motd").c_str(), 12, 34), 0);
  whiteout("gone");
  auto [stats, bytes] = write();
  auto entries = testing::readTar(bytes);
  EXPECT_THAT(paths(entries), ElementsAre("etc/", "etc/.wh.motd", ".wh.gone"));
  const auto& w = find(entries, "etc/.wh.motd");
  EXPECT_EQ(w.type, static_cast<mode_t>(AE_IFREG));
  EXPECT_EQ(w.size, 0);
  EXPECT_EQ(w.perm, 0600u);
  EXPECT_EQ(w.uid, 12);
}

TEST_F(WriteLayerTar, PutsTheOpaqueMarkerRightAfterItsDirectory) {
  mkdir("var", 0750);
  mkdir("var/cache", 0700);
  mkfile("var/cache/new", "n");
  mkfile("var/z", "z");
  ASSERT_EQ(::setxattr(at("var/cache").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  auto [stats, bytes] = write();
  auto entries = testing::readTar(bytes);
  EXPECT_THAT(paths(entries), ElementsAre("var/", "var/cache/", "var/cache/.wh..wh..opq",
                                          "var/cache/new", "var/z"));
  EXPECT_TRUE(find(entries, "var/cache/").xattrs.empty());
  EXPECT_EQ(find(entries, "var/cache/.wh..wh..opq").perm, 0700u);
}

TEST_F(WriteLayerTar, WritesWhiteoutsAsIsWhenNotConverting) {
  whiteout("w");
  auto [stats, bytes] = write({.overlayWhiteouts = false});
  auto entries = testing::readTar(bytes);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, "w");
  EXPECT_EQ(entries[0].type, static_cast<mode_t>(AE_IFCHR));
}

TEST_F(WriteLayerTar, WhiteoutsRoundTripThroughUnpack) {
  mkdir("etc");
  whiteout("etc/shadow");
  mkdir("opt");
  ASSERT_EQ(::setxattr(at("opt").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  mkfile("opt/new", "n");
  auto [stats, bytes] = write();
  std::string copy = outer_ + "/copy";
  std::filesystem::create_directory(copy);
  auto fd = testing::memFd(bytes);
  auto r = unpackLayer(fd.get(), copy);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, stats.diffId);
  struct stat st = testing::lstatOf(copy + "/etc/shadow");
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_EQ(testing::getXattr(copy + "/opt", "trusted.overlay.opaque"), "y");
  EXPECT_EQ(*readFile(copy + "/opt/new"), "n");
  EXPECT_FALSE(std::filesystem::exists(copy + "/opt/.wh..wh..opq"));
  std::filesystem::remove_all(copy);
}

TEST_F(WriteLayerTar, RoundTripsEveryEntryTypeThroughUnpack) {
  auto tar = TarBuilder()
                 .dir("bin/", 0755)
                 .times(1000000001)
                 .file("bin/ping", std::string(300000, 'p'), 04755)
                 .owner(0, 0)
                 .xattr("security.capability",
                        std::string("\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                                    "\x00\x00\x00\x00\x00",
                                    20))
                 .hardlink("bin/ping6", "bin/ping")
                 .symlink("sbin", "bin")
                 .owner(3, 3)
                 .device("dev/tty", AE_IFCHR, 5, 0, 0666)
                 .fifo("dev/fifo", 0640)
                 .file("home/u/.profile", "x", 0600)
                 .owner(1000, 1000)
                 .times(1000000002)
                 .build();
  auto fd = testing::memFd(tar);
  auto first = unpackLayer(fd.get(), root_);
  ASSERT_TRUE(first) << first.error().what();
  auto [stats, bytes] = write({.compression = oci::Compression::Gzip});
  std::string copy = outer_ + "/copy";
  std::filesystem::create_directory(copy);
  auto fd2 = testing::memFd(bytes);
  auto second = unpackLayer(fd2.get(), copy);
  ASSERT_TRUE(second) << second.error().what();
  EXPECT_EQ(second->diffId, stats.diffId);
  for (const char* p :
       {"bin", "bin/ping", "bin/ping6", "sbin", "dev/tty", "dev/fifo", "home/u/.profile"}) {
    struct stat a = testing::lstatOf(at(p));
    struct stat b = testing::lstatOf(copy + "/" + p);
    EXPECT_EQ(a.st_mode, b.st_mode) << p;
    EXPECT_EQ(a.st_uid, b.st_uid) << p;
    EXPECT_EQ(a.st_gid, b.st_gid) << p;
    EXPECT_EQ(a.st_rdev, b.st_rdev) << p;
    EXPECT_EQ(a.st_size, b.st_size) << p;
    EXPECT_EQ(a.st_nlink, b.st_nlink) << p;
    if (!S_ISLNK(a.st_mode)) {
      EXPECT_EQ(a.st_mtim.tv_sec, b.st_mtim.tv_sec) << p;
    }
  }
  EXPECT_EQ(testing::lstatOf(copy + "/bin/ping").st_ino,
            testing::lstatOf(copy + "/bin/ping6").st_ino);
  EXPECT_EQ(testing::getXattr(copy + "/bin/ping", "security.capability"),
            testing::getXattr(at("bin/ping"), "security.capability"));
  EXPECT_EQ(*readFile(copy + "/bin/ping"), std::string(300000, 'p'));
  std::filesystem::remove_all(copy);
}

TEST_F(WriteLayerTar, UncompressedDigestIsTheDiffIdAndTheFileSha256) {
  mkfile("f", std::string(5000, 'f'));
  auto [stats, bytes] = write();
  EXPECT_EQ(stats.digest, stats.diffId);
  EXPECT_EQ(stats.diffId, sha256Of(bytes));
  EXPECT_EQ(stats.size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(stats.tarSize, stats.size);
}

TEST_F(WriteLayerTar, GzipDigestIsTheOutputsSha256AndDiffIdTheTars) {
  mkfile("f", std::string(2 << 20, 'g'));
  mkfile("g", "small");
  auto [plain, tarBytes] = write();
  auto [gz, gzBytes] = write({.compression = oci::Compression::Gzip});
  EXPECT_EQ(gzBytes.substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(gz.digest, sha256Of(gzBytes));
  EXPECT_EQ(gz.size, static_cast<int64_t>(gzBytes.size()));
  EXPECT_EQ(gz.diffId, plain.diffId);
  EXPECT_EQ(gz.tarSize, plain.tarSize);
  EXPECT_LT(gz.size, gz.tarSize / 10);
  auto fd = testing::memFd(gzBytes);
  std::string copy = outer_ + "/copy";
  std::filesystem::create_directory(copy);
  auto r = unpackLayer(fd.get(), copy);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, gz.diffId);
  std::filesystem::remove_all(copy);
}

TEST_F(WriteLayerTar, ZstdDigestIsTheOutputsSha256AndDiffIdTheTars) {
  mkfile("f", std::string(2 << 20, 'z'));
  auto [plain, tarBytes] = write();
  auto [zst, zBytes] = write({.compression = oci::Compression::Zstd});
  EXPECT_EQ(zBytes.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
  EXPECT_EQ(zst.digest, sha256Of(zBytes));
  EXPECT_EQ(zst.size, static_cast<int64_t>(zBytes.size()));
  EXPECT_EQ(zst.diffId, plain.diffId);
  EXPECT_EQ(testing::readTar(zBytes).at(0).data, std::string(2 << 20, 'z'));
}

TEST_F(WriteLayerTar, EndsWithTwoZeroRecordsAndNoBlockPadding) {
  mkfile("f", "12345");
  auto [stats, bytes] = write();
  // header + one data record + two zero records, not padded to libarchive's 10240 default.
  EXPECT_EQ(bytes.size(), 2048u);
  EXPECT_EQ(bytes.substr(1024), std::string(1024, '\0'));
}

TEST_F(WriteLayerTar, EmptyDirectoryGivesAnEmptyTar) {
  auto [stats, bytes] = write();
  EXPECT_EQ(bytes, std::string(1024, '\0'));
}

TEST_F(WriteLayerTar, RoundTripsLongNonAsciiAndNonUtf8Names) {
  std::string longDir = std::string(140, 'l');
  std::string utf8 = "caf\xc3\xa9";
  std::string binary = "bad\xff\xfe";
  mkdir(longDir);
  mkfile(longDir + "/" + utf8, "u");
  mkfile(binary, "b");
  ASSERT_EQ(::symlink(utf8.c_str(), at("link").c_str()), 0);
  auto [stats, bytes] = write();
  std::string copy = outer_ + "/copy";
  std::filesystem::create_directory(copy);
  auto fd = testing::memFd(bytes);
  auto r = unpackLayer(fd.get(), copy);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(copy + "/" + longDir + "/" + utf8), "u");
  EXPECT_EQ(*readFile(copy + "/" + binary), "b");
  EXPECT_EQ(std::filesystem::read_symlink(copy + "/link").string(), utf8);
  std::filesystem::remove_all(copy);
}

TEST_F(WriteLayerTar, FailsOnAMissingDirectory) {
  auto r = writeLayerTar(root_ + "/missing", out_.get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::NotFound);
}

}  // namespace
}  // namespace berth::image
