#include "engine/shim_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/strings.h"
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

}  // namespace

bool runtimeIsLinked(const std::string& runtimePath) {
  return runtimePath == "berth-runtime" || endsWith(runtimePath, "/berth-runtime");
}

Result<SpawnedShim> spawnShim(const ShimLaunch& l) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
  UniqueFd readEnd(ready[0]), writeEnd(ready[1]);

  std::vector<std::string> args = {
      l.shimPath,    "--id",       l.id,        "--bundle",    l.bundle,
      "--state-dir", l.stateDir,   "--runtime", l.runtimePath, "--log",
      l.logPath,     "--ready-fd", "3"};
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
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // posix_spawn (vfork underneath) in a new session: a fork of the daemon would copy its page
  // tables first, milliseconds per start. The shim is then berthd's child; the caller reaps it
  // once the container has exited (and init adopts it if berthd dies first).
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2(&fa, 0, 1);
  posix_spawn_file_actions_adddup2(&fa, 0, 2);
  posix_spawn_file_actions_adddup2(&fa, writeEnd.get(), 3);  // dup2 clears O_CLOEXEC on 3
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
  pid_t shimPid = 0;
  int rc = ::posix_spawn(&shimPid, argv[0], &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error::sys(rc, "spawn {}", l.shimPath);
  return SpawnedShim{shimPid, std::move(readEnd)};
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
