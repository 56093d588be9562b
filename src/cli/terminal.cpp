#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <memory>

#include "base/strings.h"

namespace berth::cli {

struct RawTerminal::Saved {
  termios t;
};

Status RawTerminal::enable(int fd) {
  termios t;
  if (::tcgetattr(fd, &t) != 0) return Error::sys(errno, "tcgetattr");
  saved_ = std::make_shared<Saved>(Saved{t});
  t.c_iflag &=
      ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
  t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &t) != 0) return Error::sys(errno, "tcsetattr");
  fd_ = fd;
  return {};
}

void RawTerminal::restore() {
  if (fd_ >= 0 && saved_) ::tcsetattr(fd_, TCSANOW, &saved_->t);
  fd_ = -1;
}

std::optional<TermSize> terminalSize(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return std::nullopt;
  return TermSize{ws.ws_row, ws.ws_col};
}

}  // namespace berth::cli
