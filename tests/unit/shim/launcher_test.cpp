#include "shim/launcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

#include "base/unique_fd.h"

namespace berth::shim {
namespace {

TEST(ProcessTitle, EndsInNulThenSpacesToTheAreaEnd) {
  std::array<char, 16> area;
  area.fill('x');
  ASSERT_TRUE(setProcessTitle(area, "ab cd"));
  EXPECT_EQ(std::string(area.data(), 6), std::string("ab cd\0", 6));
  EXPECT_EQ(std::string(area.data() + 6, 10), std::string(10, ' '));
  // The last byte must stay non-NUL for the kernel to read the title to its NUL.
  EXPECT_TRUE(setProcessTitle(area, std::string(14, 'a')));
  EXPECT_EQ(area[15], ' ');
  EXPECT_FALSE(setProcessTitle(area, std::string(15, 'a')));
}

// A launcher forked from the test: its shims (grandchildren of the test) write what they got
// to their fd 3 and exit.
class LauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    sock_.reset(sv[0]);
    launcher_ = ::fork();
    ASSERT_GE(launcher_, 0);
    if (launcher_ == 0) {
      ::close(sv[0]);
      static char area[64] = "/bin/berth-shim";
      auto argv = runLauncher(sv[1], {area, sizeof area});
      if (!argv) ::_exit(0);
      std::string report;
      for (const auto& a : *argv) report += a + "|";
      report += "sid=" + std::to_string(::getsid(0) == ::getpid());
      for (int fd = 4; fd < 64; ++fd) {
        if (::fcntl(fd, F_GETFD) >= 0) report += " open=" + std::to_string(fd);
      }
      report += " title=" + std::string(area);
      (void)!::write(3, report.data(), report.size());
      ::_exit(0);
    }
    ::close(sv[1]);
  }
  void TearDown() override {
    sock_.reset();
    int status = -1;
    ASSERT_EQ(::waitpid(launcher_, &status, 0), launcher_);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }

  // Sends data with fds; returns the answer and the fd that came with it.
  std::string request(const std::string& data, std::initializer_list<int> fds, UniqueFd* got) {
    struct iovec iov = {const_cast<char*>(data.data()), data.size()};
    alignas(struct cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fds.size() > 0) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(fds.size() * sizeof(int));
      struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
      std::memcpy(CMSG_DATA(c), fds.begin(), fds.size() * sizeof(int));
    }
    EXPECT_EQ(::sendmsg(sock_.get(), &msg, 0), static_cast<ssize_t>(data.size()));
    char answer[512];
    iov = {answer, sizeof answer};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock_.get(), &msg, MSG_CMSG_CLOEXEC);
    EXPECT_GT(n, 0);
    if (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c && got) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      got->reset(fd);
    }
    return n > 0 ? std::string(answer, static_cast<size_t>(n)) : std::string();
  }

  UniqueFd sock_;
  pid_t launcher_ = -1;
};

std::string readAll(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST_F(LauncherTest, ForksAShimWithItsArgumentsAndAPidfd) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd readEnd(p[0]), writeEnd(p[1]);
  UniqueFd pidfd;
  std::string answer = request(std::string("--id\0c1\0--tty\0", 14), {writeEnd.get()}, &pidfd);
  writeEnd.reset();
  ASSERT_EQ(answer.rfind("ok ", 0), 0u) << answer;
  ASSERT_TRUE(pidfd);
  EXPECT_EQ(readAll(readEnd.get()),
            "/bin/berth-shim|--id|c1|--tty|sid=1 title=/bin/berth-shim --id c1 --tty");
  // The pidfd turns readable when that shim has ended.
  struct pollfd pfd = {pidfd.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 10000), 1);
}

TEST_F(LauncherTest, RefusesRequestsItCannotServeAndGoesOn) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd readEnd(p[0]), writeEnd(p[1]);
  EXPECT_EQ(request(std::string("--id\0c1\0", 8), {}, nullptr),
            "error launch request with 0 file descriptors, not 1");
  EXPECT_EQ(request(std::string("--id\0c1\0", 8), {writeEnd.get(), writeEnd.get()}, nullptr),
            "error launch request with 2 file descriptors, not 1");
  EXPECT_EQ(request("--id", {writeEnd.get()}, nullptr),
            "error launch request does not end in a NUL");
  std::string answer = request(std::string(100, 'a') + '\0', {writeEnd.get()}, nullptr);
  EXPECT_EQ(answer.rfind("error command line of 116 bytes does not fit", 0), 0u) << answer;
  // Nothing was forked: the pipe's only writer is ours.
  writeEnd.reset();
  EXPECT_EQ(readAll(readEnd.get()), "");
  UniqueFd pidfd;
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  readEnd.reset(p[0]);
  writeEnd.reset(p[1]);
  answer = request(std::string("--x\0", 4), {writeEnd.get()}, &pidfd);
  EXPECT_EQ(answer.rfind("ok ", 0), 0u) << answer;
}

}  // namespace
}  // namespace berth::shim
