#pragma once
// Parent side of process creation: clones stage 1 with the plan, answers its requests (cgroup
// placement, id maps, hooks) and returns once the container process is ready.

#include <sys/types.h>

#include <functional>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/plan.h"
#include "sys/syscalls.h"

namespace berth::runtime {

struct LaunchHooks {
  // Runs right after the clone, while the child creates its namespaces on the other core:
  // the place to fill the cgroup it is about to join (which must exist before launch).
  std::function<Status()> afterClone;
  // Runs prestart + createRuntime hooks for the given pid, returns the state JSON for the
  // container's own hooks. Null when there are none.
  std::function<Result<std::string>(pid_t)> runtimeHooks;
  // The container process state sent with a seccomp listener fd (linux.seccomp.listenerPath).
  std::function<std::string(pid_t)> seccompState;
};

struct IdMaps {
  std::string uidMap, gidMap;  // "0 1000 1\n" lines
};

struct Launched {
  pid_t pid = 0;
  UniqueFd sync;  // still open: reports failures that happen after Ready, EOF at execve
  // The stack of a child that shares our memory (ChildMemory::SharedUntilExec); it must outlive
  // the child's execve or exit, which waitExec sees.
  sys::ChildStack stack;
};

// How the first child comes into being.
enum class ChildMemory {
  // A copy of ours (fork): the caller may go on, return or free the plan right after launch.
  Copied,
  // Ours, shared (CLONE_VM) until the child execs: no page tables to copy and no copy-on-write
  // faults on either side, which is most of what a fork of this process costs. The caller must
  // leave the plan untouched and keep Launched until waitExec has returned (or the child is
  // gone). launch falls back to Copied where the kernel or the plan needs a copy (user and
  // time namespaces).
  SharedUntilExec,
};

/// Starts the process described by plan. Stage 1 is in `cgroup` (may be null; it must exist)
/// once Go is sent, before it creates a user namespace or pid 1 of a pid namespace to join.
/// On failure nothing is left running.
Result<Launched> launch(InitPlan& plan, cgroups::Manager* cgroup, const IdMaps& maps,
                        const LaunchHooks& hooks, ChildMemory memory = ChildMemory::Copied);

/// Reads the sync socket after Ready until EOF (the process called execve); returns the error
/// of a late failure (e.g. setuid, chdir, exec itself).
Status waitExec(int syncFd);

}  // namespace berth::runtime
