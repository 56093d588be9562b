#include "sys/syscalls.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <utility>

#include "base/file.h"
#include "base/strings.h"
#include "sys/raw.h"

namespace berth::sys {

namespace {

// struct clone_args of clone3(2), up to `cgroup` (CLONE_ARGS_SIZE_VER2).
struct CloneArgs {
  uint64_t flags = 0, pidfd = 0, childTid = 0, parentTid = 0, exitSignal = 0, stack = 0,
           stackSize = 0, tls = 0, setTid = 0, setTidSize = 0, cgroup = 0;
};
static_assert(sizeof(CloneArgs) == 88);
constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;

CloneArgs cloneArgs(unsigned long flags, int cgroupFd) {
  CloneArgs a;
  a.flags = flags | kCloneIntoCgroup;
  a.exitSignal = SIGCHLD;
  a.cgroup = static_cast<uint64_t>(cgroupFd);
  return a;
}

#if defined(__x86_64__)
// clone3 with a stack of its own: the child starts on that stack at the instruction after the
// syscall, with no frame to return to, so it calls fn(arg) from here and exits with its result.
// fn and arg travel in callee-saved registers, which the child inherits. Returns as clone3 does.
long clone3OnStack(CloneArgs* args, int (*fn)(void*), void* arg) {
  long ret;
  register void* fnReg asm("r12") = reinterpret_cast<void*>(fn);
  register void* argReg asm("r13") = arg;
  asm volatile(
      "syscall\n\t"
      "testq %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xorl %%ebp, %%ebp\n\t"
      "movq %%r13, %%rdi\n\t"
      "callq *%%r12\n\t"
      "movl %%eax, %%edi\n\t"
      "movl %[exitNr], %%eax\n\t"
      "syscall\n\t"
      "ud2\n\t"
      "1:\n\t"
      : "=a"(ret)
      : "0"(static_cast<long>(SYS_clone3)), "D"(args), "S"(sizeof(CloneArgs)), "r"(fnReg),
        "r"(argReg), [exitNr] "i"(SYS_exit)
      : "rcx", "r11", "memory", "cc");
  return ret;
}
#endif

// The raw calls leave errno alone; these wrappers set it as their callers expect.
int withErrno(int r) {
  if (r < 0) errno = -r;
  return r;
}

}  // namespace

int openat2Raw(int dirfd, const char* path, int flags, mode_t mode, uint64_t resolve) {
  return withErrno(raw::openat2(dirfd, path, flags, mode, resolve));
}

int openBeneathNoSymlinks(int dirfd, const char* path, int flags, mode_t mode) {
  return openat2Raw(dirfd, path, flags, mode,
                    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

int pivotRoot(const char* newRoot, const char* putOld) {
  return withErrno(raw::pivotRoot(newRoot, putOld));
}

int cloexecFrom(unsigned int first) {
  return withErrno(raw::cloexecFrom(first));
}

int setRecursiveReadonly(int dirfd, const char* path) {
  return withErrno(raw::setRecursiveReadonly(dirfd, path));
}

Result<ChildStack> ChildStack::allocate(size_t size) {
  // One guard page below: an overflow faults instead of writing into whatever lies there.
  size_t guard = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, size + guard, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return Error::sys(errno, "mmap child stack");
  ChildStack s;
  s.base_ = p;
  s.size_ = size + guard;
  s.guard_ = guard;
  if (::mprotect(p, guard, PROT_NONE) != 0) return Error::sys(errno, "mprotect child stack guard");
  return s;
}

ChildStack& ChildStack::operator=(ChildStack&& o) noexcept {
  if (this != &o) {
    if (base_) ::munmap(base_, size_);
    base_ = std::exchange(o.base_, nullptr);
    size_ = std::exchange(o.size_, 0);
    guard_ = std::exchange(o.guard_, 0);
  }
  return *this;
}

ChildStack::~ChildStack() {
  if (base_) ::munmap(base_, size_);
}

pid_t cloneSharedMemory(unsigned long flags, int (*fn)(void*), void* arg, const ChildStack& stack) {
  int r = ::clone(fn, stack.top(), static_cast<int>(flags | CLONE_VM | SIGCHLD), arg);
  return r < 0 ? -errno : r;
}

pid_t cloneSharedMemoryInto(unsigned long flags, int (*fn)(void*), void* arg,
                            const ChildStack& stack, int cgroupFd) {
#if defined(__x86_64__)
  CloneArgs a = cloneArgs(flags | CLONE_VM, cgroupFd);
  a.stack = reinterpret_cast<uint64_t>(stack.base());
  a.stackSize = stack.size();
  long r = clone3OnStack(&a, fn, arg);
  return static_cast<pid_t>(r);
#else
  (void)flags, (void)fn, (void)arg, (void)stack, (void)cgroupFd;
  return -ENOSYS;
#endif
}

pid_t cloneProcessInto(unsigned long flags, int cgroupFd) {
  CloneArgs a = cloneArgs(flags, cgroupFd);
  // Without a stack the child runs on a copy of ours, as after fork(2).
  long r = ::syscall(SYS_clone3, &a, sizeof a);
  return r < 0 ? -errno : static_cast<pid_t>(r);
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
  return withErrno(raw::capset(s.effective, s.permitted, s.inheritable));
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
  return withErrno(raw::dropBounding(keep));
}

int setAmbient(uint64_t caps) {
  return withErrno(raw::setAmbient(caps));
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

std::optional<uint64_t> mountIdOf(const std::string& path) {
  struct statx sx {};
  if (::statx(AT_FDCWD, path.c_str(), AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) != 0 ||
      !(sx.stx_mask & STATX_MNT_ID)) {
    return std::nullopt;
  }
  return sx.stx_mnt_id;
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
  return withErrno(raw::sendFd(sock, fd, data, len));
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
  if (data) data->assign(buf, static_cast<size_t>(r));
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS)
    return Error::internal("recvmsg: no file descriptor received");
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
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
