// File access inside cgroup directories, shared by the v1 and v2 managers.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

// Subdirectories of dir (child cgroups); none when dir is missing.
std::vector<std::string> childDirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) out.push_back(dir + "/" + name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void unlinkPlainFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (auto* e = ::readdir(d))
    if (e->d_type == DT_REG) ::unlinkat(::dirfd(d), e->d_name, 0);
  ::closedir(d);
}

}  // namespace

Result<UniqueFd> openCgroupDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", dir);
  return fd;
}

Status CgroupFs::write(const std::string& path, std::string_view value) const {
  if (!fake) return writeFile(path, value);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return Error::sys(errno, "open {}", path);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    return Error::sys(errno, "write {}", path);
  return ok();
}

Status ControlFileWriter::write(const std::string& path, std::string_view value) {
  if (fs_.fake) return fs_.write(path, value);
  if (!fd_ || path != path_) {
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    path_ = fd_ ? path : std::string();
    if (!fd_) return Error::sys(errno, "open {}", path);
  }
  // Each write(2) to a control file is one complete value, whatever was written before.
  ssize_t n = ::write(fd_.get(), value.data(), value.size());
  if (n < 0) return Error::sys(errno, "write {}", path);
  if (static_cast<size_t>(n) != value.size()) return Error::internal("write {}: short write", path);
  return ok();
}

Result<std::string> CgroupFs::read(const std::string& path) const {
  auto text = TRY(readFile(path));
  return std::string(trim(text));
}

bool CgroupFs::exists(const std::string& path) const {
  return ::access(path.c_str(), F_OK) == 0;
}

Result<std::vector<std::string>> CgroupFs::mkdirAll(const std::string& path) const {
  std::vector<std::string> created;
  // Usual case first: the parent exists, one mkdir instead of one per component.
  if (::mkdir(path.c_str(), 0755) == 0) return std::vector<std::string>{path};
  if (errno == EEXIST) return created;
  std::string cur;
  for (const auto& part : split(path, '/', true)) {
    cur += "/" + part;
    if (::mkdir(cur.c_str(), 0755) == 0) {
      created.push_back(cur);
    } else if (errno != EEXIST) {
      return Error::sys(errno, "mkdir {}", cur);
    }
  }
  return created;
}

Status CgroupFs::removeTree(const std::string& dir) const {
  // Usual case first: no child cgroups, no process left.
  if (!fake && (::rmdir(dir.c_str()) == 0 || errno == ENOENT)) return ok();
  for (const auto& child : childDirs(dir)) TRY(removeTree(child));
  if (fake) unlinkPlainFiles(dir);
  // A process that was just killed stays in cgroup.procs until it is reaped; give it a moment.
  int delayMs = 1;
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return ok();
    if (errno != EBUSY || attempt == 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
    delayMs = std::min(delayMs * 2, 10);
  }
  int err = errno;
  if (err == EBUSY)
    return Error(ErrorKind::Conflict, fmt::format("rmdir {}: cgroup still has processes", dir),
                 err);
  return Error::sys(err, "rmdir {}", dir);
}

Result<std::vector<pid_t>> CgroupFs::procsRecursive(const std::string& dir) const {
  std::vector<pid_t> out;
  auto text = readFile(dir + "/cgroup.procs");
  if (!text) {
    if (text.error().sysErrno() == ENOENT && !exists(dir)) return out;
    return std::move(text).error();
  }
  for (const auto& line : split(*text, '\n', true)) {
    auto pid = TRY(parseInt(trim(line), "cgroup.procs pid"));
    out.push_back(static_cast<pid_t>(pid));
  }
  for (const auto& child : childDirs(dir)) {
    auto more = TRY(procsRecursive(child));
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

std::map<std::string, uint64_t> parseFlatKeyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (const auto& line : split(text, '\n', true)) {
    auto fields = split(line, ' ', true);
    if (fields.size() != 2) continue;
    auto v = parseUint(fields[1], fields[0]);
    if (v) out[fields[0]] = *v;
  }
  return out;
}

Result<std::optional<uint64_t>> parseMaxOrUint(std::string_view text, std::string_view what) {
  text = trim(text);
  if (text == "max") return std::optional<uint64_t>();
  return std::optional<uint64_t>(TRY(parseUint(text, what)));
}

}  // namespace berth::runtime::cgroups
