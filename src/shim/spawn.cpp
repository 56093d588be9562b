#include "shim/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "base/unique_fd.h"
#include "shim/clock.h"
#include "shim/util.h"

namespace berth::shim {
namespace {

constexpr size_t kMaxErrText = 4096;

LinkedRuntime linkedRuntime = nullptr;

// The child's process state as a fresh runtime expects it: the signal mask and SIGPIPE
// reset, fds[0..2] on 0..2. Async-signal-safe calls only, as after any fork.
void prepareChild(const int (&fds)[3]) {
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  int tmp[3];
  for (int i = 0; i < 3; ++i) {
    // Above 2 first, so that dup2 into 0..2 cannot clobber a source still needed.
    tmp[i] = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    if (tmp[i] < 0) ::_exit(127);
  }
  for (int i = 0; i < 3; ++i) {
    if (::dup2(tmp[i], i) < 0) ::_exit(127);
  }
}

// The linked runtime in the child. The shim is single-threaded, so the child may allocate and
// run anything; it keeps none of the shim's fds (sockets, log, epoll), which a container's init
// would otherwise hold until its execve, and skips the shim's destructors on the way out.
[[noreturn]] void runLinkedChild(const std::vector<std::string>& argv, const int (&fds)[3]) {
  prepareChild(fds);
  ::close_range(3, ~0U, 0);
  int code = linkedRuntime(argv);
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace

void setLinkedRuntime(LinkedRuntime run) {
  linkedRuntime = run;
}

bool readErrText(int fd, std::string& out) {
  char buf[1024];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) return false;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxErrText) out.erase(0, out.size() - kMaxErrText);
  }
}

int exitCodeOf(int waitStatus) {
  if (WIFSIGNALED(waitStatus)) return 128 + WTERMSIG(waitStatus);
  return WEXITSTATUS(waitStatus);
}

Result<Spawned> spawn(const std::vector<std::string>& argv, const ChildStdio& stdio,
                      bool captureStderr, Priority priority) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull) return sysError(errno, "open /dev/null");
  UniqueFd errRead, errWrite;
  if (captureStderr) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return sysError(errno, "pipe2");
    errRead.reset(p[0]);
    errWrite.reset(p[1]);
  }
  auto pick = [&](int fd) { return fd >= 0 ? fd : devnull.get(); };
  int fds[3] = {pick(stdio.in), pick(stdio.out), captureStderr ? errWrite.get() : pick(stdio.err)};
  pid_t pid = ::fork();
  if (pid < 0) return sysError(errno, "fork " + argv[0]);
  if (pid == 0) {
    if (priority == Priority::Background) {
      struct sched_param param = {};
      (void)::sched_setscheduler(0, SCHED_IDLE, &param);  // a normal priority still does the work
    }
    if (linkedRuntime) runLinkedChild(argv, fds);
    prepareChild(fds);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return Spawned{pid, std::move(errRead)};
}

Result<RunOutcome> runToExit(const std::vector<std::string>& argv, const ChildStdio& stdio,
                             bool captureStderr, int timeoutMs) {
  auto child = TRY(spawn(argv, stdio, captureStderr));
  pid_t pid = child.pid;
  UniqueFd& errRead = child.errRead;
  RunOutcome out;
  UniqueFd pidfd(openPidfd(pid));
  if (pidfd) {
    int64_t deadline = monotonicMs() + timeoutMs;
    bool errOpen = captureStderr;
    while (true) {
      struct pollfd p[2] = {{pidfd.get(), POLLIN, 0}, {errRead.get(), POLLIN, 0}};
      int64_t left = deadline - monotonicMs();
      if (left <= 0) {
        ::kill(pid, SIGKILL);
        break;
      }
      int n = ::poll(p, errOpen ? 2 : 1, static_cast<int>(left));
      if (n < 0 && errno != EINTR) break;
      if (errOpen && p[1].revents) {
        if (!readErrText(errRead.get(), out.errText)) errOpen = false;  // no writer left
      }
      if (p[0].revents & POLLIN) break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return sysError(errno, "waitpid " + argv[0]);
  }
  if (captureStderr) (void)readErrText(errRead.get(), out.errText);
  out.code = exitCodeOf(status);
  return out;
}

std::string runtimeErrorMessage(std::string_view errText, int code, std::string_view what) {
  std::string_view last;
  std::string_view rest = errText;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view t = trimSpace(rest.substr(0, nl));
    if (!t.empty()) last = t;
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (last.empty()) return std::string(what) + " exited with status " + std::to_string(code);
  std::string msg;
  if (auto at = last.find("msg=\""); at != std::string_view::npos) {
    for (size_t i = at + 5; i < last.size() && last[i] != '"'; ++i) {
      if (last[i] == '\\' && i + 1 < last.size()) ++i;
      msg.push_back(last[i]);
    }
  } else {
    msg.assign(last);
  }
  for (char& c : msg) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return msg;
}

}  // namespace berth::shim
