#pragma once
// Tar-split: the framing of a layer tar (headers, PAX records, padding, end blocks) kept apart
// from the file contents, so the exact tar can be rebuilt from the unpacked layer plus this
// small record instead of keeping a second full copy of an uncompressed layer. Docker keeps
// layers the same way; here it halves the bytes `load` writes and the disk a layer takes.

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/error.h"

namespace berth::image {

// Fed the uncompressed tar stream in order, in chunks of any size.
class TarSplitter {
 public:
  void feed(const void* data, size_t len);
  /// The serialized split, or nullopt when the tar cannot be rebuilt from the unpacked files
  /// alone (a path given twice, sparse files, non-ASCII names, whiteout or aufs entries that
  /// carry data, a truncated stream): then the caller keeps the blob itself.
  std::optional<std::string> finish();

 private:
  enum class State { Header, Meta, File, Padding, Trailer };
  void header();
  void endOfData();
  void flushMeta();
  void unusable() { usable_ = false; }

  std::string out_, meta_, hdr_, extBuf_;
  State state_ = State::Header;
  uint64_t remaining_ = 0, pad_ = 0;
  char extType_ = 0;
  std::optional<std::string> longName_, paxPath_;
  std::set<std::string> dataNames_;
  bool usable_ = true;
};

/// Streams the tar a split describes to sink, file contents read from diffDir (never through
/// a symlink, never outside it). Verifies size and sha256 against the layer's: InvalidArgument
/// when the layer dir no longer matches (everything already passed to sink is then suspect).
Status rebuildTar(std::string_view split, const std::string& diffDir, const Digest& expect,
                  int64_t expectSize, const std::function<Status(const void*, size_t)>& sink);

}  // namespace berth::image
