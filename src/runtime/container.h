#pragma once
// berth-runtime's operations on containers, one function per runc command. The command line in
// tools/berth-runtime parses options and calls exactly one of these; nothing here prints except
// where the operation's product is output (ps table, list table, run's own exit status).

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "oci/spec.h"
#include "runtime/state.h"

namespace berth::runtime {

struct Globals {
  std::string root = "/run/berth-runtime";
  bool systemdCgroup = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pidFile;
  std::string consoleSocket;
  bool noPivot = false;
  int preserveFds = 0;
};

/// Creates the container and leaves its init waiting for start. AlreadyExists, InvalidArgument
/// (bad config), or the failing step; on failure nothing is left behind.
Status create(const Globals& g, const CreateOptions& o);
/// Lets a created container's init execute the user process; runs poststart hooks.
Status start(const Globals& g, const std::string& id);
/// create + start; unless detached, forwards signals, waits, deletes the container and returns
/// the exit status (128+signal when killed).
Result<int> run(const Globals& g, const CreateOptions& o, bool detach);

struct ContainerInfo {
  ContainerState state;
  ContainerStatus status;
};
Result<ContainerInfo> inspect(const Globals& g, const std::string& id);
Result<std::vector<ContainerInfo>> list(const Globals& g);

/// Sends sig to the init (or every process with all). FailedPrecondition when stopped.
Status kill(const Globals& g, const std::string& id, int sig, bool all);
/// Removes a stopped (or created) container; with force, kills a running one first.
Status remove(const Globals& g, const std::string& id, bool force);
Status pause(const Globals& g, const std::string& id);
Status resume(const Globals& g, const std::string& id);
Result<std::vector<pid_t>> pids(const Globals& g, const std::string& id);
/// runc's `events --stats` document: {"type":"stats","id":...,"data":{cpu,memory,pids}}.
Result<Json> stats(const Globals& g, const std::string& id);
/// Applies new resources to a running container's cgroup and records them.
Status update(const Globals& g, const std::string& id, const oci::Resources& r);

struct ExecOptions {
  std::string id;
  oci::Process process;
  std::string pidFile;
  std::string consoleSocket;
  bool detach = false;
  int preserveFds = 0;
};
/// Runs a process in a running container; returns its exit status unless detached (0 then).
Result<int> exec(const Globals& g, const ExecOptions& o);

/// Parses "KILL", "SIGKILL" or "9".
Result<int> parseSignal(const std::string& s);

}  // namespace berth::runtime
