#include "cli/tar_copy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace berth::cli {
namespace {

TEST(Rebase, RenamesTheTopEntryOnly) {
  Rebase r{"a", "b"};
  EXPECT_EQ(r.apply("a"), "b");
  EXPECT_EQ(r.apply("a/x/a"), "b/x/a");
  EXPECT_EQ(r.apply("./a/x"), "b/x");
  EXPECT_EQ(r.apply("ab"), "ab");
  Rebase dot{".", "dst"};
  EXPECT_EQ(dot.apply("."), "dst");
  EXPECT_EQ(dot.apply("./f"), "dst/f");
  EXPECT_EQ(Rebase{}.apply("x"), "x");
}

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(TarCopy, WritesAndExtractsADirectoryUnderANewName) {
  namespace fs = std::filesystem;
  std::string root = ::testing::TempDir() + "/tarcopy";
  fs::remove_all(root);
  fs::create_directories(root + "/src/sub");
  std::ofstream(root + "/src/sub/f.txt") << "hello";
  fs::create_symlink("sub/f.txt", root + "/src/link");
  fs::create_directories(root + "/out");
  std::string tar;
  ASSERT_TRUE(
      writeTar(root + "/src", false, Rebase{"src", "dst"}, [&tar](std::string_view d) -> Status {
        tar.append(d);
        return {};
      }));
  size_t pos = 0;
  auto n = extractTar(
      [&](char* buf, size_t len) -> Result<size_t> {
        size_t k = std::min(len, tar.size() - pos);
        std::memcpy(buf, tar.data() + pos, k);
        pos += k;
        return k;
      },
      root + "/out", Rebase{}, false);
  ASSERT_TRUE(n) << n.error().what();
  EXPECT_EQ(static_cast<size_t>(*n), tar.size());
  EXPECT_EQ(slurp(root + "/out/dst/sub/f.txt"), "hello");
  EXPECT_EQ(fs::read_symlink(root + "/out/dst/link").string(), "sub/f.txt");
  fs::remove_all(root);
}

TEST(TarCopy, RefusesEntriesEscapingTheDirectory) {
  // A hand-made ustar header for "../evil" (a daemon must never send one; we check anyway).
  std::string h(512, '\0');
  std::string name = "../evil";
  std::copy(name.begin(), name.end(), h.begin());
  auto put = [&h](size_t off, const std::string& v) {
    std::copy(v.begin(), v.end(), h.begin() + static_cast<long>(off));
  };
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "00000000000");
  put(136, "00000000000");
  h[156] = '0';
  put(257, "ustar");
  put(263, "00");
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  put(148, std::string(chk, 6));
  h[154] = '\0';
  std::string tar = h + std::string(1024, '\0');
  std::string root = ::testing::TempDir() + "/tarevil";
  std::filesystem::create_directories(root + "/in");
  size_t pos = 0;
  auto n = extractTar(
      [&](char* buf, size_t len) -> Result<size_t> {
        size_t k = std::min(len, tar.size() - pos);
        std::memcpy(buf, tar.data() + pos, k);
        pos += k;
        return k;
      },
      root + "/in", Rebase{}, false);
  EXPECT_FALSE(n);
  EXPECT_FALSE(std::filesystem::exists(root + "/evil"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace berth::cli
