#include "shim/util.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

// Defined by the linker: the start of the executable and the end of its text.
extern "C" char __executable_start, etext;

namespace berth::shim {

Error sysError(int err, std::string what) {
  return Error(errorKindFromErrno(err), std::move(what), err);
}

Error invalidArgument(std::string message) {
  return Error(ErrorKind::InvalidArgument, std::move(message));
}

Status writeAllTo(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sysError(errno, "write " + std::string(what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

Result<std::string> readSmallFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sysError(errno, "open " + path);
  std::string out;
  char buf[512];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sysError(errno, "read " + path);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

long long oomKillCount(const std::string& path) {
  auto text = readSmallFile(path);
  if (!text) return 0;
  for (std::string_view line : splitOn(*text, '\n')) {
    auto f = splitOn(trimSpace(line), ' ');
    if (f.size() == 2 && f[0] == "oom_kill") return parseDecimal(f[1]).value_or(0);
  }
  return 0;
}

Result<pid_t> readPidFile(const std::string& path) {
  auto text = TRY(readSmallFile(path));
  auto pid = parseDecimal(trimSpace(text));
  if (!pid || *pid <= 0) return Error(ErrorKind::Internal, "pid file " + path + " holds no pid");
  return static_cast<pid_t>(*pid);
}

Status writeFileReplacing(const std::string& path, std::string_view data, bool durable) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return sysError(errno, "open " + tmp);
  Status st = writeAllTo(fd.get(), data, tmp);
  if (st && durable && ::fsync(fd.get()) != 0) st = sysError(errno, "fsync " + tmp);
  fd.reset();
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = sysError(errno, "rename " + path);
  if (!st) ::unlink(tmp.c_str());
  return st;
}

std::optional<long long> parseDecimal(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return std::nullopt;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

std::string_view trimSpace(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> splitOn(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

Result<size_t> receiveWithFds(int sock, char* buf, size_t size, std::vector<UniqueFd>& fds) {
  struct iovec iov = {buf, size};
  alignas(struct cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sysError(errno, "recvmsg");
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.emplace_back(fd);
    }
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    return Error(ErrorKind::InvalidArgument, "recvmsg: message or its fds cut short");
  }
  return static_cast<size_t>(n);
}

Result<UniqueFd> receiveFd(int sock) {
  char data[256];
  std::vector<UniqueFd> fds;
  TRY(receiveWithFds(sock, data, sizeof data, fds));
  if (fds.empty()) return Error(ErrorKind::Unavailable, "recvmsg: no file descriptor received");
  return std::move(fds.front());
}

Status sendWithFd(int sock, std::string_view data, int fd) {
  struct iovec iov = {const_cast<char*>(data.data()), data.size()};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sysError(errno, "sendmsg");
  return {};
}

int openPidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

int cloexecFrom(unsigned first) {
  return static_cast<int>(::syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC));
}

void dropStartupText() {
  // The linker's bounds of the executable's first segments: the ELF header and the text. Text
  // is never written (no text relocations), so dropping it loses nothing; the read-only data
  // after it is left alone, relocated data (RELRO) among it.
  uintptr_t lo = reinterpret_cast<uintptr_t>(&__executable_start) & ~uintptr_t{4095};
  uintptr_t hi = (reinterpret_cast<uintptr_t>(&etext) + 4095) & ~uintptr_t{4095};
  (void)::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

}  // namespace berth::shim
