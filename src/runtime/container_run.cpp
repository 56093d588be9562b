#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/create_internal.h"
#include "runtime/hooks.h"
#include "runtime/process/foreground.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

// Deletes the container with the state and cgroup we already hold instead of reloading them.
Status deleteAfterRun(const Globals& g, Prepared& p) {
  detail::Loaded c;
  auto lock = StateStore(g.root).lock(p.state.id);
  if (!lock) return ok();  // someone deleted it meanwhile
  c.lock = std::move(*lock);
  c.state = std::move(p.state);
  c.cgroup = std::move(p.cgroup);
  return detail::destroy(g, c);
}

}  // namespace

Result<int> run(const Globals& g, const CreateOptions& o, bool detach) {
  auto ctx = [&] { return fmt::format("run container {}", o.id); };
  auto p = TRY_CTX(prepareCreate(g, o, false), "{}", ctx());
  bool terminal = p.spec.process->terminal;
  UniqueFd consoleRecv;
  if (terminal && o.consoleSocket.empty()) {
    if (detach)
      return Error::invalid(
          "{}: cannot allocate a pseudo-TTY when detached without --console-socket", ctx());
    auto local = TRY(makeLocalConsole());
    consoleRecv = std::move(local.ours);
    p.console = std::move(local.theirs);
    p.plan.consoleSocket = p.console.get();
  }
  sigset_t fwd = forwardedSignals();
  std::optional<SignalMaskGuard> mask;
  if (!detach) mask.emplace(fwd);
  TRY_CTX(launchPrepared(g, o, p, false), "{}", ctx());
  p.console.reset();
  p.lock.reset();  // others may now state/kill/exec this container
  if (auto st = waitExec(p.launched.sync.get()); !st) {
    ::kill(p.launched.pid, SIGKILL);
    ::waitpid(p.launched.pid, nullptr, 0);
    auto e = std::move(st).error().context(ctx());
    if (auto d = deleteAfterRun(g, p); !d) e.addCleanupError(d.error());
    return e;
  }
  p.launched.sync.reset();
  std::string state = dumpJson(ociState(p.state, ContainerStatus::Running));
  if (auto st = runHooks(p.spec.hooks.poststart, state, "poststart"); !st) {
    spdlog::warn("{}", st.error().what());
  }
  if (detach) return 0;
  int code = superviseForeground(p.launched.pid, consoleRecv.get(), fwd);
  if (auto st = deleteAfterRun(g, p); !st) spdlog::warn("{}: {}", ctx(), st.error().what());
  return code;
}

}  // namespace berth::runtime
