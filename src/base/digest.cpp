// SHA256_Init and friends (see Sha256::Ctx) are deprecated in OpenSSL 3.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "base/digest.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <vector>

#include "base/unique_fd.h"

namespace berth {

bool isSha256Hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<Digest> Digest::fromHex(std::string_view hex) {
  if (!isSha256Hex(hex))
    return Error::invalid("invalid sha256 digest {:?}: want 64 lowercase hex digits", hex);
  Digest d;
  d.hex_ = std::string(hex);
  return d;
}

Result<Digest> Digest::parse(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return Error::invalid("invalid digest {:?}: want algorithm:hex", s);
  auto algo = s.substr(0, colon);
  if (algo != "sha256") return Error::invalid("unsupported digest algorithm {:?} in {:?}", algo, s);
  return fromHex(s.substr(colon + 1));
}

// OpenSSL's SHA-256 itself (the same SHA-NI/AVX code as EVP's), not the EVP interface: a
// process's first EVP digest loads openssl.cnf and builds the provider's name tables, 1.2 ms of
// CPU measured here, on the path of every container start (berth-runtime keys its seccomp cache
// by a sha256). These calls are deprecated in OpenSSL 3 but kept, and need none of that.
struct Sha256::Ctx {
  SHA256_CTX sha;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (SHA256_Init(&ctx_->sha) != 1) throw std::bad_alloc();
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t len) {
  if (len) SHA256_Update(&ctx_->sha, data, len);
}

Digest Sha256::digest() {
  unsigned char out[SHA256_DIGEST_LENGTH];
  unsigned int n = SHA256_DIGEST_LENGTH;
  SHA256_Final(out, &ctx_->sha);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return *Digest::fromHex(hex);
}

Digest sha256Of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.digest();
}

Result<Digest> sha256File(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", path);
  Sha256 h;
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "read {}", path);
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  return h.digest();
}

}  // namespace berth
