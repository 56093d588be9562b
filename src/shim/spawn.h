#pragma once
// Running the OCI runtime's commands (create, start, exec, delete) to completion: fork/exec
// with the stdio given, a time limit, and its stderr kept for the error message. The shim's
// own signal mask and ignored SIGPIPE are reset in the child. berth-runtime itself is linked in
// and runs in the forked child, without an exec (setLinkedRuntime).

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::shim {

// Child stdio: -1 is /dev/null.
struct ChildStdio {
  int in = -1, out = -1, err = -1;
};

struct RunOutcome {
  int code = 0;         // exit status, or 128 + signal
  std::string errText;  // the tail of what it wrote to stderr, when captured
};

/// A runtime linked into this program (berth-runtime's library): runs one runtime command line
/// (argv[0], the program, is ignored) in the forked child in place of exec, and returns the
/// status the child exits with.
using LinkedRuntime = int (*)(const std::vector<std::string>& argv);

/// From main(), before any spawn: runtime command lines run through run, not exec, from now on.
void setLinkedRuntime(LinkedRuntime run);

/// A child started by spawn: its stderr pipe (non-blocking) when captured.
struct Spawned {
  pid_t pid = 0;
  UniqueFd errRead;
};

/// How a spawned child is scheduled. Background work (the runtime's delete after an exit) runs
/// under SCHED_IDLE: it takes a CPU only when nothing else wants it, so it never delays the
/// exit being reported to berthd and its client, which run at the same moment.
enum class Priority { Normal, Background };

/// Starts argv (argv[0] an absolute path) with stdio and returns at once; the caller reaps it.
/// With captureStderr the child's stderr is a pipe (stdio.err is ignored).
Result<Spawned> spawn(const std::vector<std::string>& argv, const ChildStdio& stdio,
                      bool captureStderr, Priority priority = Priority::Normal);

/// Appends what fd has to read now to out, keeping the last 4 KiB; false at EOF or error.
bool readErrText(int fd, std::string& out);

/// Runs argv (argv[0] an absolute path) with stdio; after timeoutMs it is killed. With
/// captureStderr the child's stderr is a pipe read into errText (stdio.err is ignored).
/// Errors only for fork/pipe failures: the child's own failure is its code (127: no exec).
Result<RunOutcome> runToExit(const std::vector<std::string>& argv, const ChildStdio& stdio,
                             bool captureStderr, int timeoutMs);

/// The exit code as Docker reports it: the status, or 128 + signal number.
int exitCodeOf(int waitStatus);

/// One line for "error <message>": the runtime's last non-empty stderr line (the msg="..." of
/// a logrus line, as runc writes), else "<what> exited with status N".
std::string runtimeErrorMessage(std::string_view errText, int code, std::string_view what);

}  // namespace berth::shim
