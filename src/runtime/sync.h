#pragma once
// The messages between berth-runtime and the processes it clones (stage 1, which joins and
// unshares namespaces, and stage 2, the container's init or the exec'd process). One message per
// SOCK_SEQPACKET datagram; fixed size so the child side never allocates.

#include <cstdint>

namespace berth::runtime {

enum class SyncType : int32_t {
  Go = 1,       // parent -> stage1: the cgroup holds you, carry on
  UsernsReady,  // stage1 -> parent: write my uid_map/gid_map
  UsernsDone,   // parent -> stage1
  Stage2Pid,    // stage1 -> parent: value = the pid of stage 2
  Hooks,        // stage2 -> parent: mounts are done, run prestart/createRuntime hooks
  HooksDone,    // parent -> stage2; followed by one datagram with the state JSON
  SeccompFd,    // parent -> stage2: the state for the seccomp listener (one more datagram)
  Ready,        // stage2 -> parent: set up; waiting for start (or about to exec)
  Failed,       // child -> parent: err = errno, text = what failed
};

struct SyncMsg {
  SyncType type;
  int32_t value;
  int32_t err;
  char text[500];
};

}  // namespace berth::runtime
