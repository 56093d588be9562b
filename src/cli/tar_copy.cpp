#include "cli/tar_copy.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "base/file.h"
#include "base/unique_fd.h"

namespace berth::cli {

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const {
    if (a) archive_free(a);
  }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;
struct EntryDeleter {
  void operator()(archive_entry* e) const {
    if (e) archive_entry_free(e);
  }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

Error archiveError(archive* a, std::string_view what) {
  const char* msg = archive_error_string(a);
  return Error(ErrorKind::Internal, fmt::format("{}: {}", what, msg ? msg : "archive error"));
}

std::string baseName(const std::string& p) {
  std::string s = p;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

struct WriteCtx {
  const TarSink* sink;
  Status status;
};

la_ssize_t writeCb(archive*, void* ctx, const void* buf, size_t n) {
  auto* c = static_cast<WriteCtx*>(ctx);
  if (!c->status) return -1;
  c->status = (*c->sink)(std::string_view(static_cast<const char*>(buf), n));
  return c->status ? static_cast<la_ssize_t>(n) : -1;
}

Status addPath(archive* a, const std::string& path, const std::string& name, bool follow) {
  struct stat st;
  if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
    return Error::sys(errno, "{} {}", follow ? "stat" : "lstat", path);
  }
  EntryPtr e(archive_entry_new());
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_set_pathname(e.get(), name.c_str());
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> target(4096);
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size() - 1);
    if (n < 0) return Error::sys(errno, "readlink {}", path);
    target[static_cast<size_t>(n)] = '\0';
    archive_entry_set_symlink(e.get(), target.data());
  }
  if (!S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), 0);
  if (archive_write_header(a, e.get()) != ARCHIVE_OK) return archiveError(a, "tar " + path);
  if (S_ISREG(st.st_mode)) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::sys(errno, "open {}", path);
    std::vector<char> buf(128 * 1024);
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::sys(errno, "read {}", path);
      if (n == 0) break;
      if (archive_write_data(a, buf.data(), static_cast<size_t>(n)) < 0) {
        return archiveError(a, "tar " + path);
      }
    }
  }
  if (S_ISDIR(st.st_mode)) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
    if (!dir) return Error::sys(errno, "opendir {}", path);
    std::vector<std::string> names;
    while (dirent* d = ::readdir(dir.get())) {
      std::string n = d->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) TRY(addPath(a, path + "/" + n, name + "/" + n, false));
  }
  return {};
}

}  // namespace

namespace {

bool underTop(const std::string& n, const std::string& top) {
  return n == top ||
         (n.size() > top.size() && n.compare(0, top.size(), top) == 0 && n[top.size()] == '/');
}

}  // namespace

std::string Rebase::apply(const std::string& name) const {
  if (from.empty()) return name;
  std::string n = name;
  if (!alias.empty() && alias != from) {
    std::string a = n.rfind("./", 0) == 0 && alias != "." ? n.substr(2) : n;
    if (underTop(a, alias)) n = from + a.substr(alias.size());
  }
  if (from != "." && n.rfind("./", 0) == 0) n = n.substr(2);
  if (n == from ||
      (n.size() > from.size() && n.compare(0, from.size(), from) == 0 && n[from.size()] == '/')) {
    return to + n.substr(from.size());
  }
  return name;
}

Status writeTar(const std::string& srcPath, bool followLink, const Rebase& rebase,
                const TarSink& sink) {
  ArchivePtr a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 10240);
  WriteCtx ctx{&sink, {}};
  if (archive_write_open(a.get(), &ctx, nullptr, writeCb, nullptr) != ARCHIVE_OK) {
    return archiveError(a.get(), "tar");
  }
  std::string top = baseName(srcPath);
  // "dir/." copies the directory's content: its entries are "." and "./x".
  std::string path = srcPath;
  if (top == ".") path = srcPath.substr(0, srcPath.size() - 1);
  Status st = addPath(a.get(), path, rebase.apply(top), followLink);
  if (!ctx.status) return ctx.status;
  TRY(st);
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (!ctx.status) return ctx.status;
    return archiveError(a.get(), "tar");
  }
  return ctx.status;
}

namespace {

struct ReadCtx {
  const TarSource* source;
  std::vector<char> buf = std::vector<char>(128 * 1024);
  int64_t total = 0;
  Status status;
};

la_ssize_t readCb(archive*, void* ctx, const void** out) {
  auto* c = static_cast<ReadCtx*>(ctx);
  auto n = (*c->source)(c->buf.data(), c->buf.size());
  if (!n) {
    c->status = std::move(n).error();
    return -1;
  }
  c->total += static_cast<int64_t>(*n);
  *out = c->buf.data();
  return static_cast<la_ssize_t>(*n);
}

}  // namespace

namespace {

// Where extracted entries go: every path is walked from the root's descriptor one component
// at a time with O_NOFOLLOW, so neither ".." nor a symlink planted by an earlier entry can
// lead outside it (what archive_write_disk's SECURE flags do, without its libacl).
class DiskWriter {
 public:
  DiskWriter(UniqueFd root, bool keepOwner) : root_(std::move(root)), keepOwner_(keepOwner) {}

  Status write(archive* in, archive_entry* e, const std::string& name) {
    auto [parent, leaf] = TRY(openParent(name));
    int pfd = parent.valid() ? parent.get() : root_.get();
    mode_t type = archive_entry_filetype(e);
    mode_t perm = archive_entry_perm(e) & 07777;
    struct stat existing;
    bool exists = ::fstatat(pfd, leaf.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISDIR(existing.st_mode) != (type == AE_IFDIR)) {
      return Error(ErrorKind::Conflict,
                   fmt::format("cannot overwrite {} {} with {}",
                               S_ISDIR(existing.st_mode) ? "directory" : "non-directory", name,
                               type == AE_IFDIR ? "a directory" : "a non-directory"));
    }
    if (exists && type != AE_IFDIR && ::unlinkat(pfd, leaf.c_str(), 0) != 0) {
      return Error::sys(errno, "unlink {}", name);
    }
    const char* hardlink = archive_entry_hardlink(e);
    if (hardlink) {
      auto [tparent, tleaf] = TRY(openParent(rebased_(hardlink)));
      int tfd = tparent.valid() ? tparent.get() : root_.get();
      if (::linkat(tfd, tleaf.c_str(), pfd, leaf.c_str(), 0) != 0)
        return Error::sys(errno, "link {}", name);
      return {};
    }
    switch (type) {
      case AE_IFDIR:
        if (!exists && ::mkdirat(pfd, leaf.c_str(), 0700) != 0)
          return Error::sys(errno, "mkdir {}", name);
        break;
      case AE_IFREG: {
        UniqueFd fd(::openat(pfd, leaf.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) return Error::sys(errno, "create {}", name);
        std::vector<char> buf(128 * 1024);
        for (;;) {
          la_ssize_t n = archive_read_data(in, buf.data(), buf.size());
          if (n < 0) return archiveError(in, name);
          if (n == 0) break;
          TRY(berth::writeAll(fd.get(), std::string_view(buf.data(), static_cast<size_t>(n)),
                              name));
        }
        break;
      }
      case AE_IFLNK:
        if (::symlinkat(archive_entry_symlink(e), pfd, leaf.c_str()) != 0) {
          return Error::sys(errno, "symlink {}", name);
        }
        break;
      case AE_IFIFO:
      case AE_IFCHR:
      case AE_IFBLK: {
        mode_t t = type == AE_IFIFO ? S_IFIFO : type == AE_IFCHR ? S_IFCHR : S_IFBLK;
        if (::mknodat(pfd, leaf.c_str(), t | 0600, archive_entry_rdev(e)) != 0) {
          return Error::sys(errno, "mknod {}", name);
        }
        break;
      }
      default:
        return {};  // sockets and the like: docker skips them too
    }
    if (keepOwner_ &&
        ::fchownat(pfd, leaf.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                   static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0) {
      return Error::sys(errno, "chown {}", name);
    }
    if (type != AE_IFLNK && ::fchmodat(pfd, leaf.c_str(), perm, 0) != 0) {
      return Error::sys(errno, "chmod {}", name);
    }
    timespec times[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                         {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    if (type == AE_IFDIR) {
      // A directory's time is set last: extracting into it changes it.
      dirTimes_.push_back({name, times[0]});
    } else {
      ::utimensat(pfd, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
    return {};
  }

  void finish() {
    for (auto it = dirTimes_.rbegin(); it != dirTimes_.rend(); ++it) {
      auto p = openParent(it->first);
      if (!p) continue;
      int pfd = p->first.valid() ? p->first.get() : root_.get();
      timespec times[2] = {it->second, it->second};
      ::utimensat(pfd, p->second.c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
  }

  std::function<std::string(const std::string&)> rebased_;

 private:
  // The directory holding name's last component (invalid fd: the root itself), creating
  // missing directories on the way, refusing ".." and symlinks.
  Result<std::pair<UniqueFd, std::string>> openParent(const std::string& name) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= name.size()) {
      size_t slash = name.find('/', pos);
      std::string c =
          name.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      if (c == "..")
        return Error::invalid("invalid archive entry {}: it leaves the destination", name);
      if (!c.empty() && c != ".") parts.push_back(c);
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    if (parts.empty()) return std::pair(UniqueFd(), std::string("."));
    UniqueFd cur;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      int base = cur.valid() ? cur.get() : root_.get();
      int fd = ::openat(base, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) {
        if (::mkdirat(base, parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
          return Error::sys(errno, "mkdir {}", parts[i]);
        }
        fd = ::openat(base, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR) {
          return Error::invalid("invalid archive entry {}: {} is not a directory", name, parts[i]);
        }
        return Error::sys(errno, "open {}", parts[i]);
      }
      cur.reset(fd);
    }
    return std::pair(std::move(cur), parts.back());
  }

  UniqueFd root_;
  bool keepOwner_;
  std::vector<std::pair<std::string, timespec>> dirTimes_;
};

}  // namespace

Result<int64_t> extractTar(const TarSource& source, const std::string& dir, const Rebase& rebase,
                           bool keepOwner) {
  UniqueFd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return Error::sys(errno, "open {}", dir);
  ArchivePtr in(archive_read_new());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  archive_read_support_filter_none(in.get());
  ReadCtx ctx{&source};
  if (archive_read_open(in.get(), &ctx, nullptr, readCb, nullptr) != ARCHIVE_OK) {
    if (!ctx.status) return std::move(ctx.status).error();
    return archiveError(in.get(), "read archive");
  }
  DiskWriter out(std::move(root), keepOwner);
  out.rebased_ = [&rebase](const std::string& n) { return rebase.apply(n); };
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(in.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      if (!ctx.status) return std::move(ctx.status).error();
      return archiveError(in.get(), "read archive");
    }
    std::string name = rebase.apply(archive_entry_pathname(e));
    if (name.empty() || name[0] == '/') return Error::invalid("invalid archive entry {}", name);
    TRY(out.write(in.get(), e, name));
  }
  out.finish();
  // Drain what follows the end-of-archive blocks, so the HTTP body ends cleanly.
  char rest[4096];
  for (;;) {
    auto n = source(rest, sizeof rest);
    if (!n || *n == 0) break;
    ctx.total += static_cast<int64_t>(*n);
  }
  return ctx.total;
}

}  // namespace berth::cli
