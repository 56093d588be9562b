#include "shim/spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/unique_fd.h"

namespace berth::shim {
namespace {

pid_t parentPid = 0;

TEST(RuntimeErrorMessage, TakesTheLastNonEmptyLine) {
  EXPECT_EQ(runtimeErrorMessage("warning: x\nberth-runtime: create c1: no such file\n\n", 1,
                                "runtime create"),
            "berth-runtime: create c1: no such file");
}

TEST(RuntimeErrorMessage, TakesTheMsgOfALogrusLineAsRuncWritesIt) {
  EXPECT_EQ(
      runtimeErrorMessage(
          R"(time="2026-01-01T00:00:00Z" level=error msg="runc create failed: \"x\" missing")", 1,
          "runtime create"),
      "runc create failed: \"x\" missing");
}

TEST(RuntimeErrorMessage, NamesTheCommandAndStatusWhenStderrWasEmpty) {
  EXPECT_EQ(runtimeErrorMessage(" \n", 2, "runtime start"), "runtime start exited with status 2");
}

TEST(ExitCode, IsTheStatusOr128PlusTheSignal) {
  EXPECT_EQ(exitCodeOf(3 << 8), 3);
  EXPECT_EQ(exitCodeOf(SIGKILL), 137);
  EXPECT_EQ(exitCodeOf(SIGTERM), 143);
}

TEST(RunToExit, ReturnsTheCodeAndCapturesStderr) {
  auto r = runToExit({"/bin/sh", "-c", "echo out; echo oops >&2; exit 3"}, {}, true, 10000);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->code, 3);
  EXPECT_EQ(r->errText, "oops\n");
}

TEST(RunToExit, GivesTheChildTheStdioAsked) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  auto r =
      runToExit({"/bin/sh", "-c", "echo to-out; echo to-err >&2"}, {-1, p[1], p[1]}, false, 10000);
  ::close(p[1]);
  ASSERT_TRUE(r);
  char buf[64] = {};
  ssize_t n = ::read(p[0], buf, sizeof buf - 1);
  ::close(p[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "to-out\nto-err\n");
}

TEST(RunToExit, ResetsTheSignalMaskAndSigpipeForTheChild) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &set, &old);
  auto prev = ::signal(SIGPIPE, SIG_IGN);
  // SIGCHLD is bit 16 of SigBlk, SIGPIPE bit 12 of SigIgn (bit n-1 for signal n). sed, not
  // awk: mawk ignores SIGPIPE itself.
  auto r = runToExit({"/bin/sh", "-c",
                      "blk=$(sed -n 's/^SigBlk:\\t//p' /proc/self/status); "
                      "ign=$(sed -n 's/^SigIgn:\\t//p' /proc/self/status); "
                      "[ $((0x$blk & 0x10000)) -eq 0 ] && [ $((0x$ign & 0x1000)) -eq 0 ]"},
                     {}, false, 10000);
  ::signal(SIGPIPE, prev);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 0);
}

TEST(RunToExit, KillsAChildThatOutlivesTheLimit) {
  auto r = runToExit({"/bin/sleep", "10"}, {}, false, 100);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 128 + SIGKILL);
}

TEST(RunToExit, Reports127WhenTheProgramCannotRun) {
  auto r = runToExit({"/nonexistent/runtime"}, {}, true, 10000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 127);
}

// A linked runtime for the tests below: reports what it was given on stdout and stderr, in the
// forked child, and exits with the status argv[1] names.
int fakeLinkedRuntime(const std::vector<std::string>& argv) {
  int open3 = ::fcntl(3, F_GETFD) >= 0 ? 1 : 0;  // the shim's fds are closed in the child
  std::string out = "pid-differs=" + std::to_string(::getpid() != parentPid) +
                    " fd3-open=" + std::to_string(open3) + " args=" + argv.at(1) + "\n";
  (void)::write(STDOUT_FILENO, out.data(), out.size());
  std::fprintf(stderr, "linked: failing with %s\n", argv.at(1).c_str());
  return std::stoi(argv.at(1));
}

struct LinkedRuntimeTest : ::testing::Test {
  void SetUp() override {
    parentPid = ::getpid();
    setLinkedRuntime(&fakeLinkedRuntime);
  }
  void TearDown() override { setLinkedRuntime(nullptr); }
};

TEST_F(LinkedRuntimeTest, RunsInTheForkedChildWithTheStdioAskedAndItsStatus) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd keep(::open("/dev/null", O_RDONLY));  // an fd of the shim the child must not keep
  auto r = runToExit({"/not/executed", "7"}, {-1, p[1], -1}, true, 10000);
  ::close(p[1]);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->code, 7);
  EXPECT_EQ(r->errText, "linked: failing with 7\n");
  char buf[128] = {};
  ssize_t n = ::read(p[0], buf, sizeof buf - 1);
  ::close(p[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0),
            "pid-differs=1 fd3-open=0 args=7\n");
  EXPECT_EQ(runtimeErrorMessage(r->errText, r->code, "runtime run"), "linked: failing with 7");
}

}  // namespace
}  // namespace berth::shim
