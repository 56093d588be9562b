#include "shim/log_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"
#include "base/strings.h"
#include "shim/log_format.h"
#include "shim/protocol.h"

namespace berth::shim {
namespace {

const timespec kT1{1795855265, 1};
const timespec kT2{1795855266, 2};

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shim-log-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/c-json.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  JsonLogger logger(int64_t maxSize = 0, int maxFiles = 1) {
    auto f = LogFile::open(path_, maxSize, maxFiles);
    EXPECT_TRUE(f) << f.error().what();
    return JsonLogger(std::move(*f));
  }
  std::string read(const std::string& path) { return readFile(path).value_or("<missing>"); }
  static std::string entry(std::string_view line, std::string_view stream, timespec t) {
    std::string out;
    appendLogEntry(out, line, stream, t);
    return out;
  }

  std::string dir_, path_;
};

TEST_F(LogWriterTest, WritesOneEntryPerCompleteLine) {
  auto log = logger();
  ASSERT_TRUE(log.write(kFrameStdout, "one\ntwo\n", kT1));
  EXPECT_EQ(read(path_), entry("one\n", "stdout", kT1) + entry("two\n", "stdout", kT1));
}

TEST_F(LogWriterTest, HoldsAnUnfinishedLineUntilItsNewline) {
  auto log = logger();
  ASSERT_TRUE(log.write(kFrameStdout, "hel", kT1));
  EXPECT_EQ(read(path_), "");
  ASSERT_TRUE(log.write(kFrameStdout, "lo\nwor", kT2));
  EXPECT_EQ(read(path_), entry("hello\n", "stdout", kT2));
}

TEST_F(LogWriterTest, KeepsStdoutAndStderrLinesApart) {
  auto log = logger();
  ASSERT_TRUE(log.write(kFrameStdout, "o1 ", kT1));
  ASSERT_TRUE(log.write(kFrameStderr, "e1\n", kT1));
  ASSERT_TRUE(log.write(kFrameStdout, "o2\n", kT2));
  EXPECT_EQ(read(path_), entry("e1\n", "stderr", kT1) + entry("o1 o2\n", "stdout", kT2));
}

TEST_F(LogWriterTest, LogsTheRestOfAnUnterminatedLineAtCloseWithoutANewline) {
  auto log = logger();
  ASSERT_TRUE(log.write(kFrameStderr, "done\nno newline", kT1));
  ASSERT_TRUE(log.close(kFrameStderr, kT2));
  EXPECT_EQ(read(path_), entry("done\n", "stderr", kT1) + entry("no newline", "stderr", kT2));
  ASSERT_TRUE(log.close(kFrameStderr, kT2));  // nothing more
  EXPECT_EQ(read(path_), entry("done\n", "stderr", kT1) + entry("no newline", "stderr", kT2));
}

TEST_F(LogWriterTest, SplitsALongLineIntoPiecesOf16KiBThatShareTheFirstTime) {
  auto log = logger();
  std::string a(kMaxLogLine, 'a'), b(kMaxLogLine, 'b');
  ASSERT_TRUE(log.write(kFrameStdout, a + b.substr(0, 100), kT1));
  ASSERT_TRUE(log.write(kFrameStdout, b.substr(100) + "cc\nnext\n", kT2));
  EXPECT_EQ(read(path_), entry(a, "stdout", kT1) + entry(b, "stdout", kT1) +
                             entry("cc\n", "stdout", kT1) + entry("next\n", "stdout", kT2));
}

TEST_F(LogWriterTest, SplitsALineOfExactly16KiBBeforeItsNewlineAsDockersBufferDoes) {
  auto log = logger();
  std::string full(kMaxLogLine, 'x'), fits(kMaxLogLine - 1, 'y');
  ASSERT_TRUE(log.write(kFrameStdout, full + "\n" + fits + "\n", kT1));
  EXPECT_EQ(read(path_), entry(full, "stdout", kT1) + entry("\n", "stdout", kT1) +
                             entry(fits + "\n", "stdout", kT1));
}

TEST_F(LogWriterTest, AppendsToAnExistingLog) {
  ASSERT_TRUE(writeFileAtomic(path_, "old\n"));
  auto log = logger();
  ASSERT_TRUE(log.write(kFrameStdout, "new\n", kT1));
  EXPECT_EQ(read(path_), "old\n" + entry("new\n", "stdout", kT1));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // an existing file keeps its mode
}

TEST_F(LogWriterTest, CreatesTheLogWithMode0640) {
  auto log = logger();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(LogWriterTest, RotatesOnceTheFileHasReachedMaxSizeKeepingMaxFileFiles) {
  std::string e = entry("0123456789\n", "stdout", kT1);  // every entry has this size
  auto log = logger(static_cast<int64_t>(2 * e.size()), 3);
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(log.write(kFrameStdout, fmt::format("{:010}\n", i), kT1));
  }
  auto lines = [&](const std::string& p) {
    std::string text = read(p);
    std::string digits;
    for (const auto& l : split(text, '\n', true)) digits += l.substr(8, 10).back();
    return digits;
  };
  // Two entries per file: entry 6 in FILE, 4-5 in FILE.1, 2-3 in FILE.2; 0-1 are gone.
  EXPECT_EQ(lines(path_), "6");
  EXPECT_EQ(lines(path_ + ".1"), "45");
  EXPECT_EQ(lines(path_ + ".2"), "23");
  EXPECT_FALSE(std::filesystem::exists(path_ + ".3"));
}

TEST_F(LogWriterTest, TruncatesInsteadOfRotatingWithOneFile) {
  std::string e = entry("x\n", "stdout", kT1);
  auto log = logger(static_cast<int64_t>(e.size()), 1);
  ASSERT_TRUE(log.write(kFrameStdout, "x\n", kT1));
  ASSERT_TRUE(log.write(kFrameStdout, "y\n", kT1));
  EXPECT_EQ(read(path_), entry("y\n", "stdout", kT1));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".1"));
}

TEST_F(LogWriterTest, LetsOneEntryGoPastMaxSizeLikeDocker) {
  auto log = logger(10, 2);
  ASSERT_TRUE(log.write(kFrameStdout, "a line much longer than ten bytes\n", kT1));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".1"));
  ASSERT_TRUE(log.write(kFrameStdout, "b\n", kT1));
  EXPECT_EQ(read(path_ + ".1"), entry("a line much longer than ten bytes\n", "stdout", kT1));
  EXPECT_EQ(read(path_), entry("b\n", "stdout", kT1));
}

TEST_F(LogWriterTest, CountsTheExistingSizeTowardsRotation) {
  ASSERT_TRUE(writeFileAtomic(path_, std::string(100, 'o')));
  auto log = logger(100, 2);
  ASSERT_TRUE(log.write(kFrameStdout, "n\n", kT1));
  EXPECT_EQ(read(path_ + ".1"), std::string(100, 'o'));
  EXPECT_EQ(read(path_), entry("n\n", "stdout", kT1));
}

TEST_F(LogWriterTest, RefusesMaxFileBelowOne) {
  EXPECT_FALSE(LogFile::open(path_, 10, 0));
}

}  // namespace
}  // namespace berth::shim
