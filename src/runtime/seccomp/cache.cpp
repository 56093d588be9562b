// compileCached(): compile() once per distinct profile. libseccomp takes ~30 ms to build
// Docker's default profile (some 400 rules for three architectures), the largest part of a
// container start; its output is a pure function of the section, the libseccomp version and the
// kernel's seccomp API level, so the program is kept in a file named by the sha256 of those.
//
// File: "BSECCMP1", flags (u32), notify (u32), instruction count (u64), the instructions, then
// the sha256 of all that (hex). A file that does not check out is ignored and rewritten.

#include <seccomp.h>

#include <cstring>
#include <functional>
#include <mutex>

#include <spdlog/spdlog.h>

#include "base/digest.h"
#include "base/file.h"
#include "base/json.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp {
namespace {

constexpr char kMagic[8] = {'B', 'S', 'E', 'C', 'C', 'M', 'P', '1'};
constexpr size_t kHeader = sizeof kMagic + 4 + 4 + 8;
constexpr size_t kDigest = 64;  // hex

std::mutex gMu;
std::string gDir;

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// What else shapes libseccomp's output, and the version of what compile() adds to it (2: the
// ENOSYS stub; 3: the dispatch over ranges).
std::string keyPrefix() {
  const scmp_version* v = seccomp_version();
  return fmt::format("berth-seccomp 3|libseccomp {}.{}.{}|api {}|native {}|", v->major, v->minor,
                     v->micro, seccomp_api_get(), seccomp_arch_native());
}

// Everything compile() reads, in a fixed order.
std::string cacheKey(const oci::Seccomp& s) {
  std::string k = keyPrefix();
  k += fmt::format("default {} {}|", static_cast<int>(s.defaultAction),
                   s.defaultErrnoRet ? static_cast<int64_t>(*s.defaultErrnoRet) : -1);
  for (const auto& a : s.architectures) k += "arch " + a + "|";
  for (const auto& f : s.flags) k += "flag " + f + "|";
  for (const auto& r : s.syscalls) {
    k += fmt::format("rule {} {}", static_cast<int>(r.action),
                     r.errnoRet ? static_cast<int64_t>(*r.errnoRet) : -1);
    for (const auto& n : r.names) k += " " + n;
    for (const auto& a : r.args) {
      k += fmt::format(" [{} {} {} {}]", a.index, a.value, a.valueTwo, static_cast<int>(a.op));
    }
    k += "|";
  }
  return sha256Of(k).hex();
}

// The section's text itself: another text of the same rules is another entry, compiled once too.
std::string textKey(std::string_view section) {
  return sha256Of(keyPrefix() + "text|" + std::string(section)).hex();
}

std::string encode(const Program& p) {
  std::string out(kMagic, sizeof kMagic);
  put<uint32_t>(out, p.flags);
  put<uint32_t>(out, p.notify ? 1 : 0);
  put<uint64_t>(out, p.filter.size());
  out.append(reinterpret_cast<const char*>(p.filter.data()), p.filter.size() * sizeof(sock_filter));
  out += sha256Of(out).hex();
  return out;
}

std::optional<Program> decode(const std::string& data) {
  if (data.size() < kHeader + kDigest || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
    return std::nullopt;
  uint32_t flags, notify;
  uint64_t count;
  std::memcpy(&flags, data.data() + 8, 4);
  std::memcpy(&notify, data.data() + 12, 4);
  std::memcpy(&count, data.data() + 16, 8);
  if (count == 0 || count > BPF_MAXINSNS ||
      data.size() != kHeader + count * sizeof(sock_filter) + kDigest)
    return std::nullopt;
  std::string_view body(data.data(), data.size() - kDigest);
  if (sha256Of(body).hex() != std::string_view(data).substr(body.size())) return std::nullopt;
  Program p;
  p.flags = flags;
  p.notify = notify != 0;
  p.filter.resize(count);
  std::memcpy(p.filter.data(), data.data() + kHeader, count * sizeof(sock_filter));
  return p;
}

}  // namespace

void setCacheDir(std::string dir) {
  std::lock_guard g(gMu);
  gDir = std::move(dir);
}

namespace {

// The program in the cache under key, else build()'s, stored there.
Result<Program> cached(const std::function<std::string()>& key,
                       const std::function<Result<Program>()>& build) {
  std::string dir;
  {
    std::lock_guard g(gMu);
    dir = gDir;
  }
  if (dir.empty()) return build();
  std::string path = dir + "/" + key();
  if (auto data = readFile(path)) {
    if (auto p = decode(*data)) return std::move(*p);
    spdlog::debug("seccomp cache {}: not a valid program, compiling again", path);
  }
  Program p = TRY(build());
  // A cache that cannot be written costs time, not correctness.
  Status st = ensureDir(dir, 0700);
  if (st) st = writeFileAtomic(path, encode(p), 0600, Durability::Volatile);
  if (!st) spdlog::debug("seccomp cache {}: {}", path, st.error().what());
  return p;
}

}  // namespace

Result<Program> compileCached(const oci::Seccomp& s) {
  return cached([&] { return cacheKey(s); }, [&] { return compile(s); });
}

Result<Program> compileCachedText(std::string_view section) {
  return cached([&] { return textKey(section); },
                [&]() -> Result<Program> {
                  Json j = TRY(parseJson(section, "linux.seccomp"));
                  oci::Seccomp s = TRY(oci::seccompFromJson(j));
                  return compile(s);
                });
}

}  // namespace berth::runtime::seccomp
