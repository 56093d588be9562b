#include <signal.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "base/signal.h"
#include "runtime/container_internal.h"
#include "runtime/hooks.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace detail {

std::unique_ptr<cgroups::Manager> cgroupFor(const ContainerState& s) {
  auto layout = cgroups::detectLayout();
  if (!layout || s.cgroupPath.empty()) return nullptr;
  return cgroups::makeManager(std::move(*layout), s.cgroupPath);
}

Result<Loaded> loadContainer(const Globals& g, const std::string& id) {
  StateStore store(g.root);
  Loaded c;
  c.lock = TRY(store.lock(id));
  c.state = TRY(store.load(id));
  c.cgroup = cgroupFor(c.state);
  bool frozen = false;
  if (c.cgroup) {
    auto f = c.cgroup->frozen();
    frozen = f && *f;
  }
  c.status = store.status(c.state, frozen);
  return c;
}

bool waitGone(pid_t pid, uint64_t startTime, int timeoutMs) {
  for (int waited = 0;; waited += 1) {
    auto st = sys::processStartTime(pid);
    if (!st || *st != startTime) return true;
    if (waited >= timeoutMs) return false;
    struct timespec ts {
      0, 1000000
    };
    ::nanosleep(&ts, nullptr);
  }
}

Status destroy(const Globals& g, Loaded& c) {
  StateStore store(g.root);
  Status primary;
  if (c.cgroup) {
    auto st = c.cgroup->destroy();
    if (!st && st.error().kind() == ErrorKind::Conflict) {
      // Stray processes (daemons outside the container's pid namespace, or a container without
      // one) die with the container.
      if (auto p = c.cgroup->pids(); p) {
        (void)c.cgroup->thaw();
        for (pid_t pid : *p) ::kill(pid, SIGKILL);
      }
      st = c.cgroup->destroy();
    }
    if (!st) primary = std::move(st).error().context("remove cgroup");
  }
  if (c.state.hostMountId && sys::mountIdOf(c.state.rootfs) == c.state.hostMountId) {
    // The init mounted in the runtime's namespace; detaching its bind takes everything beneath.
    if (::umount2(c.state.rootfs.c_str(), MNT_DETACH) != 0) {
      auto e = Error::sys(errno, "unmount {}", c.state.rootfs);
      if (primary) {
        primary = std::move(e);
      } else {
        primary.error().addCleanupError(e);
      }
    }
  }
  std::string state = dumpJson(ociState(c.state, ContainerStatus::Stopped));
  if (auto st = runHooks(c.state.spec.hooks.poststop, state, "poststop"); !st) {
    // The spec wants a warning, not a failed delete.
    spdlog::warn("{}", st.error().what());
  }
  if (auto st = store.remove(c.state.id); !st) {
    if (primary) return st;
    primary.error().addCleanupError(st.error());
  }
  return primary;
}

}  // namespace detail

Result<int> parseSignal(const std::string& s) {
  return berth::parseSignal(s);
}

}  // namespace berth::runtime
