#pragma once
// berthd's side of src/shim/protocol.h: starting a shim detached from berthd, and the request
// lines on its socket.

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::engine {

struct ShimLaunch {
  std::string shimPath;
  std::string id, bundle, stateDir, runtimePath, runtimeRoot, logPath;
  bool tty = false, stdinOpen = false, stdinOnce = false;
};

/// Starts the shim in a session of its own and waits for its readiness line (its socket is
/// bound and the stdio made; "start" on the socket then runs the container). The shim is the
/// caller's child: its pid goes to shimPid, to be reaped (waitpid) once the shim ends.
Status launchShim(const ShimLaunch& l, pid_t* shimPid);

/// Connects to <stateDir>/shim.sock; Unavailable when no shim answers.
Result<UniqueFd> connectShim(const std::string& stateDir);
/// Sends one request line and reads the one-line answer; "error <msg>" becomes an Error
/// (Conflict/InvalidArgument/Internal judged from the text). Returns what followed "ok".
Result<std::string> shimRequest(int fd, const std::string& line);
/// connectShim + shimRequest for one-shot requests.
Result<std::string> shimCall(const std::string& stateDir, const std::string& line);

}  // namespace berth::engine
