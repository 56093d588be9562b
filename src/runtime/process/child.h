#pragma once
// The child side of container creation and exec: everything here runs between clone and execve
// and follows the rules of that window (no allocation, no exceptions, no logging, syscalls through
// sys/raw.h only: the child may share the runtime's memory, errno included). A failure is
// reported as a SyncMsg with the errno and a short text naming the syscall and path.

#include "runtime/plan.h"
#include "runtime/sync.h"

namespace berth::runtime::child {

// Stage 1: joins namespaces by path, unshares the new ones (asking the parent for id maps when
// it makes a user namespace) and clones stage 2 as a sibling (CLONE_PARENT). Never returns.
[[noreturn]] void stage1(InitPlan& plan);

// Without a user namespace or a pid namespace to join, one process is enough: cloned with
// CLONE_NEWPID, it unshares the rest itself and becomes the init. Never returns.
[[noreturn]] void direct(InitPlan& plan);

// Waits for the parent's Go (the cgroup is filled), joins it where we join it ourselves and makes
// the cgroup namespace when the spec asks for one; clears plan.awaitGo. 0 or -errno.
int joinedCgroup(InitPlan& plan);
// child-safe: writes "0" into each of plan.cgroupTasksFds (then closed): the calling thread,
// the whole of a single-threaded process, moves into the container's v1 cgroups. 0 or -errno.
int moveSelfIntoCgroup(InitPlan& plan);

// Reports a failure to the parent and exits. fmt is printf-style.
[[noreturn]] void fail(int syncFd, int err, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sendMsg(int syncFd, SyncType type, int32_t value);
bool recvMsg(int syncFd, SyncType expect);

// Rootfs preparation up to and including pivot_root, masked and readonly paths (rootfs/setup.cpp).
// Returns 0 or -errno with the failure text in errText.
int setupRootfs(InitPlan& plan, char* errText, size_t errLen);
// Runs the createContainer hooks (in the container mount namespace, before pivot_root).
int runCreateContainerHooks(InitPlan& plan);

}  // namespace berth::runtime::child
