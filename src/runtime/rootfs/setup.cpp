// Child side: builds the container's root filesystem from the plan's mount steps, then
// pivot_root. Every target is opened with openat2(RESOLVE_BENEATH) relative to the rootfs, so a
// symlink planted in the image cannot redirect a mount onto the host.

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/process/child.h"
#include "runtime/sync.h"
#include "sys/raw.h"

namespace berth::runtime::child {
namespace {

namespace raw = sys::raw;

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
    int f = raw::openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f < 0) return f == -EEXIST ? 0 : f;
    raw::close(f);
    return 0;
  }
  int r = raw::mkdirat(dirfd, name, 0755);
  return r == -EEXIST ? 0 : r;
}

// Opens target (absolute, inside the rootfs) as O_PATH, creating missing directories on the way
// and the last component as a directory or an empty file. Returns fd or -errno.
int openTarget(Ctx& c, const char* target, bool create, bool isFile) {
  const char* rel = target;
  while (*rel == '/') ++rel;
  if (*rel == '\0') {
    return raw::openat(c.rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  int fd = raw::openat2(c.rootfd, rel, O_PATH | O_CLOEXEC, 0, kResolve);
  if (fd >= 0 || fd != -ENOENT || !create) return fd;
  char buf[4096];
  std::snprintf(buf, sizeof buf, "%s", rel);
  size_t len = std::strlen(buf);
  // Usual case: only the last component is missing. One lookup of the parent, then create.
  if (char* slash = std::strrchr(buf, '/')) {
    *slash = '\0';
    int parent = raw::openat2(c.rootfd, buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, kResolve);
    *slash = '/';
    if (parent >= 0) {
      int r = createIn(parent, slash + 1, isFile);
      raw::close(parent);
      if (r < 0) return r;
      return raw::openat2(c.rootfd, rel, O_PATH | O_CLOEXEC, 0, kResolve);
    }
  }
  // Walk prefixes: make each missing directory in its (already resolved) parent.
  int parent = raw::openat(c.rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0) return parent;
  size_t start = 0;
  while (start < len) {
    size_t end = start;
    while (end < len && buf[end] != '/') ++end;
    bool last = end == len;
    buf[end] = '\0';
    int next = raw::openat2(c.rootfd, buf, O_PATH | O_CLOEXEC, 0, kResolve);
    if (next == -ENOENT) {
      if (int r = createIn(parent, buf + start, last && isFile); r < 0) {
        raw::close(parent);
        return r;
      }
      next = raw::openat2(c.rootfd, buf, O_PATH | O_CLOEXEC, 0, kResolve);
    }
    raw::close(parent);
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
  int r = raw::mount(nullptr, path, nullptr, flags, nullptr);
  if (r != -EPERM) return r;
  // statfs's f_flags holds the ST_* mount flags (what statvfs reports as f_flag).
  struct statfs sf {};
  if (int e = raw::statfs(path, &sf); e < 0) return e;
  unsigned long f = static_cast<unsigned long>(sf.f_flags);
  unsigned long locked = 0;
  if (f & ST_NOSUID) locked |= MS_NOSUID;
  if (f & ST_NODEV) locked |= MS_NODEV;
  if (f & ST_NOEXEC) locked |= MS_NOEXEC;
  if (f & ST_NOATIME) locked |= MS_NOATIME;
  if (f & ST_NODIRATIME) locked |= MS_NODIRATIME;
  if (f & ST_RELATIME) locked |= MS_RELATIME;
  if (f & ST_RDONLY) locked |= MS_RDONLY;
  return raw::mount(nullptr, path, nullptr, flags | locked, nullptr);
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
  if (r == 0 && s.propagation) {
    if (int e = raw::mount(nullptr, p, nullptr, s.propagation, nullptr); e < 0)
      r = failWith(c, -e, "set propagation of", s.target.c_str());
  }
  raw::close(fd);
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
  if (c.parentFd >= 0) raw::close(c.parentFd);
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
    raw::close(c.parentFd);
    c.parentFd = -1;
  }
  char p[64];
  switch (s.kind) {
    case MountStep::Kind::Mkdir: {
      // Usual case: a new directory in a parent we hold (the hierarchies of a cgroup mount), one
      // mkdirat. Anything else (it exists, the parent is missing) takes the general lookup.
      int parent;
      const char* name;
      if (parentAndName(c, t, &parent, &name) == 0 && raw::mkdirat(parent, name, 0755) == 0)
        return 0;
      int fd = openTarget(c, t, true, false);
      if (fd < 0) return failWith(c, -fd, "mkdir", t);
      raw::close(fd);
      return 0;
    }
    case MountStep::Kind::Symlink: {
      int parent;
      const char* name;
      if (int r = parentAndName(c, t, &parent, &name); r < 0) {
        return s.optional ? 0 : failWith(c, -r, "open parent of", t);
      }
      int r = raw::symlinkat(s.source.c_str(), parent, name);
      if (r < 0 && r != -EEXIST && !s.optional) return failWith(c, -r, "symlink", t);
      return 0;
    }
    case MountStep::Kind::Mknod: {
      int parent;
      const char* name;
      if (int r = parentAndName(c, t, &parent, &name); r < 0)
        return failWith(c, -r, "open parent of", t);
      if (int r = raw::mknodat(parent, name, s.mode, s.dev); r < 0 && r != -EEXIST)
        return failWith(c, -r, "mknod", t);
      if (int r = raw::fchmodat(parent, name, s.mode & 07777); r < 0)
        return failWith(c, -r, "chmod", t);
      if (s.chown) {
        if (int r = raw::fchownat(parent, name, s.uid, s.gid, AT_SYMLINK_NOFOLLOW); r < 0)
          return failWith(c, -r, "chown", t);
      }
      return 0;
    }
    case MountStep::Kind::BindDevice:
    case MountStep::Kind::Bind: {
      int fd = openTarget(c, t, true, s.targetIsFile);
      if (fd < 0) return failWith(c, -fd, "create mount point", t);
      fdPath(fd, p, sizeof p);
      unsigned long flags =
          s.kind == MountStep::Kind::BindDevice ? static_cast<unsigned long>(MS_BIND) : s.flags;
      int r = raw::mount(s.source.c_str(), p, nullptr, flags, nullptr);
      raw::close(fd);
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
      const char* data = s.data.empty() ? nullptr : s.data.c_str();
      int r = raw::mount(s.source.empty() ? nullptr : s.source.c_str(), p,
                         s.fstype.empty() ? nullptr : s.fstype.c_str(), s.flags, data);
      if (r == -EPERM && s.fstype == "sysfs") {
        // sysfs needs a network namespace of the mounter's user namespace: fall back to the
        // host's, read-only, as runc does.
        r = raw::mount("/sys", p, nullptr, MS_BIND | MS_REC, nullptr);
        if (r == 0) {
          raw::close(fd);
          fd = openTarget(c, t, false, false);
          fdPath(fd, p, sizeof p);
          r = remountBind(p, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        }
      }
      raw::close(fd);
      if (r < 0) {
        std::snprintf(c.err, c.errLen, "mount %s on %s (type %s)", s.source.c_str(), t,
                      s.fstype.c_str());
        return r;
      }
      if (s.propagation) return reopenAndApply(c, s);
      return 0;
    }
    case MountStep::Kind::RecursiveReadonly: {
      int fd = openTarget(c, t, false, false);
      if (fd < 0) return failWith(c, -fd, "open", t);
      int r = raw::setRecursiveReadonly(fd, "");
      raw::close(fd);
      return r < 0 ? failWith(c, -r, "make recursively read-only", t) : 0;
    }
  }
  return 0;
}

int maskPath(const char* path) {
  struct stat st {};
  if (int r = raw::stat(path, &st); r < 0) return r == -ENOENT ? 0 : r;
  return S_ISDIR(st.st_mode) ? raw::mount("tmpfs", path, "tmpfs", MS_RDONLY, nullptr)
                             : raw::mount("/dev/null", path, nullptr, MS_BIND, nullptr);
}

int readonlyPath(const char* path) {
  if (int r = raw::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr); r < 0)
    return r == -ENOENT ? 0 : r;
  return remountBind(path, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC);
}

}  // namespace

int setupRootfs(InitPlan& plan, char* errText, size_t errLen) {
  Ctx c{-1, errText, errLen};
  const char* rootfs = plan.rootfs.c_str();
  const bool host = plan.hostMountNamespace;
  // In the host's namespace "/" stays as it is: only the container's own bind changes.
  if (!host) {
    if (int r = raw::mount(nullptr, "/", nullptr, plan.rootPropagation, nullptr); r < 0) {
      return failWith(c, -r, "set propagation of", "/");
    }
    if ((plan.rootPropagation & MS_SHARED) && !plan.rootfsParentMount.empty()) {
      raw::mount(nullptr, plan.rootfsParentMount.c_str(), nullptr, MS_PRIVATE, nullptr);
    }
  }
  if (int r = raw::mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr); r < 0) {
    return failWith(c, -r, "bind mount rootfs", rootfs);
  }
  if (host) {
    // Private: the container's mounts reach no other namespace, and delete detaches them all.
    if (int r = raw::mount(nullptr, rootfs, nullptr, MS_PRIVATE | MS_REC, nullptr); r < 0)
      return failWith(c, -r, "make private", rootfs);
  }
  c.rootfd = raw::openat(AT_FDCWD, rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c.rootfd < 0) return failWith(c, -c.rootfd, "open", rootfs);
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
    long n = raw::recv(plan.syncFd, plan.stateBuf.data(), plan.stateBuf.size(), 0);
    plan.stateLen = n > 0 ? static_cast<size_t>(n) : 0;
    if (int r = raw::fchdir(c.rootfd); r < 0) return failWith(c, -r, "chdir", rootfs);
    runCreateContainerHooks(plan);
  }
  if (int r = raw::chdir(rootfs); r < 0) return failWith(c, -r, "chdir", rootfs);
  if (host) {
    if (int r = raw::chroot("."); r < 0) return failWith(c, -r, "chroot", rootfs);
  } else if (plan.noPivot) {
    if (int r = raw::mount(rootfs, "/", nullptr, MS_MOVE, nullptr); r < 0)
      return failWith(c, -r, "move mount", rootfs);
    if (int r = raw::chroot("."); r < 0) return failWith(c, -r, "chroot", rootfs);
  } else {
    // pivot_root(".", ".") stacks the old root under the new one; detach it right away.
    if (int r = raw::pivotRoot(".", "."); r < 0) return failWith(c, -r, "pivot_root", rootfs);
    if (int r = raw::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr); r < 0) {
      return failWith(c, -r, "make old root rslave", "");
    }
    if (int r = raw::umount2(".", MNT_DETACH); r < 0)
      return failWith(c, -r, "unmount old root", "");
  }
  if (int r = raw::chdir("/"); r < 0) return failWith(c, -r, "chdir", "/");
  // sysctls go in before /proc/sys becomes read-only (docker lists it in readonlyPaths).
  for (const auto& [path, value] : plan.sysctl) {
    int fd = raw::openat(AT_FDCWD, path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return failWith(c, -fd, "open", path.c_str());
    long n = raw::write(fd, value.data(), value.size());
    raw::close(fd);
    if (n < 0) return failWith(c, static_cast<int>(-n), "write", path.c_str());
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
  raw::close(c.rootfd);
  if (c.parentFd >= 0) raw::close(c.parentFd);
  c.parentFd = -1;
  if (plan.readonlyRoot) {
    if (int r = remountBind("/", MS_BIND | MS_REMOUNT | MS_RDONLY); r < 0) {
      return failWith(c, -r, "remount read-only", "/");
    }
  }
  if (plan.rootfsPropagation) {
    if (int r = raw::mount(nullptr, "/", nullptr, plan.rootfsPropagation, nullptr); r < 0)
      return failWith(c, -r, "set rootfs propagation of", "/");
  }
  return 0;
}

}  // namespace berth::runtime::child
