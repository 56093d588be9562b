// Commands that do something the tests observe from outside: sleep, exit, take signals, fork,
// make (possibly filtered) syscalls, burn CPU or memory.
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "commands.h"
#include "json.h"

namespace testbin {
namespace {

void sleepSeconds(double seconds) {
  if (seconds < 0) {
    for (;;) pause();
  }
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

std::string signalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "SIG" + std::to_string(sig);
}

double nowMs(clockid_t clock) {
  struct timespec ts {};
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

}  // namespace

int cmdSleep(Args args) {
  sleepSeconds(args[0] ? atof(args[0]) : -1);
  return 0;
}

int cmdExit(Args args) {
  return args[0] ? atoi(args[0]) : 0;
}

int cmdSig(Args args) {
  int count = args[0] ? atoi(args[0]) : 1;
  // Blocking then sigwaitinfo works even as pid 1, where default actions are ignored.
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  emit(Obj().boolean("ready", true).num("pid", getpid()).render());
  for (int i = 0; i < count; ++i) {
    siginfo_t info{};
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) {
      if (errno == EINTR) {
        --i;
        continue;
      }
      return 1;
    }
    emit(Obj().str("signal", signalName(sig)).num("number", sig).num("from", info.si_pid).render());
  }
  return 0;
}

int cmdForkZombies(Args args) {
  int n = args[0] ? atoi(args[0]) : 1;
  std::vector<std::string> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) pids.push_back(std::to_string(pid));
  }
  // Leave them unreaped: the point is that someone else (the runtime's kill/delete, or the
  // reaper of the pid namespace) has to cope with them.
  emit(Obj().num("zombies", static_cast<int64_t>(pids.size())).raw("pids", array(pids)).render());
  sleepSeconds(args[0] && args[1] ? atof(args[1]) : -1);
  return 0;
}

int cmdForks(Args args) {
  int n = args[0] ? atoi(args[0]) : 1;
  std::vector<pid_t> children;
  int err = 0;
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      pause();
      _exit(0);
    }
    if (pid < 0) {
      err = errno;
      break;
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) kill(pid, SIGKILL);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
  emit(Obj()
           .num("forked", static_cast<int64_t>(children.size()))
           .str("errno", errnoName(err))
           .render());
  return 0;
}

int cmdSyscall(Args args) {
  if (!args[0]) return 2;
  std::string name = args[0];
  const char* arg = args[1] ? args[1] : "/tmp/testbin-syscall";
  long result = -1;
  errno = 0;
  // Raw syscall() so seccomp filters see exactly the named call, not whatever libc picks.
  if (name == "getcwd") {
    char buf[PATH_MAX];
    result = syscall(SYS_getcwd, buf, sizeof buf);
  } else if (name == "getpid") {
    result = syscall(SYS_getpid);
  } else if (name == "uname") {
    struct utsname u {};
    result = syscall(SYS_uname, &u);
  } else if (name == "mkdir") {
    result = syscall(SYS_mkdir, arg, 0755);
  } else if (name == "chmod") {
    result = syscall(SYS_chmod, arg, 0644);
  } else if (name == "unshare") {
    result = syscall(SYS_unshare, CLONE_NEWUTS);
  } else if (name == "sethostname") {
    result = syscall(SYS_sethostname, arg, strlen(arg));
  } else if (name.rfind("nr:", 0) == 0) {
    result = syscall(strtol(name.c_str() + 3, nullptr, 10), 0, 0, 0, 0, 0, 0);  // by number
  } else {
    fprintf(stderr, "testbin: unknown syscall %s\n", name.c_str());
    return 2;
  }
  int err = result < 0 ? errno : 0;
  emit(Obj().str("syscall", name).num("result", result).str("errno", errnoName(err)).render());
  return err ? 1 : 0;
}

int cmdCpu(Args args) {
  double ms = args[0] ? atof(args[0]) : 100;
  double wallStart = nowMs(CLOCK_MONOTONIC);
  double cpuStart = nowMs(CLOCK_PROCESS_CPUTIME_ID);
  volatile uint64_t sink = 0;
  while (nowMs(CLOCK_PROCESS_CPUTIME_ID) - cpuStart < ms) {
    for (int i = 0; i < 10000; ++i) sink = sink + i;
  }
  emit(Obj()
           .num("cpu_ms", static_cast<int64_t>(nowMs(CLOCK_PROCESS_CPUTIME_ID) - cpuStart))
           .num("wall_ms", static_cast<int64_t>(nowMs(CLOCK_MONOTONIC) - wallStart))
           .render());
  return 0;
}

int cmdAlloc(Args args) {
  size_t mb = args[0] ? strtoul(args[0], nullptr, 10) : 1;
  std::vector<char*> blocks;
  for (size_t i = 0; i < mb; ++i) {
    char* block = static_cast<char*>(malloc(1 << 20));
    if (!block) {
      emit(Obj().unum("allocated_mb", i).str("errno", "ENOMEM").render());
      return 1;
    }
    memset(block, 1, 1 << 20);  // touch every page so it is charged to the cgroup
    blocks.push_back(block);
  }
  emit(Obj().unum("allocated_mb", mb).str("errno", "OK").render());
  return 0;
}

}  // namespace testbin
