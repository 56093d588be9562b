#pragma once
// Streaming over a hijacked connection (run, attach, exec, start -a): the daemon's output to
// our stdout and stderr (demultiplexed unless the container has a TTY), our stdin to the
// daemon with a half-close when it ends, the detach keys in TTY mode, and signals caught
// while streaming (SIGWINCH for resizes, the rest for --sig-proxy). One poll() loop, no
// threads.

#include <csignal>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "client/conn.h"

namespace berth::cli {

struct PumpOptions {
  bool tty = false;
  bool forwardStdin = false;
  bool stdoutOn = true;  // where the container's stdout goes when false: nowhere
  bool stderrOn = true;
  // Bytes that detach when typed in sequence (TTY mode only; docker's escape proxy).
  std::string detachKeys;
};

struct PumpResult {
  bool detached = false;
};

// Catches signals through a signalfd for as long as it lives (they are blocked meanwhile).
class SignalCatcher {
 public:
  explicit SignalCatcher(const std::vector<int>& signals);
  ~SignalCatcher();
  SignalCatcher(const SignalCatcher&) = delete;
  SignalCatcher& operator=(const SignalCatcher&) = delete;
  int fd() const { return fd_.get(); }
  /// The next caught signal, or 0 when none is pending.
  int next();

 private:
  UniqueFd fd_;
  sigset_t old_;
};

/// Pumps until the daemon ends the output (or the user detaches). onSignal (when set) is
/// called for every signal the catcher delivers meanwhile.
Result<PumpResult> pumpStreams(client::Conn& conn, const PumpOptions& o,
                               SignalCatcher* signals = nullptr,
                               const std::function<void(int)>& onSignal = {});

/// The signals docker's --sig-proxy forwards (all but SIGCHLD, SIGPIPE, SIGURG, SIGWINCH and
/// the ones that cannot be caught).
std::vector<int> proxiedSignals();
/// A signal's name without "SIG" ("INT"), as the kill API takes it.
std::string signalName(int sig);

}  // namespace berth::cli
