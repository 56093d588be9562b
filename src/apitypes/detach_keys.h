#pragma once
// Detach keys (docker attach/run/exec -it, `detachKeys` and `DetachKeys` in the API): parsing
// moby's key list and spotting the sequence in a stream of input, on the client's side and on
// berthd's, which detaches a tty client that did not do it itself.

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::apitypes {

/// Docker's default: ctrl-p then ctrl-q.
inline constexpr std::string_view kDefaultDetachKeys = "ctrl-p,ctrl-q";

/// moby/term's ToBytes: comma-separated keys, each one character or ctrl-<x>.
/// InvalidArgument "Invalid detach keys (x) provided".
Result<std::string> parseDetachKeys(std::string_view keys);

/// Watches input for a detach sequence (bytes from parseDetachKeys; empty: never detaches).
/// Bytes that begin the sequence are held back until it completes (they are dropped) or breaks
/// (they are passed on, but for a tail that begins it again).
class DetachScanner {
 public:
  explicit DetachScanner(std::string keys = {}) : keys_(std::move(keys)) {}
  /// Appends to out what passes on; true once the sequence is complete (out then holds what
  /// came before it, and the rest of in is not looked at).
  bool feed(std::string_view in, std::string& out);

 private:
  std::string keys_;
  size_t held_ = 0;
};

}  // namespace berth::apitypes
