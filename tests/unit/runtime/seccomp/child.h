#pragma once
// Runs a check in a forked child under a seccomp filter: the filter stays in the child, and the
// child's exit code (or the signal that killed it) is the result the test inspects.

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp::testing {

// Exit codes the child reserves for setup failures; checks use 0 (pass) and small numbers.
constexpr int kNoNewPrivsFailed = 120;
constexpr int kInstallFailed = 121;

// fn receives install()'s result and returns the child's exit code. Returns the wait status.
template <typename Fn>
int runFiltered(const Program& p, Fn fn) {
  pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    // A SIGSYS death would otherwise write a core file for every KILL/TRAP test.
    struct rlimit noCore {
      0, 0
    };
    setrlimit(RLIMIT_CORE, &noCore);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kNoNewPrivsFailed);
    int rc = install(p);
    if (rc < 0) _exit(kInstallFailed);
    _exit(fn(rc));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return status;
}

inline int exitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
inline int termSignal(int status) {
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

}  // namespace berth::runtime::seccomp::testing
