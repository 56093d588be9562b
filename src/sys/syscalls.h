#pragma once
// Thin wrappers over the syscalls the runtime needs and glibc 2.36 does not wrap (openat2,
// pivot_root, close_range, pidfd_open, mount_setattr, capset) plus helpers for the sync socket
// between the runtime and the container's init. The functions marked "child-safe" neither
// allocate nor throw: they may run between clone and execve.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::sys {

// child-safe: openat2 with RESOLVE_* flags. Returns fd or -errno.
int openat2Raw(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve);
// child-safe: openat2 that stays below dirfd and follows no symlink on the way (RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): how layer code opens paths inside a layer.
int openBeneathNoSymlinks(int dirfd, const char* path, int flags, mode_t mode = 0);
// child-safe
int pivotRoot(const char* newRoot, const char* putOld);
// child-safe: marks every fd >= first close-on-exec (close_range CLOSE_RANGE_CLOEXEC).
int cloexecFrom(unsigned int first);
// child-safe: mount_setattr(fd/path, AT_RECURSIVE, MOUNT_ATTR_RDONLY).
int setRecursiveReadonly(int dirfd, const char* path);
// child-safe: raw clone that behaves like fork; extra flags (CLONE_PARENT, CLONE_NEW*).
pid_t cloneProcess(unsigned long flags);

// Memory for a stack of a child that shares ours (cloneSharedMemory), with a guard page.
class ChildStack {
 public:
  static Result<ChildStack> allocate(size_t size);
  ChildStack() = default;
  ChildStack(ChildStack&& o) noexcept { *this = std::move(o); }
  ChildStack& operator=(ChildStack&& o) noexcept;
  ~ChildStack();
  void* top() const { return static_cast<char*>(base_) + size_; }
  // The usable part, above the guard page (clone3 takes the stack as base and size).
  void* base() const { return static_cast<char*>(base_) + guard_; }
  size_t size() const { return size_ - guard_; }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
  size_t guard_ = 0;
};
// A child that runs fn(arg) on `stack` in this process's memory (CLONE_VM, vfork style but
// without suspending us) until it execs or exits; flags add CLONE_NEW* (not CLONE_NEWTIME, which
// the kernel refuses with CLONE_VM). Until then the parent must not change or free what the child
// reads, nor free the stack, and the child must make its syscalls through sys/raw.h, as they share
// errno. Returns the pid or -errno.
pid_t cloneSharedMemory(unsigned long flags, int (*fn)(void*), void* arg, const ChildStack& stack);
// The same two, with the child born in the cgroup whose directory cgroupFd is open
// (clone3 CLONE_INTO_CGROUP, Linux 5.7): no write into cgroup.procs, which can wait for an RCU
// grace period. -errno on failure (-ENOSYS for cloneSharedMemoryInto where this architecture
// has no clone3 trampoline); the caller falls back to the plain clone and a cgroup.procs write.
pid_t cloneSharedMemoryInto(unsigned long flags, int (*fn)(void*), void* arg,
                            const ChildStack& stack, int cgroupFd);
pid_t cloneProcessInto(unsigned long flags, int cgroupFd);

Result<UniqueFd> pidfdOpen(pid_t pid);

// Capabilities as 64-bit masks (bit n = capability n). child-safe.
struct CapSets {
  uint64_t effective = 0, permitted = 0, inheritable = 0;
};
int capsetRaw(const CapSets& sets);
int capgetRaw(CapSets& sets);
// child-safe: drops every capability whose bit is clear in `keep` from the bounding set.
int dropBounding(uint64_t keep);
// child-safe: clears the ambient set and raises the given capabilities in it.
int setAmbient(uint64_t caps);
// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).
int lastCap();

// The start time (field 22 of /proc/<pid>/stat, clock ticks since boot) to tell a live process
// from a recycled pid; nullopt when the process is gone. Zombies count as gone.
std::optional<uint64_t> processStartTime(pid_t pid);

// The ID of the mount that holds path (statx STATX_MNT_ID); nullopt when path cannot be reached.
std::optional<uint64_t> mountIdOf(const std::string& path);

// Sends and receives one file descriptor over a unix socket (SCM_RIGHTS). child-safe send.
// recvFd sets data to the message (4 KiB at most) also when it came without a fd.
int sendFd(int sock, int fd, const void* data, size_t len);
Result<UniqueFd> recvFd(int sock, std::string* data = nullptr);
// A SOCK_STREAM unix socket connected to path; `what` names it in errors ("console socket").
Result<UniqueFd> connectUnix(const std::string& path, const char* what);

}  // namespace berth::sys
