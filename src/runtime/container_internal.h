#pragma once
// Shared by the container_*.cpp operation files: loading a container under its lock and
// reaching its cgroup.

#include <memory>
#include <string>

#include "base/unique_fd.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/container.h"
#include "runtime/state.h"

namespace berth::runtime::detail {

struct Loaded {
  UniqueFd lock;
  ContainerState state;
  std::unique_ptr<cgroups::Manager> cgroup;
  ContainerStatus status = ContainerStatus::Stopped;
};

// Locks and loads id, computing its live status.
Result<Loaded> loadContainer(const Globals& g, const std::string& id);
std::unique_ptr<cgroups::Manager> cgroupFor(const ContainerState& s);

// Deletes what a stopped container leaves: its cgroup, poststop hooks, its state directory.
Status destroy(const Globals& g, Loaded& c);

// Waits (up to timeoutMs) until pid is gone or a zombie. Returns whether it is gone.
bool waitGone(pid_t pid, uint64_t startTime, int timeoutMs);

}  // namespace berth::runtime::detail
