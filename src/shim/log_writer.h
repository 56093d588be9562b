#pragma once
// The container's json-file log: LogFile appends entries and rotates by size as moby's
// loggerutils.LogFile does (FILE -> FILE.1 -> ... -> FILE.<max-file - 1>); JsonLogger cuts the
// output of stdout and stderr into entries the way moby's log copier does.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::shim {

// Docker's copier buffer: a line longer than this is logged in pieces of exactly this size.
inline constexpr size_t kMaxLogLine = 16 * 1024;

class LogFile {
 public:
  /// Opens (appending to) or creates path, mode 0640. maxSize <= 0: no rotation; maxFiles >= 1
  /// is how many files exist at most (1: the file is truncated instead of rotated).
  static Result<LogFile> open(std::string path, int64_t maxSize, int maxFiles);

  /// Queues one entry; when the file already holds maxSize bytes, the file rotates first.
  void append(std::string_view entry);
  /// Writes what append queued. A failed write or rotation drops what it could not write (the
  /// container must not block on a full disk) and returns the error.
  Status flush();
  int64_t size() const { return size_; }

 private:
  LogFile(std::string path, UniqueFd fd, int64_t size, int64_t maxSize, int maxFiles)
      : path_(std::move(path)),
        fd_(std::move(fd)),
        size_(size),
        maxSize_(maxSize),
        maxFiles_(maxFiles) {}
  Status writeQueued();
  Status rotate();

  std::string path_;
  UniqueFd fd_;
  int64_t size_;
  int64_t maxSize_;
  int maxFiles_;
  std::string pending_;
  std::string error_;  // a failure inside append(), reported by the next flush()
};

class JsonLogger {
 public:
  explicit JsonLogger(LogFile file) : file_(std::move(file)) {}

  /// Logs bytes the container wrote to stream (kFrameStdout or kFrameStderr) at time now: every
  /// complete line is an entry ending in "\n"; a line reaching kMaxLogLine bytes without a '\n'
  /// is logged as a piece without one, and its pieces share the first piece's time.
  Status write(uint8_t stream, std::string_view data, const struct timespec& now);
  /// The stream ended: what is left of an unterminated line is logged without a '\n' (moby
  /// 20.10 and later do the same).
  Status close(uint8_t stream, const struct timespec& now);

 private:
  struct Pending {
    std::string buf;
    bool inPartial = false;
    struct timespec partialTime {};
  };
  void emit(uint8_t stream, Pending& p, std::string_view line, bool newline,
            const struct timespec& now);

  LogFile file_;
  Pending pending_[2];
  std::string line_;   // scratch: a line plus its '\n'
  std::string entry_;  // scratch: its encoded entry
};

}  // namespace berth::shim
