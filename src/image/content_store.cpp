#include "image/content_store.h"

#include "base/file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace berth::image {
namespace {

// Big enough that a 512 MiB layer is 512 read/write pairs, small enough to stay in L2-ish.
constexpr size_t kChunk = 1 << 20;

struct Dirs {
  std::string blobs;   // <root>/blobs/sha256
  std::string ingest;  // <root>/blobs/ingest
  UniqueFd blobsFd;    // fsynced after each rename so the new name survives a power loss
};

// Removes ingest files whose writer is gone. A live writer holds an exclusive flock on its file
// for its whole life, so another process opening the store at the same time leaves it alone;
// the lock dies with the writer, SIGKILL included.
Status removeStaleIngests(const std::string& ingest) {
  UniqueFd dir(::open(ingest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Error::sys(errno, "open {}", ingest);
  for (auto& name : TRY(listDirAt(dir.get(), ingest))) {
    UniqueFd f(::openat(dir.get(), name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!f) {
      // A symlink nobody should have put there: nothing to lock, just remove it.
      if (errno == ELOOP) ::unlinkat(dir.get(), name.c_str(), 0);
      continue;
    }
    if (::flock(f.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a writer is alive
    ::unlinkat(dir.get(), name.c_str(), 0);
  }
  return ok();
}

class WriterImpl final : public ContentStore::Writer {
 public:
  static Result<std::unique_ptr<WriterImpl>> create(std::shared_ptr<const Dirs> dirs) {
    auto w = std::unique_ptr<WriterImpl>(new WriterImpl(std::move(dirs)));
    TRY(w->openTemp());
    return w;
  }

  ~WriterImpl() override { drop(); }

  using ContentStore::Writer::write;

  Status write(const void* data, size_t len) override {
    TRY(checkWritable());
    hash_.update(data, len);
    return append(static_cast<const char*>(data), len);
  }

  Result<int64_t> writeFrom(int fd, int64_t n) override {
    TRY(checkWritable());
    if (!buf_) buf_.reset(new char[kChunk]);  // uninitialised on purpose: no 1 MiB memset
    int64_t copied = 0;
    while (n < 0 || copied < n) {
      size_t want = n < 0 ? kChunk : static_cast<size_t>(std::min<int64_t>(kChunk, n - copied));
      ssize_t r = ::read(fd, buf_.get(), want);
      if (r < 0) {
        if (errno == EINTR) continue;
        broken_ = true;
        return Error::sys(errno, "read fd {}", fd);
      }
      if (r == 0) break;
      hash_.update(buf_.get(), static_cast<size_t>(r));
      TRY(append(buf_.get(), static_cast<size_t>(r)));
      copied += r;
    }
    return copied;
  }

  int64_t size() const override { return size_; }

  Result<Digest> commit(const Digest& expected, int64_t expectedSize) override {
    TRY(checkWritable());
    done_ = true;
    if (expectedSize >= 0 && size_ != expectedSize) {
      drop();
      return Error::invalid("size mismatch: expected {} bytes, got {}", expectedSize, size_);
    }
    Digest got = hash_.digest();
    if (!expected.empty() && expected != got) {
      drop();
      return Error::invalid("digest mismatch: expected {}, got {}", expected.str(), got.str());
    }
    return finish(got);
  }

  // put()'s path: the caller hashed the data already.
  Status writeUnhashed(std::string_view data) {
    TRY(checkWritable());
    return append(data.data(), data.size());
  }

  // Makes the verified temp file the blob d: chmod, fsync, rename, fsync the directory.
  Result<Digest> finish(const Digest& d) {
    done_ = true;
    std::string final = dirs_->blobs + "/" + d.hex();
    if (::access(final.c_str(), F_OK) == 0) {
      drop();  // present already, hence verified: our copy adds nothing
      return d;
    }
    if (::fchmod(fd_.get(), 0444) != 0) return fail(Error::sys(errno, "chmod {}", path_));
    if (::fsync(fd_.get()) != 0) return fail(Error::sys(errno, "fsync {}", path_));
    // NOREPLACE: a concurrent writer of the same blob that won the race keeps its file (readers
    // may hold it open); ours is identical and simply dropped.
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, final.c_str(), RENAME_NOREPLACE) != 0) {
      if (errno == EEXIST) {
        drop();
        return d;
      }
      // Filesystems without RENAME_NOREPLACE: a plain rename replaces with identical bytes.
      if ((errno != EINVAL && errno != ENOSYS) || ::rename(path_.c_str(), final.c_str()) != 0)
        return fail(Error::sys(errno, "rename {}", final));
    }
    path_.clear();  // no longer ours to remove
    fd_.reset();
    if (::fsync(dirs_->blobsFd.get()) != 0) return Error::sys(errno, "fsync {}", dirs_->blobs);
    return d;
  }

 private:
  explicit WriterImpl(std::shared_ptr<const Dirs> dirs) : dirs_(std::move(dirs)) {}

  Status openTemp() {
    // The flock must be taken before another process's cleanup can see the file unlocked; a
    // cleanup that got in first has unlinked (or is about to unlink) the name, which the
    // inode comparison catches, and we simply try a fresh name.
    for (int attempt = 0; attempt < 16; ++attempt) {
      std::string tmpl = dirs_->ingest + "/XXXXXX";
      UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
      if (!fd) return Error::sys(errno, "mkostemp {}", tmpl);
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
      struct stat byFd, byName;
      if (::fstat(fd.get(), &byFd) != 0) return Error::sys(errno, "fstat {}", tmpl);
      if (::stat(tmpl.c_str(), &byName) != 0 || byName.st_ino != byFd.st_ino ||
          byName.st_dev != byFd.st_dev)
        continue;
      fd_ = std::move(fd);
      path_ = std::move(tmpl);
      return ok();
    }
    return Error(ErrorKind::Unavailable, fmt::format("create ingest file in {}", dirs_->ingest));
  }

  Status checkWritable() const {
    if (done_) return Error(ErrorKind::FailedPrecondition, "blob writer already committed");
    if (broken_) return Error(ErrorKind::FailedPrecondition, "blob writer failed earlier");
    return ok();
  }

  Status append(const char* p, size_t len) {
    auto st = writeAll(fd_.get(), std::string_view(p, len), path_);
    if (!st) {
      broken_ = true;  // the hash has bytes the file lacks
      return st;
    }
    size_ += static_cast<int64_t>(len);
    return ok();
  }

  Error fail(Error e) {
    drop();
    return e;
  }

  void drop() {
    fd_.reset();
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
  }

  std::shared_ptr<const Dirs> dirs_;
  UniqueFd fd_;
  std::string path_;  // the ingest file while we own it
  Sha256 hash_;
  int64_t size_ = 0;
  bool done_ = false;
  bool broken_ = false;
  std::unique_ptr<char[]> buf_;
};

class Store final : public ContentStore {
 public:
  explicit Store(std::shared_ptr<const Dirs> dirs) : dirs_(std::move(dirs)) {}

  bool has(const Digest& d) const override {
    return !d.empty() && ::access(blobPath(d).c_str(), F_OK) == 0;
  }

  std::string blobPath(const Digest& d) const override { return dirs_->blobs + "/" + d.hex(); }

  Result<int64_t> size(const Digest& d) const override {
    TRY(checkDigest(d));
    struct stat st;
    if (::stat(blobPath(d).c_str(), &st) != 0) return missingOr(errno, "stat", d);
    return static_cast<int64_t>(st.st_size);
  }

  Result<UniqueFd> open(const Digest& d) const override {
    TRY(checkDigest(d));
    UniqueFd fd(::open(blobPath(d).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return missingOr(errno, "open", d);
    return fd;
  }

  Result<std::string> read(const Digest& d, int64_t maxSize) const override {
    UniqueFd fd = TRY(open(d));
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return Error::sys(errno, "fstat {}", blobPath(d));
    if (st.st_size > maxSize)
      return Error::invalid("blob {} is {} bytes, more than the {} allowed", d.str(), st.st_size,
                            maxSize);
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < out.size()) {
      ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error::sys(errno, "read {}", blobPath(d));
      }
      if (n == 0) return Error::internal("read {}: blob shorter than its size", blobPath(d));
      got += static_cast<size_t>(n);
    }
    return out;
  }

  Result<std::unique_ptr<Writer>> writer() override {
    auto w = TRY(WriterImpl::create(dirs_));
    return std::unique_ptr<Writer>(std::move(w));
  }

  Result<Digest> put(std::string_view data, const Digest& expected) override {
    Digest got = sha256Of(data);
    if (!expected.empty() && expected != got)
      return Error::invalid("digest mismatch: expected {}, got {}", expected.str(), got.str());
    if (has(got)) return got;
    auto w = TRY(WriterImpl::create(dirs_));
    TRY(w->writeUnhashed(data));
    return w->finish(got);
  }

  Status remove(const Digest& d) override {
    TRY(checkDigest(d));
    if (::unlink(blobPath(d).c_str()) != 0 && errno != ENOENT)
      return Error::sys(errno, "unlink {}", blobPath(d));
    return ok();
  }

  Result<std::vector<Digest>> list() const override {
    std::vector<Digest> out;
    for (auto& name : TRY(listDirAt(dirs_->blobsFd.get(), dirs_->blobs)))
      if (auto d = Digest::fromHex(name)) out.push_back(std::move(*d));  // blob names only
    return out;
  }

 private:
  static Status checkDigest(const Digest& d) {
    if (d.empty()) return Error::invalid("empty blob digest");
    return ok();
  }

  Error missingOr(int err, const char* op, const Digest& d) const {
    if (err == ENOENT) return Error::notFound("blob {} not found", d.str());
    return Error::sys(err, "{} {}", op, blobPath(d));
  }

  std::shared_ptr<const Dirs> dirs_;
};

}  // namespace

Result<std::unique_ptr<ContentStore>> openContentStore(const std::string& root) {
  auto dirs = std::make_shared<Dirs>();
  dirs->blobs = root + "/blobs/sha256";
  dirs->ingest = root + "/blobs/ingest";
  TRY_CTX(ensureDir(dirs->blobs, 0755), "open content store {}", root);
  TRY_CTX(ensureDir(dirs->ingest, 0700), "open content store {}", root);
  dirs->blobsFd = UniqueFd(::open(dirs->blobs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirs->blobsFd) return Error::sys(errno, "open {}", dirs->blobs);
  TRY_CTX(removeStaleIngests(dirs->ingest), "open content store {}", root);
  return std::unique_ptr<ContentStore>(std::make_unique<Store>(std::move(dirs)));
}

}  // namespace berth::image
