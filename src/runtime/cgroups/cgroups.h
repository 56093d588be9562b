#pragma once
// Control groups for one container: layout detection (v1, v2, hybrid), the translation of OCI
// resources into cgroup file writes for each version (pure, unit-tested), and a Manager that
// creates, fills, freezes, reads and removes the container's cgroup. Every path is taken under
// `fsRoot` ("" on a real host) so tests run against a temporary directory.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace berth::runtime::cgroups {

enum class Mode { V1, Hybrid, V2 };

struct Hierarchy {
  std::string mountpoint;                // /sys/fs/cgroup/memory, /sys/fs/cgroup/unified
  std::vector<std::string> controllers;  // {"cpu","cpuacct"}; empty for named and v2 hierarchies
  std::string name;                      // "systemd" for name=systemd hierarchies
  bool unified = false;                  // cgroup2
};

struct Layout {
  Mode mode = Mode::V2;
  std::vector<Hierarchy> hierarchies;
  // The hierarchy that carries a v1 controller, or null.
  const Hierarchy* forController(std::string_view controller) const;
  const Hierarchy* unifiedHierarchy() const;
};

// Parses /proc/self/mountinfo text: cgroup and cgroup2 mounts become hierarchies. V2 when the
// only cgroup mount is cgroup2; Hybrid when v1 controllers and a cgroup2 mount coexist.
Result<Layout> parseLayout(std::string_view mountinfo);
Result<Layout> detectLayout();

// One write of a value into a cgroup file. `controller` is the v1 controller whose hierarchy
// holds the file ("" for v2).
struct Write {
  std::string controller;
  std::string file;
  std::string value;
  bool operator==(const Write&) const = default;
};

// Resources -> writes, in the order they must be applied (e.g. memory.limit before
// memory.memsw.limit; devices deny-all before allows). InvalidArgument on impossible values
// (swap below limit, quota without period...).
Result<std::vector<Write>> v1Writes(const oci::Resources& r);
Result<std::vector<Write>> v2Writes(const oci::Resources& r);
// cpu.shares (2..262144) -> cpu.weight (1..10000), the conversion runc and crun use.
uint64_t sharesToWeight(uint64_t shares);

// The cgroup path (relative to each hierarchy root, leading '/') for a container:
// cgroupsPath as given when absolute, under "/berth" when relative, "/berth/<id>" when empty.
// "slice:prefix:name" (systemd form) is InvalidArgument here: systemd cgroups are not supported.
Result<std::string> containerPath(std::string_view cgroupsPath, std::string_view id);

struct Stats {
  uint64_t memoryUsage = 0, memoryLimit = 0, memoryMaxUsage = 0, memoryCache = 0;
  uint64_t swapUsage = 0;
  uint64_t cpuUsageNs = 0, cpuUserNs = 0, cpuSystemNs = 0;
  std::vector<uint64_t> perCpuNs;
  uint64_t throttledPeriods = 0, throttledTimeNs = 0, periods = 0;
  uint64_t pidsCurrent = 0, pidsLimit = 0;  // limit 0: max
};

// How a new process gets into a container's cgroup without a write of its pid into
// cgroup.procs. Such a write takes the kernel's global threadgroup lock for writing, which waits
// for an RCU grace period whenever no migration happened for a while: 7-16 ms on the 2-vCPU VMs
// this is measured on, most of a container start. The ways around it take no such lock:
//  - clone3(CLONE_INTO_CGROUP) with `cloneInto`, a directory fd of the v2 cgroup (or of the
//    unified hierarchy of a hybrid host), places the child at birth;
//  - a single-threaded process writes "0" into each v1 hierarchy's `tasks` file in `tasks`
//    itself: a thread that moves only itself skips the lock. The fds are opened by the runtime
//    (as root), so the write is allowed even after the child entered a user namespace.
struct SelfJoin {
  UniqueFd cloneInto;           // invalid when there is no cgroup2 part
  std::vector<UniqueFd> tasks;  // one per v1 hierarchy
};

class Manager {
 public:
  virtual ~Manager() = default;
  /// Creates the cgroup directory in every hierarchy (idempotent). PermissionDenied, Internal.
  virtual Status create() = 0;
  /// Applies resources; InvalidArgument for bad values, the kernel's errno otherwise.
  virtual Status apply(const oci::Resources& r) = 0;
  /// Moves pid into the cgroup in every hierarchy.
  virtual Status addProcess(pid_t pid) = 0;
  /// Opens what a new process needs to join by itself (see SelfJoin); the cgroup must exist.
  virtual Result<SelfJoin> openSelfJoin() = 0;
  /// Freezes or thaws every process (freezer.state on v1, cgroup.freeze on v2); waits until done.
  virtual Status freeze() = 0;
  virtual Status thaw() = 0;
  virtual Result<bool> frozen() = 0;
  /// Every pid in the cgroup (cgroup.procs, recursively on v2).
  virtual Result<std::vector<pid_t>> pids() = 0;
  virtual Result<Stats> stats() = 0;
  /// Removes the directories (children first); Conflict if processes remain after retries.
  virtual Status destroy() = 0;
  /// The container's path inside each hierarchy ("/berth/<id>").
  virtual const std::string& path() const = 0;
};

// A manager for `path` on `layout`, with every hierarchy mountpoint taken under fsRoot.
std::unique_ptr<Manager> makeManager(Layout layout, std::string path, std::string fsRoot = "");

// The v2 device filter: an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) built from the rules and
// attached to the cgroup directory fd. NotImplemented where the kernel refuses.
Status attachV2DeviceFilter(int cgroupDirFd, const std::vector<oci::DeviceCgroupRule>& rules);

}  // namespace berth::runtime::cgroups
