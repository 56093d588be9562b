#include "shim/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "base/unique_fd.h"
#include "shim/util.h"

namespace berth::shim {
namespace {

// A request: the shim's arguments after argv[0], each ending in a NUL; a command line is a few
// hundred bytes.
constexpr size_t kMaxRequest = 64 * 1024;

struct Request {
  std::vector<std::string> args;
  UniqueFd readyFd;
};

void reply(int sock, const std::string& text, int fd = -1) {
  // berthd gone: the next receive sees the end.
  (void)sendWithFd(sock, text, fd);
}

// nullopt: the socket's end (or an error on it). An Error: a request that cannot be served.
std::optional<Result<Request>> receive(int sock, char* buf) {
  std::vector<UniqueFd> fds;
  auto n = receiveWithFds(sock, buf, kMaxRequest, fds);
  if (!n && n.error().kind() == ErrorKind::InvalidArgument)
    return Result<Request>(invalidArgument("launch request too long"));
  if (!n || *n == 0) return std::nullopt;
  if (fds.size() != 1) {
    return Result<Request>(invalidArgument("launch request with " + std::to_string(fds.size()) +
                                           " file descriptors, not 1"));
  }
  std::string_view data(buf, *n);
  if (data.back() != '\0')
    return Result<Request>(invalidArgument("launch request does not end in a NUL"));
  Request r;
  data.remove_suffix(1);
  for (auto arg : splitOn(data, '\0')) r.args.emplace_back(arg);
  r.readyFd = std::move(fds.front());
  return Result<Request>(std::move(r));
}

// In the forked shim: the process berthd's posix_spawn makes (see runLauncher).
[[noreturn]] void failChild(int readyFd, const Error& e) {
  (void)writeAllTo(readyFd, "error launcher: " + e.what() + "\n", "ready fd");
  ::_exit(1);
}

void setUpChild(int readyFd, const sigset_t& mask) {
  if (readyFd != 3 && ::dup2(readyFd, 3) < 0) failChild(readyFd, sysError(errno, "dup2"));
  if (readyFd == 3 && ::fcntl(3, F_SETFD, 0) < 0) failChild(3, sysError(errno, "fcntl"));
  // The launcher's socket and signalfd, the received fd's first number.
  if (::close_range(4, ~0u, 0) != 0) failChild(3, sysError(errno, "close_range"));
  if (::setsid() < 0) failChild(3, sysError(errno, "setsid"));
  if (::sigprocmask(SIG_SETMASK, &mask, nullptr) != 0) failChild(3, sysError(errno, "sigmask"));
}

void reapChildren(int signalFd) {
  struct signalfd_siginfo info;
  while (::read(signalFd, &info, sizeof info) == sizeof info) {
  }
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

bool setProcessTitle(std::span<char> argArea, std::string_view title) {
  if (title.size() + 2 > argArea.size()) return false;
  std::memcpy(argArea.data(), title.data(), title.size());
  argArea[title.size()] = '\0';
  std::memset(argArea.data() + title.size() + 1, ' ', argArea.size() - title.size() - 1);
  return true;
}

std::optional<std::vector<std::string>> runLauncher(int sock, std::span<char> argArea) {
  std::string self(argArea.data(), ::strnlen(argArea.data(), argArea.size()));
  sigset_t original, chld;
  ::sigemptyset(&chld);
  ::sigaddset(&chld, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &chld, &original) != 0) {
    (void)writeAllTo(STDERR_FILENO, "berth-shim --launcher: sigprocmask failed\n", "stderr");
    ::_exit(1);
  }
  UniqueFd signalFd(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signalFd) {
    (void)writeAllTo(STDERR_FILENO, "berth-shim --launcher: signalfd failed\n", "stderr");
    ::_exit(1);
  }
  (void)setProcessTitle(argArea, self + " " + std::string(kLauncherFlag));
  // Not zeroed: each shim would inherit the pages as its own resident memory.
  std::unique_ptr<char[]> buf(new char[kMaxRequest]);
  // What the start-up ran, the shims do not need (see dropStartupText).
  dropStartupText();
  for (;;) {
    struct pollfd p[2] = {{sock, POLLIN, 0}, {signalFd.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      ::_exit(1);
    }
    if (p[1].revents & POLLIN) reapChildren(signalFd.get());
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto request = receive(sock, buf.get());
    if (!request) return std::nullopt;  // berthd closed its end
    if (!*request) {
      reply(sock, "error " + request->error().what());
      continue;
    }
    Request& r = **request;
    std::string title = self;
    for (const auto& a : r.args) title += " " + a;
    if (title.size() + 2 > argArea.size()) {
      reply(sock, "error command line of " + std::to_string(title.size()) +
                      " bytes does not fit in the launcher's " + std::to_string(argArea.size()));
      continue;
    }
    pid_t pid = ::fork();
    if (pid < 0) {
      reply(sock, "error " + sysError(errno, "fork").what());
      continue;
    }
    if (pid == 0) {
      int readyFd = r.readyFd.release();
      (void)signalFd.release();  // closed below with the rest, its number free for reuse
      setUpChild(readyFd, original);
      (void)setProcessTitle(argArea, title);
      std::vector<std::string> argv{self};
      for (auto& a : r.args) argv.push_back(std::move(a));
      return argv;
    }
    r.readyFd.reset();
    // Before any reap below: the child is at worst a zombie here, its pid still its own.
    UniqueFd pidfd(openPidfd(pid));
    if (!pidfd) {
      Error e = sysError(errno, "pidfd_open");
      ::kill(pid, SIGKILL);
      reply(sock, "error " + e.what());
      continue;
    }
    reply(sock, "ok " + std::to_string(pid), pidfd.get());
  }
}

}  // namespace berth::shim
