#pragma once
// One connection on shim.sock: the request line being read, then the reply and, for attach and
// exec, the stream. Output is queued and written without ever blocking; a client whose socket
// stays full makes no progress, which stalledSinceMs() tells the monitor so it can drop it.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace berth::shim {

enum class ClientMode {
  Request,  // reading the request line
  Reply,    // a one-line answer is queued; closed once written
  Wait,     // waiting for the init's exit
  Attach,   // streaming the container's output; its bytes are the container's stdin
  Exec,     // streaming an exec's output; its bytes are the exec's stdin
};

class Client {
 public:
  explicit Client(UniqueFd fd) : fd_(std::move(fd)) {}

  int fd() const { return fd_.get(); }
  size_t pending() const { return out_.size() - off_; }
  /// Queues bytes, or a frame; flush() writes them.
  void queue(std::string_view bytes) { out_.append(bytes); }
  void queueFrame(uint8_t stream, std::string_view payload);
  /// Writes what the socket takes now; false when the peer is gone (the client is then dead).
  bool flush(int64_t nowMs);
  /// Since when queued output has made no progress; 0 when nothing waits.
  int64_t stalledSinceMs() const { return stalledSince_; }

  ClientMode mode = ClientMode::Request;
  // The request line read so far.
  std::string request;
  // Attach: the streams asked for.
  bool wantStdin = false, wantStdout = false, wantStderr = false;
  // Exec: whose output this client gets.
  std::string execId;
  // Read returned 0: the client's stdin EOF.
  bool inputEnded = false;
  bool closeWhenFlushed = false;
  // To be closed and freed by the monitor.
  bool dead = false;

 private:
  UniqueFd fd_;
  std::string out_;
  size_t off_ = 0;
  int64_t stalledSince_ = 0;
};

}  // namespace berth::shim
