// The manager for the host's cgroup version.

#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {

std::unique_ptr<Manager> makeManager(Layout layout, std::string path, std::string fsRoot) {
  // Hybrid hosts keep their controllers on v1; the unified mount only holds the processes.
  if (layout.mode == Mode::V2)
    return makeV2Manager(std::move(layout), std::move(path), std::move(fsRoot));
  return makeV1Manager(std::move(layout), std::move(path), std::move(fsRoot));
}

}  // namespace berth::runtime::cgroups
