#include "image/layer_fs.h"

#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>

#include "sys/syscalls.h"

namespace berth::image {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

// openat2 answers EAGAIN when a rename raced the lookup; nothing renames inside a layer being
// unpacked, so a few retries are plenty.
int openBeneath(int dirfd, const std::string& path) {
  int fd = -EAGAIN;
  for (int i = 0; i < 8 && fd == -EAGAIN; ++i)
    fd = sys::openBeneathNoSymlinks(dirfd, path.c_str(), kDirFlags);
  return fd;
}

Error openError(int err, std::string_view path, std::string_view entry) {
  switch (err) {
    case ELOOP:
      return Error::invalid("refusing layer entry \"{}\": path through a symlink ({})", entry,
                            path);
    case EXDEV:
      return Error::invalid("refusing layer entry \"{}\": {} escapes the layer", entry, path);
    case ENOTDIR:
      return Error::invalid("refusing layer entry \"{}\": {} is not a directory", entry, path);
    default:
      return Error::sys(err, "openat2 {}", path).context(fmt::format("layer entry \"{}\"", entry));
  }
}

}  // namespace

Result<int> BeneathDirs::get(std::string_view path, std::string_view entry, bool create) {
  if (path.empty()) return rootfd_;
  if (cached_ && path == cachedPath_) return cached_.get();
  UniqueFd fd = TRY(openPath(path, entry, create));
  cachedPath_.assign(path);
  cached_ = std::move(fd);
  return cached_.get();
}

Result<UniqueFd> BeneathDirs::open(std::string_view path, std::string_view entry) {
  return openPath(path, entry, false);
}

void BeneathDirs::remember(std::string_view path, UniqueFd fd) {
  cachedPath_.assign(path);
  cached_ = std::move(fd);
}

void BeneathDirs::forgetUnder(std::string_view path) {
  if (!cached_) return;
  std::string_view c(cachedPath_);
  if (path.empty() || c == path ||
      (c.size() > path.size() && c.substr(0, path.size()) == path && c[path.size()] == '/')) {
    cached_.reset();
    cachedPath_.clear();
  }
}

int BeneathDirs::tryOpen(const std::string& path) const {
  return openBeneath(rootfd_, path.empty() ? std::string(".") : path);
}

Result<UniqueFd> BeneathDirs::openPath(std::string_view path, std::string_view entry, bool create) {
  if (path.empty()) {
    int fd = ::fcntl(rootfd_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return Error::sys(errno, "dup layer root");
    return UniqueFd(fd);
  }
  std::string p(path);
  int fd = openBeneath(rootfd_, p);
  if (fd >= 0) return UniqueFd(fd);
  if (fd != -ENOENT || !create) return openError(-fd, path, entry);

  // Some parents are missing (tars need not list every directory): walk down one component at
  // a time, making what is missing, each step again refusing symlinks.
  UniqueFd cur;
  int curfd = rootfd_;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string comp = p.substr(i, j - i);
    int next = openBeneath(curfd, comp);
    if (next == -ENOENT) {
      if (::mkdirat(curfd, comp.c_str(), 0755) < 0 && errno != EEXIST) {
        return Error::sys(errno, "mkdirat {}", p.substr(0, j))
            .context(fmt::format("layer entry \"{}\"", entry));
      }
      next = openBeneath(curfd, comp);
      if (next >= 0 && ::fchmod(next, 0755) < 0) {
        int err = errno;
        ::close(next);
        return Error::sys(err, "fchmod {}", p.substr(0, j));
      }
    }
    if (next < 0) return openError(-next, p.substr(0, j), entry);
    cur.reset(next);
    curfd = next;
    i = j + 1;
  }
  return cur;
}

Status removeAllAt(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return ok();
  if (errno != EISDIR && errno != EPERM) return Error::sys(errno, "unlinkat {}", name);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::sys(errno, "openat {}", name);
  UniqueFd child(fd);
  auto names = TRY(listDirAt(child.get(), name));
  for (const auto& n : names) TRY_CTX(removeAllAt(child.get(), n), "remove {}", name);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) {
    return Error::sys(errno, "rmdir {}", name);
  }
  return ok();
}

std::string fdRelativePath(int dirfd, std::string_view name) {
  return fmt::format("/proc/self/fd/{}/{}", dirfd, name);
}

Result<std::vector<std::pair<std::string, std::string>>> readXattrs(int fd,
                                                                    const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string names(256, '\0');
  ssize_t n;
  for (;;) {
    n = fd >= 0 ? ::flistxattr(fd, names.data(), names.size())
                : ::llistxattr(path.c_str(), names.data(), names.size());
    if (n >= 0) break;
    if (errno == ENOTSUP) return out;
    if (errno != ERANGE) return Error::sys(errno, "listxattr {}", path);
    names.resize(names.size() * 4);
  }
  names.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < names.size();) {
    std::string key(names.c_str() + i);
    i += key.size() + 1;
    if (key.empty()) continue;
    std::string value(64, '\0');
    for (;;) {
      ssize_t v = fd >= 0 ? ::fgetxattr(fd, key.c_str(), value.data(), value.size())
                          : ::lgetxattr(path.c_str(), key.c_str(), value.data(), value.size());
      if (v >= 0) {
        value.resize(static_cast<size_t>(v));
        break;
      }
      if (errno == ENODATA) {  // removed between list and get
        value.clear();
        key.clear();
        break;
      }
      if (errno != ERANGE) return Error::sys(errno, "getxattr {} {}", path, key);
      value.resize(value.size() * 4);
    }
    if (!key.empty()) out.emplace_back(std::move(key), std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace berth::image
