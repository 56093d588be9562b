#pragma once
// berthd's side of src/shim/protocol.h: starting a shim detached from berthd, and the request
// lines on its socket.

#include <sys/types.h>

#include <mutex>
#include <optional>
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
  pid_t pid = 0;
  // Set when the launcher forked the shim: readable once the shim has ended (the launcher
  // reaps it). Otherwise the shim is the caller's child, to be reaped (waitpid) once it ends.
  UniqueFd pidfd;
  UniqueFd ready;  // its readiness line comes here
};

/// berth-shim --launcher (see src/shim/protocol.h): started once, it forks the shims, each
/// without the exec and C library start-up that a posix_spawn of berth-shim costs. A
/// launcher that dies is started again at the next launch. Safe to share between threads.
class ShimLauncher {
 public:
  explicit ShimLauncher(std::string shimPath) : shimPath_(std::move(shimPath)) {}
  ShimLauncher(const ShimLauncher&) = delete;
  ShimLauncher& operator=(const ShimLauncher&) = delete;
  /// Closes the launcher's socket, which ends it, and reaps it. Its shims go on.
  ~ShimLauncher();
  /// Starts the launcher (it is otherwise started by the first launch).
  Status start();
  /// A shim forked with args (argv[0] left out) and readyFd as its fd 3. nullopt when the
  /// launcher could not (it could not be started, or refused): the caller spawns it itself.
  std::optional<SpawnedShim> launch(const std::vector<std::string>& args, int readyFd);

 private:
  Status startLocked();
  void stopLocked(bool kill);
  Result<SpawnedShim> requestLocked(const std::vector<std::string>& args, int readyFd);

  std::mutex mu_;
  std::string shimPath_;
  UniqueFd sock_;
  pid_t pid_ = 0;
};

/// Starts the shim in a session of its own without waiting for it, so that the caller can go
/// on preparing the container (the bundle) while it starts: forked by launcher when it can,
/// else spawned.
Result<SpawnedShim> spawnShim(const ShimLaunch& l, ShimLauncher* launcher);
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
