#include "runtime/process/child.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "runtime/sync.h"
#include "sys/raw.h"
#include "sys/syscalls.h"

namespace berth::runtime::child {

void fail(int syncFd, int err, const char* fmt, ...) {
  SyncMsg m{};
  m.type = SyncType::Failed;
  m.err = err;
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(m.text, sizeof m.text, fmt, ap);
  va_end(ap);
  if (syncFd < 0 || sys::raw::send(syncFd, &m, sizeof m, MSG_NOSIGNAL) < 0) {
    // Nobody is listening any more (the container was already started): stderr is all we have.
    // strerror's text without its locale lookup, which saves and restores errno.
    char line[sizeof m.text + 128];
    const char* desc = err ? ::strerrordesc_np(err) : nullptr;
    int n = !err   ? std::snprintf(line, sizeof line, "berth-runtime: %s\n", m.text)
            : desc ? std::snprintf(line, sizeof line, "berth-runtime: %s: %s\n", m.text, desc)
                   : std::snprintf(line, sizeof line, "berth-runtime: %s: Unknown error %d\n",
                                   m.text, err);
    if (n > 0) sys::raw::write(2, line, std::min(static_cast<size_t>(n), sizeof line - 1));
  }
  ::_exit(err == ENOENT ? 127 : err == EACCES ? 126 : 1);
}

void sendMsg(int syncFd, SyncType type, int32_t value) {
  SyncMsg m{};
  m.type = type;
  m.value = value;
  sys::raw::send(syncFd, &m, sizeof m, MSG_NOSIGNAL);
}

bool recvMsg(int syncFd, SyncType expect) {
  SyncMsg m{};
  long n;
  do {
    n = sys::raw::recv(syncFd, &m, sizeof m, 0);
  } while (n == -EINTR);
  return n == sizeof m && m.type == expect;
}

namespace {

const char* nsName(int type) {
  switch (type) {
    case CLONE_NEWPID:
      return "pid";
    case CLONE_NEWNET:
      return "net";
    case CLONE_NEWNS:
      return "mnt";
    case CLONE_NEWIPC:
      return "ipc";
    case CLONE_NEWUTS:
      return "uts";
    case CLONE_NEWUSER:
      return "user";
    case CLONE_NEWCGROUP:
      return "cgroup";
    case CLONE_NEWTIME:
      return "time";
  }
  return "?";
}

// Looks args[0] up in PATH the way execvp does, inside the container's root.
bool resolveExecutable(const ProcessPlan& p, char* out, size_t outLen) {
  const char* name = p.args[0].c_str();
  if (std::strchr(name, '/')) {
    std::snprintf(out, outLen, "%s", name);
    return sys::raw::access(out, F_OK) == 0;
  }
  const char* path = p.pathEnv.c_str();
  while (*path) {
    const char* end = std::strchr(path, ':');
    size_t len = end ? static_cast<size_t>(end - path) : std::strlen(path);
    if (len == 0) {
      std::snprintf(out, outLen, "./%s", name);
    } else {
      std::snprintf(out, outLen, "%.*s/%s", static_cast<int>(len), path, name);
    }
    struct stat st {};
    if (sys::raw::stat(out, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) return true;
    if (!end) break;
    path = end + 1;
  }
  return false;
}

void runHooks(const std::vector<HookCmd>& hooks, const InitPlan& plan, const char* phase) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    const HookCmd& h = hooks[i];
    int in[2];
    if (int r = sys::raw::pipe2(in, O_CLOEXEC); r < 0)
      fail(plan.syncFd, -r, "%s hook: pipe", phase);
    int pid = sys::raw::fork();
    if (pid < 0) fail(plan.syncFd, -pid, "%s hook: fork", phase);
    if (pid == 0) {
      sys::raw::dup2(in[0], 0);
      if (h.timeout > 0) sys::raw::alarm(static_cast<unsigned>(h.timeout));
      sys::raw::execve(h.path.c_str(), const_cast<char* const*>(h.argv.data()),
                       const_cast<char* const*>(h.envp.data()));
      ::_exit(127);
    }
    sys::raw::close(in[0]);
    size_t off = 0;
    while (off < plan.stateLen) {
      long n = sys::raw::write(in[1], plan.stateBuf.data() + off, plan.stateLen - off);
      if (n <= 0) break;  // the hook need not read its stdin
      off += static_cast<size_t>(n);
    }
    sys::raw::close(in[1]);
    int status = 0;
    while (sys::raw::wait4(pid, &status, 0) == -EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fail(plan.syncFd, 0, "%s hook #%zu %s failed: %s %d", phase, i, h.path.c_str(),
           WIFEXITED(status) ? "exit status" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
  }
}

// Creates the pty, makes it the controlling terminal and stdio, and hands the master to
// whoever listens on the console socket, as runc does.
void setupConsole(const InitPlan& plan) {
  const ProcessPlan& p = plan.process;
  int master = sys::raw::openat(AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(plan.syncFd, -master, "open /dev/ptmx");
  int unlock = 0;
  if (int r = sys::raw::ioctl(master, TIOCSPTLCK, &unlock); r < 0)
    fail(plan.syncFd, -r, "unlockpt");
  int slave = sys::raw::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) fail(plan.syncFd, -slave, "open pty peer");
  if (p.rows || p.cols) {
    struct winsize ws {};
    ws.ws_row = p.rows;
    ws.ws_col = p.cols;
    sys::raw::ioctl(slave, TIOCSWINSZ, &ws);
  }
  sys::raw::fchown(slave, p.uid, static_cast<gid_t>(-1));
  if (int r = sys::raw::setsid(); r < 0) fail(plan.syncFd, -r, "setsid");
  if (int r = sys::raw::ioctl(slave, TIOCSCTTY, 0L); r < 0)
    fail(plan.syncFd, -r, "ioctl TIOCSCTTY");
  for (int fd = 0; fd < 3; ++fd) {
    if (int r = sys::raw::dup2(slave, fd); r < 0) fail(plan.syncFd, -r, "dup2 pty to %d", fd);
  }
  if (plan.setupRootfs) {
    // The container's /dev/console is its terminal, as runc and docker arrange it.
    unsigned int n = 0;
    char pts[64];
    if (sys::raw::ioctl(master, TIOCGPTN, &n) == 0) {
      std::snprintf(pts, sizeof pts, "/dev/pts/%u", n);
      int f = sys::raw::openat(AT_FDCWD, "/dev/console",
                               O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (f >= 0) sys::raw::close(f);
      if (int r = sys::raw::mount(pts, "/dev/console", nullptr, MS_BIND, nullptr); r < 0) {
        fail(plan.syncFd, -r, "bind mount %s on /dev/console", pts);
      }
    }
  }
  if (slave > 2) sys::raw::close(slave);
  if (plan.consoleSocket >= 0) {
    static const char kName[] = "/dev/ptmx";
    int r = sys::raw::sendFd(plan.consoleSocket, master, kName, sizeof kName - 1);
    if (r < 0) fail(plan.syncFd, -r, "send pty master to the console socket");
    sys::raw::close(plan.consoleSocket);
  }
  sys::raw::close(master);
}

[[noreturn]] void finalizeAndExec(InitPlan& plan) {
  ProcessPlan& p = plan.process;
  int sync = plan.syncFd;
  char exe[4096];
  // runc reports a missing executable at create time, and docker maps the message to exit 127.
  if (!resolveExecutable(p, exe, sizeof exe)) {
    // Go's exec.LookPath words: a path is stat'ed, a bare name searched in $PATH.
    if (std::strchr(p.args[0].c_str(), '/'))
      fail(sync, 0, "exec: \"%s\": stat %s: no such file or directory", p.args[0].c_str(),
           p.args[0].c_str());
    fail(sync, 0, "exec: \"%s\": executable file not found in $PATH", p.args[0].c_str());
  }
  for (const auto& rl : p.rlimits) {
    if (int r = sys::raw::setrlimit(rl.resource, &rl.value); r < 0) {
      fail(sync, -r, "setrlimit %d", rl.resource);
    }
  }
  sendMsg(sync, SyncType::Ready, 0);
  if (plan.stateDirFd >= 0) {
    // Blocks until `start` opens the fifo for reading.
    int fifo = sys::raw::openat(plan.stateDirFd, "exec.fifo", O_WRONLY | O_CLOEXEC);
    if (fifo < 0) fail(-1, -fifo, "open exec fifo");
    if (long w = sys::raw::write(fifo, "0", 1); w != 1)
      fail(-1, w < 0 ? static_cast<int>(-w) : EIO, "write exec fifo");
    sys::raw::close(fifo);
    sys::raw::close(plan.stateDirFd);
    sync = -1;  // nobody reads the socket after start: errors go to stderr
  }
  if (!plan.startContainerHooks.empty()) runHooks(plan.startContainerHooks, plan, "startContainer");
  if (p.noNewPrivileges) {
    if (int r = sys::raw::prctl(PR_SET_NO_NEW_PRIVS, 1); r < 0)
      fail(sync, -r, "prctl PR_SET_NO_NEW_PRIVS");
  }
  // Without no_new_privs the filter needs CAP_SYS_ADMIN, so it goes in while we still have it.
  bool seccompLate = p.noNewPrivileges;
  auto installSeccomp = [&] {
    int r = seccomp::install(p.seccomp);
    if (r < 0) fail(sync, -r, "seccomp: load filter");
    if (p.seccomp.notify && plan.seccompListenerSocket >= 0) {
      int r2 = sys::raw::sendFd(plan.seccompListenerSocket, r, plan.seccompStateBuf.data(),
                                plan.seccompStateLen);
      if (r2 < 0) fail(sync, -r2, "seccomp: send listener fd to %s", "linux.seccomp.listenerPath");
      sys::raw::close(r);
      sys::raw::close(plan.seccompListenerSocket);
    }
  };
  if (p.hasSeccomp && !seccompLate) installSeccomp();
  if (p.hasCaps) {
    if (int r = sys::raw::dropBounding(p.capBounding); r < 0)
      fail(sync, -r, "drop bounding capabilities");
    if (int r = sys::raw::prctl(PR_SET_KEEPCAPS, 1); r < 0) fail(sync, -r, "prctl PR_SET_KEEPCAPS");
  }
  if (p.setGroups) {
    if (int r = sys::raw::setgroups(p.groups.size(), p.groups.data()); r < 0)
      fail(sync, -r, "setgroups");
  }
  if (int r = sys::raw::setresgid(p.gid); r < 0) fail(sync, -r, "setgid %u", p.gid);
  if (int r = sys::raw::setresuid(p.uid); r < 0) fail(sync, -r, "setuid %u", p.uid);
  if (p.hasCaps) {
    sys::raw::prctl(PR_SET_KEEPCAPS, 0);
    if (int r = sys::raw::capset(p.capEffective, p.capPermitted, p.capInheritable); r < 0)
      fail(sync, -r, "capset");
    if (int r = sys::raw::setAmbient(p.capAmbient); r < 0)
      fail(sync, -r, "set ambient capabilities");
  }
  if (p.umask >= 0) sys::raw::umask(static_cast<mode_t>(p.umask));
  if (int r = sys::raw::chdir(p.cwd.c_str()); r < 0) fail(sync, -r, "chdir %s", p.cwd.c_str());
  if (p.hasSeccomp && seccompLate) installSeccomp();
  sys::raw::cloexecFrom(3 + static_cast<unsigned>(plan.preserveFds));
  int r = sys::raw::execve(exe, p.argv.data(), p.envp.data());
  fail(sync, -r, "exec %s", exe);
}

[[noreturn]] void stage2(InitPlan& plan) {
  int sync = plan.syncFd;
  sigset_t none;
  sigemptyset(&none);
  sys::raw::setSignalMask(&none);
  sys::raw::prctl(PR_SET_PDEATHSIG, 0);
  if (plan.seccompListenerSocket >= 0) {
    if (!recvMsg(sync, SyncType::SeccompFd)) fail(sync, ECANCELED, "wait for seccomp state");
    long n = sys::raw::recv(sync, plan.seccompStateBuf.data(), plan.seccompStateBuf.size(), 0);
    plan.seccompStateLen = n > 0 ? static_cast<size_t>(n) : 0;
  }
  if (plan.setupRootfs) {
    char err[400];
    if (int r = setupRootfs(plan, err, sizeof err); r < 0) fail(sync, -r, "%s", err);
    if (plan.setHostname) {
      if (int r = sys::raw::sethostname(plan.hostname.data(), plan.hostname.size()); r < 0)
        fail(sync, -r, "sethostname %s", plan.hostname.c_str());
    }
    if (plan.setDomainname) {
      if (int r = sys::raw::setdomainname(plan.domainname.data(), plan.domainname.size()); r < 0)
        fail(sync, -r, "setdomainname %s", plan.domainname.c_str());
    }
  }
  if (!plan.execRoot.empty()) {
    if (int r = sys::raw::chroot(plan.execRoot.c_str()); r < 0)
      fail(sync, -r, "chroot %s", plan.execRoot.c_str());
    if (int r = sys::raw::chdir("/"); r < 0) fail(sync, -r, "chdir %s", "/");
  }
  if (plan.process.terminal) {
    setupConsole(plan);
  } else {
    sys::raw::setsid();
  }
  finalizeAndExec(plan);
}

}  // namespace

int moveSelfIntoCgroup(InitPlan& plan) {
  int err = 0;
  for (size_t i = 0; i < plan.cgroupTasksCount; ++i) {
    int fd = plan.cgroupTasksFds[i];
    long r = sys::raw::write(fd, "0", 1);
    sys::raw::close(fd);
    if (r < 0 && err == 0) err = static_cast<int>(r);
  }
  plan.cgroupTasksCount = 0;
  return err;
}

int runCreateContainerHooks(InitPlan& plan) {
  runHooks(plan.createContainerHooks, plan, "createContainer");
  return 0;
}

void direct(InitPlan& plan) {
  int sync = plan.syncFd;
  sys::raw::close(plan.parentSyncFd);
  if (plan.lockFd >= 0) sys::raw::close(plan.lockFd);
  // These namespaces come into being while the parent fills the cgroup, on the other core.
  unsigned long early = plan.newNamespaces &
                        ~static_cast<unsigned long>(CLONE_NEWPID | CLONE_NEWTIME | CLONE_NEWCGROUP);
  if (early) {
    if (int r = sys::raw::unshare(early); r < 0) fail(sync, -r, "unshare namespaces");
  }
  for (const auto& [type, fd] : plan.joinNamespaces) {
    if (int r = sys::raw::setns(fd, type); r < 0)
      fail(sync, -r, "setns %s namespace", nsName(type));
    sys::raw::close(fd);
  }
  if (plan.setupRootfs) {
    plan.awaitGo = true;  // setupRootfs waits as late as it can
  } else if (int r = joinedCgroup(plan); r < 0) {
    fail(sync, -r, "join cgroup");
  }
  stage2(plan);
}

int joinedCgroup(InitPlan& plan) {
  plan.awaitGo = false;
  if (!recvMsg(plan.syncFd, SyncType::Go)) ::_exit(1);
  if (int r = moveSelfIntoCgroup(plan); r < 0) return r;
  // The cgroup namespace's root is the cgroup we are in now: the container's.
  if (plan.newNamespaces & CLONE_NEWCGROUP) return sys::raw::unshare(CLONE_NEWCGROUP);
  return 0;
}

void stage1(InitPlan& plan) {
  int sync = plan.syncFd;
  sys::raw::close(plan.parentSyncFd);
  if (plan.lockFd >= 0) sys::raw::close(plan.lockFd);
  if (!recvMsg(sync, SyncType::Go)) ::_exit(1);
  if (int r = moveSelfIntoCgroup(plan); r < 0) fail(sync, -r, "join cgroup");
  for (const auto& [type, fd] : plan.joinNamespaces) {
    if (int r = sys::raw::setns(fd, type); r < 0)
      fail(sync, -r, "setns %s namespace", nsName(type));
    sys::raw::close(fd);
  }
  bool joinedUser = false;
  for (const auto& [type, fd] : plan.joinNamespaces) joinedUser |= type == CLONE_NEWUSER;
  if (plan.newUserNamespace) {
    if (int r = sys::raw::unshare(CLONE_NEWUSER); r < 0) fail(sync, -r, "unshare user namespace");
    sendMsg(sync, SyncType::UsernsReady, 0);
    if (!recvMsg(sync, SyncType::UsernsDone)) ::_exit(1);
  }
  if (plan.newUserNamespace || joinedUser) {
    if (int r = sys::raw::setresgid(0); r < 0) fail(sync, -r, "setgid 0 in the user namespace");
    if (int r = sys::raw::setresuid(0); r < 0) fail(sync, -r, "setuid 0 in the user namespace");
  }
  unsigned long rest = plan.newNamespaces & ~static_cast<unsigned long>(CLONE_NEWUSER);
  if (rest) {
    if (int r = sys::raw::unshare(rest); r < 0) fail(sync, -r, "unshare namespaces");
  }
  // The init says nothing on the sync socket before Stage2Pid is there, so the parent knows its
  // pid first (for Ready, hooks' state, a failure's cleanup): it waits for this stage to exit,
  // which closes the pipe's write end.
  int order[2];
  if (int r = sys::raw::pipe2(order, O_CLOEXEC); r < 0) fail(sync, -r, "pipe");
  int pid = sys::raw::fork(CLONE_PARENT);
  if (pid < 0) fail(sync, -pid, "clone init");
  if (pid == 0) {
    sys::raw::close(order[1]);
    char b;
    while (sys::raw::read(order[0], &b, 1) == -EINTR) {
    }
    sys::raw::close(order[0]);
    stage2(plan);
  }
  sendMsg(sync, SyncType::Stage2Pid, pid);
  ::_exit(0);
}

}  // namespace berth::runtime::child
