#include "engine/shim_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <spdlog/spdlog.h>

#include "base/strings.h"
#include "shim/launcher.h"
#include "shim/protocol.h"
#include "sys/syscalls.h"

namespace berth::engine {

namespace {

// Reads one line (byte by byte: what follows the line belongs to the stream).
Result<std::string> readLine(int fd, int timeoutMs) {
  std::string line;
  for (;;) {
    if (timeoutMs >= 0) {
      struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
      int r = ::poll(&p, 1, timeoutMs);
      if (r == 0) return Error(ErrorKind::Unavailable, "shim did not answer in time");
      if (r < 0 && errno != EINTR) return Error::sys(errno, "poll shim");
    }
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::sys(errno, "read from shim");
    if (n == 0) {
      if (line.empty()) return Error(ErrorKind::Unavailable, "shim closed the connection");
      return line;
    }
    if (c == '\n') return line;
    line.push_back(c);
    if (line.size() > 65536) return Error::internal("shim answer too long");
  }
}

Result<std::string> parseAnswer(const std::string& line) {
  if (line == "ok") return std::string();
  if (startsWith(line, "ok ")) return line.substr(3);
  if (startsWith(line, "error ")) {
    std::string msg = line.substr(6);
    ErrorKind kind = ErrorKind::Internal;
    if (msg.find("not running") != std::string::npos || msg.find("already") != std::string::npos) {
      kind = ErrorKind::Conflict;
    }
    return Error(kind, msg);
  }
  return Error::internal("unexpected answer from shim: {:?}", line);
}

// posix_spawn (vfork underneath) in a new session: a fork of the daemon would copy its page
// tables first, milliseconds per start. The child gets /dev/null on 0-2 and fd3 on 3, nothing
// else, no signal blocked and SIGPIPE's default action.
Result<pid_t> spawnDetached(const std::vector<std::string>& args, int fd3) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2(&fa, 0, 1);
  posix_spawn_file_actions_adddup2(&fa, 0, 2);
  posix_spawn_file_actions_adddup2(&fa, fd3, 3);  // dup2 clears O_CLOEXEC on 3
  // Not every fd of the daemon is O_CLOEXEC (sockets accepted by Asio are not): a client
  // connection inherited by a long-lived shim would never see its EOF.
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t dfl;
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &dfl);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error::sys(rc, "spawn {}", args[0]);
  return pid;
}

// Room in the launcher's argv for each shim's command line (see shim/launcher.h).
constexpr size_t kLauncherTitleRoom = 4096;
// The launcher answers as soon as it has forked; one that does not is wedged.
constexpr int kLauncherAnswerMs = 10000;

}  // namespace

bool runtimeIsLinked(const std::string& runtimePath) {
  return runtimePath == "berth-runtime" || endsWith(runtimePath, "/berth-runtime");
}

ShimLauncher::~ShimLauncher() {
  std::lock_guard g(mu_);
  stopLocked(false);
}

Status ShimLauncher::start() {
  std::lock_guard g(mu_);
  return startLocked();
}

Status ShimLauncher::startLocked() {
  if (sock_) return {};
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return Error::sys(errno, "socketpair");
  UniqueFd ours(sv[0]), theirs(sv[1]);
  pid_ = TRY(spawnDetached(
      {shimPath_, std::string(shim::kLauncherFlag), std::string(kLauncherTitleRoom, '-')},
      theirs.get()));
  sock_ = std::move(ours);
  return {};
}

void ShimLauncher::stopLocked(bool kill) {
  if (!sock_) return;
  sock_.reset();  // its end of the socket: the launcher exits
  if (kill) ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = 0;
}

Result<SpawnedShim> ShimLauncher::requestLocked(const std::vector<std::string>& args, int readyFd) {
  std::string data;
  for (const auto& a : args) data.append(a).push_back('\0');
  if (sys::sendFd(sock_.get(), readyFd, data.data(), data.size()) != 0)
    return Error(ErrorKind::Unavailable, fmt::format("send: {}", std::strerror(errno)));
  struct pollfd p = {.fd = sock_.get(), .events = POLLIN, .revents = 0};
  int r;
  do {
    r = ::poll(&p, 1, kLauncherAnswerMs);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return Error(ErrorKind::Unavailable, "no answer in time");
  std::string text;
  auto pidfd = sys::recvFd(sock_.get(), &text);
  if (startsWith(text, "error ")) return Error::internal("{}", text.substr(6));
  if (!pidfd) return Error(ErrorKind::Unavailable, pidfd.error().what());
  auto pid = startsWith(text, "ok ") ? parseInt(text.substr(3), "pid") : Result<long long>(0);
  if (!pid || *pid <= 0)
    return Error(ErrorKind::Unavailable, fmt::format("unexpected answer {:?}", text));
  return SpawnedShim{static_cast<pid_t>(*pid), std::move(*pidfd), UniqueFd()};
}

std::optional<SpawnedShim> ShimLauncher::launch(const std::vector<std::string>& args, int readyFd) {
  std::lock_guard g(mu_);
  // Once more after a launcher found gone (killed, or berthd's restart of it failed).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto st = startLocked(); !st) {
      spdlog::warn("shim launcher: {}", st.error().what());
      return std::nullopt;
    }
    auto s = requestLocked(args, readyFd);
    if (s) return std::move(*s);
    if (s.error().kind() != ErrorKind::Unavailable) {
      spdlog::debug("shim launcher refused: {}", s.error().what());
      return std::nullopt;
    }
    spdlog::warn("shim launcher (pid {}): {}; starting it again", pid_, s.error().what());
    stopLocked(true);
  }
  return std::nullopt;
}

Result<SpawnedShim> spawnShim(const ShimLaunch& l, ShimLauncher* launcher) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
  UniqueFd readEnd(ready[0]), writeEnd(ready[1]);

  std::vector<std::string> args = {"--id",        l.id,       "--bundle",   l.bundle,
                                   "--state-dir", l.stateDir, "--runtime",  l.runtimePath,
                                   "--log",       l.logPath,  "--ready-fd", "3"};
  if (!l.runtimeRoot.empty()) {
    args.push_back("--runtime-root");
    args.push_back(l.runtimeRoot);
  }
  if (!l.oomFile.empty()) {
    args.push_back("--oom-file");
    args.push_back(l.oomFile);
  }
  if (runtimeIsLinked(l.runtimePath)) args.push_back("--runtime-linked");
  if (l.tty) args.push_back("--tty");
  if (l.stdinOpen) args.push_back("--stdin");
  if (l.stdinOnce) args.push_back("--stdin-once");

  if (launcher) {
    if (auto s = launcher->launch(args, writeEnd.get())) {
      s->ready = std::move(readEnd);
      return std::move(*s);
    }
  }
  args.insert(args.begin(), l.shimPath);
  pid_t pid = TRY(spawnDetached(args, writeEnd.get()));
  return SpawnedShim{pid, UniqueFd(), std::move(readEnd)};
}

Status awaitShim(SpawnedShim& s, const std::string& id) {
  auto line = readLine(s.ready.get(), 60000);
  s.ready.reset();
  if (!line) {
    ::kill(s.pid, SIGKILL);
    return Error::internal("start shim for {}: {}", id, line.error().message());
  }
  if (*line == "ok") return {};
  if (startsWith(*line, "error ")) return Error(ErrorKind::Internal, line->substr(6));
  ::kill(s.pid, SIGKILL);
  return Error::internal("start shim for {}: unexpected readiness line {:?}", id, *line);
}

Result<UniqueFd> connectShim(const std::string& stateDir) {
  auto fd = sys::connectUnix(stateDir + "/" + shim::kSocketName, "shim socket");
  if (!fd) return Error(ErrorKind::Unavailable, fd.error().what());
  return fd;
}

Result<std::string> shimRequest(int fd, const std::string& line) {
  std::string msg = line + "\n";
  if (::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(msg.size())) {
    return Error(ErrorKind::Unavailable, fmt::format("send to shim: {}", std::strerror(errno)));
  }
  std::string answer = TRY(readLine(fd, -1));
  return parseAnswer(answer);
}

Result<std::string> shimCall(const std::string& stateDir, const std::string& line) {
  UniqueFd fd = TRY(connectShim(stateDir));
  return shimRequest(fd.get(), line);
}

}  // namespace berth::engine
