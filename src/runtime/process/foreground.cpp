#include "runtime/process/foreground.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

void copyWinsize(int from, int to) {
  struct winsize ws {};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

bool pump(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    off += w;
  }
  return true;
}

int exitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

sigset_t forwardedSignals() {
  sigset_t s;
  sigfillset(&s);
  // Synchronous faults must never be blocked.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&s, sig);
  return s;
}

Result<LocalConsole> makeLocalConsole() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Error::sys(errno, "socketpair");
  }
  return LocalConsole{UniqueFd(sv[0]), UniqueFd(sv[1])};
}

int superviseForeground(pid_t pid, int console, const sigset_t& blocked) {
  UniqueFd masterFd;
  if (console >= 0) {
    auto m = sys::recvFd(console);
    if (m) masterFd = std::move(*m);
  }
  int master = masterFd.get();
  int sfd = ::signalfd(-1, &blocked, SFD_CLOEXEC);
  struct termios saved {};
  bool raw = false;
  if (master >= 0 && ::isatty(0)) {
    if (::tcgetattr(0, &saved) == 0) {
      struct termios t = saved;
      ::cfmakeraw(&t);
      raw = ::tcsetattr(0, TCSANOW, &t) == 0;
    }
    copyWinsize(0, master);
  }
  bool stdinOpen = master >= 0;
  bool masterOpen = master >= 0;
  int status = -1;
  while (status < 0 || masterOpen) {
    struct pollfd fds[3] = {
        {sfd, POLLIN, 0}, {stdinOpen ? 0 : -1, POLLIN, 0}, {masterOpen ? master : -1, POLLIN, 0}};
    int r = ::poll(fds, 3, status >= 0 ? 100 : -1);
    if (r < 0 && errno != EINTR) break;
    if (r == 0 && status >= 0) break;  // exited and the pty went quiet
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si {};
      if (::read(sfd, &si, sizeof si) == sizeof si) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) {
          int st = 0;
          pid_t w;
          while ((w = ::waitpid(-1, &st, WNOHANG)) > 0) {
            if (w == pid) status = st;
          }
        } else if (sig == SIGWINCH && master >= 0) {
          copyWinsize(0, master);
        } else {
          ::kill(pid, sig);
        }
      }
    }
    if (stdinOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!pump(0, master)) stdinOpen = false;
    }
    if (masterOpen && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!pump(master, 1)) masterOpen = false;
    }
    if (status < 0) {
      int st = 0;
      if (::waitpid(pid, &st, WNOHANG) == pid) status = st;
    }
  }
  if (status < 0) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (raw) ::tcsetattr(0, TCSANOW, &saved);
  if (sfd >= 0) ::close(sfd);
  return exitCode(status);
}

}  // namespace berth::runtime
