#include <signal.h>

#include "runtime/container.h"
#include "runtime/container_internal.h"

namespace berth::runtime {

Status kill(const Globals& g, const std::string& id, int sig, bool all) {
  auto c = TRY_CTX(detail::loadContainer(g, id), "kill container {}", id);
  if (c.status == ContainerStatus::Stopped && !all) {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("kill container {}: container not running", id));
  }
  if (all && c.cgroup) {
    auto pids = TRY_CTX(c.cgroup->pids(), "kill container {}", id);
    for (pid_t pid : pids) {
      // ESRCH: the process exited between listing and signalling, which is what we wanted.
      if (::kill(pid, sig) != 0 && errno != ESRCH) return Error::sys(errno, "kill {}", pid);
    }
    // A frozen process only sees the signal once thawed; runc thaws after SIGKILL too.
    if (sig == SIGKILL && c.status == ContainerStatus::Paused) (void)c.cgroup->thaw();
    return ok();
  }
  if (::kill(c.state.pid, sig) != 0 && errno != ESRCH) {
    return Error::sys(errno, "kill {}", c.state.pid).context(fmt::format("kill container {}", id));
  }
  if (sig == SIGKILL && c.status == ContainerStatus::Paused && c.cgroup) (void)c.cgroup->thaw();
  return ok();
}

}  // namespace berth::runtime
