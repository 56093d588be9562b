#include "shim/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>

#include "shim/log_format.h"
#include "shim/protocol.h"
#include "shim/util.h"

namespace berth::shim {
namespace {

// Scratch buffers give back what a burst of escaped binary output made them grow to: the
// shim's memory is counted per container.
void releaseIfLarge(std::string& s) {
  if (s.capacity() > 64 * 1024) std::string().swap(s);
}

}  // namespace

Result<LogFile> LogFile::open(std::string path, int64_t maxSize, int maxFiles) {
  if (maxFiles < 1) return invalidArgument("log max-file is below 1");
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return sysError(errno, "open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sysError(errno, "fstat " + path);
  return LogFile(std::move(path), std::move(fd), st.st_size, maxSize, maxFiles);
}

void LogFile::append(std::string_view entry) {
  if (maxSize_ > 0 && size_ >= maxSize_) {
    // What is queued still goes to the old file.
    Status st = writeQueued();
    if (st) st = rotate();
    if (!st && error_.empty()) error_ = st.error().what();
  }
  pending_.append(entry);
  size_ += static_cast<int64_t>(entry.size());
}

Status LogFile::flush() {
  Status st = writeQueued();
  if (st && !error_.empty()) st = Error(ErrorKind::Internal, error_);
  error_.clear();
  return st;
}

Status LogFile::writeQueued() {
  if (pending_.empty()) return ok();
  Status st = writeAllTo(fd_.get(), pending_, path_);
  pending_.clear();
  releaseIfLarge(pending_);
  return st;
}

Status LogFile::rotate() {
  // Like moby: the oldest file goes, FILE.i-1 -> FILE.i, FILE -> FILE.1, a fresh FILE.
  if (maxFiles_ >= 2) {
    std::string last = path_ + "." + std::to_string(maxFiles_ - 1);
    if (::unlink(last.c_str()) != 0 && errno != ENOENT) return sysError(errno, "unlink " + last);
    for (int i = maxFiles_ - 1; i > 1; --i) {
      std::string to = path_ + "." + std::to_string(i);
      std::string from = path_ + "." + std::to_string(i - 1);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        return sysError(errno, "rename " + from);
      }
    }
    std::string first = path_ + ".1";
    if (::rename(path_.c_str(), first.c_str()) != 0 && errno != ENOENT) {
      return sysError(errno, "rename " + path_);
    }
  }
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!fd) return sysError(errno, "open " + path_);
  fd_ = std::move(fd);
  size_ = 0;
  return ok();
}

Status JsonLogger::write(uint8_t stream, std::string_view data, const struct timespec& now) {
  Pending& p = pending_[stream == kFrameStderr ? 1 : 0];
  p.buf.append(data);
  std::string_view buf = p.buf;
  size_t off = 0;
  while (off < buf.size()) {
    std::string_view rest = buf.substr(off);
    size_t window = rest.size() < kMaxLogLine ? rest.size() : kMaxLogLine;
    size_t nl = rest.substr(0, window).find('\n');
    if (nl != std::string_view::npos) {
      emit(stream, p, rest.substr(0, nl), true, now);
      off += nl + 1;
    } else if (rest.size() >= kMaxLogLine) {
      emit(stream, p, rest.substr(0, kMaxLogLine), false, now);
      off += kMaxLogLine;
    } else {
      break;
    }
  }
  p.buf.erase(0, off);
  releaseIfLarge(line_);
  releaseIfLarge(entry_);
  return file_.flush();
}

Status JsonLogger::close(uint8_t stream, const struct timespec& now) {
  Pending& p = pending_[stream == kFrameStderr ? 1 : 0];
  if (!p.buf.empty()) emit(stream, p, p.buf, false, now);
  p.buf.clear();
  p.buf.shrink_to_fit();
  p.inPartial = false;
  return file_.flush();
}

void JsonLogger::emit(uint8_t stream, Pending& p, std::string_view line, bool newline,
                      const struct timespec& now) {
  if (!p.inPartial) p.partialTime = now;
  line_.assign(line);
  if (newline) line_.push_back('\n');
  entry_.clear();
  appendLogEntry(entry_, line_, stream == kFrameStderr ? "stderr" : "stdout", p.partialTime);
  file_.append(entry_);
  p.inPartial = !newline;
}

}  // namespace berth::shim
