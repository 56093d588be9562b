#pragma once
// Moves a hijacked client connection's bytes to and from a shim stream (attach, exec): client
// input goes to the process's stdin, shim frames go back to the client, raw for a tty and in
// Docker's multiplexed framing otherwise.

#include <optional>
#include <string>

#include "api/http.h"

namespace berth::api {

struct PumpResult {
  std::optional<int> exitCode;  // from the shim's exit frame (exec)
  bool detached = false;        // the client typed the detach keys: the process runs on
  std::string pending;          // when detached: shim bytes read that end no frame yet
};

/// Runs until the shim ends the stream, the client goes away or it types detachKeys (bytes
/// from apitypes::parseDetachKeys; empty: none). stdinWanted: forward client input (its EOF
/// becomes a half-close towards the shim).
PumpResult pumpShimStream(Conn& client, int shimFd, bool tty, bool stdinWanted,
                          std::string detachKeys = {});

/// The detach sequence a hijacked stream watches for: none unless the client has a tty and
/// sends stdin; then the keys given (moby's list), or Docker's ctrl-p,ctrl-q. InvalidArgument
/// for a list that does not parse.
Result<std::string> detachKeysFor(std::string_view given, bool ttyWithStdin);

/// One frame of Docker's multiplexed stream format.
std::string frame(int stream, std::string_view payload);

}  // namespace berth::api
