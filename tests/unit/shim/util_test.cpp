#include "shim/util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace berth::shim {
namespace {

TEST(ParseDecimal, ParsesWholeIntegersOnly) {
  EXPECT_EQ(parseDecimal("0"), 0);
  EXPECT_EQ(parseDecimal("4242"), 4242);
  EXPECT_EQ(parseDecimal("-7"), -7);
  EXPECT_FALSE(parseDecimal(""));
  EXPECT_FALSE(parseDecimal("-"));
  EXPECT_FALSE(parseDecimal("12a"));
  EXPECT_FALSE(parseDecimal(" 1"));
  EXPECT_FALSE(parseDecimal("+1"));
  EXPECT_FALSE(parseDecimal("1234567890123456789"));  // would overflow
}

TEST(SplitOn, KeepsEmptyParts) {
  EXPECT_EQ(splitOn("a,b", ','), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(splitOn("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(splitOn("a,,", ','), (std::vector<std::string_view>{"a", "", ""}));
}

TEST(TrimSpace, DropsSpacesTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trimSpace(" \t123\r\n"), "123");
  EXPECT_EQ(trimSpace("a b"), "a b");
  EXPECT_EQ(trimSpace("\n"), "");
}

class UtilFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shim-util-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(UtilFiles, ReplacesAFileWholeAndLeavesNoTempFile) {
  std::string path = dir_ + "/exit";
  ASSERT_TRUE(writeFileReplacing(path, "old", false));
  ASSERT_TRUE(writeFileReplacing(path, "{\"exitCode\":0}", true));
  EXPECT_EQ(*readSmallFile(path), "{\"exitCode\":0}");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(UtilFiles, ReadsThePidOfARuntimePidFile) {
  std::string path = dir_ + "/init.pid";
  ASSERT_TRUE(writeFileReplacing(path, "1234\n", false));
  EXPECT_EQ(*readPidFile(path), 1234);
  ASSERT_TRUE(writeFileReplacing(path, "", false));
  EXPECT_FALSE(readPidFile(path));
  auto missing = readPidFile(dir_ + "/none.pid");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::NotFound);
}

TEST_F(UtilFiles, CountsOomKillsOfV1AndV2Files) {
  std::string v1 = dir_ + "/memory.oom_control", v2 = dir_ + "/memory.events";
  ASSERT_TRUE(writeFileReplacing(v1, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", false));
  ASSERT_TRUE(writeFileReplacing(v2, "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n", false));
  EXPECT_EQ(oomKillCount(v1), 2);
  EXPECT_EQ(oomKillCount(v2), 1);
  ASSERT_TRUE(writeFileReplacing(v1, "oom_kill_disable 0\nunder_oom 0\n", false));
  EXPECT_EQ(oomKillCount(v1), 0);
  EXPECT_EQ(oomKillCount(dir_ + "/gone"), 0);
}

}  // namespace
}  // namespace berth::shim
