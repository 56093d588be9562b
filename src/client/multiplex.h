#pragma once
// Docker's multiplexed stdout/stderr framing (stdcopy): each frame is an 8-byte header — the
// stream (0 stdin, 1 stdout, 2 stderr, 3 systemerr), three zero bytes, a big-endian uint32
// length — then the payload. The demuxer takes bytes as they arrive and hands on payload
// pieces without waiting for whole frames.

#include <cstdint>
#include <functional>
#include <string_view>

#include "base/error.h"

namespace berth::client {

class Demuxer {
 public:
  // Called with each piece of payload and the stream it belongs to; an error stops feeding.
  using Sink = std::function<Status(int stream, std::string_view payload)>;

  explicit Demuxer(Sink sink) : sink_(std::move(sink)) {}

  /// Consumes data; InvalidArgument on a stream byte above 3 ("Unrecognized input header").
  Status feed(std::string_view data);
  /// Whether the input ended on a frame boundary.
  bool atBoundary() const { return headerLen_ == 0 && remaining_ == 0; }

 private:
  Sink sink_;
  unsigned char header_[8] = {};
  size_t headerLen_ = 0;
  uint32_t remaining_ = 0;
  int stream_ = 0;
};

}  // namespace berth::client
