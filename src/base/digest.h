#pragma once
// Content digests ("sha256:<64 hex>"): parsing, validation and streaming SHA-256 (OpenSSL EVP).
// Only sha256 is computed; other algorithms parse (for error messages) but cannot be verified.

#include <compare>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth {

class Digest {
 public:
  Digest() = default;
  /// Parses "algorithm:encoded"; InvalidArgument unless it is sha256 with 64 lowercase hex digits.
  static Result<Digest> parse(std::string_view s);
  /// A sha256 digest from its 64 lowercase hex digits; InvalidArgument otherwise.
  static Result<Digest> fromHex(std::string_view hex);

  const std::string& hex() const { return hex_; }
  std::string str() const { return empty() ? std::string() : "sha256:" + hex_; }
  bool empty() const { return hex_.empty(); }
  // Docker's short ID: the first 12 hex digits.
  std::string shortHex() const { return hex_.substr(0, 12); }

  auto operator<=>(const Digest&) const = default;

 private:
  std::string hex_;
};

// Incremental SHA-256: update() any number of times, then digest() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t len);
  void update(std::string_view data) { update(data.data(), data.size()); }
  Digest digest();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Digest sha256Of(std::string_view data);
/// The sha256 of a whole file, read in large chunks; NotFound etc. from open/read.
Result<Digest> sha256File(const std::string& path);
/// True for a valid 64-hex sha256 encoding (no prefix).
bool isSha256Hex(std::string_view hex);

}  // namespace berth
