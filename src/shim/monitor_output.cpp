// Output: reading the init's and the execs' output fds, copying the init's to the log and to
// its attached clients, and keeping every fd's epoll interest in line with who is behind.
#include <sys/epoll.h>
#include <unistd.h>

#include "shim/clock.h"
#include "shim/monitor.h"

namespace berth::shim {

void Monitor::watchSource(Source& s, Exec* owner) {
  auto st = loop_.add(s.fd.get(), EPOLLIN, [this, &s, owner](uint32_t) { readSource(s, owner); });
  if (!st) warn(st.error().what());
}

void Monitor::readSource(Source& s, Exec* owner) {
  char* buf = ioBuffer();
  ssize_t n = ::read(s.fd.get(), buf, kIoBufferSize);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  int64_t now = monotonicMs();
  if (owner) {
    owner->lastActivityMs = now;
  } else {
    initActivityMs_ = now;
  }
  if (n <= 0) {
    // EOF; a pty master reads EIO once no process holds the terminal any more.
    closeSource(s, owner);
    return;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  if (owner) {
    Client* c = owner->client;
    if (c && !c->dead) {
      c->queueFrame(s.stream, data);
      c->flush(now);
    }
    return;
  }
  if (log_) {
    auto st = log_->write(s.stream, data, wallClock());
    if (!st && !logFailed_) warn(st.error().what());
    logFailed_ = !st;
  }
  for (auto& c : clients_) {
    if (c->dead || c->mode != ClientMode::Attach || c->closeWhenFlushed) continue;
    if (!(s.stream == kFrameStderr ? c->wantStderr : c->wantStdout)) continue;
    c->queueFrame(s.stream, data);
    c->flush(now);
  }
}

void Monitor::closeSource(Source& s, Exec* owner) {
  if (!s.fd) return;
  if (!owner && log_) {
    auto st = log_->close(s.stream, wallClock());
    if (!st && !logFailed_) warn(st.error().what());
  }
  loop_.remove(s.fd.get());
  s.fd.reset();
  s.paused = false;
}

bool Monitor::clientsBehind(uint8_t stream) const {
  for (const auto& c : clients_) {
    if (c->dead || c->mode != ClientMode::Attach || c->closeWhenFlushed) continue;
    if (!(stream == kFrameStderr ? c->wantStderr : c->wantStdout)) continue;
    if (c->pending() >= kClientHighWater) return true;
  }
  return false;
}

void Monitor::refresh(int64_t now) {
  // A paused source is not idle: its process may have more to say once the client catches up
  // (or is dropped), so the drain grace restarts.
  for (Source* s : {&initOut_, &initErr_}) {
    if (!s->fd) continue;
    s->paused = clientsBehind(s->stream);
    loop_.setEvents(s->fd.get(), s->paused ? 0u : uint32_t{EPOLLIN});
    if (s->paused) initActivityMs_ = now;
  }
  for (auto& [id, e] : execs_) {
    bool behind = e->client && !e->client->dead && e->client->pending() >= kClientHighWater;
    for (Source* s : {&e->out, &e->err}) {
      if (!s->fd) continue;
      s->paused = behind;
      loop_.setEvents(s->fd.get(), behind ? 0u : uint32_t{EPOLLIN});
      if (behind) e->lastActivityMs = now;
    }
    refreshSink(e->in);
  }
  refreshSink(initIn_);
  for (auto& c : clients_) {
    if (c->dead) continue;
    uint32_t events = 0;
    if (!c->inputEnded) {
      // A client whose stdin target is full waits: its own socket buffer then fills and
      // pushes back on it.
      bool room = true;
      if (c->mode == ClientMode::Attach && c->wantStdin && phase_ == Phase::Created) {
        room = false;  // until start makes the process's stdin: held in the client's socket
      } else if (c->mode == ClientMode::Attach && c->wantStdin && initIn_.valid()) {
        room = initIn_.hasRoom();
      } else if (c->mode == ClientMode::Exec) {
        Exec* e = findExec(c->execId);
        if (e && e->in.valid()) room = e->in.hasRoom();
      }
      if (room) events |= EPOLLIN;
    }
    if (c->pending() > 0) events |= EPOLLOUT;
    loop_.setEvents(c->fd(), events);
  }
}

void Monitor::refreshSink(Sink& s) {
  if (!s.valid()) return;
  if (s.done()) {
    loop_.remove(s.fd());
    s.close();
    return;
  }
  if (!s.hasPending()) {
    loop_.remove(s.fd());
  } else if (!loop_.watches(s.fd())) {
    auto st = loop_.add(s.fd(), EPOLLOUT, [&s](uint32_t) { s.flush(); });
    if (!st) warn(st.error().what());
  }
}

bool Monitor::hasTimers() const {
  if (phase_ == Phase::Exited || phase_ == Phase::Closing) return true;
  for (const auto& [id, e] : execs_) {
    if (e->exited) return true;
  }
  for (const auto& c : clients_) {
    if (c->pending() > 0) return true;
  }
  return false;
}

}  // namespace berth::shim
