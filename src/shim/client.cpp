#include "shim/client.h"

#include <sys/socket.h>

#include <cerrno>

#include "shim/frame.h"

namespace berth::shim {

void Client::queueFrame(uint8_t stream, std::string_view payload) {
  appendFrame(out_, stream, payload);
}

bool Client::flush(int64_t nowMs) {
  bool progress = false;
  while (pending() > 0) {
    ssize_t n = ::send(fd_.get(), out_.data() + off_, pending(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off_ += static_cast<size_t>(n);
      progress = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    dead = true;
    return false;
  }
  if (pending() == 0) {
    out_.clear();
    if (out_.capacity() > 64 * 1024) out_.shrink_to_fit();
    off_ = 0;
    stalledSince_ = 0;
    return true;
  }
  if (off_ >= 64 * 1024) {
    out_.erase(0, off_);
    off_ = 0;
  }
  if (progress || stalledSince_ == 0) stalledSince_ = nowMs;
  return true;
}

}  // namespace berth::shim
