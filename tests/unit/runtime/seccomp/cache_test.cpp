#include <errno.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp {
namespace {

namespace fs = std::filesystem;
using oci::SeccompAction;

oci::Seccomp denying(const char* name, uint32_t err) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Allow;
  s.syscalls.push_back({.names = {name}, .action = SeccompAction::Errno, .errnoRet = err});
  return s;
}

bool same(const Program& a, const Program& b) {
  if (a.flags != b.flags || a.notify != b.notify || a.filter.size() != b.filter.size())
    return false;
  for (size_t i = 0; i < a.filter.size(); ++i) {
    const auto &x = a.filter[i], &y = b.filter[i];
    if (x.code != y.code || x.jt != y.jt || x.jf != y.jf || x.k != y.k) return false;
  }
  return true;
}

class SeccompCache : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-seccomp-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/cache";
    setCacheDir(dir_);
  }
  void TearDown() override {
    setCacheDir("");
    fs::remove_all(fs::path(dir_).parent_path());
  }
  std::vector<fs::path> files() const {
    std::vector<fs::path> out;
    if (fs::exists(dir_))
      for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }
  std::string dir_;
};

TEST_F(SeccompCache, KeepsOneProgramPerProfileAndAnswersWhatCompileAnswers) {
  auto first = compileCached(denying("getcwd", ENOTSUP));
  ASSERT_TRUE(first) << first.error().what();
  ASSERT_EQ(files().size(), 1u);
  auto again = compileCached(denying("getcwd", ENOTSUP));
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_TRUE(same(*first, *again));
  EXPECT_TRUE(same(*again, *compile(denying("getcwd", ENOTSUP))));
  // Any difference in the profile is another program.
  auto other = compileCached(denying("getcwd", EPERM));
  ASSERT_TRUE(other) << other.error().what();
  EXPECT_FALSE(same(*first, *other));
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(SeccompCache, ADamagedFileIsCompiledAgainAndRewritten) {
  ASSERT_TRUE(compileCached(denying("getcwd", ENOTSUP)));
  ASSERT_EQ(files().size(), 1u);
  fs::path f = files()[0];
  auto size = fs::file_size(f);
  {
    // One instruction's constant changed: the checksum no longer matches.
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(size / 2));
    io.put('\x7f');
  }
  auto p = compileCached(denying("getcwd", ENOTSUP));
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_TRUE(same(*p, *compile(denying("getcwd", ENOTSUP))));
  fs::resize_file(f, 10);
  p = compileCached(denying("getcwd", ENOTSUP));
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_TRUE(same(*p, *compile(denying("getcwd", ENOTSUP))));
  EXPECT_EQ(fs::file_size(f), size);
}

TEST_F(SeccompCache, ErrorsAreCompilesErrorsAndLeaveNothing) {
  oci::Seccomp s = denying("getcwd", ENOTSUP);
  s.architectures = {"SCMP_ARCH_NOPE"};
  auto p = compileCached(s);
  ASSERT_FALSE(p);
  EXPECT_EQ(files().size(), 0u);
}

TEST_F(SeccompCache, AnUnwritableDirectoryOnlyCostsTheCompile) {
  setCacheDir("/proc/berth-no-such-dir");
  auto p = compileCached(denying("getcwd", ENOTSUP));
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_TRUE(same(*p, *compile(denying("getcwd", ENOTSUP))));
}

constexpr const char* kDenyGetcwd =
    R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],)"
    R"("action":"SCMP_ACT_ERRNO","errnoRet":95}]})";

TEST_F(SeccompCache, ASectionsTextIsParsedOnlyWhenItsProgramIsNotThere) {
  auto first = compileCachedText(kDenyGetcwd);
  ASSERT_TRUE(first) << first.error().what();
  EXPECT_TRUE(same(*first, *compile(denying("getcwd", ENOTSUP))));
  ASSERT_EQ(files().size(), 1u);
  // Found by its text: the file is the program, whatever the text would parse to now.
  fs::path f = files()[0];
  auto again = compileCachedText(kDenyGetcwd);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_TRUE(same(*first, *again));
  EXPECT_EQ(files().size(), 1u);
  // Another text of the same rules is another entry, with the same program.
  auto spaced = compileCachedText(std::string(kDenyGetcwd) + " ");
  ASSERT_TRUE(spaced) << spaced.error().what();
  EXPECT_TRUE(same(*first, *spaced));
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(SeccompCache, ASectionsTextIsCheckedAsInASpec) {
  auto bad = compileCachedText(R"({"defaultAction":"SCMP_ACT_ALLOW",)"
                               R"("syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().what().find("linux.seccomp.syscalls[0].names: must not be empty"),
            std::string::npos)
      << bad.error().what();
  auto action = compileCachedText(R"({"defaultAction":"SCMP_ACT_BERTH"})");
  ASSERT_FALSE(action);
  EXPECT_NE(action.error().what().find("SCMP_ACT_BERTH"), std::string::npos);
  EXPECT_FALSE(compileCachedText(R"({"defaultAction":)"));
  EXPECT_EQ(files().size(), 0u);
}

}  // namespace
}  // namespace berth::runtime::seccomp
