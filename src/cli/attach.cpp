#include "cli/attach.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>

#include "apitypes/detach_keys.h"
#include "base/file.h"
#include "client/multiplex.h"

namespace berth::cli {

namespace {

Status writeOut(int fd, std::string_view data) {
  auto st = writeAll(fd, data, fd == STDOUT_FILENO ? "stdout" : "stderr");
  // A closed stdout (| head) ends our interest, not the container.
  if (!st && st.error().sysErrno() == EPIPE) return {};
  return st;
}

}  // namespace

SignalCatcher::SignalCatcher(const std::vector<int>& signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, &old_);
  fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

SignalCatcher::~SignalCatcher() {
  fd_.reset();
  ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

int SignalCatcher::next() {
  signalfd_siginfo si;
  if (!fd_ || ::read(fd_.get(), &si, sizeof si) != static_cast<ssize_t>(sizeof si)) return 0;
  return static_cast<int>(si.ssi_signo);
}

std::vector<int> proxiedSignals() {
  std::vector<int> out;
  for (int s = 1; s < SIGRTMIN; ++s) {
    if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD || s == SIGPIPE || s == SIGURG ||
        s == SIGWINCH || s == SIGSEGV || s == SIGBUS || s == SIGFPE || s == SIGILL ||
        s == SIGTRAP || s == SIGABRT || s == SIGSYS || s == SIGTTIN || s == SIGTTOU) {
      continue;
    }
    out.push_back(s);
  }
  return out;
}

std::string signalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? abbrev : std::to_string(sig);
}

Result<PumpResult> pumpStreams(client::Conn& conn, const PumpOptions& o, SignalCatcher* signals,
                               const std::function<void(int)>& onSignal) {
  PumpResult res;
  bool stdinOpen = o.forwardStdin;
  apitypes::DetachScanner detach(o.tty && o.forwardStdin ? o.detachKeys : std::string());
  Status sysErr;
  client::Demuxer demux([&](int stream, std::string_view payload) -> Status {
    if (stream == 3) {
      sysErr = Error(ErrorKind::Internal, "error from daemon in stream: " + std::string(payload));
      return {};
    }
    if (stream == 2) return o.stderrOn ? writeOut(STDERR_FILENO, payload) : Status{};
    return o.stdoutOn ? writeOut(STDOUT_FILENO, payload) : Status{};
  });
  // The container may end (and the daemon close the stream) while input is still coming: its
  // output still goes on to the end, as with docker, whose stdin copy errors are only logged.
  auto sendInput = [&](std::string_view data) -> Status {
    auto st = conn.writeAll(data);
    if (st || (st.error().sysErrno() != EPIPE && st.error().sysErrno() != ECONNRESET)) return st;
    stdinOpen = false;
    return {};
  };
  std::vector<char> buf(32 * 1024);
  for (;;) {
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = {conn.fd(), POLLIN, 0};
    int stdinIdx = -1, sigIdx = -1;
    if (stdinOpen) {
      stdinIdx = static_cast<int>(n);
      fds[n++] = {STDIN_FILENO, POLLIN, 0};
    }
    if (signals && signals->fd() >= 0) {
      sigIdx = static_cast<int>(n);
      fds[n++] = {signals->fd(), POLLIN, 0};
    }
    if (!conn.buffered()) {
      int r = ::poll(fds, n, -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Error::sys(errno, "poll");
      }
    } else {
      fds[0].revents = POLLIN;
    }
    if (sigIdx >= 0 && fds[sigIdx].revents) {
      while (int s = signals->next()) {
        if (onSignal) onSignal(s);
      }
    }
    if (stdinIdx >= 0 && fds[stdinIdx].revents) {
      ssize_t r = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        stdinOpen = false;
        (void)conn.closeWrite();  // fails only when the daemon has closed the stream already
      } else {
        std::string send;
        if (detach.feed(std::string_view(buf.data(), static_cast<size_t>(r)), send)) {
          res.detached = true;
          if (!send.empty()) (void)conn.writeAll(send);
          return res;
        }
        if (!send.empty()) TRY(sendInput(send));
      }
    }
    if (fds[0].revents) {
      size_t r = TRY(conn.readSome(buf.data(), buf.size()));
      if (r == 0) break;
      std::string_view data(buf.data(), r);
      if (o.tty) {
        if (o.stdoutOn) TRY(writeOut(STDOUT_FILENO, data));
      } else {
        TRY(demux.feed(data));
      }
      if (!sysErr) return std::move(sysErr).error();
    }
  }
  return res;
}

}  // namespace berth::cli
