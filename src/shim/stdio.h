#pragma once
// The fds a container process gets as stdio: pipes, or a pty whose master the runtime sends
// over a --console-socket; plus the unix listening sockets the shim binds (shim.sock and the
// console sockets).

#include <cstdint>
#include <string>
#include <utility>

#include "base/error.h"
#include "base/unique_fd.h"
#include "shim/spawn.h"

namespace berth::shim {

struct Pipe {
  UniqueFd read, write;
};
/// A pipe, both ends close-on-exec and blocking.
Result<Pipe> makePipe();
Status setNonBlocking(int fd);

/// A non-blocking SOCK_STREAM unix socket listening at path; a stale socket file there is
/// replaced. InvalidArgument when path does not fit in sockaddr_un.
Result<UniqueFd> listenUnix(const std::string& path);
/// Once the runtime has exited: takes its connection on the console socket listenFd and the pty
/// master it sent (SCM_RIGHTS). Unavailable when it never connected or sent no fd.
Result<UniqueFd> receiveConsole(int listenFd);
/// TIOCSWINSZ on a pty master.
Status setWinsize(int ptyMaster, uint16_t rows, uint16_t cols);

// The shim's ends of a new process's stdio, non-blocking.
struct ShimEnds {
  UniqueFd out;     // stdout, or with a tty the pty master
  UniqueFd err;     // stderr; none with a tty
  UniqueFd in;      // stdin's write end (a dup of the master with a tty); none without stdin
  UniqueFd master;  // with a tty: for resizing
};

// The stdio of a process the runtime starts (create, exec): without a tty, pipes the runtime
// passes on as its own stdio (runc's pass-through mode); with one, a console socket the
// runtime sends the pty master to.
class ProcessStdio {
 public:
  /// Pipes (stdin one only with openStdin), or with tty a console socket at consolePath.
  static Result<ProcessStdio> make(bool tty, bool openStdin, std::string consolePath);
  ProcessStdio(ProcessStdio&& o) noexcept
      : tty_(o.tty_),
        out_(std::move(o.out_)),
        err_(std::move(o.err_)),
        in_(std::move(o.in_)),
        console_(std::move(o.console_)),
        consolePath_(std::exchange(o.consolePath_, {})) {}
  ProcessStdio& operator=(ProcessStdio&&) = delete;
  ~ProcessStdio();

  /// The runtime's own stdio; with a tty all /dev/null (its stderr is captured instead).
  ChildStdio runtimeStdio() const;
  /// The --console-socket path; empty without a tty.
  const std::string& consoleSocket() const { return consolePath_; }
  /// Once the runtime has exited: closes the process's ends the shim still holds.
  void closeProcessEnds();
  /// After a failed run without a tty: what the runtime wrote to its stderr, the pipe.
  std::string runtimeStderr();
  /// After a successful run: the shim's ends (with a tty, receiving the pty master).
  Result<ShimEnds> adopt();

 private:
  ProcessStdio() = default;

  bool tty_ = false;
  Pipe out_, err_, in_;
  UniqueFd console_;
  std::string consolePath_;
};

}  // namespace berth::shim
