#include "shim/stdio.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "shim/util.h"

namespace berth::shim {

Result<Pipe> makePipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sysError(errno, "pipe2");
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

Status setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return sysError(errno, "fcntl O_NONBLOCK");
  }
  return ok();
}

Result<UniqueFd> listenUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return invalidArgument("socket path " + path + " is longer than " +
                           std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  path.copy(addr.sun_path, path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sysError(errno, "socket");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sysError(errno, "unlink " + path);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return sysError(errno, "bind " + path);
  }
  if (::listen(fd.get(), 64) != 0) return sysError(errno, "listen " + path);
  return fd;
}

Result<UniqueFd> receiveConsole(int listenFd) {
  UniqueFd conn(::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) {
    if (errno == EAGAIN) {
      return Error(ErrorKind::Unavailable, "the runtime did not connect to the console socket");
    }
    return sysError(errno, "accept console socket");
  }
  // The runtime has exited, so what it sent is queued; the wait only guards against a runtime
  // that left a child behind to send it.
  struct pollfd p = {conn.get(), POLLIN, 0};
  if (::poll(&p, 1, 5000) <= 0) {
    return Error(ErrorKind::Unavailable, "the runtime sent no pty master");
  }
  return receiveFd(conn.get());
}

Status setWinsize(int ptyMaster, uint16_t rows, uint16_t cols) {
  struct winsize ws {};
  ws.ws_row = rows;
  ws.ws_col = cols;
  if (::ioctl(ptyMaster, TIOCSWINSZ, &ws) != 0) return sysError(errno, "ioctl TIOCSWINSZ");
  return ok();
}

Result<ProcessStdio> ProcessStdio::make(bool tty, bool openStdin, std::string consolePath) {
  ProcessStdio p;
  p.tty_ = tty;
  if (tty) {
    p.console_ = TRY(listenUnix(consolePath));
    p.consolePath_ = std::move(consolePath);
    return p;
  }
  p.out_ = TRY(makePipe());
  p.err_ = TRY(makePipe());
  if (openStdin) p.in_ = TRY(makePipe());
  return p;
}

ProcessStdio::~ProcessStdio() {
  if (!consolePath_.empty()) ::unlink(consolePath_.c_str());
}

ChildStdio ProcessStdio::runtimeStdio() const {
  return ChildStdio{in_.read.get(), out_.write.get(), err_.write.get()};
}

void ProcessStdio::closeProcessEnds() {
  out_.write.reset();
  err_.write.reset();
  in_.read.reset();
}

std::string ProcessStdio::runtimeStderr() {
  std::string text;
  if (!err_.read || !setNonBlocking(err_.read.get())) return text;
  char buf[4096];
  ssize_t n = ::read(err_.read.get(), buf, sizeof buf);
  if (n > 0) text.assign(buf, static_cast<size_t>(n));
  return text;
}

Result<ShimEnds> ProcessStdio::adopt() {
  ShimEnds ends;
  if (tty_) {
    ends.master = TRY(receiveConsole(console_.get()));
    console_.reset();
    TRY(setNonBlocking(ends.master.get()));  // shared by every dup below
    ends.out.reset(::fcntl(ends.master.get(), F_DUPFD_CLOEXEC, 3));
    if (!ends.out) return sysError(errno, "dup pty master");
    ends.in.reset(::fcntl(ends.master.get(), F_DUPFD_CLOEXEC, 3));
    if (!ends.in) return sysError(errno, "dup pty master");
    return ends;
  }
  ends.out = std::move(out_.read);
  ends.err = std::move(err_.read);
  ends.in = std::move(in_.write);
  for (int fd : {ends.out.get(), ends.err.get(), ends.in.get()}) {
    if (fd >= 0) TRY(setNonBlocking(fd));
  }
  return ends;
}

}  // namespace berth::shim
