#pragma once
// The shim's ends of a container process's stdio: Source, an output fd the loop reads (pipe
// read end or pty master), and Sink, the process's stdin that clients write to (pipe write
// end or a dup of the pty master). Both fds are non-blocking; the monitor registers them.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "shim/protocol.h"

namespace berth::shim {

// Stdin a sink holds before the clients feeding it are paused.
inline constexpr size_t kSinkHighWater = 64 * 1024;

struct Source {
  UniqueFd fd;
  uint8_t stream = kFrameStdout;
  bool paused = false;  // not read because a client is behind
};

class Sink {
 public:
  Sink() = default;
  Sink(UniqueFd fd, bool tty) : fd_(std::move(fd)), tty_(tty) {}

  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  bool hasRoom() const { return valid() && !ended_ && pending_.size() < kSinkHighWater; }
  bool hasPending() const { return !pending_.empty(); }
  /// Writes data now as far as the fd takes it and queues the rest; after a write error (the
  /// reader is gone) data is dropped and the sink is done.
  void write(std::string_view data);
  /// Writes queued data (the fd became writable).
  void flush();
  /// Stdin's EOF: a pipe closes once its queue is written; a pty stays open, since closing the
  /// master would hang up the terminal.
  void end();
  /// True when the monitor should unregister and close the fd now.
  bool done() const { return failed_ || (ended_ && pending_.empty() && !tty_); }
  void close() {
    fd_.reset();
    pending_.clear();
  }

 private:
  UniqueFd fd_;
  bool tty_ = false;
  bool ended_ = false;
  bool failed_ = false;
  std::string pending_;
};

}  // namespace berth::shim

namespace berth::shim {

// Every read of output or client input goes through this one buffer: the shim is
// single-threaded and hands each read on before the next.
inline constexpr size_t kIoBufferSize = 32 * 1024;
char* ioBuffer();

}  // namespace berth::shim
