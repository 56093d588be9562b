#pragma once
// The request line a client sends on shim.sock (see protocol.h), parsed and validated. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::shim {

// A request line longer than this (its '\n' excluded) is refused.
inline constexpr size_t kMaxRequestLine = 8192;
// Exec ids are names berthd makes up; they also name files, so they stay plain.
inline constexpr size_t kMaxExecId = 128;

enum class RequestKind { Start, Status, Wait, Resize, Attach, Exec, ExecResize };

struct Request {
  RequestKind kind = RequestKind::Status;
  // resize, exec-resize
  uint16_t rows = 0, cols = 0;
  // attach
  bool stdin = false, stdout = false, stderr = false;
  // exec (flags tty and stdin), exec-resize
  std::string execId;
  std::string processFile;
  bool tty = false, openStdin = false;
};

/// Parses one request line (without its '\n'). InvalidArgument for an unknown verb, a wrong
/// number of words, an empty word (words are separated by exactly one space), a bad number, an
/// unknown stream or flag, a relative process path or an exec id outside [A-Za-z0-9_.-].
Result<Request> parseRequest(std::string_view line);

}  // namespace berth::shim
