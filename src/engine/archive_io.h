#pragma once
// libarchive plumbing the image archive code shares: reading a tar (any compression) entry by
// entry, and writing one with regular files from memory or from blob fds.

#include <archive.h>
#include <archive_entry.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::engine::detail {

class TarReader {
 public:
  /// Reads from fd (not owned) through every decompressor libarchive has.
  static Result<TarReader> open(int fd);
  /// Visits each entry: name (without a leading "./"), the entry, and a function that streams
  /// the entry's data to a sink.
  using DataFn = std::function<Status(const std::function<Status(const void*, size_t)>& sink)>;
  Status forEach(const std::function<Status(const std::string& name, archive_entry* e,
                                            const DataFn& data)>& fn);

 private:
  std::unique_ptr<archive, decltype(&archive_read_free)> a_{nullptr, archive_read_free};
};

class TarWriter {
 public:
  /// Writes a PAX tar to fd (not owned); entries get mtime 0 so equal input gives equal bytes.
  static Result<TarWriter> open(int fd);
  Status addDir(const std::string& name);
  Status addFile(const std::string& name, std::string_view data);
  /// A file whose bytes come from fd (size bytes from offset 0).
  Status addFileFromFd(const std::string& name, int fd, int64_t size);
  /// A file of size bytes that produce() streams into the sink it is given.
  using Sink = std::function<Status(const void*, size_t)>;
  Status addFileFromSource(const std::string& name, int64_t size,
                           const std::function<Status(const Sink&)>& produce);
  Status close();

 private:
  Status header(const std::string& name, mode_t type, int64_t size);
  std::unique_ptr<archive, decltype(&archive_write_free)> a_{nullptr, archive_write_free};
};

}  // namespace berth::engine::detail
