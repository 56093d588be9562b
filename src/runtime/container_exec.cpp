#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/file.h"
#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/process/foreground.h"
#include "runtime/process/launch.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {}  // namespace

Result<int> exec(const Globals& g, const ExecOptions& o) {
  auto ctx = [&] { return fmt::format("exec in container {}", o.id); };
  auto c = TRY_CTX(detail::loadContainer(g, o.id), "{}", ctx());
  if (c.status != ContainerStatus::Running && c.status != ContainerStatus::Created) {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("{}: cannot exec in a {} container", ctx(), statusName(c.status)));
  }
  TRY_CTX(oci::validateProcess(o.process), "{}: invalid process", ctx());
  InitPlan plan;
  plan.setupRootfs = false;
  plan.preserveFds = o.preserveFds;
  bool ownMount = false;
  if (c.state.spec.linux) {
    for (const auto& ns : c.state.spec.linux->namespaces) {
      ownMount |= ns.type == oci::NamespaceType::Mount;
      std::string path =
          fmt::format("/proc/{}/ns/{}", c.state.pid, oci::namespaceProcName(ns.type));
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Error::sys(errno, "open {}", path).context(ctx());
      plan.joinNamespaces.emplace_back(static_cast<int>(cloneFlag(ns.type)), fd);
    }
  }
  // The init chrooted in the runtime's mount namespace: follow it there.
  if (!ownMount) plan.execRoot = fmt::format("/proc/{}/root", c.state.pid);
  std::stable_partition(plan.joinNamespaces.begin(), plan.joinNamespaces.end(),
                        [](const auto& p) { return p.first != CLONE_NEWUSER; });
  plan.process = TRY_CTX(buildProcessPlan(o.process, c.state.spec, c.state.rootfs), "{}", ctx());
  UniqueFd console, consoleRecv;
  if (!o.consoleSocket.empty()) {
    console = TRY_CTX(sys::connectUnix(o.consoleSocket, "console socket"), "{}", ctx());
  } else if (o.process.terminal) {
    if (o.detach)
      return Error::invalid(
          "{}: cannot allocate a pseudo-TTY when detached without --console-socket", ctx());
    auto local = TRY(makeLocalConsole());
    consoleRecv = std::move(local.ours);
    console = std::move(local.theirs);
  }
  plan.consoleSocket = console.get();
  sigset_t fwd = forwardedSignals();
  std::optional<SignalMaskGuard> mask;
  if (!o.detach) mask.emplace(fwd);
  auto cgroup = std::move(c.cgroup);
  c.lock.reset();
  auto launched =
      TRY_CTX(launch(plan, cgroup.get(), {}, {}, ChildMemory::SharedUntilExec), "{}", ctx());
  console.reset();
  if (auto st = waitExec(launched.sync.get()); !st) {
    ::waitpid(launched.pid, nullptr, 0);
    return std::move(st).error().context(ctx());
  }
  if (!o.pidFile.empty()) {
    TRY_CTX(writeFileAtomic(o.pidFile, std::to_string(launched.pid), 0644, Durability::Volatile),
            "{}: write pid file", ctx());
  }
  if (o.detach) return 0;
  return superviseForeground(launched.pid, consoleRecv.get(), fwd);
}

}  // namespace berth::runtime
