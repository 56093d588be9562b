#pragma once
// Syscalls that leave errno alone: each returns its result, or -errno on failure. The code that
// runs between clone and execve uses only these. A child cloned with CLONE_VM shares the
// parent's memory, thread pointer and so errno included: a failing glibc wrapper in the child
// could overwrite the errno of a call the parent has just made, and the other way round.
// Nothing here allocates, locks or touches thread-local state.

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace berth::sys::raw {

// The syscall instruction itself: the kernel's result, -errno on failure.
inline long call(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0,
                 long a6 = 0) {
#if defined(__x86_64__)
  register long r10 asm("r10") = a4;
  register long r8 asm("r8") = a5;
  register long r9 asm("r9") = a6;
  long ret;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 asm("x8") = nr;
  register long x0 asm("x0") = a1;
  register long x1 asm("x1") = a2;
  register long x2 asm("x2") = a3;
  register long x3 asm("x3") = a4;
  register long x4 asm("x4") = a5;
  register long x5 asm("x5") = a6;
  asm volatile("svc 0"
               : "+r"(x0)
               : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
               : "memory");
  return x0;
#else
#error "sys/raw.h: raw syscalls are written for x86_64 and aarch64 only"
#endif
}

// Integers keep their value (ints sign-extend, unsigned ones do not); pointers their address.
template <typename T>
long arg(T v) {
  if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
    return reinterpret_cast<long>(v);
  } else {
    return static_cast<long>(v);
  }
}

// For the calls whose result is an int (a descriptor, 0, -errno).
template <typename... A>
int call32(long nr, A... a) {
  return static_cast<int>(call(nr, arg(a)...));
}

inline int openat(int dirfd, const char* path, int flags, mode_t mode = 0) {
  return call32(SYS_openat, dirfd, path, flags, mode);
}
int openat2(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve);
inline int close(int fd) {
  return call32(SYS_close, fd);
}
inline long write(int fd, const void* buf, size_t n) {
  return call(SYS_write, arg(fd), arg(buf), arg(n));
}
inline long read(int fd, void* buf, size_t n) {
  return call(SYS_read, arg(fd), arg(buf), arg(n));
}
inline int mount(const char* source, const char* target, const char* fstype, unsigned long flags,
                 const void* data) {
  return call32(SYS_mount, source, target, fstype, flags, data);
}
inline int umount2(const char* target, int flags) {
  return call32(SYS_umount2, target, flags);
}
inline int mkdirat(int dirfd, const char* path, mode_t mode) {
  return call32(SYS_mkdirat, dirfd, path, mode);
}
inline int mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) {
  return call32(SYS_mknodat, dirfd, path, mode, dev);
}
inline int fchmodat(int dirfd, const char* path, mode_t mode) {
  return call32(SYS_fchmodat, dirfd, path, mode);
}
inline int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) {
  return call32(SYS_fchownat, dirfd, path, uid, gid, flags);
}
inline int fchown(int fd, uid_t uid, gid_t gid) {
  return call32(SYS_fchown, fd, uid, gid);
}
inline int symlinkat(const char* target, int dirfd, const char* linkpath) {
  return call32(SYS_symlinkat, target, dirfd, linkpath);
}
inline int stat(const char* path, struct stat* st) {
  return call32(SYS_newfstatat, AT_FDCWD, path, st, 0);
}
inline int statfs(const char* path, struct statfs* st) {
  return call32(SYS_statfs, path, st);
}
inline int access(const char* path, int mode) {
  return call32(SYS_faccessat, AT_FDCWD, path, mode);
}
inline int chdir(const char* path) {
  return call32(SYS_chdir, path);
}
inline int fchdir(int fd) {
  return call32(SYS_fchdir, fd);
}
inline int chroot(const char* path) {
  return call32(SYS_chroot, path);
}
inline int pivotRoot(const char* newRoot, const char* putOld) {
  return call32(SYS_pivot_root, newRoot, putOld);
}
int setRecursiveReadonly(int dirfd, const char* path);

inline int unshare(unsigned long flags) {
  return call32(SYS_unshare, flags);
}
inline int setns(int fd, int nstype) {
  return call32(SYS_setns, fd, nstype);
}
inline int sethostname(const char* name, size_t len) {
  return call32(SYS_sethostname, name, len);
}
inline int setdomainname(const char* name, size_t len) {
  return call32(SYS_setdomainname, name, len);
}
inline int setsid() {
  return call32(SYS_setsid);
}
inline int ioctl(int fd, unsigned long request, long value) {
  return call32(SYS_ioctl, fd, request, value);
}
inline int ioctl(int fd, unsigned long request, void* p) {
  return call32(SYS_ioctl, fd, request, p);
}
int dup2(int from, int to);
int pipe2(int fds[2], int flags);
// fork(2) without glibc's atfork handlers (fit for a process that only execs or _exits), with
// extra clone flags (CLONE_PARENT, CLONE_NEW*).
inline int fork(unsigned long flags = 0) {
  return call32(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}
inline int wait4(int pid, int* status, int options) {
  return call32(SYS_wait4, pid, status, options, 0);
}
// Sends SIGALRM after `seconds` (alarm(2), which aarch64 lacks).
int alarm(unsigned seconds);
inline int execve(const char* path, char* const argv[], char* const envp[]) {
  return call32(SYS_execve, path, argv, envp);
}
// The whole signal mask; glibc's sigset_t is larger than the kernel's, which reads its start.
inline int setSignalMask(const sigset_t* set) {
  return call32(SYS_rt_sigprocmask, SIG_SETMASK, set, nullptr, 8);
}

inline int prctl(int option, unsigned long a2 = 0, unsigned long a3 = 0, unsigned long a4 = 0,
                 unsigned long a5 = 0) {
  return call32(SYS_prctl, option, a2, a3, a4, a5);
}
inline int setgroups(size_t n, const gid_t* groups) {
  return call32(SYS_setgroups, n, groups);
}
inline int setresgid(gid_t gid) {
  return call32(SYS_setresgid, gid, gid, gid);
}
inline int setresuid(uid_t uid) {
  return call32(SYS_setresuid, uid, uid, uid);
}
inline int umask(mode_t mask) {
  return call32(SYS_umask, mask);
}
inline int setrlimit(int resource, const struct rlimit* value) {
  return call32(SYS_prlimit64, 0, resource, value, nullptr);
}
// Marks every fd >= first close-on-exec (close_range CLOSE_RANGE_CLOEXEC).
int cloexecFrom(unsigned int first);
inline long seccomp(unsigned int op, unsigned int flags, void* args) {
  return call(SYS_seccomp, arg(op), arg(flags), arg(args));
}

inline long send(int fd, const void* buf, size_t n, int flags) {
  return call(SYS_sendto, arg(fd), arg(buf), arg(n), arg(flags), 0, 0);
}
inline long recv(int fd, void* buf, size_t n, int flags) {
  return call(SYS_recvfrom, arg(fd), arg(buf), arg(n), arg(flags), 0, 0);
}
// Sends one file descriptor with `data` (at least one byte goes) over a unix socket.
int sendFd(int sock, int fd, const void* data, size_t len);

// Capabilities as 64-bit masks (bit n = capability n).
int capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
// Drops every capability whose bit is clear in `keep` from the bounding set.
int dropBounding(uint64_t keep);
// Clears the ambient set and raises the given capabilities in it.
int setAmbient(uint64_t caps);

}  // namespace berth::sys::raw
