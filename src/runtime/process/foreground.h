#pragma once
// A foreground container process (`run` or `exec` without --detach): signals sent to the runtime
// go to the process, a pty master (when the runtime made the terminal itself) is proxied to the
// runtime's own stdio, and the process's exit status becomes the runtime's.

#include <signal.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::runtime {

// Blocks signals for its lifetime, then restores the caller's mask.
struct SignalMaskGuard {
  sigset_t old;
  explicit SignalMaskGuard(const sigset_t& block) { ::sigprocmask(SIG_BLOCK, &block, &old); }
  ~SignalMaskGuard() { ::sigprocmask(SIG_SETMASK, &old, nullptr); }
  SignalMaskGuard(const SignalMaskGuard&) = delete;
  SignalMaskGuard& operator=(const SignalMaskGuard&) = delete;
};

// The signals a foreground runtime blocks before cloning and forwards afterwards.
sigset_t forwardedSignals();

// The console socket a foreground runtime answers itself when a terminal process has no
// --console-socket: `theirs` goes into the plan, the pty master comes back on `ours`.
struct LocalConsole {
  UniqueFd ours, theirs;
};
Result<LocalConsole> makeLocalConsole();

// Waits for pid, our child. `blocked` must be blocked in the caller already. console: the `ours`
// end of a LocalConsole whose pty is proxied to our stdio, or -1.
// Returns the exit code, 128+signal for a killed process.
int superviseForeground(pid_t pid, int console, const sigset_t& blocked);

}  // namespace berth::runtime
