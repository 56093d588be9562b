#include "sys/raw.h"

#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/prctl.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace berth::sys::raw {

int openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  return call32(SYS_openat2, dirfd, path, &how, sizeof how);
}

int setRecursiveReadonly(int dirfd, const char* path) {
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  return call32(SYS_mount_setattr, dirfd, path, AT_RECURSIVE | AT_EMPTY_PATH, &attr, sizeof attr);
}

int dup2(int from, int to) {
#ifdef SYS_dup2
  return call32(SYS_dup2, from, to);
#else
  if (from == to) return call32(SYS_fcntl, from, F_GETFD) < 0 ? -EBADF : to;
  return call32(SYS_dup3, from, to, 0);
#endif
}

int pipe2(int fds[2], int flags) {
  return call32(SYS_pipe2, fds, flags);
}

int alarm(unsigned seconds) {
  struct itimerval t {};
  t.it_value.tv_sec = seconds;
  return call32(SYS_setitimer, ITIMER_REAL, &t, nullptr);
}

int cloexecFrom(unsigned int first) {
  return call32(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC);
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
  int r;
  do {
    r = call32(SYS_sendmsg, sock, &msg, MSG_NOSIGNAL);
  } while (r == -EINTR);
  return r < 0 ? r : 0;
}

int capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  data[0].effective = static_cast<uint32_t>(effective);
  data[1].effective = static_cast<uint32_t>(effective >> 32);
  data[0].permitted = static_cast<uint32_t>(permitted);
  data[1].permitted = static_cast<uint32_t>(permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(inheritable);
  data[1].inheritable = static_cast<uint32_t>(inheritable >> 32);
  return call32(SYS_capset, &hdr, data);
}

int dropBounding(uint64_t keep) {
  for (int cap = 0; cap <= 63; ++cap) {
    if (keep & (1ULL << cap)) continue;
    if (int r = prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap)); r < 0) {
      if (r == -EINVAL) break;  // past the kernel's last capability
      return r;
    }
  }
  return 0;
}

int setAmbient(uint64_t caps) {
  if (int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL); r < 0) return r;
  for (int cap = 0; cap <= 63; ++cap) {
    if (!(caps & (1ULL << cap))) continue;
    int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, static_cast<unsigned long>(cap));
    if (r < 0) return r;
  }
  return 0;
}

}  // namespace berth::sys::raw
