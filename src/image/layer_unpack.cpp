// unpackLayer: one streaming pass. A first libarchive reader (decompression filters, "raw"
// format) turns the fd into the uncompressed tar bytes, which are hashed for the diff ID and
// handed through a read callback to a second reader that knows only tar. Every entry is created
// with *at() calls relative to its parent directory, itself opened beneath the layer root with
// openat2 refusing symlinks, so a hostile tar cannot reach outside the layer.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "base/strings.h"
#include "image/layer.h"
#include "image/layer_fs.h"
#include "image/layer_path.h"

namespace berth::image {
namespace {

constexpr size_t kBufSize = 1 << 20;
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr const char* kOpaqueXattr = "trusted.overlay.opaque";
// overlayfs obeys these (redirect, metacopy, origin...): a layer must not smuggle them in.
constexpr std::string_view kOverlayXattrPrefix = "trusted.overlay.";

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadFree>;

// The decompressed stream: read from the raw reader, hashed, handed to the tar reader.
struct Decompressed {
  archive* raw = nullptr;
  const std::function<void(const void*, size_t)>* tap = nullptr;
  bool empty = false;  // the raw reader found no data at all
  Sha256 sha;
  int64_t size = 0;
  std::vector<char> buf = std::vector<char>(kBufSize);
  std::optional<Error> error;
};

la_ssize_t readDecompressed(archive*, void* client, const void** out) {
  auto* d = static_cast<Decompressed*>(client);
  *out = d->buf.data();
  if (d->empty) return 0;
  la_ssize_t n = archive_read_data(d->raw, d->buf.data(), d->buf.size());
  if (n < 0) {
    const char* msg = archive_error_string(d->raw);
    d->error = Error::invalid("decompress layer: {}", msg ? msg : "read error");
    return -1;
  }
  if (n > 0) {
    d->sha.update(d->buf.data(), static_cast<size_t>(n));
    if (d->tap && *d->tap) (*d->tap)(d->buf.data(), static_cast<size_t>(n));
    d->size += n;
  }
  return n;
}

Error archiveError(archive* a, Decompressed& d, std::string_view what) {
  if (d.error) return *d.error;
  const char* msg = archive_error_string(a);
  return Error::invalid("{}: {}", what, msg ? msg : "unknown error");
}

constexpr int64_t kEarlyWriteback = 1 << 20;

Status pwriteAll(int fd, const void* buf, size_t len, int64_t off) {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = ::pwrite(fd, p, len, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "write");
    }
    p += n;
    len -= static_cast<size_t>(n);
    off += n;
  }
  return ok();
}

struct DirMeta {
  std::string path;
  mode_t mode;
  struct timespec times[2];
};

size_t depth(const std::string& path) {
  return static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
}

class Unpacker {
 public:
  Unpacker(int rootfd, const UnpackOptions& opts) : opts_(opts), dirs_(rootfd) {}

  Status entry(archive* a, archive_entry* e);
  Status finish();

 private:
  // An entry's final component, created relative to its parent directory.
  struct Target {
    int pfd;
    std::string base;
    int fd = -1;  // when the entry itself is open (files, directories)
  };

  Status whiteout(const std::string& path, std::string_view base, std::string_view name,
                  archive_entry* e);
  Status makeDir(const std::string& path, Target& t, std::string_view name, archive_entry* e);
  Status makeFile(archive* a, const std::string& path, Target& t, std::string_view name,
                  archive_entry* e);
  Status makeSymlink(const std::string& path, Target& t, std::string_view name, archive_entry* e);
  Status makeNode(const std::string& path, Target& t, std::string_view name, archive_entry* e);
  Status makeHardlink(const std::string& path, Target& t, std::string_view name, archive_entry* e);
  // Removes whatever sits at the target so a later entry replaces it.
  Status replace(const std::string& path, const Target& t);
  Status ownAndXattrs(const Target& t, archive_entry* e);
  Status modeAndTimes(const Target& t, archive_entry* e);
  Status clearOpaque(int dirfd, const std::string& dirPath);
  void markUnpacked(const std::string& path);

  const UnpackOptions& opts_;
  BeneathDirs dirs_;
  std::vector<DirMeta> dirMeta_;
  // Flattening only: what this layer itself put down, which an opaque marker must keep.
  std::unordered_set<std::string> unpacked_;
};

void entryTimes(archive_entry* e, struct timespec ts[2]) {
  ts[1].tv_sec = archive_entry_mtime(e);
  ts[1].tv_nsec = archive_entry_mtime_nsec(e);
  if (archive_entry_atime_is_set(e)) {
    ts[0].tv_sec = archive_entry_atime(e);
    ts[0].tv_nsec = archive_entry_atime_nsec(e);
  } else {
    ts[0] = ts[1];
  }
}

Error entryError(Error e, std::string_view name) {
  return std::move(e).context(fmt::format("layer entry \"{}\"", name));
}

Status Unpacker::entry(archive* a, archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (raw == nullptr) raw = archive_entry_pathname_utf8(e);
  if (raw == nullptr) return Error::invalid("layer entry without a name");
  std::string_view name(raw);
  std::string path = TRY(cleanEntryPath(name, name));
  // The root itself ("./"): the layer directory already exists; Docker skips it too.
  if (path.empty()) return ok();
  // aufs bookkeeping at the top (.wh..wh.plnk/, .wh..wh.aufs): not content.
  if (startsWith(path, kWhiteoutMetaPrefix) && path != kOpaqueMarker) return ok();
  auto [parentPath, baseView] = splitParent(path);
  if (startsWith(baseView, kWhiteoutPrefix)) return whiteout(path, baseView, name, e);

  Target t{TRY(dirs_.get(parentPath, name, true)), std::string(baseView)};
  if (!opts_.overlayWhiteouts) markUnpacked(path);
  if (archive_entry_hardlink(e) != nullptr || archive_entry_hardlink_utf8(e) != nullptr) {
    return makeHardlink(path, t, name, e);
  }
  switch (archive_entry_filetype(e)) {
    case AE_IFDIR:
      return makeDir(path, t, name, e);
    case AE_IFREG:
      return makeFile(a, path, t, name, e);
    case AE_IFLNK:
      return makeSymlink(path, t, name, e);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return makeNode(path, t, name, e);
    case AE_IFSOCK:
      return ok();  // a socket cannot be recreated from a tar; Docker skips them as well
    default:
      return Error::invalid("refusing layer entry \"{}\": unsupported type {:o}", name,
                            archive_entry_filetype(e));
  }
}

void Unpacker::markUnpacked(const std::string& path) {
  // Ancestors too, so an opaque marker keeps a directory this layer only implied.
  std::string p = path;
  while (!p.empty() && unpacked_.insert(p).second) {
    size_t slash = p.rfind('/');
    p.resize(slash == std::string::npos ? 0 : slash);
  }
}

Status Unpacker::whiteout(const std::string& path, std::string_view base, std::string_view name,
                          archive_entry* e) {
  std::string_view parentPath = splitParent(path).first;
  if (base == kOpaqueMarker) {
    int pfd = TRY(dirs_.get(parentPath, name, true));
    if (opts_.overlayWhiteouts) {
      if (::fsetxattr(pfd, kOpaqueXattr, "y", 1, 0) < 0) {
        return entryError(Error::sys(errno, "setxattr {} {}", kOpaqueXattr, parentPath), name);
      }
      return ok();
    }
    return clearOpaque(pfd, std::string(parentPath));
  }
  // Other ".wh..wh." names are aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not content.
  if (startsWith(base, kWhiteoutMetaPrefix)) return ok();

  std::string target(base.substr(kWhiteoutPrefix.size()));
  if (target.empty() || target == "." || target == "..") {
    return Error::invalid("refusing layer entry \"{}\": whiteout of \"{}\"", name, target);
  }
  int pfd = TRY(dirs_.get(parentPath, name, true));
  std::string targetPath = parentPath.empty() ? target : fmt::format("{}/{}", parentPath, target);
  Target t{pfd, target};
  if (!opts_.overlayWhiteouts) {
    dirs_.forgetUnder(targetPath);
    if (auto s = removeAllAt(pfd, target); !s) {
      return entryError(std::move(s).error().context("whiteout"), name);
    }
    return ok();
  }
  // overlayfs whiteout: a 0/0 character device, owned as the entry says (as Docker does).
  if (::mknodat(pfd, target.c_str(), S_IFCHR, makedev(0, 0)) < 0) {
    if (errno != EEXIST) return entryError(Error::sys(errno, "mknodat {}", targetPath), name);
    TRY(replace(targetPath, t));
    if (::mknodat(pfd, target.c_str(), S_IFCHR, makedev(0, 0)) < 0) {
      return entryError(Error::sys(errno, "mknodat {}", targetPath), name);
    }
  }
  if (opts_.sameOwner &&
      ::fchownat(pfd, target.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) < 0) {
    return entryError(Error::sys(errno, "lchown {}", targetPath), name);
  }
  return ok();
}

Status Unpacker::clearOpaque(int dirfd, const std::string& dirPath) {
  auto names = TRY(listDirAt(dirfd, dirPath.empty() ? "." : dirPath));
  for (const auto& n : names) {
    std::string child = dirPath.empty() ? n : dirPath + "/" + n;
    if (!unpacked_.contains(child)) {
      dirs_.forgetUnder(child);
      TRY_CTX(removeAllAt(dirfd, n), "opaque directory {}", dirPath);
      continue;
    }
    int fd = ::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOTDIR || errno == ELOOP) continue;  // a file or symlink from this layer
      return Error::sys(errno, "openat {}", child);
    }
    UniqueFd sub(fd);
    TRY(clearOpaque(sub.get(), child));
  }
  return ok();
}

Status Unpacker::replace(const std::string& path, const Target& t) {
  dirs_.forgetUnder(path);
  return removeAllAt(t.pfd, t.base);
}

Status Unpacker::ownAndXattrs(const Target& t, archive_entry* e) {
  if (opts_.sameOwner) {
    auto uid = static_cast<uid_t>(archive_entry_uid(e));
    auto gid = static_cast<gid_t>(archive_entry_gid(e));
    int r = t.fd >= 0 ? ::fchown(t.fd, uid, gid)
                      : ::fchownat(t.pfd, t.base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r < 0) return Error::sys(errno, "lchown {}", t.base);
  }
  // After the chown, which clears security.capability.
  if (archive_entry_xattr_reset(e) == 0) return ok();
  std::string procPath;
  const char* key;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
    if (startsWith(key, kOverlayXattrPrefix)) continue;
    int r;
    if (t.fd >= 0) {
      r = ::fsetxattr(t.fd, key, value, size, 0);
    } else {
      if (procPath.empty()) procPath = fdRelativePath(t.pfd, t.base);
      r = ::lsetxattr(procPath.c_str(), key, value, size, 0);
    }
    // As Docker: a filesystem without that xattr namespace, or user.* on a special file, is
    // not worth failing the pull for.
    if (r < 0 && errno != ENOTSUP && errno != EPERM) {
      return Error::sys(errno, "setxattr {} {}", t.base, key);
    }
  }
  return ok();
}

Status Unpacker::modeAndTimes(const Target& t, archive_entry* e) {
  mode_t mode = archive_entry_perm(e) & 07777;
  struct timespec ts[2];
  entryTimes(e, ts);
  if (t.fd >= 0) {
    if (::fchmod(t.fd, mode) < 0) return Error::sys(errno, "chmod {}", t.base);
    if (::futimens(t.fd, ts) < 0) return Error::sys(errno, "utimensat {}", t.base);
    return ok();
  }
  // Only device nodes and fifos we just made come here, never a symlink, so following the
  // final component cannot leave the layer.
  if (::fchmodat(t.pfd, t.base.c_str(), mode, 0) < 0) {
    return Error::sys(errno, "chmod {}", t.base);
  }
  if (::utimensat(t.pfd, t.base.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) {
    return Error::sys(errno, "utimensat {}", t.base);
  }
  return ok();
}

Status Unpacker::makeDir(const std::string& path, Target& t, std::string_view name,
                         archive_entry* e) {
  // 0700 until finish(): a read-only directory must still take its children.
  if (::mkdirat(t.pfd, t.base.c_str(), 0700) < 0) {
    if (errno != EEXIST) return entryError(Error::sys(errno, "mkdirat {}", path), name);
    struct stat st;
    if (::fstatat(t.pfd, t.base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      return entryError(Error::sys(errno, "lstat {}", path), name);
    }
    if (!S_ISDIR(st.st_mode)) {  // a directory over a directory merges; over anything else replaces
      TRY(replace(path, t));
      if (::mkdirat(t.pfd, t.base.c_str(), 0700) < 0) {
        return entryError(Error::sys(errno, "mkdirat {}", path), name);
      }
    }
  }
  int fd = ::openat(t.pfd, t.base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return entryError(Error::sys(errno, "openat {}", path), name);
  UniqueFd dfd(fd);
  t.fd = fd;
  if (auto s = ownAndXattrs(t, e); !s) return entryError(std::move(s).error(), name);
  DirMeta m{path, static_cast<mode_t>(archive_entry_perm(e) & 07777), {}};
  entryTimes(e, m.times);
  dirMeta_.push_back(std::move(m));
  // Its children most likely come next.
  dirs_.remember(path, std::move(dfd));
  return ok();
}

Status Unpacker::makeFile(archive* a, const std::string& path, Target& t, std::string_view name,
                          archive_entry* e) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(t.pfd, t.base.c_str(), kFlags, 0600);
  if (fd < 0 && errno == EEXIST) {
    TRY(replace(path, t));
    fd = ::openat(t.pfd, t.base.c_str(), kFlags, 0600);
  }
  if (fd < 0) return entryError(Error::sys(errno, "openat {}", t.base), name);
  UniqueFd f(fd);
  t.fd = fd;
  const void* buf;
  size_t len;
  la_int64_t off;
  int64_t end = 0;
  for (;;) {
    int r = archive_read_data_block(a, &buf, &len, &off);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a);
      return Error::invalid("read layer entry \"{}\": {}", name, msg ? msg : "read error");
    }
    if (len == 0) continue;
    if (auto s = pwriteAll(fd, buf, len, off); !s) return entryError(std::move(s).error(), name);
    end = std::max<int64_t>(end, off + static_cast<int64_t>(len));
  }
  // A sparse file may end in a hole.
  if (end < archive_entry_size(e) && ::ftruncate(fd, archive_entry_size(e)) < 0) {
    return entryError(Error::sys(errno, "ftruncate {}", t.base), name);
  }
  // Start writing a big file back now, without waiting: the layer's one syncfs at the end then
  // finds most of it on disk already, instead of the disk idling while the CPU unpacks.
  if (end >= kEarlyWriteback) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  if (auto s = ownAndXattrs(t, e); !s) return entryError(std::move(s).error(), name);
  if (auto s = modeAndTimes(t, e); !s) return entryError(std::move(s).error(), name);
  return ok();
}

Status Unpacker::makeSymlink(const std::string& path, Target& t, std::string_view name,
                             archive_entry* e) {
  const char* target = archive_entry_symlink(e);
  if (target == nullptr) target = archive_entry_symlink_utf8(e);
  if (target == nullptr || *target == '\0') {
    return Error::invalid("refusing layer entry \"{}\": symlink without a target", name);
  }
  if (!symlinkStaysInside(path, target)) {
    return Error::invalid(
        "refusing layer entry \"{}\": symlink target \"{}\" climbs out of the layer", name, target);
  }
  if (::symlinkat(target, t.pfd, t.base.c_str()) < 0) {
    if (errno != EEXIST) return entryError(Error::sys(errno, "symlinkat {}", path), name);
    TRY(replace(path, t));
    if (::symlinkat(target, t.pfd, t.base.c_str()) < 0) {
      return entryError(Error::sys(errno, "symlinkat {}", path), name);
    }
  }
  if (auto s = ownAndXattrs(t, e); !s) return entryError(std::move(s).error(), name);
  struct timespec ts[2];
  entryTimes(e, ts);
  if (::utimensat(t.pfd, t.base.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) {
    return entryError(Error::sys(errno, "utimensat {}", path), name);
  }
  return ok();
}

Status Unpacker::makeNode(const std::string& path, Target& t, std::string_view name,
                          archive_entry* e) {
  mode_t type = archive_entry_filetype(e);
  dev_t dev =
      type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
  if (::mknodat(t.pfd, t.base.c_str(), type | 0600, dev) < 0) {
    if (errno != EEXIST) return entryError(Error::sys(errno, "mknodat {}", name), name);
    TRY(replace(path, t));
    if (::mknodat(t.pfd, t.base.c_str(), type | 0600, dev) < 0) {
      return entryError(Error::sys(errno, "mknodat {}", name), name);
    }
  }
  if (auto s = ownAndXattrs(t, e); !s) return entryError(std::move(s).error(), name);
  if (auto s = modeAndTimes(t, e); !s) return entryError(std::move(s).error(), name);
  return ok();
}

Status Unpacker::makeHardlink(const std::string& path, Target& t, std::string_view name,
                              archive_entry* e) {
  const char* raw = archive_entry_hardlink(e);
  if (raw == nullptr) raw = archive_entry_hardlink_utf8(e);
  std::string_view link(raw);
  if (!link.empty() && link.front() == '/') {
    return Error::invalid("refusing layer entry \"{}\": hardlink target \"{}\" is absolute", name,
                          link);
  }
  auto cleaned = cleanEntryPath(link, link);
  if (!cleaned) {
    return Error::invalid("refusing layer entry \"{}\": hardlink target \"{}\" leaves the layer",
                          name, link);
  }
  const std::string& targetPath = *cleaned;
  if (targetPath.empty()) {
    return Error::invalid("refusing layer entry \"{}\": hardlink to the layer root", name);
  }
  if (targetPath == path) return ok();  // a link to itself: already in place
  auto [targetParent, targetBase] = splitParent(targetPath);
  std::string_view entryParent = splitParent(path).first;
  UniqueFd owned;
  int tdir = t.pfd;
  if (targetParent != entryParent) {
    auto r = dirs_.open(targetParent, name);
    if (!r) {
      if (r.error().sysErrno() == ENOENT) {
        return Error::invalid("refusing layer entry \"{}\": hardlink target \"{}\" does not exist",
                              name, link);
      }
      return std::move(r).error();
    }
    owned = std::move(*r);
    tdir = owned.get();
  }
  std::string tbase(targetBase);
  // flags 0: a link to a symlink links the symlink itself, never what it points at.
  int rc = ::linkat(tdir, tbase.c_str(), t.pfd, t.base.c_str(), 0);
  if (rc < 0 && errno == EEXIST) {
    TRY(replace(path, t));
    rc = ::linkat(tdir, tbase.c_str(), t.pfd, t.base.c_str(), 0);
  }
  if (rc < 0) {
    if (errno == ENOENT) {
      return Error::invalid("refusing layer entry \"{}\": hardlink target \"{}\" does not exist",
                            name, link);
    }
    return entryError(Error::sys(errno, "linkat {} {}", targetPath, path), name);
  }
  return ok();
}

Status Unpacker::finish() {
  // Deepest first; stable so that of two entries for one directory the later one wins.
  std::stable_sort(dirMeta_.begin(), dirMeta_.end(), [](const DirMeta& a, const DirMeta& b) {
    return depth(a.path) > depth(b.path);
  });
  for (const auto& m : dirMeta_) {
    int fd = dirs_.tryOpen(m.path);
    if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP) continue;  // since removed or replaced
    if (fd < 0) return Error::sys(-fd, "openat2 {}", m.path);
    UniqueFd d(fd);
    if (::fchmod(fd, m.mode) < 0) return Error::sys(errno, "chmod {}", m.path);
    if (::futimens(fd, m.times) < 0) return Error::sys(errno, "utimensat {}", m.path);
  }
  return ok();
}

}  // namespace

Result<UnpackStats> unpackLayer(int fd, const std::string& dir, const UnpackOptions& opts) {
  int rfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0) return Error::sys(errno, "open {}", dir);
  UniqueFd root(rfd);

  // Docker's layer compressions; no filter_all, whose rarer decoders would run external
  // programs on untrusted bytes.
  ReadArchive raw(archive_read_new());
  archive_read_support_filter_gzip(raw.get());
  archive_read_support_filter_zstd(raw.get());
  archive_read_support_filter_xz(raw.get());
  archive_read_support_filter_bzip2(raw.get());
  archive_read_support_format_raw(raw.get());
  archive_read_support_format_empty(raw.get());
  Decompressed d;
  d.raw = raw.get();
  d.tap = &opts.onTarBytes;
  if (archive_read_open_fd(raw.get(), fd, kBufSize) != ARCHIVE_OK) {
    return archiveError(raw.get(), d, "open layer stream");
  }
  archive_entry* re;
  int r = archive_read_next_header(raw.get(), &re);
  if (r == ARCHIVE_EOF) {
    d.empty = true;
  } else if (r < ARCHIVE_WARN) {
    return archiveError(raw.get(), d, "open layer stream");
  }

  ReadArchive tar(archive_read_new());
  archive_read_support_format_tar(tar.get());
  archive_read_support_format_empty(tar.get());
  if (archive_read_open(tar.get(), &d, nullptr, readDecompressed, nullptr) != ARCHIVE_OK) {
    return archiveError(tar.get(), d, "read layer tar");
  }
  UnpackStats stats;
  Unpacker unpacker(root.get(), opts);
  for (;;) {
    archive_entry* e;
    r = archive_read_next_header(tar.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return archiveError(tar.get(), d, "read layer tar");
    ++stats.entries;
    TRY(unpacker.entry(tar.get(), e));
  }
  // The diff ID covers the whole stream, padding after the end-of-archive blocks included.
  const void* ignored;
  for (;;) {
    la_ssize_t n = readDecompressed(tar.get(), &d, &ignored);
    if (n < 0) return *d.error;
    if (n == 0) break;
  }
  TRY(unpacker.finish());
  stats.diffId = d.sha.digest();
  stats.tarSize = d.size;
  return stats;
}

}  // namespace berth::image
