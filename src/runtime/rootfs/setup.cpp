// Child side: builds the container's root filesystem from the plan's mount steps, then
// pivot_root. Every target is opened with openat2(RESOLVE_BENEATH) relative to the rootfs, so a
// symlink planted in the image cannot redirect a mount onto the host.

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/process/child.h"
#include "runtime/sync.h"
#include "sys/syscalls.h"

namespace berth::runtime::child {
namespace {

constexpr uint64_t kResolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

struct Ctx {
  int rootfd;
  char* err;
  size_t errLen;
  int parentFd = -1;  // parentAndName's cache
  char parentPath[1024] = "";
};

int failWith(Ctx& c, int err, const char* what, const char* path) {
  std::snprintf(c.err, c.errLen, "%s %s", what, path);
  return -err;
}

// Creates name in the directory dirfd: an empty file or a directory. EEXIST is fine.
int createIn(int dirfd, const char* name, bool isFile) {
  if (isFile) {
    int f = ::openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f < 0) return errno == EEXIST ? 0 : -errno;
    ::close(f);
    return 0;
  }
  return ::mkdirat(dirfd, name, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

// Opens target (absolute, inside the rootfs) as O_PATH, creating missing directories on the way
// and the last component as a directory or an empty file. Returns fd or -errno.
int openTarget(Ctx& c, const char* target, bool create, bool isFile) {
  const char* rel = target;
  while (*rel == '/') ++rel;
  if (*rel == '\0') {
    int fd = ::openat(c.rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
  }
  int fd = sys::openat2Raw(c.rootfd, rel, O_PATH | O_CLOEXEC, 0, kResolve);
  if (fd >= 0 || fd != -ENOENT || !create) return fd;
  char buf[4096];
  std::snprintf(buf, sizeof buf, "%s", rel);
  size_t len = std::strlen(buf);
  // Usual case: only the last component is missing. One lookup of the parent, then create.
  if (char* slash = std::strrchr(buf, '/')) {
    *slash = '\0';
    int parent = sys::openat2Raw(c.rootfd, buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, kResolve);
    *slash = '/';
    if (parent >= 0) {
      int r = createIn(parent, slash + 1, isFile);
      ::close(parent);
      if (r < 0) return r;
      return sys::openat2Raw(c.rootfd, rel, O_PATH | O_CLOEXEC, 0, kResolve);
    }
  }
  // Walk prefixes: make each missing directory in its (already resolved) parent.
  int parent = ::openat(c.rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  size_t start = 0;
  while (start < len) {
    size_t end = start;
    while (end < len && buf[end] != '/') ++end;
    bool last = end == len;
    buf[end] = '\0';
    int next = sys::openat2Raw(c.rootfd, buf, O_PATH | O_CLOEXEC, 0, kResolve);
    if (next == -ENOENT) {
      if (int r = createIn(parent, buf + start, last && isFile); r < 0) {
        ::close(parent);
        return r;
      }
      next = sys::openat2Raw(c.rootfd, buf, O_PATH | O_CLOEXEC, 0, kResolve);
    }
    ::close(parent);
    if (next < 0) return next;
    if (last) return next;
    buf[end] = '/';
    parent = next;
    start = end + 1;
  }
  return parent;
}

void fdPath(int fd, char* out, size_t len) {
  std::snprintf(out, len, "/proc/self/fd/%d", fd);
}

// A bind remount keeps the flags the kernel locked on the source mount (nosuid, nodev...).
int remountBind(const char* path, unsigned long flags) {
  if (::mount(nullptr, path, nullptr, flags, nullptr) == 0) return 0;
  if (errno != EPERM) return -errno;
  struct statvfs sv {};
  if (::statvfs(path, &sv) != 0) return -errno;
  unsigned long locked = 0;
  if (sv.f_flag & ST_NOSUID) locked |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) locked |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) locked |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) locked |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) locked |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) locked |= MS_RELATIME;
  if (sv.f_flag & ST_RDONLY) locked |= MS_RDONLY;
  return ::mount(nullptr, path, nullptr, flags | locked, nullptr) == 0 ? 0 : -errno;
}

int reopenAndApply(Ctx& c, const MountStep& s) {
  if (!s.remountFlags && !s.propagation) return 0;
  int fd = openTarget(c, s.target.c_str(), false, false);
  if (fd < 0) return failWith(c, -fd, "open", s.target.c_str());
  char p[64];
  fdPath(fd, p, sizeof p);
  int r = 0;
  if (s.remountFlags) {
    r = remountBind(p, s.remountFlags);
    if (r < 0) failWith(c, -r, "remount", s.target.c_str());
  }
  if (r == 0 && s.propagation && ::mount(nullptr, p, nullptr, s.propagation, nullptr) != 0) {
    r = failWith(c, errno, "set propagation of", s.target.c_str());
  }
  ::close(fd);
  return r;
}

// The directory holding target, opened (and created) once for a run of steps in the same
// directory (the devices and links of /dev). The fd belongs to the context: do not close it.
int parentAndName(Ctx& c, const char* target, int* parentOut, const char** nameOut) {
  const char* slash = std::strrchr(target, '/');
  size_t n = static_cast<size_t>(slash - target);
  *nameOut = slash + 1;
  if (c.parentFd >= 0 && n == std::strlen(c.parentPath) &&
      std::strncmp(c.parentPath, target, n) == 0) {
    *parentOut = c.parentFd;
    return 0;
  }
  char dir[sizeof c.parentPath];
  std::snprintf(dir, sizeof dir, "%.*s", static_cast<int>(n), target);
  if (n == 0) std::snprintf(dir, sizeof dir, "/");
  int pfd = openTarget(c, dir, true, false);
  if (pfd < 0) return pfd;
  if (c.parentFd >= 0) ::close(c.parentFd);
  c.parentFd = pfd;
  std::snprintf(c.parentPath, sizeof c.parentPath, "%.*s", static_cast<int>(n), target);
  *parentOut = pfd;
  return 0;
}

int applyStep(Ctx& c, const MountStep& s) {
  const char* t = s.target.c_str();
  bool mounts = s.kind == MountStep::Kind::Mount || s.kind == MountStep::Kind::Bind ||
                s.kind == MountStep::Kind::BindDevice;
  if (mounts && c.parentFd >= 0) {
    // A mount may cover the cached directory: look it up again next time.
    ::close(c.parentFd);
    c.parentFd = -1;
  }
  char p[64];
  switch (s.kind) {
    case MountStep::Kind::Mkdir: {
      int fd = openTarget(c, t, true, false);
      if (fd < 0) return failWith(c, -fd, "mkdir", t);
      ::close(fd);
      return 0;
    }
    case MountStep::Kind::Symlink: {
      int parent;
      const char* name;
      if (int r = parentAndName(c, t, &parent, &name); r < 0) {
        return s.optional ? 0 : failWith(c, -r, "open parent of", t);
      }
      int r = ::symlinkat(s.source.c_str(), parent, name);
      int e = errno;
      if (r != 0 && e != EEXIST && !s.optional) return failWith(c, e, "symlink", t);
      return 0;
    }
    case MountStep::Kind::Mknod: {
      int parent;
      const char* name;
      if (int r = parentAndName(c, t, &parent, &name); r < 0)
        return failWith(c, -r, "open parent of", t);
      int r = 0;
      if (::mknodat(parent, name, s.mode, s.dev) != 0 && errno != EEXIST) {
        r = failWith(c, errno, "mknod", t);
      } else if (::fchmodat(parent, name, s.mode & 07777, 0) != 0) {
        r = failWith(c, errno, "chmod", t);
      } else if (s.chown && ::fchownat(parent, name, s.uid, s.gid, AT_SYMLINK_NOFOLLOW) != 0) {
        r = failWith(c, errno, "chown", t);
      }
      return r;
    }
    case MountStep::Kind::BindDevice:
    case MountStep::Kind::Bind: {
      int fd = openTarget(c, t, true, s.targetIsFile);
      if (fd < 0) return failWith(c, -fd, "create mount point", t);
      fdPath(fd, p, sizeof p);
      unsigned long flags =
          s.kind == MountStep::Kind::BindDevice ? static_cast<unsigned long>(MS_BIND) : s.flags;
      int r = ::mount(s.source.c_str(), p, nullptr, flags, nullptr) == 0 ? 0 : -errno;
      ::close(fd);
      if (r < 0) {
        std::snprintf(c.err, c.errLen, "bind mount %s on %s", s.source.c_str(), t);
        return r;
      }
      return reopenAndApply(c, s);
    }
    case MountStep::Kind::Mount: {
      int fd = openTarget(c, t, !(s.flags & MS_REMOUNT), false);
      if (fd < 0) return failWith(c, -fd, "create mount point", t);
      fdPath(fd, p, sizeof p);
      if (s.flags & MS_REMOUNT) {
        ::close(fd);
        fd = openTarget(c, t, false, false);
        if (fd < 0) return failWith(c, -fd, "open", t);
        fdPath(fd, p, sizeof p);
      }
      const char* data = s.data.empty() ? nullptr : s.data.c_str();
      int r = ::mount(s.source.empty() ? nullptr : s.source.c_str(), p,
                      s.fstype.empty() ? nullptr : s.fstype.c_str(), s.flags, data);
      if (r != 0 && errno == EPERM && s.fstype == "sysfs") {
        // sysfs needs a network namespace of the mounter's user namespace: fall back to the
        // host's, read-only, as runc does.
        r = ::mount("/sys", p, nullptr, MS_BIND | MS_REC, nullptr);
        if (r == 0) {
          ::close(fd);
          fd = openTarget(c, t, false, false);
          fdPath(fd, p, sizeof p);
          r = remountBind(p, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        }
      }
      int e = errno;
      ::close(fd);
      if (r != 0) {
        std::snprintf(c.err, c.errLen, "mount %s on %s (type %s)", s.source.c_str(), t,
                      s.fstype.c_str());
        return -e;
      }
      if (s.propagation) return reopenAndApply(c, s);
      return 0;
    }
    case MountStep::Kind::RecursiveReadonly: {
      int fd = openTarget(c, t, false, false);
      if (fd < 0) return failWith(c, -fd, "open", t);
      int r = sys::setRecursiveReadonly(fd, "");
      ::close(fd);
      return r < 0 ? failWith(c, -r, "make recursively read-only", t) : 0;
    }
  }
  return 0;
}

int maskPath(const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) return errno == ENOENT ? 0 : -errno;
  int r = S_ISDIR(st.st_mode) ? ::mount("tmpfs", path, "tmpfs", MS_RDONLY, nullptr)
                              : ::mount("/dev/null", path, nullptr, MS_BIND, nullptr);
  return r == 0 ? 0 : -errno;
}

int readonlyPath(const char* path) {
  if (::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return errno == ENOENT ? 0 : -errno;
  return remountBind(path, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC);
}

}  // namespace

int setupRootfs(InitPlan& plan, char* errText, size_t errLen) {
  Ctx c{-1, errText, errLen};
  const char* rootfs = plan.rootfs.c_str();
  if (::mount(nullptr, "/", nullptr, plan.rootPropagation, nullptr) != 0) {
    return failWith(c, errno, "set propagation of", "/");
  }
  if ((plan.rootPropagation & MS_SHARED) && !plan.rootfsParentMount.empty()) {
    ::mount(nullptr, plan.rootfsParentMount.c_str(), nullptr, MS_PRIVATE, nullptr);
  }
  if (::mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return failWith(c, errno, "bind mount rootfs", rootfs);
  }
  c.rootfd = ::open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c.rootfd < 0) return failWith(c, errno, "open", rootfs);
  for (const auto& s : plan.mounts) {
    if (s.cgroupMount && plan.deferCgroupMounts) continue;
    if (s.needsCgroup && plan.awaitGo) {
      if (int r = joinedCgroup(plan); r < 0) return failWith(c, -r, "join", "cgroup");
    }
    if (int r = applyStep(c, s); r < 0) return r;
  }
  if (plan.awaitGo && !plan.deferCgroupMounts) {
    if (int r = joinedCgroup(plan); r < 0) return failWith(c, -r, "join", "cgroup");
  }
  if (plan.hooksSync) {
    sendMsg(plan.syncFd, SyncType::Hooks, 0);
    if (!recvMsg(plan.syncFd, SyncType::HooksDone)) {
      return failWith(c, ECANCELED, "wait for", "prestart/createRuntime hooks");
    }
    ssize_t n = ::recv(plan.syncFd, plan.stateBuf.data(), plan.stateBuf.size(), 0);
    plan.stateLen = n > 0 ? static_cast<size_t>(n) : 0;
    if (::fchdir(c.rootfd) != 0) return failWith(c, errno, "chdir", rootfs);
    runCreateContainerHooks(plan);
  }
  if (::chdir(rootfs) != 0) return failWith(c, errno, "chdir", rootfs);
  if (plan.noPivot) {
    if (::mount(rootfs, "/", nullptr, MS_MOVE, nullptr) != 0)
      return failWith(c, errno, "move mount", rootfs);
    if (::chroot(".") != 0) return failWith(c, errno, "chroot", rootfs);
  } else {
    // pivot_root(".", ".") stacks the old root under the new one; detach it right away.
    if (int r = sys::pivotRoot(".", "."); r < 0) return failWith(c, -r, "pivot_root", rootfs);
    if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      return failWith(c, errno, "make old root rslave", "");
    }
    if (::umount2(".", MNT_DETACH) != 0) return failWith(c, errno, "unmount old root", "");
  }
  if (::chdir("/") != 0) return failWith(c, errno, "chdir", "/");
  // sysctls go in before /proc/sys becomes read-only (docker lists it in readonlyPaths).
  for (const auto& [path, value] : plan.sysctl) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return failWith(c, errno, "open", path.c_str());
    ssize_t n = ::write(fd, value.data(), value.size());
    int e = errno;
    ::close(fd);
    if (n < 0) return failWith(c, e, "write", path.c_str());
  }
  for (const auto& m : plan.maskedPaths) {
    if (int r = maskPath(m.c_str()); r < 0) return failWith(c, -r, "mask", m.c_str());
  }
  for (const auto& m : plan.readonlyPaths) {
    if (int r = readonlyPath(m.c_str()); r < 0) return failWith(c, -r, "make read-only", m.c_str());
  }
  if (plan.deferCgroupMounts) {
    // rootfd is the new root: the steps resolve as they would have before pivot_root.
    if (plan.awaitGo) {
      if (int r = joinedCgroup(plan); r < 0) return failWith(c, -r, "join", "cgroup");
    }
    for (const auto& s : plan.mounts) {
      if (!s.cgroupMount) continue;
      if (int r = applyStep(c, s); r < 0) return r;
    }
  }
  ::close(c.rootfd);
  if (c.parentFd >= 0) ::close(c.parentFd);
  c.parentFd = -1;
  if (plan.readonlyRoot) {
    if (int r = remountBind("/", MS_BIND | MS_REMOUNT | MS_RDONLY); r < 0) {
      return failWith(c, -r, "remount read-only", "/");
    }
  }
  if (plan.rootfsPropagation &&
      ::mount(nullptr, "/", nullptr, plan.rootfsPropagation, nullptr) != 0) {
    return failWith(c, errno, "set rootfs propagation of", "/");
  }
  return 0;
}

}  // namespace berth::runtime::child
