#pragma once
// A fixture owning a fresh /var/tmp/berth-storage-test-XXXXXX: TearDown detaches every mount
// left under it, checks that none remains, and removes it, whether the test passed or not.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "storage/mountinfo.h"

namespace berth::storage::testing {

class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/var/tmp/berth-storage-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }

  void TearDown() override {
    if (dir_.empty()) return;
    for (const auto& m : mountsUnderDir()) ::umount2(m.c_str(), MNT_DETACH);
    EXPECT_TRUE(mountsUnderDir().empty()) << "mounts left under " << dir_;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  std::vector<std::string> mountsUnderDir() const {
    auto mounts = readMountInfo();
    EXPECT_TRUE(mounts) << mounts.error().what();
    return mounts ? mountsUnder(*mounts, dir_) : std::vector<std::string>{};
  }

  std::string mkdir(const std::string& rel) const {
    std::string p = dir_ + "/" + rel;
    std::filesystem::create_directories(p);
    return p;
  }

  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static void spit(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::trunc);
    out << data;
    ASSERT_TRUE(out.good()) << path;
  }

  static bool exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
  }

  // Entries of dir, sorted; empty when dir is absent.
  static std::vector<std::string> list(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      out.push_back(e.path().filename());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
};

}  // namespace berth::storage::testing
