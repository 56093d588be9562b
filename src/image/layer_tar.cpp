// writeLayerTar: a directory walked with openat/fdopendir (never through a symlink), each
// directory's children in bytewise order and a directory before its contents, as Docker's
// filepath.Walk does; PAX entries with numeric owners, permissions, whole-second mtimes and no
// atime/ctime, so equal trees give equal bytes. libarchive's output goes to a LayerSink, which
// hashes, compresses and writes it.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "image/layer.h"
#include "image/layer_fs.h"
#include "image/layer_sink.h"

namespace berth::image {
namespace {

constexpr size_t kBufSize = 1 << 20;
constexpr const char* kOpaqueXattr = "trusted.overlay.opaque";
// overlayfs bookkeeping of the upper dir, not content.
constexpr std::string_view kOverlayXattrPrefix = "trusted.overlay.";
// The host's SELinux label is relabelled wherever the image runs; Docker leaves it out too.
constexpr std::string_view kSelinuxXattr = "security.selinux";

struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

struct WriteCtx {
  LayerSink* sink;
  std::optional<Error> error;
};

la_ssize_t writeCallback(archive*, void* client, const void* buf, size_t len) {
  auto* c = static_cast<WriteCtx*>(client);
  if (auto s = c->sink->write(buf, len); !s) {
    c->error = std::move(s).error();
    return -1;
  }
  return static_cast<la_ssize_t>(len);
}

using Xattrs = std::vector<std::pair<std::string, std::string>>;

class TarWriter {
 public:
  TarWriter(archive* a, WriteCtx& ctx, const TarOptions& opts)
      : a_(a), ctx_(ctx), opts_(opts), e_(archive_entry_new()), buf_(kBufSize) {}

  Status walk(int dirfd, const std::string& prefix);

 private:
  Status writeChild(int dirfd, const std::string& name, const std::string& rel,
                    const struct stat& st);
  // Starts a fresh entry with the metadata every type shares.
  archive_entry* begin(const std::string& path, const struct stat& st, mode_t type);
  void addXattrs(const Xattrs& xattrs);
  Status writeHeader(const std::string& rel);
  Status copyData(int fd, int64_t size, const std::string& rel);
  // For a non-directory with other links: the path it was first written under, if any.
  std::optional<std::string> seenLink(const struct stat& st, const std::string& rel);
  Error archiveError(const std::string& rel);

  archive* a_;
  WriteCtx& ctx_;
  const TarOptions& opts_;
  std::unique_ptr<archive_entry, EntryFree> e_;
  std::vector<char> buf_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

archive_entry* TarWriter::begin(const std::string& path, const struct stat& st, mode_t type) {
  archive_entry* e = e_.get();
  archive_entry_clear(e);
  archive_entry_copy_pathname(e, path.c_str());
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, st.st_mode & 07777);
  archive_entry_set_uid(e, st.st_uid);
  archive_entry_set_gid(e, st.st_gid);
  // Whole seconds, as Docker writes them: sub-second times would only make equal trees differ.
  archive_entry_set_mtime(e, st.st_mtim.tv_sec, 0);
  return e;
}

void TarWriter::addXattrs(const Xattrs& xattrs) {
  for (const auto& [key, value] : xattrs) {
    if (startsWith(key, kOverlayXattrPrefix) || key == kSelinuxXattr) continue;
    archive_entry_xattr_add_entry(e_.get(), key.c_str(), value.data(), value.size());
  }
}

Error TarWriter::archiveError(const std::string& rel) {
  if (ctx_.error) return *ctx_.error;
  const char* msg = archive_error_string(a_);
  return Error::internal("write tar entry {}: {}", rel, msg ? msg : "error");
}

Status TarWriter::writeHeader(const std::string& rel) {
  // ARCHIVE_WARN: a name not valid in the locale's charset, written as its raw bytes.
  if (archive_write_header(a_, e_.get()) < ARCHIVE_WARN) return archiveError(rel);
  return ok();
}

Status TarWriter::copyData(int fd, int64_t size, const std::string& rel) {
  // A file that shrinks meanwhile is padded with zeros by libarchive; one that grows is cut at
  // the size already in its header.
  while (size > 0) {
    size_t want = static_cast<size_t>(std::min<int64_t>(size, static_cast<int64_t>(buf_.size())));
    ssize_t n = ::read(fd, buf_.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "read {}", rel);
    }
    if (n == 0) break;
    if (archive_write_data(a_, buf_.data(), static_cast<size_t>(n)) < 0) return archiveError(rel);
    size -= n;
  }
  return ok();
}

std::optional<std::string> TarWriter::seenLink(const struct stat& st, const std::string& rel) {
  if (st.st_nlink <= 1) return std::nullopt;
  auto [it, inserted] = links_.try_emplace({st.st_dev, st.st_ino}, rel);
  if (inserted) return std::nullopt;
  return it->second;
}

Status TarWriter::walk(int dirfd, const std::string& prefix) {
  auto names = TRY_CTX(listDirAt(dirfd, prefix.empty() ? "." : prefix), "list {}",
                       prefix.empty() ? "." : prefix);
  for (const auto& name : names) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;  // removed since the listing
      return Error::sys(errno, "lstat {}{}", prefix, name);
    }
    TRY(writeChild(dirfd, name, prefix + name, st));
  }
  return ok();
}

Status TarWriter::writeChild(int dirfd, const std::string& name, const std::string& rel,
                             const struct stat& st) {
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Error::sys(errno, "openat {}", rel);
    UniqueFd dir(fd);
    auto xattrs = TRY(readXattrs(fd, rel));
    begin(rel + "/", st, AE_IFDIR);
    addXattrs(xattrs);
    TRY(writeHeader(rel));
    bool opaque = false;
    for (const auto& [key, value] : xattrs) opaque |= key == kOpaqueXattr && value == "y";
    if (opts_.overlayWhiteouts && opaque) {
      // Docker's layout: the marker right after its directory, with the directory's owner.
      archive_entry* e = begin(rel + "/.wh..wh..opq", st, AE_IFREG);
      archive_entry_set_perm(e, st.st_mode & 0777);
      archive_entry_set_size(e, 0);
      TRY(writeHeader(rel));
    }
    return walk(fd, rel + "/");
  }

  if (opts_.overlayWhiteouts && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
    // An overlayfs whiteout becomes the OCI ".wh.NAME" empty file, mode 0600 as Docker writes.
    size_t slash = rel.rfind('/');
    std::string path = slash == std::string::npos
                           ? ".wh." + rel
                           : rel.substr(0, slash + 1) + ".wh." + rel.substr(slash + 1);
    archive_entry* e = begin(path, st, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_size(e, 0);
    return writeHeader(rel);
  }
  if (S_ISSOCK(st.st_mode)) return ok();  // tar has no socket type; Docker skips them too

  if (auto first = seenLink(st, rel)) {
    archive_entry* e = begin(rel, st, st.st_mode & S_IFMT);
    archive_entry_copy_hardlink(e, first->c_str());
    archive_entry_set_size(e, 0);
    return writeHeader(rel);
  }

  if (S_ISREG(st.st_mode)) {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Error::sys(errno, "openat {}", rel);
    UniqueFd file(fd);
    auto xattrs = TRY(readXattrs(fd, rel));
    archive_entry* e = begin(rel, st, AE_IFREG);
    archive_entry_set_size(e, st.st_size);
    addXattrs(xattrs);
    TRY(writeHeader(rel));
    return copyData(fd, st.st_size, rel);
  }

  auto xattrs = TRY(readXattrs(-1, fdRelativePath(dirfd, name)));
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n;
    for (;;) {
      n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
      if (n < 0) return Error::sys(errno, "readlink {}", rel);
      if (static_cast<size_t>(n) < target.size()) break;
      target.resize(target.size() * 2);  // grew since the lstat
    }
    target.resize(static_cast<size_t>(n));
    archive_entry* e = begin(rel, st, AE_IFLNK);
    archive_entry_set_perm(e, 0777);
    archive_entry_copy_symlink(e, target.c_str());
    addXattrs(xattrs);
    return writeHeader(rel);
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
    archive_entry* e = begin(rel, st, st.st_mode & S_IFMT);
    if (!S_ISFIFO(st.st_mode)) {
      archive_entry_set_rdevmajor(e, major(st.st_rdev));
      archive_entry_set_rdevminor(e, minor(st.st_rdev));
    }
    addXattrs(xattrs);
    return writeHeader(rel);
  }
  return Error::invalid("write layer: {} has an unsupported file type {:o}", rel,
                        st.st_mode & S_IFMT);
}

}  // namespace

Result<TarStats> writeLayerTar(const std::string& dir, int outFd, const TarOptions& opts) {
  int rfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0) return Error::sys(errno, "open {}", dir);
  UniqueFd root(rfd);
  auto sink = TRY(LayerSink::create(opts.compression, outFd));
  WriteCtx ctx{sink.get(), std::nullopt};

  std::unique_ptr<archive, WriteFree> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  // 1 MiB blocks to the sink, and no padding of the last one: the tar ends right after its two
  // zero records, as Go's archive/tar (Docker) ends it.
  archive_write_set_bytes_per_block(a.get(), static_cast<int>(kBufSize));
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open2(a.get(), &ctx, nullptr, writeCallback, nullptr, nullptr) != ARCHIVE_OK) {
    return Error::internal("open tar writer: {}", archive_error_string(a.get()));
  }
  TarWriter writer(a.get(), ctx, opts);
  TRY_CTX(writer.walk(root.get(), ""), "write layer {}", dir);
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (ctx.error) return std::move(*ctx.error).context(fmt::format("write layer {}", dir));
    return Error::internal("write layer {}: {}", dir, archive_error_string(a.get()));
  }
  TRY_CTX(sink->finish(), "write layer {}", dir);
  TarStats stats;
  stats.diffId = sink->diffId();
  stats.digest = sink->digest();
  stats.tarSize = sink->tarSize();
  stats.size = sink->size();
  return stats;
}

}  // namespace berth::image
