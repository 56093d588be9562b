#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/digest.h"
#include "image/layer.h"
#include "layer_test_util.h"

namespace berth::image {
namespace {

using ::testing::HasSubstr;
using testing::LayerDirTest;
using testing::TarBuilder;

// security.capability v2 granting cap_net_bind_service, effective.
const std::string kCapNetBind(
    "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00",
    20);

class UnpackLayer : public LayerDirTest {
 protected:
  Result<UnpackStats> unpack(const std::string& tar, UnpackOptions opts = {}) {
    auto fd = testing::memFd(tar);
    return unpackLayer(fd.get(), root_, opts);
  }
};

TEST_F(UnpackLayer, WritesRegularFilesWithContentModeOwnerAndTimes) {
  auto tar = TarBuilder()
                 .file("hello.txt", "hello world", 0640)
                 .owner(1000, 2000)
                 .times(1500000000, 123456789)
                 .atime(1400000000)
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  // Before reading it: relatime would move an atime older than the mtime.
  struct stat st = testing::lstatOf(at("hello.txt"));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 2000u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1500000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);
  EXPECT_EQ(st.st_atim.tv_sec, 1400000000);
  auto content = readFile(at("hello.txt"));
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, "hello world");
}

TEST_F(UnpackLayer, SetsDirectoryModesAndTimesAfterTheirChildren) {
  auto tar = TarBuilder()
                 .dir("ro/", 0555)
                 .owner(5, 6)
                 .times(1234567890)
                 .dir("ro/sub/", 0700)
                 .times(1234500000)
                 .file("ro/sub/f", "x")
                 .file("ro/g", "y")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  struct stat st = testing::lstatOf(at("ro"));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0555u);
  EXPECT_EQ(st.st_uid, 5u);
  EXPECT_EQ(st.st_gid, 6u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);
  st = testing::lstatOf(at("ro/sub"));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1234500000);
  EXPECT_TRUE(std::filesystem::exists(at("ro/sub/f")));
  EXPECT_TRUE(std::filesystem::exists(at("ro/g")));
}

TEST_F(UnpackLayer, CreatesMissingParentDirectoriesAs0755) {
  auto r = unpack(TarBuilder().file("a/b/c/file", "data").build());
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(at("a/b/c/file")), "data");
  for (const char* d : {"a", "a/b", "a/b/c"}) {
    struct stat st = testing::lstatOf(at(d));
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << d;
    EXPECT_EQ(st.st_mode & 07777, 0755u) << d;
  }
}

TEST_F(UnpackLayer, CreatesSymlinksWithOwnerAndTimesWithoutFollowingThem) {
  auto tar = TarBuilder()
                 .symlink("abs", "/etc/passwd")
                 .owner(7, 8)
                 .times(1111111111)
                 .symlink("rel", "dir/target")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(std::filesystem::read_symlink(at("abs")), "/etc/passwd");
  EXPECT_EQ(std::filesystem::read_symlink(at("rel")), "dir/target");
  struct stat st = testing::lstatOf(at("abs"));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_uid, 7u);
  EXPECT_EQ(st.st_gid, 8u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1111111111);
  EXPECT_EQ(testing::lstatOf("/etc/passwd").st_uid, 0u);
}

TEST_F(UnpackLayer, HardlinksShareTheTargetsInode) {
  auto tar = TarBuilder()
                 .file("bin/busybox", "elf", 0755)
                 .hardlink("bin/sh", "bin/busybox")
                 .hardlink("ls", "bin/busybox")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  struct stat a = testing::lstatOf(at("bin/busybox"));
  struct stat b = testing::lstatOf(at("bin/sh"));
  struct stat c = testing::lstatOf(at("ls"));
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_ino, c.st_ino);
  EXPECT_EQ(a.st_nlink, 3u);
  EXPECT_EQ(a.st_mode & 07777, 0755u);
}

TEST_F(UnpackLayer, CreatesCharAndBlockDevicesAndFifos) {
  auto tar = TarBuilder()
                 .device("dev/null", AE_IFCHR, 1, 3, 0666)
                 .device("dev/loop9", AE_IFBLK, 7, 9, 0660)
                 .owner(0, 6)
                 .fifo("run/pipe", 0620)
                 .times(1300000000)
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  struct stat st = testing::lstatOf(at("dev/null"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  st = testing::lstatOf(at("dev/loop9"));
  EXPECT_TRUE(S_ISBLK(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(7, 9));
  EXPECT_EQ(st.st_gid, 6u);
  st = testing::lstatOf(at("run/pipe"));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0620u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1300000000);
}

TEST_F(UnpackLayer, RestoresXattrsAndCapabilitiesAfterTheChown) {
  auto tar = TarBuilder()
                 .file("ping", "elf", 0755)
                 .owner(0, 0)
                 .xattr("security.capability", kCapNetBind)
                 .xattr("user.note", "hello")
                 .xattr("trusted.mine", "t")
                 .dir("d/")
                 .xattr("user.dirnote", "dirvalue")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(testing::getXattr(at("ping"), "security.capability"), kCapNetBind);
  EXPECT_EQ(testing::getXattr(at("ping"), "user.note"), "hello");
  EXPECT_EQ(testing::getXattr(at("ping"), "trusted.mine"), "t");
  EXPECT_EQ(testing::getXattr(at("d"), "user.dirnote"), "dirvalue");
}

TEST_F(UnpackLayer, KeepsSetuidAndSetgidBitsOnForeignOwnedFiles) {
  auto tar = TarBuilder()
                 .file("su", "elf", 04755)
                 .owner(1000, 1000)
                 .file("wall", "elf", 02755)
                 .owner(0, 5)
                 .dir("shared/", 01777)
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  struct stat st = testing::lstatOf(at("su"));
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(testing::lstatOf(at("wall")).st_mode & 07777, 02755u);
  EXPECT_EQ(testing::lstatOf(at("shared")).st_mode & 07777, 01777u);
}

TEST_F(UnpackLayer, DropsOverlayXattrsCarriedInTheTar) {
  auto tar = TarBuilder()
                 .dir("d/")
                 .xattr("trusted.overlay.redirect", "/etc")
                 .xattr("trusted.overlay.opaque", "y")
                 .xattr("user.ok", "1")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(testing::getXattr(at("d"), "trusted.overlay.redirect"), "<none>");
  EXPECT_EQ(testing::getXattr(at("d"), "trusted.overlay.opaque"), "<none>");
  EXPECT_EQ(testing::getXattr(at("d"), "user.ok"), "1");
}

TEST_F(UnpackLayer, DiffIdIsTheSha256OfTheUncompressedTar) {
  auto tar = TarBuilder().dir("etc/").file("etc/hostname", "box\n").symlink("l", "etc").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, sha256Of(tar));
  EXPECT_EQ(r->tarSize, static_cast<int64_t>(tar.size()));
  EXPECT_EQ(r->entries, 3);
}

TEST_F(UnpackLayer, GzipInputGivesTheUncompressedDiffId) {
  TarBuilder b;
  b.dir("usr/").file("usr/big", std::string(3 << 20, 'z')).file("usr/small", "s");
  auto plain = b.build();
  auto gz = b.build("gzip");
  ASSERT_NE(plain, gz);
  ASSERT_EQ(gz.substr(0, 2), "\x1f\x8b");
  auto r = unpack(gz);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, sha256Of(plain));
  EXPECT_EQ(r->tarSize, static_cast<int64_t>(plain.size()));
  EXPECT_EQ(std::filesystem::file_size(at("usr/big")), 3u << 20);
}

TEST_F(UnpackLayer, ZstdInputGivesTheUncompressedDiffId) {
  TarBuilder b;
  b.dir("opt/").file("opt/data", std::string(100000, 'q')).fifo("opt/fifo");
  auto plain = b.build();
  auto zst = b.build("zstd");
  ASSERT_EQ(zst.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
  auto r = unpack(zst);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, sha256Of(plain));
  EXPECT_EQ(*readFile(at("opt/data")), std::string(100000, 'q'));
}

TEST_F(UnpackLayer, StreamsFromAPipe) {
  TarBuilder b;
  for (int i = 0; i < 50; ++i)
    b.file("f" + std::to_string(i), std::string(40000 + i, 'a' + i % 26));
  auto gz = b.build("gzip");
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd rd(p[0]);
  std::thread writer([&, w = p[1]] {
    size_t off = 0;
    while (off < gz.size()) {
      ssize_t n = ::write(w, gz.data() + off, std::min<size_t>(4096, gz.size() - off));
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(w);
  });
  auto r = unpackLayer(rd.get(), root_);
  writer.join();
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, sha256Of(b.build()));
  EXPECT_EQ(r->entries, 50);
  EXPECT_EQ(*readFile(at("f49")), std::string(40049, 'a' + 49 % 26));
}

TEST_F(UnpackLayer, OverlayWhiteoutBecomesAZeroZeroCharDevice) {
  auto tar =
      TarBuilder().dir("etc/").file("etc/.wh.motd", "").owner(3, 4).file(".wh.top", "").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  for (const char* p : {"etc/motd", "top"}) {
    struct stat st = testing::lstatOf(at(p));
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << p;
    EXPECT_EQ(st.st_rdev, makedev(0, 0)) << p;
  }
  EXPECT_EQ(testing::lstatOf(at("etc/motd")).st_uid, 3u);
  EXPECT_FALSE(std::filesystem::exists(at("etc/.wh.motd")));
}

TEST_F(UnpackLayer, OpaqueMarkerSetsTheOverlayXattr) {
  auto tar = TarBuilder().dir("var/").dir("var/cache/").file("var/cache/.wh..wh..opq", "").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(testing::getXattr(at("var/cache"), "trusted.overlay.opaque"), "y");
  EXPECT_EQ(testing::getXattr(at("var"), "trusted.overlay.opaque"), "<none>");
  EXPECT_TRUE(names(at("var/cache")).empty());
}

TEST_F(UnpackLayer, IgnoresOtherAufsMetadataNames) {
  auto tar = TarBuilder().file(".wh..wh.plnk/123.456", "").file(".wh..wh.aufs", "").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(names(root_).empty());
}

TEST_F(UnpackLayer, FlattenedWhiteoutRemovesWhatItNames) {
  ASSERT_TRUE(unpack(TarBuilder()
                         .file("keep", "k")
                         .file("gone", "g")
                         .file("tree/a/b", "deep")
                         .symlink("link", "/")
                         .build(),
                     {.overlayWhiteouts = false}));
  auto r =
      unpack(TarBuilder().file(".wh.gone", "").file(".wh.tree", "").file(".wh.link", "").build(),
             {.overlayWhiteouts = false});
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(names(root_), (std::set<std::string>{"keep"}));
}

TEST_F(UnpackLayer, FlattenedOpaqueDirKeepsOnlyThisLayersContent) {
  ASSERT_TRUE(unpack(TarBuilder()
                         .file("d/old1", "1")
                         .file("d/sub/old2", "2")
                         .file("d/sub/new", "lower")
                         .file("other/stays", "3")
                         .build(),
                     {.overlayWhiteouts = false}));
  auto r = unpack(TarBuilder()
                      .dir("d/")
                      .file("d/sub/new", "upper")
                      .file("d/.wh..wh..opq", "")
                      .file("d/fresh", "f")
                      .build(),
                  {.overlayWhiteouts = false});
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(names(at("d")), (std::set<std::string>{"fresh", "sub"}));
  EXPECT_EQ(names(at("d/sub")), (std::set<std::string>{"new"}));
  EXPECT_EQ(*readFile(at("d/sub/new")), "upper");
  EXPECT_TRUE(std::filesystem::exists(at("other/stays")));
  EXPECT_EQ(testing::getXattr(at("d"), "trusted.overlay.opaque"), "<none>");
}

TEST_F(UnpackLayer, LaterEntryReplacesAnEarlierNonDirectory) {
  auto tar = TarBuilder()
                 .file("f", "first")
                 .file("f", "second")
                 .symlink("s", "f")
                 .file("s", "now a file")
                 .file("d", "file first")
                 .dir("d/")
                 .file("d/inner", "i")
                 .device("n", AE_IFCHR, 1, 3)
                 .fifo("n")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(at("f")), "second");
  EXPECT_TRUE(S_ISREG(testing::lstatOf(at("s")).st_mode));
  EXPECT_EQ(*readFile(at("s")), "now a file");
  EXPECT_EQ(*readFile(at("f")), "second");
  EXPECT_TRUE(S_ISDIR(testing::lstatOf(at("d")).st_mode));
  EXPECT_EQ(*readFile(at("d/inner")), "i");
  EXPECT_TRUE(S_ISFIFO(testing::lstatOf(at("n")).st_mode));
}

TEST_F(UnpackLayer, FileOverADirectoryReplacesTheWholeTree) {
  auto tar =
      TarBuilder().file("x/y/z", "deep").file("x/w", "w").file("x", "flat").file("q", "q").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(at("x")), "flat");
  EXPECT_EQ(*readFile(at("q")), "q");
}

TEST_F(UnpackLayer, DirectoryOverDirectoryMergesAndTakesTheLaterMetadata) {
  auto tar = TarBuilder()
                 .dir("d/", 0700)
                 .file("d/a", "a")
                 .dir("d/", 0750)
                 .owner(9, 9)
                 .times(1000000000)
                 .file("d/b", "b")
                 .build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(names(at("d")), (std::set<std::string>{"a", "b"}));
  struct stat st = testing::lstatOf(at("d"));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 9u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
}

TEST_F(UnpackLayer, SkipsTheRootEntryAndStripsDotSlash) {
  auto tar =
      TarBuilder().dir("./", 0700).file("./etc/os-release", "ID=x").file(".//a//b", "b").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(at("etc/os-release")), "ID=x");
  EXPECT_EQ(*readFile(at("a/b")), "b");
  EXPECT_NE(testing::lstatOf(root_).st_mode & 07777, 0700u);
  EXPECT_EQ(r->entries, 3);
}

TEST_F(UnpackLayer, AcceptsAnEmptyStreamAndAnEmptyTar) {
  auto r = unpack("");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->entries, 0);
  EXPECT_EQ(r->diffId, sha256Of(""));
  auto empty = TarBuilder().build();
  r = unpack(empty);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, sha256Of(empty));
  EXPECT_TRUE(names(root_).empty());
}

TEST_F(UnpackLayer, KeepsLongAndNonAsciiNames) {
  std::string longName = "dir/" + std::string(150, 'n') + "/file";
  auto tar = TarBuilder().file(longName, "long").file("caf\xc3\xa9/\xe6\x97\xa5", "utf8").build();
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(at(longName)), "long");
  EXPECT_EQ(*readFile(at("caf\xc3\xa9/\xe6\x97\xa5")), "utf8");
}

TEST_F(UnpackLayer, RejectsATruncatedCompressedStream) {
  auto gz = TarBuilder().file("f", std::string(200000, 'x')).file("g", "g").build("gzip");
  auto r = unpack(gz.substr(0, gz.size() / 2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(UnpackLayer, RejectsBytesThatAreNoTar) {
  auto r = unpack(std::string(4096, 'j'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(UnpackLayer, DiffIdCoversPaddingAfterTheEndOfArchive) {
  auto tar = TarBuilder().file("f", "x").build() + std::string(9216, '\0');
  auto r = unpack(tar);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->diffId, sha256Of(tar));
  EXPECT_EQ(r->tarSize, static_cast<int64_t>(tar.size()));
}

TEST_F(UnpackLayer, LeavesOwnersAloneWithoutSameOwner) {
  auto tar = TarBuilder().dir("d/").owner(1000, 1000).file("d/f", "x").owner(33, 33).build();
  auto r = unpack(tar, {.sameOwner = false});
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(testing::lstatOf(at("d")).st_uid, ::getuid());
  EXPECT_EQ(testing::lstatOf(at("d/f")).st_uid, ::getuid());
}

TEST_F(UnpackLayer, RejectsAMissingDirectory) {
  auto fd = testing::memFd(TarBuilder().build());
  auto r = unpackLayer(fd.get(), root_ + "/nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::NotFound);
}

}  // namespace
}  // namespace berth::image
