#pragma once
// LayerSink takes the uncompressed bytes of a layer tar as they are produced: it hashes them (the
// diff ID), compresses them (gzip or zstd, or not at all) and writes the result to an fd, hashing
// what it writes (the digest). Used by writeLayerTar from libarchive's write callback.

#include <cstdint>
#include <memory>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "oci/image.h"

namespace berth::image {

class LayerSink {
 public:
  /// outFd is borrowed. Internal when the compressor cannot be set up.
  static Result<std::unique_ptr<LayerSink>> create(oci::Compression c, int outFd);
  ~LayerSink();

  /// Takes the next uncompressed bytes.
  Status write(const void* data, size_t len);
  /// Flushes the compressor's tail and computes the digests; call once, after the last write.
  Status finish();

  const Digest& diffId() const { return diffId_; }
  const Digest& digest() const { return digest_; }
  int64_t tarSize() const { return tarSize_; }
  int64_t size() const { return size_; }

  class Codec;

 private:
  LayerSink(int outFd, std::unique_ptr<Codec> codec);
  Status emit(const void* data, size_t len);

  int fd_;
  std::unique_ptr<Codec> codec_;  // null: uncompressed
  Sha256 tarSha_;
  Sha256 outSha_;
  int64_t tarSize_ = 0;
  int64_t size_ = 0;
  Digest diffId_;
  Digest digest_;
};

}  // namespace berth::image
