#include "base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/unique_fd.h"

namespace berth {

Result<std::string> readFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", path);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "read {}", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status writeAll(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "write {}", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode,
                       Durability durability) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) return Error::sys(errno, "open {}", tmp);
  auto st = writeAll(fd.get(), data, tmp);
  if (st && durability == Durability::Synced && ::fsync(fd.get()) != 0)
    st = Error::sys(errno, "fsync {}", tmp);
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = Error::sys(errno, "rename {}", path);
  if (!st) ::unlink(tmp.c_str());
  return st;
}

Status writeFile(const std::string& path, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", path);
  ssize_t n = ::write(fd.get(), data.data(), data.size());
  if (n < 0) return Error::sys(errno, "write {}", path);
  if (static_cast<size_t>(n) != data.size()) return Error::internal("write {}: short write", path);
  return ok();
}

Status ensureDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0) return ok();
  int err = errno;
  if (err == ENOENT) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    auto slash = trimmed.find_last_of('/');
    std::string parent = slash == std::string::npos ? "."
                         : slash == 0               ? "/"
                                                    : trimmed.substr(0, slash);
    if (parent != path && parent != "/" && parent != ".") {
      TRY(ensureDir(parent, 0755));
      if (::mkdir(path.c_str(), mode) == 0) return ok();
      err = errno;
    }
  }
  struct stat st;
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return ok();
  return Error::sys(err, "mkdir {}", path);
}

Result<std::vector<std::string>> listDirAt(int dirfd, std::string_view what) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::sys(errno, "open {}", what);
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);
    return Error::sys(err, "opendir {}", what);
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n != "." && n != "..") names.emplace_back(n);
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Error::sys(err, "readdir {}", what);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace berth
