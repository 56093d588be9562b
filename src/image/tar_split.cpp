#include "image/tar_split.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/unique_fd.h"
#include "sys/syscalls.h"

namespace berth::image {
namespace {

constexpr size_t kBlock = 512;
constexpr std::string_view kMagic = "BERTHSPLIT1\n";

uint64_t padding(uint64_t size) {
  return (kBlock - size % kBlock) % kBlock;
}

// The size field: octal digits, or GNU's base-256 when the top bit of the first byte is set.
uint64_t headerSize(const char* h) {
  const unsigned char* f = reinterpret_cast<const unsigned char*>(h + 124);
  uint64_t v = 0;
  if (f[0] & 0x80) {
    for (int i = 1; i < 12; ++i) v = (v << 8) | f[i];
    return v;
  }
  for (int i = 0; i < 12; ++i) {
    if (f[i] == ' ' || f[i] == 0) {
      if (v) break;
      continue;
    }
    if (f[i] < '0' || f[i] > '7') break;
    v = v * 8 + (f[i] - '0');
  }
  return v;
}

std::string field(const char* p, size_t n) {
  return std::string(p, strnlen(p, n));
}

std::string cleanName(std::string n) {
  while (n.rfind("./", 0) == 0) n.erase(0, 2);
  while (!n.empty() && n.front() == '/') n.erase(0, 1);
  while (!n.empty() && n.back() == '/') n.pop_back();
  return n;
}

void putU32(std::string& s, uint32_t v) {
  s.append(reinterpret_cast<const char*>(&v), 4);
}
void putU64(std::string& s, uint64_t v) {
  s.append(reinterpret_cast<const char*>(&v), 8);
}

}  // namespace

void TarSplitter::feed(const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    switch (state_) {
      case State::Header: {
        size_t k = std::min(len, kBlock - hdr_.size());
        hdr_.append(p, k);
        p += k, len -= k;
        if (hdr_.size() == kBlock) header();
        break;
      }
      case State::Meta:
      case State::File:
      case State::Padding: {
        size_t k = static_cast<size_t>(std::min<uint64_t>(len, remaining_));
        if (state_ != State::File) meta_.append(p, k);
        if (state_ == State::Meta && (extType_ == 'x' || extType_ == 'L')) extBuf_.append(p, k);
        p += k, len -= k, remaining_ -= k;
        if (remaining_ == 0) endOfData();
        break;
      }
      case State::Trailer:
        meta_.append(p, len);
        len = 0;
        break;
    }
  }
}

void TarSplitter::endOfData() {
  if (state_ == State::Meta || state_ == State::File) {
    if (pad_ > 0) {
      state_ = State::Padding;
      remaining_ = pad_;
      pad_ = 0;
      return;
    }
  }
  // Extended headers apply to the next entry.
  if (extType_ == 'L') {
    longName_ = std::string(extBuf_.c_str());
  } else if (extType_ == 'x') {
    std::string_view recs = extBuf_;
    while (!recs.empty()) {
      auto sp = recs.find(' ');
      if (sp == std::string_view::npos) break;
      size_t n = 0;
      for (char c : recs.substr(0, sp)) n = n * 10 + static_cast<size_t>(c - '0');
      if (n == 0 || n > recs.size()) break;
      auto rec = recs.substr(sp + 1, n - sp - 2);  // without the trailing newline
      auto eq = rec.find('=');
      auto key = rec.substr(0, eq);
      if (key == "path") paxPath_ = std::string(rec.substr(eq + 1));
      if (key.rfind("GNU.sparse", 0) == 0) unusable();
      recs.remove_prefix(n);
    }
  }
  extType_ = 0;
  extBuf_.clear();
  state_ = State::Header;
}

void TarSplitter::header() {
  char h[kBlock];
  std::memcpy(h, hdr_.data(), kBlock);
  meta_ += hdr_;
  hdr_.clear();
  if (std::all_of(h, h + kBlock, [](char c) { return c == 0; })) {
    state_ = State::Trailer;  // end-of-archive blocks and whatever follows: kept as they are
    return;
  }
  char type = h[156];
  uint64_t size = headerSize(h);
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
    extType_ = type;
    state_ = State::Meta;
    remaining_ = size;
    pad_ = padding(size);
    if (remaining_ == 0) endOfData();
    return;
  }
  std::string name;
  if (longName_) {
    name = *longName_;
  } else if (paxPath_) {
    name = *paxPath_;
  } else {
    name = field(h, 100);
    if (std::memcmp(h + 257, "ustar", 5) == 0 && h[345]) name = field(h + 345, 155) + "/" + name;
  }
  longName_.reset();
  paxPath_.reset();
  name = cleanName(name);
  for (unsigned char c : name)
    if (c >= 0x80) unusable();
  // A later entry at a path whose data we point to would leave other bytes there.
  if (dataNames_.count(name)) unusable();
  auto slash = name.rfind('/');
  auto base = slash == std::string::npos ? name : name.substr(slash + 1);
  if (base.rfind(".wh.", 0) == 0 && base != ".wh..wh..opq") {
    auto target = (slash == std::string::npos ? "" : name.substr(0, slash + 1)) + base.substr(4);
    if (dataNames_.count(target)) unusable();
  }
  bool regular = type == '0' || type == 0 || type == '7';
  if (type == 'S') unusable();
  if (regular && size > 0 && name.find(".wh.") == std::string::npos) {
    flushMeta();
    out_.push_back('F');
    putU64(out_, size);
    putU32(out_, static_cast<uint32_t>(name.size()));
    out_ += name;
    dataNames_.insert(name);
    state_ = State::File;
  } else {
    state_ = State::Meta;  // data of any other entry is kept verbatim
  }
  remaining_ = size;
  pad_ = padding(size);
  if (remaining_ == 0) endOfData();
}

void TarSplitter::flushMeta() {
  if (meta_.empty()) return;
  out_.push_back('M');
  putU32(out_, static_cast<uint32_t>(meta_.size()));
  out_ += meta_;
  meta_.clear();
}

std::optional<std::string> TarSplitter::finish() {
  if (state_ != State::Trailer || !hdr_.empty()) unusable();  // truncated, or no end blocks
  if (!usable_) return std::nullopt;
  flushMeta();
  out_.push_back('Z');
  return std::string(kMagic) + out_;
}

Status rebuildTar(std::string_view split, const std::string& diffDir, const Digest& expect,
                  int64_t expectSize, const std::function<Status(const void*, size_t)>& sink) {
  if (split.substr(0, kMagic.size()) != kMagic)
    return Error::invalid("tar-split of {}: bad header", diffDir);
  split.remove_prefix(kMagic.size());
  UniqueFd dir(::open(diffDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Error::sys(errno, "open {}", diffDir);
  Sha256 sha;
  int64_t total = 0;
  auto emit = [&](const void* p, size_t n) -> Status {
    sha.update(p, n);
    total += static_cast<int64_t>(n);
    return sink(p, n);
  };
  auto need = [&](size_t n) -> Status {
    if (split.size() < n) return Error::invalid("tar-split of {}: truncated", diffDir);
    return ok();
  };
  std::vector<char> buf(1 << 20);
  for (;;) {
    TRY(need(1));
    char t = split[0];
    split.remove_prefix(1);
    if (t == 'Z') break;
    if (t == 'M') {
      TRY(need(4));
      uint32_t n;
      std::memcpy(&n, split.data(), 4);
      split.remove_prefix(4);
      TRY(need(n));
      TRY(emit(split.data(), n));
      split.remove_prefix(n);
    } else if (t == 'F') {
      TRY(need(12));
      uint64_t size;
      uint32_t plen;
      std::memcpy(&size, split.data(), 8);
      std::memcpy(&plen, split.data() + 8, 4);
      split.remove_prefix(12);
      TRY(need(plen));
      std::string path(split.substr(0, plen));
      split.remove_prefix(plen);
      int fd =
          sys::openBeneathNoSymlinks(dir.get(), path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) return Error::sys(-fd, "open {} in layer {}", path, diffDir);
      UniqueFd f(fd);
      struct stat st;
      if (::fstat(f.get(), &st) != 0) return Error::sys(errno, "stat {}", path);
      if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != size)
        return Error::invalid("layer {} changed: {} is not the {}-byte file it was", diffDir, path,
                              size);
      uint64_t left = size;
      while (left > 0) {
        ssize_t n = ::read(f.get(), buf.data(), std::min<uint64_t>(buf.size(), left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error::sys(n < 0 ? errno : EIO, "read {}", path);
        TRY(emit(buf.data(), static_cast<size_t>(n)));
        left -= static_cast<uint64_t>(n);
      }
    } else {
      return Error::invalid("tar-split of {}: unknown record", diffDir);
    }
  }
  auto got = sha.digest();
  if (got != expect || total != expectSize)
    return Error::invalid(
        "layer {} no longer matches its diff ID: rebuilt {} ({} bytes), want {} ({} bytes)",
        diffDir, got.str(), total, expect.str(), expectSize);
  return ok();
}

}  // namespace berth::image
