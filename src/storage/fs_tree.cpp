#include "storage/fs_tree.h"

#include "base/file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <utility>
#include <vector>

#include "base/unique_fd.h"

namespace berth::storage {
namespace {

class TreeVisitor {
 public:
  virtual ~TreeVisitor() = default;
  // A non-directory entry of the directory parentFd.
  virtual Status file(int parentFd, const std::string& name, const struct stat& st) = 0;
  // A directory of parentFd, called after everything inside it.
  virtual Status dirDone(int parentFd, const std::string& name, const struct stat& st) = 0;
  // A directory of parentFd that is the root of another mount; the walk does not enter it.
  virtual Status mountPoint(const std::string& path) = 0;
};

struct Frame {
  std::string name;  // in the parent frame's directory
  struct stat st;
  std::vector<std::pair<std::string, struct stat>> subdirs;  // still to visit
};

std::string displayPath(const std::string& top, const std::vector<Frame>& stack,
                        const std::string& leaf = {}) {
  std::string p = top;
  for (size_t i = 1; i < stack.size(); ++i) p += "/" + stack[i].name;
  if (!leaf.empty()) p += "/" + leaf;
  return p;
}

bool sameInode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

Result<bool> isMountRoot(int fd, const std::string& path) {
  struct statx stx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0) {
    return Error::sys(errno, "statx {}", path);
  }
  // Kernels before 5.8 do not report the attribute; their bind mounts go unnoticed here and
  // the final rmdir fails with EBUSY instead.
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
         (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

// Visits the entries of the directory fd: files now, subdirectories queued on frame.
Status readDir(int fd, Frame& frame, TreeVisitor& v, const std::string& path) {
  // The whole listing before changing the directory: removing entries while readdir walks a
  // hashed directory may skip others.
  auto names = TRY(listDirAt(fd, path));
  for (auto& name : names) {
    struct stat st;
    if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;
      return Error::sys(errno, "lstat {}/{}", path, name);
    }
    if (S_ISDIR(st.st_mode)) {
      frame.subdirs.emplace_back(std::move(name), st);
    } else {
      TRY(v.file(fd, name, st));
    }
  }
  return ok();
}

// Depth-first walk below topFd holding one directory fd at a time: it climbs back with ".."
// and checks each step against the inode it expects, so a tree moved meanwhile stops the walk
// instead of sending it elsewhere.
Status walkTree(int topFd, const struct stat& topSt, const std::string& top, TreeVisitor& v) {
  UniqueFd cur(::fcntl(topFd, F_DUPFD_CLOEXEC, 0));
  if (!cur) return Error::sys(errno, "dup {}", top);
  std::vector<Frame> stack;
  stack.push_back(Frame{"", topSt, {}});
  TRY(readDir(cur.get(), stack.back(), v, top));
  for (;;) {
    Frame& f = stack.back();
    if (!f.subdirs.empty()) {
      auto [name, st] = std::move(f.subdirs.back());
      f.subdirs.pop_back();
      std::string path = displayPath(top, stack, name);
      UniqueFd child(
          ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) {
        if (errno == ENOENT) continue;
        return Error::sys(errno, "open {}", path);
      }
      if (TRY(isMountRoot(child.get(), path))) {
        TRY(v.mountPoint(path));
        continue;
      }
      struct stat now;
      if (::fstat(child.get(), &now) < 0) return Error::sys(errno, "stat {}", path);
      if (!sameInode(now, st)) return Error::internal("{} was replaced during the walk", path);
      cur = std::move(child);
      stack.push_back(Frame{std::move(name), st, {}});
      TRY(readDir(cur.get(), stack.back(), v, path));
      continue;
    }
    if (stack.size() == 1) return ok();
    Frame done = std::move(stack.back());
    stack.pop_back();
    std::string parentPath = displayPath(top, stack);
    UniqueFd parent(::openat(cur.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) return Error::sys(errno, "open {}", parentPath);
    struct stat now;
    if (::fstat(parent.get(), &now) < 0) return Error::sys(errno, "stat {}", parentPath);
    if (!sameInode(now, stack.back().st)) {
      return Error::internal("{} was moved during the walk", parentPath);
    }
    cur = std::move(parent);
    TRY(v.dirDone(cur.get(), done.name, done.st));
  }
}

class Remover : public TreeVisitor {
 public:
  explicit Remover(std::string top) : top_(std::move(top)) {}
  Status file(int parentFd, const std::string& name, const struct stat&) override {
    return unlink(parentFd, name, 0);
  }
  Status dirDone(int parentFd, const std::string& name, const struct stat&) override {
    return unlink(parentFd, name, AT_REMOVEDIR);
  }
  Status mountPoint(const std::string& path) override {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("refusing to remove {}: {} is a mount point", top_, path));
  }

 private:
  Status unlink(int parentFd, const std::string& name, int flags) {
    if (::unlinkat(parentFd, name.c_str(), flags) < 0 && errno != ENOENT) {
      return Error::sys(errno, "unlink {}/.../{}", top_, name);
    }
    return ok();
  }
  std::string top_;
};

class UsageCounter : public TreeVisitor {
 public:
  Status file(int, const std::string&, const struct stat& st) override {
    if (st.st_nlink > 1 && !seen_.emplace(st.st_dev, st.st_ino).second) return ok();
    add(st);
    return ok();
  }
  Status dirDone(int, const std::string&, const struct stat&) override { return ok(); }
  // Like du -x: another filesystem's bytes are not this tree's.
  Status mountPoint(const std::string&) override { return ok(); }
  // docker's directory.Size: the lstat size of what is not a directory (a file's length, a
  // symlink's target's).
  void add(const struct stat& st) {
    if (!S_ISDIR(st.st_mode)) bytes_ += static_cast<int64_t>(st.st_size);
  }
  int64_t bytes() const { return bytes_; }

 private:
  std::set<std::pair<dev_t, ino_t>> seen_;
  int64_t bytes_ = 0;
};

std::pair<std::string, std::string> splitPath(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

Status removeTreeAt(int dirFd, const std::string& name) {
  struct stat st;
  if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return ok();
    return Error::sys(errno, "lstat {}", name);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirFd, name.c_str(), 0) < 0 && errno != ENOENT) {
      return Error::sys(errno, "unlink {}", name);
    }
    return ok();
  }
  UniqueFd fd(::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", name);
  if (TRY(isMountRoot(fd.get(), name))) {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("refusing to remove {}: it is a mount point", name));
  }
  if (::fstat(fd.get(), &st) < 0) return Error::sys(errno, "stat {}", name);
  Remover remover(name);
  TRY(walkTree(fd.get(), st, name, remover));
  if (::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) {
    return Error::sys(errno, "rmdir {}", name);
  }
  return ok();
}

Status removeTree(const std::string& path) {
  auto [dir, base] = splitPath(path);
  UniqueFd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirFd) {
    if (errno == ENOENT) return ok();
    return Error::sys(errno, "open {}", dir);
  }
  auto st = removeTreeAt(dirFd.get(), base);
  if (!st) return std::move(st).error().context(fmt::format("remove {}", path));
  return ok();
}

Result<int64_t> treeContentSize(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_PATH));
  if (!fd) return Error::sys(errno, "open {}", path);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return Error::sys(errno, "stat {}", path);
  UsageCounter counter;
  counter.add(st);
  if (!S_ISDIR(st.st_mode)) return counter.bytes();
  UniqueFd dir(::openat(fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Error::sys(errno, "open {}", path);
  TRY(walkTree(dir.get(), st, path, counter));
  return counter.bytes();
}

Status syncDir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", path);
  if (::fsync(fd.get()) < 0) return Error::sys(errno, "fsync {}", path);
  return ok();
}

std::string randomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(buf.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // No entropy source at all is a broken host; a predictable temp name only costs a retry.
      for (; got < bytes; ++got) buf[got] = static_cast<unsigned char>(::getpid() + got);
      break;
    }
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : buf) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace berth::storage
