#pragma once
// The runtime's record of one container under --root: <root>/<id>/state.json (written atomically)
// plus the exec fifo that holds a created container's init until `start`. Every operation on an
// id holds an exclusive flock on <root>/<id> so concurrent invocations serialise.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace berth::runtime {

enum class ContainerStatus { Creating, Created, Running, Paused, Stopped };
const char* statusName(ContainerStatus s);

struct ContainerState {
  std::string id;
  pid_t pid = 0;
  uint64_t pidStartTime = 0;  // guards against a recycled pid
  std::string bundle;
  std::string rootfs;   // absolute host path
  std::string created;  // RFC 3339
  std::string cgroupPath;
  std::string owner;
  // Without a mount namespace the init mounts in the runtime's: the rootfs is bound onto itself
  // and everything goes beneath that bind. Its mount ID; delete detaches it (0: none).
  uint64_t hostMountId = 0;
  oci::Spec spec;
};

Json stateToJson(const ContainerState& s);
Result<ContainerState> stateFromJson(const Json& j);

// The OCI state document (`runtime state`): ociVersion, id, status, pid, bundle, annotations.
Json ociState(const ContainerState& s, ContainerStatus status);

class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string dir(const std::string& id) const { return root_ + "/" + id; }
  std::string fifoPath(const std::string& id) const { return dir(id) + "/exec.fifo"; }

  /// Checks an id: non-empty, no '/', not "." or "..", at most 1024 characters.
  static Status validateId(const std::string& id);
  /// Makes <root>/<id> (AlreadyExists when taken) and returns its locked directory fd.
  Result<UniqueFd> claim(const std::string& id);
  /// Locks an existing container directory; NotFound when there is no such container.
  Result<UniqueFd> lock(const std::string& id);
  /// Writes state.json. configJson, when given, is the config's JSON text that s.spec was parsed
  /// from, stored as it is rather than converted back (a fraction of a millisecond of every
  /// create, most of it the seccomp profile).
  Status save(const ContainerState& s, std::string_view configJson = {});
  Result<ContainerState> load(const std::string& id);
  /// Removes the container's directory and everything in it.
  Status remove(const std::string& id);
  Result<std::vector<std::string>> ids();

  /// The live status: stopped when the init is gone (or its pid recycled), created while the
  /// exec fifo exists, paused when the freezer says so, running otherwise.
  ContainerStatus status(const ContainerState& s, bool frozen) const;

 private:
  std::string root_;
};

std::string nowRfc3339();

}  // namespace berth::runtime
