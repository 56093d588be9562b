#include "runtime/process/launch.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <optional>
#include <utility>

#include "base/file.h"
#include "runtime/process/child.h"
#include "runtime/sync.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

Error childError(const SyncMsg& m) {
  std::string text(m.text, strnlen(m.text, sizeof m.text));
  if (!m.err) return Error(ErrorKind::InvalidArgument, text);
  // errno as Go (and so runc) spells it, in lower case: docker clients take a failed start's
  // exit status from "no such file or directory" (127) and "permission denied" (126).
  std::string desc = std::strerror(m.err);
  if (!desc.empty()) desc[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(desc[0])));
  return Error(errorKindFromErrno(m.err), text + ": " + desc);
}

Status sendMsg(int fd, SyncType t, int32_t value = 0) {
  SyncMsg m{};
  m.type = t;
  m.value = value;
  if (::send(fd, &m, sizeof m, MSG_NOSIGNAL) != sizeof m)
    return Error::sys(errno, "send to container init");
  return ok();
}

// A failure the child already reported, without waiting for one.
std::optional<Error> pendingFailure(int fd) {
  SyncMsg m{};
  if (::recv(fd, &m, sizeof m, MSG_DONTWAIT) == sizeof m && m.type == SyncType::Failed) {
    return childError(m);
  }
  return std::nullopt;
}

void reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// The child's stack: deep enough for the path buffers of the rootfs code and snprintf.
constexpr size_t kChildStackSize = 256 * 1024;

int directChild(void* plan) {
  child::direct(*static_cast<InitPlan*>(plan));
}

}  // namespace

Status waitExec(int syncFd) {
  while (true) {
    SyncMsg m{};
    ssize_t n = ::recv(syncFd, &m, sizeof m, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ok();
    if (n == sizeof m && m.type == SyncType::Failed) return childError(m);
  }
}

Result<Launched> launch(InitPlan& plan, cgroups::Manager* cgroup, const IdMaps& maps,
                        const LaunchHooks& hooks, ChildMemory memory) {
  // argv/envp point into strings that moved with the plan: re-point them at their final home.
  finalizePointers(plan.process);
  for (auto& h : plan.createContainerHooks) finalizePointers(h);
  for (auto& h : plan.startContainerHooks) finalizePointers(h);
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return Error::sys(errno, "socketpair");
  }
  UniqueFd parentEnd(sv[0]);
  plan.syncFd = sv[1];
  plan.parentSyncFd = sv[0];
  bool twoStage = plan.newUserNamespace;
  for (const auto& [t, fd] : plan.joinNamespaces)
    twoStage |= t == CLONE_NEWUSER || t == CLONE_NEWPID;
  unsigned long flags = twoStage ? 0 : plan.newNamespaces & (CLONE_NEWPID | CLONE_NEWTIME);
  // Two stages (a user namespace, a pid namespace to join) mean a fork from stage 1, and the
  // kernel refuses a new time namespace to a child that shares our memory: those get a copy.
  bool share = memory == ChildMemory::SharedUntilExec && !twoStage && !(flags & CLONE_NEWTIME);
  // The child gets into the cgroup by itself where it can (cgroups::SelfJoin): born in its
  // cgroup2 part, and moving itself into the v1 hierarchies after Go. Where that cannot be set
  // up (an old kernel, a cgroup we cannot open) the parent writes its pid into cgroup.procs.
  cgroups::SelfJoin join;
  bool selfJoin = false;
  plan.cgroupTasksCount = 0;
  if (cgroup) {
    auto j = cgroup->openSelfJoin();
    if (j && j->tasks.size() <= plan.cgroupTasksFds.size()) {
      join = std::move(*j);
      selfJoin = true;
      for (const auto& fd : join.tasks) plan.cgroupTasksFds[plan.cgroupTasksCount++] = fd.get();
    }
  }
  int cgroupFd = selfJoin ? join.cloneInto.get() : -1;
  Launched out;
  pid_t stage1 = -ENOSYS;
  if (share) {
    auto stack = sys::ChildStack::allocate(kChildStackSize);
    if (!stack) {
      ::close(sv[1]);
      return std::move(stack).error();
    }
    out.stack = std::move(*stack);
    if (cgroupFd >= 0)
      stage1 = sys::cloneSharedMemoryInto(flags, directChild, &plan, out.stack, cgroupFd);
    if (stage1 < 0) {
      selfJoin = selfJoin && cgroupFd < 0;
      stage1 = sys::cloneSharedMemory(flags, directChild, &plan, out.stack);
    }
  } else {
    if (cgroupFd >= 0) stage1 = sys::cloneProcessInto(flags, cgroupFd);
    if (stage1 < 0) {
      selfJoin = selfJoin && cgroupFd < 0;
      stage1 = sys::cloneProcess(flags);
    }
    if (stage1 == 0) {
      if (twoStage) child::stage1(plan);
      child::direct(plan);
    }
  }
  if (stage1 < 0) {
    ::close(sv[1]);
    return Error::sys(-stage1, "clone");
  }
  // From here on the child may be reading the plan (in our memory): leave it as it is.
  ::close(sv[1]);
  for (const auto& [t, fd] : plan.joinNamespaces) ::close(fd);

  pid_t init = twoStage ? 0 : stage1;
  bool stage1Reaped = !twoStage;
  auto cleanup = [&](Error e) -> Error {
    if (init > 0) {
      ::kill(init, SIGKILL);
      reap(init);
    }
    if (!stage1Reaped) {
      ::kill(stage1, SIGKILL);
      reap(stage1);
    }
    return e;
  };
  if (hooks.afterClone) {
    if (auto st = hooks.afterClone(); !st) return cleanup(std::move(st).error());
  }
  if (cgroup && !selfJoin) {
    auto st = cgroup->addProcess(stage1);
    if (!st) {
      // A child that failed early (and exited) cannot join: its own message says why.
      if (auto e = pendingFailure(parentEnd.get())) return cleanup(std::move(*e));
      return cleanup(std::move(st).error().context("join cgroup"));
    }
  }
  if (auto st = sendMsg(parentEnd.get(), SyncType::Go); !st) {
    // The child may have failed before it needed the cgroup: its message is the better error.
    if (auto e = pendingFailure(parentEnd.get())) return cleanup(std::move(*e));
    return cleanup(std::move(st).error());
  }
  auto sendSeccompState = [&]() -> Status {
    if (plan.seccompListenerSocket < 0) return ok();
    std::string state = hooks.seccompState ? hooks.seccompState(init) : std::string("{}");
    TRY(sendMsg(parentEnd.get(), SyncType::SeccompFd));
    ::send(parentEnd.get(), state.data(), std::min(state.size(), plan.seccompStateBuf.size()),
           MSG_NOSIGNAL);
    return ok();
  };
  if (!twoStage) {
    if (auto st = sendSeccompState(); !st) return cleanup(std::move(st).error());
  }
  while (true) {
    SyncMsg m{};
    ssize_t n = ::recv(parentEnd.get(), &m, sizeof m, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return cleanup(Error::sys(errno, "read from container init"));
    if (n == 0) {
      return cleanup(Error::internal("container init exited before it was ready"));
    }
    switch (m.type) {
      case SyncType::UsernsReady: {
        std::string base = "/proc/" + std::to_string(stage1);
        if (auto st = writeFile(base + "/uid_map", maps.uidMap); !st)
          return cleanup(std::move(st).error());
        if (auto st = writeFile(base + "/gid_map", maps.gidMap); !st)
          return cleanup(std::move(st).error());
        if (auto st = sendMsg(parentEnd.get(), SyncType::UsernsDone); !st)
          return cleanup(std::move(st).error());
        break;
      }
      case SyncType::Stage2Pid:
        init = m.value;
        reap(stage1);
        stage1Reaped = true;
        if (auto st = sendSeccompState(); !st) return cleanup(std::move(st).error());
        break;
      case SyncType::Hooks: {
        std::string state;
        if (hooks.runtimeHooks) {
          auto r = hooks.runtimeHooks(init);
          if (!r) return cleanup(std::move(r).error());
          state = std::move(*r);
        }
        if (auto st = sendMsg(parentEnd.get(), SyncType::HooksDone); !st)
          return cleanup(std::move(st).error());
        if (state.size() > plan.stateBuf.size()) state.resize(plan.stateBuf.size());
        ::send(parentEnd.get(), state.data(), state.size(), MSG_NOSIGNAL);
        break;
      }
      case SyncType::Ready:
        if (!stage1Reaped) return cleanup(Error::internal("init ready before stage 1 reported it"));
        out.pid = init;
        out.sync = std::move(parentEnd);
        return out;
      case SyncType::Failed:
        return cleanup(childError(m));
      default:
        return cleanup(
            Error::internal("unexpected message {} from container init", static_cast<int>(m.type)));
    }
  }
}

}  // namespace berth::runtime
