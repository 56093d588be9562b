#include <signal.h>

#include "runtime/container.h"
#include "runtime/container_internal.h"

namespace berth::runtime {

Status remove(const Globals& g, const std::string& id, bool force) {
  auto loaded = detail::loadContainer(g, id);
  if (!loaded) return std::move(loaded).error().context(fmt::format("delete container {}", id));
  auto& c = *loaded;
  switch (c.status) {
    case ContainerStatus::Stopped:
      break;
    case ContainerStatus::Created:
    case ContainerStatus::Creating:
      // A created container never ran user code: deleting it needs no force (runc agrees).
      ::kill(c.state.pid, SIGKILL);
      break;
    case ContainerStatus::Running:
    case ContainerStatus::Paused:
      if (!force) {
        return Error(
            ErrorKind::FailedPrecondition,
            fmt::format("delete container {}: cannot delete a container that is {}; stop it "
                        "first or use --force",
                        id, statusName(c.status)));
      }
      if (c.cgroup) {
        if (auto p = c.cgroup->pids(); p) {
          for (pid_t pid : *p) ::kill(pid, SIGKILL);
        }
        if (c.status == ContainerStatus::Paused) (void)c.cgroup->thaw();
      }
      ::kill(c.state.pid, SIGKILL);
      break;
  }
  if (c.status != ContainerStatus::Stopped &&
      !detail::waitGone(c.state.pid, c.state.pidStartTime, 5000)) {
    return Error::make(ErrorKind::Unavailable, "delete container {}: init {} did not exit", id,
                       c.state.pid);
  }
  TRY_CTX(detail::destroy(g, c), "delete container {}", id);
  return ok();
}

}  // namespace berth::runtime
