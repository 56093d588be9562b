#pragma once
// Moves a hijacked client connection's bytes to and from a shim stream (attach, exec): client
// input goes to the process's stdin, shim frames go back to the client, raw for a tty and in
// Docker's multiplexed framing otherwise.

#include <optional>

#include "api/http.h"

namespace berth::api {

struct PumpResult {
  std::optional<int> exitCode;  // from the shim's exit frame (exec)
};

/// Runs until the shim ends the stream or the client goes away. stdinWanted: forward client
/// input (its EOF becomes a half-close towards the shim).
PumpResult pumpShimStream(Conn& client, int shimFd, bool tty, bool stdinWanted);

/// One frame of Docker's multiplexed stream format.
std::string frame(int stream, std::string_view payload);

}  // namespace berth::api
