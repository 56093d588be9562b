#include "sys/syscalls.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "base/file.h"
#include "base/strings.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace berth::sys {

int openat2Raw(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  long r = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  return r < 0 ? -errno : static_cast<int>(r);
}

int openBeneathNoSymlinks(int dirfd, const char* path, int flags, mode_t mode) {
  return openat2Raw(dirfd, path, flags, mode,
                    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

int pivotRoot(const char* newRoot, const char* putOld) {
  return ::syscall(SYS_pivot_root, newRoot, putOld) < 0 ? -errno : 0;
}

int cloexecFrom(unsigned int first) {
  return ::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0 ? -errno : 0;
}

int setRecursiveReadonly(int dirfd, const char* path) {
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  long r =
      ::syscall(SYS_mount_setattr, dirfd, path, AT_RECURSIVE | AT_EMPTY_PATH, &attr, sizeof attr);
  return r < 0 ? -errno : 0;
}

pid_t cloneProcess(unsigned long flags) {
  // With a null stack the child runs on a copy of the caller's stack, exactly like fork(2).
  long r = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0);
  return r < 0 ? -errno : static_cast<pid_t>(r);
}

Result<UniqueFd> pidfdOpen(pid_t pid) {
  long r = ::syscall(SYS_pidfd_open, pid, 0);
  if (r < 0) return Error::sys(errno, "pidfd_open {}", pid);
  return UniqueFd(static_cast<int>(r));
}

int capsetRaw(const CapSets& s) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  data[0].effective = static_cast<uint32_t>(s.effective);
  data[1].effective = static_cast<uint32_t>(s.effective >> 32);
  data[0].permitted = static_cast<uint32_t>(s.permitted);
  data[1].permitted = static_cast<uint32_t>(s.permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(s.inheritable);
  data[1].inheritable = static_cast<uint32_t>(s.inheritable >> 32);
  return ::syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

int capgetRaw(CapSets& s) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &hdr, data) < 0) return -errno;
  s.effective = data[0].effective | (static_cast<uint64_t>(data[1].effective) << 32);
  s.permitted = data[0].permitted | (static_cast<uint64_t>(data[1].permitted) << 32);
  s.inheritable = data[0].inheritable | (static_cast<uint64_t>(data[1].inheritable) << 32);
  return 0;
}

int dropBounding(uint64_t keep) {
  for (int cap = 0; cap <= 63; ++cap) {
    if (keep & (1ULL << cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) break;  // past the kernel's last capability
      return -errno;
    }
  }
  return 0;
}

int setAmbient(uint64_t caps) {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return -errno;
  for (int cap = 0; cap <= 63; ++cap) {
    if (!(caps & (1ULL << cap))) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return -errno;
  }
  return 0;
}

int lastCap() {
  static int cached = -1;
  if (cached >= 0) return cached;
  auto text = readFile("/proc/sys/kernel/cap_last_cap");
  cached = 40;
  if (text) {
    auto v = parseInt(trim(*text), "cap_last_cap");
    if (v) cached = static_cast<int>(*v);
  }
  return cached;
}

std::optional<uint64_t> processStartTime(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  auto text = readFile(path);
  if (!text) return std::nullopt;
  // comm (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  size_t close = text->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  auto fields = split(std::string_view(*text).substr(close + 2), ' ', true);
  // fields[0] is the state (field 3); starttime is field 22 -> index 19.
  if (fields.size() < 20) return std::nullopt;
  if (fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  auto v = parseUint(fields[19], "starttime");
  if (!v) return std::nullopt;
  return *v;
}

int sendFd(int sock, int fd, const void* data, size_t len) {
  char dummy = 0;
  struct iovec iov {};
  iov.iov_base = len ? const_cast<void*>(data) : &dummy;
  iov.iov_len = len ? len : 1;
  alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  std::memset(cbuf, 0, sizeof cbuf);
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t r;
  do {
    r = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : 0;
}

Result<UniqueFd> recvFd(int sock, std::string* data) {
  char buf[4096];
  struct iovec iov {};
  iov.iov_base = buf;
  iov.iov_len = sizeof buf;
  alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  ssize_t r;
  do {
    r = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return Error::sys(errno, "recvmsg");
  if (r == 0)
    return Error::make(ErrorKind::Unavailable, "recvmsg: peer closed without sending a fd");
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS)
    return Error::internal("recvmsg: no file descriptor received");
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  if (data) data->assign(buf, static_cast<size_t>(r));
  return UniqueFd(fd);
}

Result<UniqueFd> connectUnix(const std::string& path, const char* what) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return Error::invalid("{} path {:?} is too long", what, path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::sys(errno, "socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Error::sys(errno, "connect {} {}", what, path);
  }
  return fd;
}

}  // namespace berth::sys
