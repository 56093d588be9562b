#pragma once
// The content store: blobs named by their sha256 under <root>/blobs/sha256/<hex>. A blob is
// written to <root>/blobs/ingest/ first, hashed while the bytes stream in, fsynced, verified and
// only then renamed into place, so a reader never sees a partial or unverified blob. The store
// knows nothing of images; which blobs are still wanted is the metadata's business.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::image {

class ContentStore {
 public:
  // An open ingest: bytes in, then commit() or drop (the destructor removes the temp file).
  class Writer {
   public:
    virtual ~Writer() = default;
    virtual Status write(const void* data, size_t len) = 0;
    Status write(std::string_view s) { return write(s.data(), s.size()); }
    /// Copies up to n bytes (all to EOF when n < 0) from fd; returns the count copied.
    virtual Result<int64_t> writeFrom(int fd, int64_t n = -1) = 0;
    virtual int64_t size() const = 0;
    /// Fsyncs, checks the digest (and the size when expectedSize >= 0) and renames into place.
    /// InvalidArgument "digest mismatch" (blob discarded, nothing visible) when they differ.
    /// When the blob already exists the temp file is dropped and the digest returned.
    virtual Result<Digest> commit(const Digest& expected = {}, int64_t expectedSize = -1) = 0;
  };

  virtual ~ContentStore() = default;
  /// True when the blob is present (and therefore verified).
  virtual bool has(const Digest& d) const = 0;
  virtual std::string blobPath(const Digest& d) const = 0;
  /// NotFound when absent.
  virtual Result<int64_t> size(const Digest& d) const = 0;
  virtual Result<UniqueFd> open(const Digest& d) const = 0;
  /// Reads a small blob whole (manifests, configs); InvalidArgument past maxSize.
  virtual Result<std::string> read(const Digest& d, int64_t maxSize = 64 << 20) const = 0;
  virtual Result<std::unique_ptr<Writer>> writer() = 0;
  /// write + commit in one call.
  virtual Result<Digest> put(std::string_view data, const Digest& expected = {}) = 0;
  /// Removes a blob; absent is not an error.
  virtual Status remove(const Digest& d) = 0;
  virtual Result<std::vector<Digest>> list() const = 0;
};

/// Opens the store under root (creating blobs/sha256 and blobs/ingest) and removes ingest files a
/// crash left behind.
Result<std::unique_ptr<ContentStore>> openContentStore(const std::string& root);

}  // namespace berth::image
