// The shim.sock side of the monitor: accepting, reading request lines, the one-line requests,
// attach, and taking finished clients away.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/clock.h"
#include "shim/monitor.h"
#include "shim/spawn.h"
#include "shim/stdio.h"
#include "shim/util.h"

namespace berth::shim {
namespace {

// Connections beyond this are closed at once: each costs a little memory, and berthd needs a
// handful.
constexpr size_t kMaxClients = 256;

}  // namespace

void Monitor::onAccept() {
  while (true) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of fds: the next wakeup tries again
    }
    if (clients_.size() >= kMaxClients) {
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Client>(UniqueFd(fd));
    Client* p = c.get();
    auto st = loop_.add(fd, EPOLLIN, [this, p](uint32_t ev) { onClientEvent(*p, ev); });
    if (!st) continue;  // c closes fd
    clients_.push_back(std::move(c));
  }
}

void Monitor::onClientEvent(Client& c, uint32_t events) {
  if (c.dead) return;
  if (events & (EPOLLHUP | EPOLLERR)) {
    // Gone for good: take what it sent before it went, its EOF included.
    for (int i = 0; i < 64 && !c.dead && !c.inputEnded && readClient(c); ++i) {
    }
    c.dead = true;
    return;
  }
  if ((events & EPOLLIN) && !c.inputEnded) readClient(c);
  if ((events & EPOLLOUT) && !c.dead) {
    if (c.flush(monotonicMs()) && c.closeWhenFlushed && c.pending() == 0) c.dead = true;
  }
}

bool Monitor::readClient(Client& c) {
  char* buf = ioBuffer();
  ssize_t n = ::read(c.fd(), buf, kIoBufferSize);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) c.dead = true;
    return errno == EINTR;
  }
  if (n == 0) {
    onClientEnd(c);
    return false;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  if (c.mode != ClientMode::Request) {
    onClientInput(c, data);
    return true;
  }
  c.request.append(data);
  size_t nl = c.request.find('\n');
  if (nl == std::string::npos) {
    if (c.request.size() > kMaxRequestLine) replyError(c, invalidArgument("request line too long"));
    return true;
  }
  std::string line = c.request.substr(0, nl);
  std::string rest = c.request.substr(nl + 1);
  c.request.clear();
  c.request.shrink_to_fit();
  handleRequest(c, line, rest);
  return true;
}

void Monitor::onClientInput(Client& c, std::string_view data) {
  if (c.mode == ClientMode::Attach && c.wantStdin) {
    if (phase_ == Phase::Created) {
      earlyStdin_.append(data);  // written once the runtime has made the process's stdin
    } else {
      initIn_.write(data);
    }
  } else if (c.mode == ClientMode::Exec) {
    if (Exec* e = findExec(c.execId); e && e->client == &c) e->in.write(data);
  }
  // Anything else a client sends is dropped.
}

void Monitor::onClientEnd(Client& c) {
  c.inputEnded = true;
  switch (c.mode) {
    case ClientMode::Request:
      c.dead = true;  // closed without a whole request
      break;
    case ClientMode::Attach:
      if (c.wantStdin && opts_.stdinOnce) endInitStdin();
      break;
    case ClientMode::Exec:
      if (Exec* e = findExec(c.execId); e && e->client == &c) e->in.end();
      break;
    case ClientMode::Reply:
    case ClientMode::Wait:
      break;  // the answer still goes out
  }
}

void Monitor::endInitStdin() {
  if (phase_ == Phase::Created) {
    earlyStdinEnded_ = true;
  } else {
    initIn_.end();
  }
}

void Monitor::handleRequest(Client& c, std::string_view line, std::string_view rest) {
  auto r = parseRequest(line);
  if (!r) {
    replyError(c, r.error());
    return;
  }
  switch (r->kind) {
    case RequestKind::Start:
      handleStart(c);
      break;
    case RequestKind::Status:
      handleStatus(c);
      break;
    case RequestKind::Wait:
      handleWait(c);
      break;
    case RequestKind::Resize:
      handleResize(c, *r);
      break;
    case RequestKind::Attach:
      handleAttach(c, *r, rest);
      break;
    case RequestKind::Exec:
      handleExec(c, *r, rest);
      break;
    case RequestKind::ExecResize:
      handleExecResize(c, *r);
      break;
  }
}

void Monitor::reply(Client& c, const std::string& line) {
  c.mode = ClientMode::Reply;
  c.closeWhenFlushed = true;
  c.queue(line);
  c.queue("\n");
  if (c.flush(monotonicMs()) && c.pending() == 0) c.dead = true;
}

void Monitor::replyError(Client& c, const Error& e) {
  std::string msg = e.what();
  for (char& ch : msg) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  reply(c, "error " + msg);
}

void Monitor::handleStart(Client& c) {
  if (phase_ != Phase::Created) {
    std::string why = phase_ == Phase::Running ? "container is already running"
                      : abandoned_             ? "container failed to start"
                                               : "container has exited";
    replyError(c, Error(ErrorKind::FailedPrecondition, why));
    return;
  }
  auto pid = runContainer();
  if (!pid) {
    replyError(c, pid.error());
    abandon();
    return;
  }
  phase_ = Phase::Running;
  reply(c, "ok " + std::to_string(*pid));
}

void Monitor::handleStatus(Client& c) {
  switch (phase_) {
    case Phase::Created:
      reply(c, "ok created");
      break;
    case Phase::Running:
      reply(c, "ok running " + std::to_string(initPid_));
      break;
    case Phase::Exited:
    case Phase::Closing:
      if (abandoned_) {
        replyError(c, Error(ErrorKind::FailedPrecondition, "container failed to start"));
        break;
      }
      reply(c, "ok exited " + std::to_string(exitCode_));
      break;
  }
}

void Monitor::handleWait(Client& c) {
  // Answered once the exit is recorded and the output drained, so a client that waits and
  // then reads the log sees all of it.
  if (abandoned_) {
    replyError(c, Error(ErrorKind::FailedPrecondition, "container failed to start"));
    return;
  }
  if (phase_ == Phase::Closing) {
    reply(c, "ok " + std::to_string(exitCode_));
    return;
  }
  c.mode = ClientMode::Wait;
}

void Monitor::answerWaiters() {
  for (auto& c : clients_) {
    if (c->mode == ClientMode::Wait && !c->dead) reply(*c, "ok " + std::to_string(exitCode_));
  }
}

void Monitor::handleResize(Client& c, const Request& r) {
  if (!opts_.tty) {
    replyError(c, Error(ErrorKind::FailedPrecondition, "the container has no tty"));
  } else if (phase_ == Phase::Created) {
    earlyWinsize_ = {r.rows, r.cols};  // the pty comes with start
    reply(c, "ok");
  } else if (!master_) {
    replyError(c, Error(ErrorKind::FailedPrecondition, "container has exited"));
  } else if (auto st = setWinsize(master_.get(), r.rows, r.cols); !st) {
    replyError(c, st.error());
  } else {
    reply(c, "ok");
  }
}

void Monitor::handleAttach(Client& c, const Request& r, std::string_view rest) {
  if (phase_ == Phase::Closing) {
    replyError(c, Error(ErrorKind::FailedPrecondition, "container has exited"));
    return;
  }
  c.mode = ClientMode::Attach;
  c.wantStdin = r.stdin;
  c.wantStdout = r.stdout;
  c.wantStderr = r.stderr;
  c.queue("ok\n");
  c.flush(monotonicMs());
  if (!rest.empty()) onClientInput(c, rest);
}

void Monitor::sweepClients() {
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client& c = **it;
    if (!c.dead) {
      ++it;
      continue;
    }
    // A client that goes away has ended its stdin too.
    if (c.mode == ClientMode::Attach && c.wantStdin && opts_.stdinOnce && !c.inputEnded) {
      endInitStdin();
    }
    if (c.mode == ClientMode::Exec) {
      if (Exec* e = findExec(c.execId); e && e->client == &c) {
        e->client = nullptr;
        e->in.end();
      }
    }
    loop_.remove(c.fd());
    it = clients_.erase(it);
  }
}

}  // namespace berth::shim
