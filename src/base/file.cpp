#include "base/file.h"

#include <fcntl.h>
#include <unistd.h>

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

static Status writeAll(int fd, std::string_view data, const std::string& path) {
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

}  // namespace berth
