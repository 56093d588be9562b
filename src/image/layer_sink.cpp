#include "image/layer_sink.h"

#include "base/file.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <functional>

namespace berth::image {

// Turns input into compressed output handed to `out` in chunks of at most kOutSize bytes.
class LayerSink::Codec {
 public:
  using Out = std::function<Status(const void*, size_t)>;
  virtual ~Codec() = default;
  virtual Status write(const void* data, size_t len, const Out& out) = 0;
  virtual Status finish(const Out& out) = 0;

 protected:
  static constexpr size_t kOutSize = 1 << 20;
  std::vector<unsigned char> buf_ = std::vector<unsigned char>(kOutSize);
};

namespace {

class GzipCodec : public LayerSink::Codec {
 public:
  ~GzipCodec() override {
    if (init_) deflateEnd(&zs_);
  }
  Status init() {
    // windowBits 15 + 16: a gzip header (mtime 0, so equal input gives equal bytes). The default
    // level is what Docker's (Go's gzip.NewWriter) and containerd's layers use.
    if (deflateInit2(&zs_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      return Error::internal("deflateInit2 failed");
    }
    init_ = true;
    return ok();
  }
  Status write(const void* data, size_t len, const Out& out) override {
    zs_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    zs_.avail_in = static_cast<uInt>(len);
    while (zs_.avail_in > 0) TRY(step(Z_NO_FLUSH, out));
    return ok();
  }
  Status finish(const Out& out) override {
    zs_.next_in = nullptr;
    zs_.avail_in = 0;
    while (!ended_) TRY(step(Z_FINISH, out));
    return ok();
  }

 private:
  Status step(int flush, const Out& out) {
    zs_.next_out = buf_.data();
    zs_.avail_out = static_cast<uInt>(buf_.size());
    int r = deflate(&zs_, flush);
    if (r == Z_STREAM_END) {
      ended_ = true;
    } else if (r != Z_OK && r != Z_BUF_ERROR) {
      return Error::internal("deflate: {}", zs_.msg ? zs_.msg : "error");
    }
    size_t n = buf_.size() - zs_.avail_out;
    return n > 0 ? out(buf_.data(), n) : ok();
  }

  z_stream zs_{};
  bool init_ = false;
  bool ended_ = false;
};

class ZstdCodec : public LayerSink::Codec {
 public:
  ~ZstdCodec() override { ZSTD_freeCCtx(cctx_); }
  Status init() {
    cctx_ = ZSTD_createCCtx();
    if (cctx_ == nullptr) return Error::internal("ZSTD_createCCtx failed");
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
    return ok();
  }
  Status write(const void* data, size_t len, const Out& out) override {
    ZSTD_inBuffer in{data, len, 0};
    while (in.pos < in.size) TRY(step(&in, ZSTD_e_continue, out));
    return ok();
  }
  Status finish(const Out& out) override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (TRY(step(&in, ZSTD_e_end, out)) != 0) {
    }
    return ok();
  }

 private:
  Result<size_t> step(ZSTD_inBuffer* in, ZSTD_EndDirective mode, const Out& out) {
    ZSTD_outBuffer o{buf_.data(), buf_.size(), 0};
    size_t left = ZSTD_compressStream2(cctx_, &o, in, mode);
    if (ZSTD_isError(left)) return Error::internal("zstd: {}", ZSTD_getErrorName(left));
    if (o.pos > 0) TRY(out(buf_.data(), o.pos));
    return left;
  }

  ZSTD_CCtx* cctx_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<LayerSink>> LayerSink::create(oci::Compression c, int outFd) {
  std::unique_ptr<Codec> codec;
  if (c == oci::Compression::Gzip) {
    auto g = std::make_unique<GzipCodec>();
    TRY(g->init());
    codec = std::move(g);
  } else if (c == oci::Compression::Zstd) {
    auto z = std::make_unique<ZstdCodec>();
    TRY(z->init());
    codec = std::move(z);
  }
  return std::unique_ptr<LayerSink>(new LayerSink(outFd, std::move(codec)));
}

LayerSink::LayerSink(int outFd, std::unique_ptr<Codec> codec)
    : fd_(outFd), codec_(std::move(codec)) {}

LayerSink::~LayerSink() = default;

Status LayerSink::write(const void* data, size_t len) {
  tarSha_.update(data, len);
  tarSize_ += static_cast<int64_t>(len);
  if (!codec_) return emit(data, len);
  return codec_->write(data, len, [this](const void* p, size_t n) { return emit(p, n); });
}

Status LayerSink::finish() {
  if (codec_) TRY(codec_->finish([this](const void* p, size_t n) { return emit(p, n); }));
  diffId_ = tarSha_.digest();
  digest_ = codec_ ? outSha_.digest() : diffId_;
  return ok();
}

Status LayerSink::emit(const void* data, size_t len) {
  if (codec_) outSha_.update(data, len);
  TRY(writeAll(fd_, std::string_view(static_cast<const char*>(data), len), "layer"));
  size_ += static_cast<int64_t>(len);
  return ok();
}

}  // namespace berth::image
