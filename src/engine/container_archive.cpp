// docker cp: a path of a container's filesystem as a tar (GET/HEAD archive) and a tar unpacked
// into a directory of it (PUT archive). Paths are resolved inside the container's root (openat2
// RESOLVE_IN_ROOT), so a symlink in the container cannot point the copy at the host.
// The filesystem is the one the container sees, its volumes and bind mounts included: a running
// container's own mount namespace (through /proc/<pid>/root), and for a stopped one its rootfs
// mounted for the call with its volumes and binds mounted on it, as dockerd does.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "engine/container_internal.h"
#include "image/layer.h"
#include "sys/syscalls.h"

namespace berth::engine {

namespace {

// Go's os.FileMode bits, which the docker CLI reads from the stat header.
uint32_t goFileMode(mode_t m) {
  uint32_t g = m & 0777;
  if (S_ISDIR(m)) g |= 1u << 31;
  if (S_ISLNK(m)) g |= 1u << 27;
  if (S_ISBLK(m)) g |= 1u << 26;
  if (S_ISCHR(m)) g |= (1u << 26) | (1u << 21);
  if (S_ISFIFO(m)) g |= 1u << 25;
  if (S_ISSOCK(m)) g |= 1u << 24;
  if (m & S_ISUID) g |= 1u << 23;
  if (m & S_ISGID) g |= 1u << 22;
  if (m & S_ISVTX) g |= 1u << 20;
  return g;
}

std::string rfc3339(time_t t) {
  struct tm tm;
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Go's path.Clean of an absolute path: no empty, "." or ".." elements (".." at the root stays
// there), no trailing slash.
std::string cleanAbsolute(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view rest = path; !rest.empty();) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto part : parts) out.append("/").append(part);
  return out.empty() ? "/" : out;
}

// A container path as docker cp means it (moby's PreserveTrailingDotOrSeparator): "dir/." is
// the directory's content, named "." in the archive; "dir/" and "dir/." follow a symlink at the
// end and must be directories; a plain path is the entry itself, a symlink not followed.
struct Resolved {
  UniqueFd parent;   // the directory holding the entry, resolved in the root
  std::string leaf;  // the entry's name in parent; "." when parent is the entry itself
  std::string name;  // Docker's name for it (stat name, top of the archive): the path's base
                     // name, "." for "dir/.", "/" for the root
};

Result<Resolved> resolveInRoot(const std::string& rootfs, const std::string& path,
                               const std::string& container) {
  if (path.empty() || path[0] != '/') return Error::invalid("path {:?} must be absolute", path);
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return Error::sys(errno, "open {}", rootfs);
  std::string clean = cleanAbsolute(path);
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  bool dot = trimmed == "." || endsWith(trimmed, "/.");
  bool asDir = dot || path.back() == '/';
  auto openError = [&](int err) -> Error {
    if (err == ENOENT) {
      return Error(ErrorKind::NotFound,
                   fmt::format("Could not find the file {} in container {}", path, container));
    }
    return Error::sys(err, "lstat {}", path);
  };
  std::string dir = clean, leaf = ".";
  if (!asDir && clean != "/") {
    auto slash = clean.rfind('/');
    dir = slash == 0 ? "/" : clean.substr(0, slash);
    leaf = clean.substr(slash + 1);
  }
  int fd = sys::openat2Raw(root.get(), dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                           RESOLVE_IN_ROOT);
  if (fd < 0) return openError(-fd);
  std::string name = dot ? "." : clean == "/" ? "/" : clean.substr(clean.rfind('/') + 1);
  return Resolved{UniqueFd(fd), leaf, name};
}

// lstat of the resolved entry; NotFound with Docker's message when it is not there.
Result<struct stat> statResolved(const Resolved& r, const std::string& path,
                                 const std::string& container) {
  struct stat st;
  bool self = r.leaf == ".";
  if (::fstatat(r.parent.get(), self ? "" : r.leaf.c_str(), &st,
                AT_SYMLINK_NOFOLLOW | (self ? AT_EMPTY_PATH : 0)) != 0) {
    if (errno != ENOENT) return Error::sys(errno, "lstat {}", path);
    return Error(ErrorKind::NotFound,
                 fmt::format("Could not find the file {} in container {}", path, container));
  }
  return st;
}

// The mount of doc's Mounts that holds path (a clean absolute path), the deepest one.
std::optional<Json> mountHolding(const Json& doc, const std::string& path) {
  std::optional<Json> best;
  size_t bestLen = 0;
  if (!doc.contains("Mounts") || !doc["Mounts"].is_array()) return best;
  for (const auto& m : doc["Mounts"]) {
    std::string dest = cleanAbsolute(m.value("Destination", ""));
    bool under = dest == "/" || path == dest || startsWith(path, dest + "/");
    if (under && (!best || dest.size() > bestLen)) {
      best = m;
      bestLen = dest.size();
    }
  }
  return best;
}

// The container's volumes, bind mounts and its hosts, hostname and resolv.conf files, mounted on
// its rootfs (mounted at rootfs) for a call on a stopped container; each target is resolved inside
// the rootfs, and one that is not there (the container never ran) is left out. Undone in reverse
// order by the destructor.
class VolumeMounts {
 public:
  VolumeMounts(const Json& doc, const std::string& rootfs) {
    UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return;
    std::vector<const Json*> mounts;
    if (doc.contains("Mounts") && doc["Mounts"].is_array()) {
      for (const auto& m : doc["Mounts"]) mounts.push_back(&m);
    }
    // The files berthd writes for the container (hosts, hostname, resolv.conf), as its
    // processes see them, unless a mount of the user's takes their place.
    std::string bundle = rootfs.substr(0, rootfs.rfind('/'));
    for (const char* name : {"resolv.conf", "hostname", "hosts"}) {
      std::string dest = std::string("/etc/") + name;
      if (std::any_of(mounts.begin(), mounts.end(), [&](const Json* m) {
            return cleanAbsolute(m->value("Destination", "")) == dest;
          }))
        continue;
      files_.push_back(Json{{"Source", bundle + "/" + name}, {"Destination", dest}, {"RW", true}});
    }
    for (const auto& f : files_) mounts.push_back(&f);
    // Parents before children: /data before /data/sub.
    std::sort(mounts.begin(), mounts.end(), [](const Json* a, const Json* b) {
      return cleanAbsolute(a->value("Destination", "")).size() <
             cleanAbsolute(b->value("Destination", "")).size();
    });
    for (const Json* m : mounts) {
      std::string source = m->value("Source", "");
      std::string dest = cleanAbsolute(m->value("Destination", ""));
      if (source.empty() || dest == "/") continue;
      int fd = sys::openat2Raw(root.get(), dest.c_str(), O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
      if (fd < 0) continue;
      UniqueFd target(fd);
      // The resolved target, by its fd: a symlink in the container cannot move the mount out.
      std::string at = fmt::format("/proc/self/fd/{}", target.get());
      if (::mount(source.c_str(), at.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) continue;
      // Where the mount landed: the path the fd stood for, now covered.
      char buf[4096];
      ssize_t n = ::readlink(at.c_str(), buf, sizeof buf - 1);
      if (n <= 0) continue;
      std::string landed(buf, static_cast<size_t>(n));
      mounted_.push_back(landed);
      if (!m->value("RW", true)) {
        (void)::mount(nullptr, landed.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC,
                      nullptr);
      }
    }
  }
  VolumeMounts(const VolumeMounts&) = delete;
  VolumeMounts& operator=(const VolumeMounts&) = delete;
  ~VolumeMounts() {
    for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it) {
      (void)::umount2(it->c_str(), MNT_DETACH);
    }
  }

 private:
  std::vector<Json> files_;
  std::vector<std::string> mounted_;
};

}  // namespace

// Runs fn with the container's rootfs mounted (mounting it for the call when stopped).
Status withRootfs(ContainerService::Impl& im, const std::shared_ptr<Container>& c,
                  const std::function<Status(const std::string&)>& fn, bool volumes) {
  std::unique_lock lk(c->mu);
  std::string rootfs = im.bundleDir(c->id) + "/rootfs";
  bool mountedHere = false;
  if (!c->doc["State"].value("Running", false)) {
    auto lowers = TRY(im.rootfsLowers(c->doc));
    // Never volatile: a cp into a stopped container must be on disk like any other write.
    TRY(im.snapshots->mount(c->id, lowers, rootfs, {.volatileUpper = false}));
    mountedHere = true;
  } else {
    lk.unlock();
  }
  Status st;
  {
    std::optional<VolumeMounts> mounted;
    if (mountedHere && volumes) mounted.emplace(c->doc, rootfs);
    st = fn(rootfs);
  }
  if (mountedHere) (void)im.snapshots->unmount(rootfs);
  return st;
}

namespace {

// Runs fn with the root of the filesystem the container sees: /proc/<pid>/root of a running
// container, whose mount namespace has its volumes; for a stopped one the rootfs, mounted with
// its volumes for the call.
Status withContainerFs(ContainerService::Impl& im, const std::shared_ptr<Container>& c,
                       const std::function<Status(const std::string&)>& fn) {
  std::string rootfs = im.bundleDir(c->id) + "/rootfs";
  pid_t pid = 0;
  {
    std::lock_guard lk(c->mu);
    if (c->doc["State"].value("Running", false)) pid = c->doc["State"].value("Pid", 0);
  }
  if (pid > 0) {
    // The init's root is the container's rootfs (the same directory as bundle/rootfs): a pid
    // reused since, or a process that changed its root, is not taken for it.
    std::string procRoot = fmt::format("/proc/{}/root", pid);
    struct stat a, b;
    if (::stat(procRoot.c_str(), &a) == 0 && ::stat(rootfs.c_str(), &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
      return fn(procRoot);
    }
  }
  return withRootfs(im, c, fn, true);
}

}  // namespace

Result<Json> ContainerService::archiveStat(const std::string& nameOrId, const std::string& path) {
  auto c = TRY(impl_->find(nameOrId));
  Json out;
  TRY(withContainerFs(*impl_, c, [&](const std::string& rootfs) -> Status {
    Resolved r = TRY(resolveInRoot(rootfs, path, nameOrId));
    struct stat st = TRY(statResolved(r, path, nameOrId));
    std::string link;
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlinkat(r.parent.get(), r.leaf.c_str(), buf, sizeof buf);
      if (n > 0) link.assign(buf, static_cast<size_t>(n));
    }
    out = {{"name", r.name},
           {"size", st.st_size},
           {"mode", goFileMode(st.st_mode)},
           {"mtime", rfc3339(st.st_mtime)},
           {"linkTarget", link}};
    return {};
  }));
  return out;
}

Status ContainerService::archiveGet(const std::string& nameOrId, const std::string& path,
                                    int outFd) {
  auto c = TRY(impl_->find(nameOrId));
  return withContainerFs(*impl_, c, [&](const std::string& rootfs) -> Status {
    Resolved r = TRY(resolveInRoot(rootfs, path, nameOrId));
    TRY(statResolved(r, path, nameOrId));
    std::string diskRoot = fmt::format("/proc/self/fd/{}", r.parent.get());
    std::unique_ptr<archive, decltype(&archive_read_free)> disk(archive_read_disk_new(),
                                                                archive_read_free);
    std::unique_ptr<archive, decltype(&archive_write_free)> out(archive_write_new(),
                                                                archive_write_free);
    archive_read_disk_set_symlink_physical(disk.get());
    // No user or group names: the host's would be wrong for the container's files, and Docker
    // leaves them out too (FileInfoHeaderNoLookups). berthd is static: no NSS lookups at all.
    archive_write_set_format_pax_restricted(out.get());
    if (archive_write_open_fd(out.get(), outFd) != ARCHIVE_OK) {
      return Error::internal("write archive: {}", archive_error_string(out.get()));
    }
    std::string start = diskRoot + "/" + r.leaf;
    if (archive_read_disk_open(disk.get(), start.c_str()) != ARCHIVE_OK) {
      return Error::internal("read {}: {}", path, archive_error_string(disk.get()));
    }
    // Entries are named from Docker's name for the path: "etc/passwd" for /etc and /etc/,
    // "./passwd" for /etc/. (the CLI copies those into the destination itself); the root's
    // entries are "./etc".
    std::string topName = r.name == "/" ? "." : r.name;
    for (;;) {
      archive_entry* e = archive_entry_new();
      int rr = archive_read_next_header2(disk.get(), e);
      if (rr == ARCHIVE_EOF) {
        archive_entry_free(e);
        break;
      }
      if (rr != ARCHIVE_OK && rr != ARCHIVE_WARN) {
        std::string msg =
            archive_error_string(disk.get()) ? archive_error_string(disk.get()) : "error";
        archive_entry_free(e);
        return Error::internal("read {}: {}", path, msg);
      }
      archive_read_disk_descend(disk.get());
      std::string p = archive_entry_pathname(e);
      std::string rel = p.substr(std::min(p.size(), start.size()));
      archive_entry_set_pathname(e, (topName + rel).c_str());
      if (archive_write_header(out.get(), e) != ARCHIVE_OK) {
        std::string msg = archive_error_string(out.get());
        archive_entry_free(e);
        return Error(ErrorKind::Unavailable, fmt::format("write archive: {}", msg));
      }
      if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
        const void* buf;
        size_t size;
        int64_t offset;
        while (archive_read_data_block(disk.get(), &buf, &size, &offset) == ARCHIVE_OK) {
          if (archive_write_data(out.get(), buf, size) < 0) {
            archive_entry_free(e);
            return Error(ErrorKind::Unavailable,
                         fmt::format("write archive: {}", archive_error_string(out.get())));
          }
        }
      }
      archive_entry_free(e);
    }
    archive_write_close(out.get());
    return {};
  });
}

Status ContainerService::archivePut(const std::string& nameOrId, const std::string& path,
                                    int inFd) {
  auto c = TRY(impl_->find(nameOrId));
  if (path.empty() || path[0] != '/') return Error::invalid("path {:?} must be absolute", path);
  {
    // As dockerd: a read-only volume refuses, and a read-only rootfs does outside volumes.
    std::lock_guard lk(c->mu);
    std::optional<Json> m = mountHolding(c->doc, cleanAbsolute(path));
    if (m && !m->value("RW", true)) {
      return Error(ErrorKind::PermissionDenied, "mounted volume is marked read-only");
    }
    if (!m && c->doc["HostConfig"].value("ReadonlyRootfs", false)) {
      return Error(ErrorKind::PermissionDenied, "container rootfs is marked read-only");
    }
  }
  return withContainerFs(*impl_, c, [&](const std::string& rootfs) -> Status {
    UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return Error::sys(errno, "open {}", rootfs);
    // As moby: the path cleaned ("a/link/.." is "a"), then every symlink followed, the last too.
    int fd = sys::openat2Raw(root.get(), cleanAbsolute(path).c_str(), O_PATH | O_CLOEXEC, 0,
                             RESOLVE_IN_ROOT);
    if (fd < 0)
      return Error(ErrorKind::NotFound,
                   fmt::format("Could not find the file {} in container {}", path, nameOrId));
    UniqueFd dir(fd);
    struct stat st;
    if (::fstat(dir.get(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Error::invalid("extraction point is not a directory");
    }
    image::UnpackOptions o;
    o.overlayWhiteouts = false;
    auto r = image::unpackLayer(inFd, fmt::format("/proc/self/fd/{}", dir.get()), o);
    if (!r) return std::move(r).error().context("extract into " + path);
    return {};
  });
}

}  // namespace berth::engine
