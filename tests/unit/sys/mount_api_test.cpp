#include "sys/mount_api.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace berth::sys {
namespace {

std::string unescapeOctal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Mount points at or below dir, most recent first.
std::vector<std::string> mountsUnder(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mountPoint;
    fields >> id >> parent >> devno >> root >> mountPoint;
    mountPoint = unescapeOctal(mountPoint);
    if (mountPoint == dir || mountPoint.rfind(dir + "/", 0) == 0) out.push_back(mountPoint);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::trunc);
  out << data;
  ASSERT_TRUE(out.good()) << path;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class OverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "overlay mounts need root";
    char tmpl[] = "/var/tmp/berth-mount-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }

  void TearDown() override {
    if (dir_.empty()) return;
    for (const auto& m : mountsUnder(dir_)) ::umount2(m.c_str(), MNT_DETACH);
    EXPECT_TRUE(mountsUnder(dir_).empty()) << "mounts left under " << dir_;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  std::string mkdir(const std::string& rel) {
    std::string p = dir_ + "/" + rel;
    std::filesystem::create_directories(p);
    return p;
  }

  // A spec with n lowers (lower0 is the bottom), each holding "only<i>" and "shared" = "<i>".
  OverlaySpec layered(int n, bool withUpper, const std::string& prefix = "lower") {
    OverlaySpec spec;
    for (int i = n - 1; i >= 0; --i) {
      std::string l = mkdir(prefix + std::to_string(i));
      spit(l + "/only" + std::to_string(i), "layer " + std::to_string(i));
      spit(l + "/shared", std::to_string(i));
      spec.lowerTopFirst.push_back(l);
    }
    if (withUpper) {
      spec.upper = mkdir("upper");
      spec.work = mkdir("work");
    }
    return spec;
  }

  std::string dir_;
};

bool kernelAtLeast(int major, int minor) {
  struct utsname u;
  if (::uname(&u) < 0) return false;
  int ma = 0, mi = 0;
  if (std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

TEST(OverlayProbe, MatchesTheKernelVersion) {
  if (::geteuid() != 0) GTEST_SKIP() << "fsopen needs root";
  EXPECT_EQ(overlaySupportsLowerdirPlus(), kernelAtLeast(6, 8));
  EXPECT_EQ(overlaySupportsLowerdirPlus(), overlaySupportsLowerdirPlus());
}

TEST(OverlayMountData, JoinsLowersTopFirstThenUpperWorkAndOptions) {
  OverlaySpec spec{
      {"/l/top", "/l/mid", "/l/bottom"}, "/c/upper", "/c/work", {"index=off", "volatile"}};
  auto data = overlayMountData(spec);
  ASSERT_TRUE(data) << data.error().what();
  EXPECT_EQ(
      *data,
      "lowerdir=/l/top:/l/mid:/l/bottom,upperdir=/c/upper,workdir=/c/work,index=off,volatile");
}

TEST(OverlayMountData, EscapesColonsCommasAndBackslashes) {
  OverlaySpec spec{{"/a:b", "/c,d", "/e\\f"}, "/u:", "/w,", {}};
  auto data = overlayMountData(spec);
  ASSERT_TRUE(data) << data.error().what();
  EXPECT_EQ(*data, "lowerdir=/a\\:b:/c\\,d:/e\\\\f,upperdir=/u\\:,workdir=/w\\,");
}

TEST(OverlayMountData, RejectsMissingLowersAndUpperWithoutWork) {
  EXPECT_EQ(overlayMountData(OverlaySpec{}).error().kind(), ErrorKind::InvalidArgument);
  OverlaySpec spec{{"/l"}, "/u", "", {}};
  EXPECT_EQ(overlayMountData(spec).error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(mountOverlay(spec, "/nonexistent").error().kind(), ErrorKind::InvalidArgument);
}

TEST_F(OverlayTest, OneLowerWithUpperTakesWritesInUpper) {
  OverlaySpec spec = layered(1, true);
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/only0"), "layer 0");
  spit(target + "/new", "n");
  EXPECT_EQ(slurp(spec.upper + "/new"), "n");
  EXPECT_FALSE(exists(spec.lowerTopFirst[0] + "/new"));
  ASSERT_TRUE(unmount(target));
  EXPECT_FALSE(exists(target + "/only0"));
}

TEST_F(OverlayTest, LowersWithoutUpperAreReadOnly) {
  OverlaySpec spec = layered(2, false);
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/only0"), "layer 0");
  EXPECT_EQ(slurp(target + "/shared"), "1");
  int fd = ::open((target + "/new").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  EXPECT_LT(fd, 0);
  EXPECT_EQ(errno, EROFS);
  if (fd >= 0) ::close(fd);
}

TEST_F(OverlayTest, OneLowerWithoutUpperIsRefusedWithAReason) {
  OverlaySpec spec = layered(1, false);
  auto st = mountOverlay(spec, mkdir("merged"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(st.error().what().find("at least two"), std::string::npos) << st.error().what();
}

TEST_F(OverlayTest, ThreeLowersTopLayerShadowsBottom) {
  OverlaySpec spec = layered(3, true);
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/only0"), "layer 0");
  EXPECT_EQ(slurp(target + "/only1"), "layer 1");
  EXPECT_EQ(slurp(target + "/only2"), "layer 2");
  EXPECT_EQ(slurp(target + "/shared"), "2");
}

TEST_F(OverlayTest, TwoHundredLowersExceedAPageYetMountThroughLowerdirPlus) {
  if (!overlaySupportsLowerdirPlus()) GTEST_SKIP() << "kernel lacks lowerdir+";
  // Names as long as real ones: layers/<64 hex chain ID>/diff.
  OverlaySpec spec = layered(200, true, "layers/" + std::string(64, 'a') + "/diff");
  ASSERT_EQ(spec.lowerTopFirst.size(), 200u);
  std::string classic;
  for (const auto& l : spec.lowerTopFirst) classic += (classic.empty() ? "" : ":") + l;
  EXPECT_GT(classic.size(), 4096u * 4);
  auto data = overlayMountData(spec);
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(data.error().what().find("one page"), std::string::npos) << data.error().what();

  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/only0"), "layer 0");
  EXPECT_EQ(slurp(target + "/only100"), "layer 100");
  EXPECT_EQ(slurp(target + "/only199"), "layer 199");
  EXPECT_EQ(slurp(target + "/shared"), "199");
}

TEST_F(OverlayTest, LegacyMountOfThreeLowersFitsInAPage) {
  OverlaySpec spec = layered(3, true);
  std::string target = mkdir("merged");
  auto st = mountOverlayLegacy(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/only0"), "layer 0");
  EXPECT_EQ(slurp(target + "/shared"), "2");
}

TEST_F(OverlayTest, PathsWithColonsAndCommasMountBothWays) {
  OverlaySpec spec;
  for (const char* name : {"top:x,y", "bottom,z:w"}) {
    std::string l = mkdir(name);
    spit(l + "/" + std::string(name[0] == 't' ? "top" : "bottom"), name);
    spec.lowerTopFirst.push_back(l);
  }
  spec.upper = mkdir("up:per,1");
  spec.work = mkdir("wo:rk,1");
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/top"), "top:x,y");
  EXPECT_EQ(slurp(target + "/bottom"), "bottom,z:w");
  spit(target + "/written", "1");
  EXPECT_TRUE(exists(spec.upper + "/written"));
  ASSERT_TRUE(unmount(target));

  spec.upper = mkdir("up:per,2");
  spec.work = mkdir("wo:rk,2");
  st = mountOverlayLegacy(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ(slurp(target + "/top"), "top:x,y");
  EXPECT_EQ(slurp(target + "/bottom"), "bottom,z:w");
  spit(target + "/written", "2");
  EXPECT_TRUE(exists(spec.upper + "/written"));
}

TEST_F(OverlayTest, UpperPathWithBackslashMounts) {
  OverlaySpec spec = layered(1, false);
  spec.upper = mkdir("up\\per");
  spec.work = mkdir("wo\\rk");
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  spit(target + "/written", "x");
  EXPECT_TRUE(exists(spec.upper + "/written"));
}

TEST_F(OverlayTest, WhiteoutAndOpaqueDirHideLowerEntries) {
  std::string lower = mkdir("lower");
  mkdir("lower/d");
  spit(lower + "/d/old1", "1");
  spit(lower + "/d/old2", "2");
  spit(lower + "/f", "f");
  spit(lower + "/kept", "k");
  std::string mid = mkdir("mid");
  ASSERT_EQ(::mknod((mid + "/f").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  mkdir("mid/d");
  ASSERT_EQ(::setxattr((mid + "/d").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  spit(mid + "/d/new", "n");

  OverlaySpec spec{{mid, lower}, mkdir("upper"), mkdir("work"), {}};
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_FALSE(exists(target + "/f"));
  EXPECT_EQ(slurp(target + "/kept"), "k");
  std::vector<std::string> inD;
  for (const auto& e : std::filesystem::directory_iterator(target + "/d")) {
    inD.push_back(e.path().filename());
  }
  EXPECT_EQ(inD, std::vector<std::string>{"new"});
}

TEST_F(OverlayTest, WritingALowerFileCopiesItUpAndLeavesTheLayerAlone) {
  OverlaySpec spec = layered(2, true);
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  spit(target + "/only0", "changed");
  EXPECT_EQ(slurp(target + "/only0"), "changed");
  EXPECT_EQ(slurp(spec.upper + "/only0"), "changed");
  EXPECT_EQ(slurp(spec.lowerTopFirst.back() + "/only0"), "layer 0");
}

TEST_F(OverlayTest, DeletingALowerFileLeavesAWhiteoutInUpper) {
  OverlaySpec spec = layered(2, true);
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_TRUE(st) << st.error().what();
  ASSERT_EQ(::unlink((target + "/only0").c_str()), 0);
  EXPECT_FALSE(exists(target + "/only0"));
  struct stat wh;
  ASSERT_EQ(::lstat((spec.upper + "/only0").c_str(), &wh), 0);
  EXPECT_TRUE(S_ISCHR(wh.st_mode));
  EXPECT_EQ(wh.st_rdev, makedev(0, 0));
  EXPECT_EQ(slurp(spec.lowerTopFirst.back() + "/only0"), "layer 0");
}

TEST_F(OverlayTest, FailureCarriesOverlaysOwnReason) {
  OverlaySpec spec = layered(1, true);
  spec.options = {"index=bogus"};
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  if (overlaySupportsLowerdirPlus()) {
    EXPECT_NE(st.error().what().find("Bad value for 'index'"), std::string::npos)
        << st.error().what();
  }
  EXPECT_TRUE(mountsUnder(target).empty());
}

TEST_F(OverlayTest, MissingLowerIsNotFound) {
  OverlaySpec spec{{dir_ + "/absent"}, mkdir("upper"), mkdir("work"), {}};
  std::string target = mkdir("merged");
  auto st = mountOverlay(spec, target);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::NotFound);
  EXPECT_NE(st.error().what().find("absent"), std::string::npos) << st.error().what();
}

TEST_F(OverlayTest, UnmountOfAPlainDirIsOkUnlessAbsenceIsAnError) {
  std::string target = mkdir("plain");
  EXPECT_TRUE(unmount(target));
  EXPECT_TRUE(unmount(dir_ + "/gone"));
  auto st = unmount(target, 0, false);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().sysErrno(), EINVAL);
  EXPECT_NE(st.error().what().find("umount " + target), std::string::npos) << st.error().what();
}

TEST_F(OverlayTest, UnmountRemovesTheOverlay) {
  OverlaySpec spec = layered(1, true);
  std::string target = mkdir("merged");
  ASSERT_TRUE(mountOverlay(spec, target));
  ASSERT_EQ(mountsUnder(target).size(), 1u);
  auto st = unmount(target, MNT_DETACH);
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_TRUE(mountsUnder(target).empty());
}

}  // namespace
}  // namespace berth::sys
