#include "runtime/rootfs/path_resolve.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <vector>

#include "base/strings.h"

namespace berth::runtime {
namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's MAXSYMLINKS

std::string joinUnder(const std::string& rootfs, const std::vector<std::string>& parts) {
  std::string out = rootfs;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  for (const auto& p : parts) {
    out += '/';
    out += p;
  }
  return out;
}

}  // namespace

Result<std::string> cleanContainerPath(const std::string& path) {
  if (path.empty() || path[0] != '/') return Error::invalid("path {:?} is not absolute", path);
  std::vector<std::string> parts;
  for (auto& c : split(path, '/', true)) {
    if (c == ".") continue;
    if (c == "..") {
      if (parts.empty()) return Error::invalid("path {:?} escapes the rootfs through \"..\"", path);
      parts.pop_back();
      continue;
    }
    parts.push_back(std::move(c));
  }
  return "/" + join(parts, "/");
}

Result<std::string> resolveInRootfs(const std::string& rootfs, const std::string& path) {
  TRY(cleanContainerPath(path));
  std::deque<std::string> todo;
  for (auto& c : split(path, '/', true)) todo.push_back(std::move(c));
  std::vector<std::string> done;
  int links = 0;
  bool missing = false;  // a component does not exist: the rest is lexical
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (done.empty()) {
        return Error::invalid("path {:?} escapes the rootfs through \"..\"", path);
      }
      done.pop_back();
      continue;
    }
    done.push_back(c);
    if (missing) continue;
    std::string host = joinUnder(rootfs, done);
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        missing = true;
        continue;
      }
      return Error::sys(errno, "lstat {}", host);
    }
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > kMaxSymlinks) return Error::sys(ELOOP, "resolve {} in rootfs", path);
    char buf[4096];
    ssize_t n = ::readlink(host.c_str(), buf, sizeof buf - 1);
    if (n < 0) return Error::sys(errno, "readlink {}", host);
    std::string target(buf, static_cast<size_t>(n));
    std::string inside = "/" + join(done, "/");
    if (!target.empty() && target[0] == '/') {
      return Error::invalid(
          "path {:?}: {} is an absolute symlink to {:?}, which would lead out of the rootfs", path,
          inside, target);
    }
    done.pop_back();
    auto parts = split(target, '/', true);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_front(*it);
  }
  return joinUnder(rootfs, done);
}

}  // namespace berth::runtime
