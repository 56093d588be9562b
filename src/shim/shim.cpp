#include "shim/shim.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "shim/monitor.h"
#include "shim/util.h"

namespace berth::shim {
namespace {

void report(int readyFd, const std::string& line) {
  if (readyFd < 0) return;
  // berthd may be gone already; the shim carries on without it.
  (void)writeAllTo(readyFd, line + "\n", "ready fd");
  ::close(readyFd);
}

Result<int> prepareProcess() {
  // Runtime and container stdio are always given explicitly; 0..2 only must not be free, or a
  // pipe could land there.
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && ::open("/dev/null", O_RDWR) < 0) {
      return sysError(errno, "open /dev/null");
    }
  }
  // Nothing berthd left open (the ready fd included) may reach the runtime or the container.
  if (cloexecFrom(3) != 0) return sysError(errno, "close_range");
  if (::chdir("/") != 0) return sysError(errno, "chdir /");
  ::signal(SIGPIPE, SIG_IGN);
  // The runtime exits after run --detach and exec --detach; their processes become the shim's.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return sysError(errno, "prctl subreaper");
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return sysError(errno, "sigprocmask");
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return sysError(errno, "signalfd");
  return fd;
}

}  // namespace

int runShim(const ShimOptions& opts) {
  auto signalFd = prepareProcess();
  if (!signalFd) {
    report(opts.readyFd, "error " + signalFd.error().what());
    return 1;
  }
  Monitor monitor(opts, *signalFd);
  auto st = monitor.setup();
  if (!st) {
    std::string msg = st.error().what();
    for (char& c : msg) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    report(opts.readyFd, "error " + msg);
    std::string line = "berth-shim " + opts.id + ": " + msg + "\n";
    (void)writeAllTo(STDERR_FILENO, line, "stderr");
    return 1;
  }
  report(opts.readyFd, "ok");
  dropStartupText();
  return monitor.run();
}

}  // namespace berth::shim
