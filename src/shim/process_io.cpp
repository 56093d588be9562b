#include "shim/process_io.h"

#include <unistd.h>

#include <cerrno>

namespace berth::shim {

void Sink::write(std::string_view data) {
  if (!valid() || failed_ || data.empty()) return;
  if (pending_.empty()) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_.get(), data.data(), data.size());
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      failed_ = true;
      return;
    }
  }
  pending_.append(data);
}

void Sink::flush() {
  std::string queued = std::move(pending_);
  pending_.clear();
  write(queued);
}

void Sink::end() {
  ended_ = true;
}

}  // namespace berth::shim

namespace berth::shim {

char* ioBuffer() {
  static char buffer[kIoBufferSize];
  return buffer;
}

}  // namespace berth::shim
