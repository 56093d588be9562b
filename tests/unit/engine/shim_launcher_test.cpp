// berthd's side of berth-shim --launcher, against the real berth-shim of this build.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "engine/shim_client.h"

namespace berth::engine {
namespace {

std::string readProc(pid_t pid, const char* file) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ProcStat {
  int ppid = 0, pgrp = 0, session = 0;
};
std::optional<ProcStat> statOf(pid_t pid) {
  std::string stat = readProc(pid, "stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  ProcStat s;
  if (std::sscanf(stat.c_str() + close + 2, "%*c %d %d %d", &s.ppid, &s.pgrp, &s.session) != 3)
    return std::nullopt;
  return s;
}

// This process's children whose command line contains what.
std::vector<pid_t> childrenNamed(const std::string& what) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  while (struct dirent* e = ::readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    auto st = statOf(pid);
    if (!st || st->ppid != ::getpid()) continue;
    // As pgrep -f reads it: a launcher that has not yet set its title has NULs between words.
    std::string cmdline = readProc(pid, "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(what) != std::string::npos) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

// The launchers among this process's children. A process just spawned may still be in its
// exec, its command line not yet there (the spawn returns once the old memory is released).
std::vector<pid_t> launchers() {
  std::vector<pid_t> found;
  for (int i = 0; i < 200 && found.empty(); ++i) {
    if (i > 0) ::usleep(5000);
    found = childrenNamed("berth-shim --launcher");
  }
  return found;
}

bool endsWithin(int pidfd, int ms) {
  struct pollfd p = {pidfd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

std::string readyLine(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

class ShimLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("berth-launcher-test." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A shim that gets as far as its readiness and then waits for "start"; a state dir each.
  ShimLaunch launchFor(const std::string& id) {
    auto state = dir_ / ("state-" + std::to_string(++launches_));
    std::filesystem::create_directories(state);
    return ShimLaunch{.shimPath = BERTH_SHIM_PATH,
                      .id = id,
                      .bundle = dir_.string() + "/bundle",
                      .stateDir = state.string(),
                      .runtimePath = "/bin/true",
                      .logPath = (dir_ / "log").string()};
  }

  int launches_ = 0;
  std::filesystem::path dir_;
};

TEST_F(ShimLauncherTest, ForksAShimThatNamesItsContainerAndReportsItsEnd) {
  ShimLauncher launcher(BERTH_SHIM_PATH);
  ASSERT_TRUE(launcher.start());
  auto started = launchers();
  ASSERT_EQ(started.size(), 1u);

  auto s = spawnShim(launchFor("launcher-test-one"), &launcher);
  ASSERT_TRUE(s) << s.error().what();
  ASSERT_TRUE(s->pidfd);
  EXPECT_EQ(readyLine(s->ready.get()), "ok");
  // The launcher's child, in a session of its own, its command line its own.
  auto st = statOf(s->pid);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ppid, started[0]);
  EXPECT_EQ(st->session, s->pid);
  std::string cmdline = readProc(s->pid, "cmdline");
  EXPECT_EQ(cmdline.substr(0, cmdline.find('\0')),
            std::string(BERTH_SHIM_PATH) + " --id launcher-test-one --bundle " + dir_.string() +
                "/bundle --state-dir " + (dir_ / "state-1").string() +
                " --runtime /bin/true --log " + (dir_ / "log").string() + " --ready-fd 3");

  ::kill(s->pid, SIGKILL);
  EXPECT_TRUE(endsWithin(s->pidfd.get(), 10000));
}

TEST_F(ShimLauncherTest, ALauncherThatDiedIsStartedAgain) {
  ShimLauncher launcher(BERTH_SHIM_PATH);
  ASSERT_TRUE(launcher.start());
  auto first = launchers();
  ASSERT_EQ(first.size(), 1u);
  ::kill(first[0], SIGKILL);

  auto s = spawnShim(launchFor("launcher-test-two"), &launcher);
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_TRUE(s->pidfd);  // forked by the new launcher, not spawned
  EXPECT_EQ(readyLine(s->ready.get()), "ok");
  auto second = launchers();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0], first[0]);
  // The dead one was reaped: no zombie is left among our children.
  EXPECT_FALSE(statOf(first[0]));
  ::kill(s->pid, SIGKILL);
  EXPECT_TRUE(endsWithin(s->pidfd.get(), 10000));
}

TEST_F(ShimLauncherTest, ACommandLineTooLongForItIsSpawnedInstead) {
  ShimLauncher launcher(BERTH_SHIM_PATH);
  ASSERT_TRUE(launcher.start());
  ShimLaunch l = launchFor("launcher-test-" + std::string(5000, 'x'));
  auto s = spawnShim(l, &launcher);
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_FALSE(s->pidfd);  // our own child
  EXPECT_EQ(readyLine(s->ready.get()), "ok");
  ::kill(s->pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(::waitpid(s->pid, &status, 0), s->pid);
  // The launcher carries on.
  auto again = spawnShim(launchFor("launcher-test-three"), &launcher);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_TRUE(again->pidfd);
  EXPECT_EQ(readyLine(again->ready.get()), "ok");
  ::kill(again->pid, SIGKILL);
  EXPECT_TRUE(endsWithin(again->pidfd.get(), 10000));
}

}  // namespace
}  // namespace berth::engine
