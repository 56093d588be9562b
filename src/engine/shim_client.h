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
  std::string oomFile;  // where the shim reads the container's OOM kill count at its exit
  bool tty = false, stdinOpen = false, stdinOnce = false;
};

/// Whether the shim runs runtimePath's commands through its linked copy of berth-runtime's
/// library (--runtime-linked) rather than exec'ing it: when the program is berth-runtime, by
/// its file name; any other runtime (runc, crun, a wrapper) is exec'd.
bool runtimeIsLinked(const std::string& runtimePath);

/// A shim started and not yet known to be ready.
struct SpawnedShim {
  pid_t pid = 0;   // the caller's child, to be reaped (waitpid) once it ends
  UniqueFd ready;  // its readiness line comes here
};
/// Starts the shim in a session of its own without waiting for it, so that the caller can go
/// on preparing the container (the bundle) while it starts.
Result<SpawnedShim> spawnShim(const ShimLaunch& l);
/// Waits (60 s at most) for the shim's readiness line: its socket is bound and the stdio made;
/// "start" on the socket then runs the container. The runtime's or the shim's message on
/// failure; a shim that never answered is killed (the caller still reaps it).
Status awaitShim(SpawnedShim& s, const std::string& id);

/// Connects to <stateDir>/shim.sock; Unavailable when no shim answers.
Result<UniqueFd> connectShim(const std::string& stateDir);
/// Sends one request line and reads the one-line answer; "error <msg>" becomes an Error
/// (Conflict/InvalidArgument/Internal judged from the text). Returns what followed "ok".
Result<std::string> shimRequest(int fd, const std::string& line);
/// connectShim + shimRequest for one-shot requests.
Result<std::string> shimCall(const std::string& stateDir, const std::string& line);

}  // namespace berth::engine
