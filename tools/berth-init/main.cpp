// berth-init: the init of `docker run --init`, mounted at /sbin/docker-init as Docker mounts
// tini. It runs CMD as its child, forwards the signals it receives to that child, reaps every
// process that ends up as its child (as PID 1 of the container, all orphans do), and exits with
// the child's status (128+N when signal N killed it). Plain libc and statically linked: it runs
// inside any image. Outside a PID namespace it makes itself a child subreaper, so it reaps the
// orphans of its own descendants just the same.
//
// Usage: berth-init [--] CMD [ARGS...]

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace {

// Signals the kernel raises for a fault of the process itself: left unblocked, so that a fault
// of the init kills it rather than hanging it.
constexpr int kSynchronous[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};

void fail(const char* what, const char* arg) {
  fprintf(stderr, "berth-init: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
          strerror(errno));
}

// In the child, before exec: its own process group, which takes the terminal's foreground when
// stdin is one (as tini does), so that ^C and ^Z of the terminal reach the command. SIGTTOU is
// still blocked here, so tcsetpgrp from the background works.
[[noreturn]] void execChild(char** argv, const sigset_t& original) {
  if (setpgid(0, 0) != 0) fail("setpgid", nullptr);
  if (isatty(STDIN_FILENO) && tcsetpgrp(STDIN_FILENO, getpgrp()) != 0 && errno != ENOTTY &&
      errno != ENXIO) {
    fail("tcsetpgrp", nullptr);
  }
  sigprocmask(SIG_SETMASK, &original, nullptr);
  execvp(argv[0], argv);
  int err = errno;
  fail("exec", argv[0]);
  // The shell's (and Docker's) codes: 127 not found, 126 found but not runnable.
  _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

int exitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // No options of its own (yet): after "--" anything goes, without it a dash is refused.
  bool dashes = argc > 1 && strcmp(argv[1], "--") == 0;
  int first = dashes ? 2 : 1;
  if (first >= argc || (!dashes && argv[first][0] == '-')) {
    fprintf(stderr, "usage: berth-init [--] CMD [ARGS...]\n");
    return 2;
  }
  if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    fail("prctl PR_SET_CHILD_SUBREAPER", nullptr);

  // Every signal is taken with sigwaitinfo: blocked from here on, restored in the child. An
  // ignored SIGCHLD would reap children behind our back and lose the command's status.
  signal(SIGCHLD, SIG_DFL);
  sigset_t all, original;
  sigfillset(&all);
  for (int s : kSynchronous) sigdelset(&all, s);
  if (sigprocmask(SIG_BLOCK, &all, &original) != 0) {
    fail("sigprocmask", nullptr);
    return 1;
  }

  pid_t child = fork();
  if (child < 0) {
    fail("fork", nullptr);
    return 1;
  }
  if (child == 0) execChild(argv + first, original);

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      fail("sigwaitinfo", nullptr);
      return 1;
    }
    if (sig != SIGCHLD) {
      // The child may have exited already (ESRCH): its SIGCHLD is next.
      if (kill(child, sig) != 0 && errno != ESRCH) fail("kill", nullptr);
      continue;
    }
    // SIGCHLD does not queue: one may stand for several exits, so reap until none is left.
    for (;;) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid < 0 && errno == EINTR) continue;
      if (pid <= 0) break;
      // Whatever else still runs dies with us (PID 1 of its namespace), as under tini.
      if (pid == child) return exitCode(status);
    }
  }
}
