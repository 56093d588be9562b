#include "shim/event_loop.h"

#include <sys/epoll.h>

#include "shim/util.h"

namespace berth::shim {

Status EventLoop::init() {
  ep_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep_) return sysError(errno, "epoll_create1");
  return ok();
}

EventLoop::Entry* EventLoop::find(int fd) const {
  if (fd < 0 || static_cast<size_t>(fd) >= entries_.size()) return nullptr;
  return entries_[static_cast<size_t>(fd)].get();
}

Status EventLoop::add(int fd, uint32_t events, Handler handler) {
  if (fd < 0) return Error(ErrorKind::InvalidArgument, "epoll: no fd");
  if (find(fd)) return Error(ErrorKind::AlreadyExists, "epoll: fd already watched");
  auto e = std::make_unique<Entry>(Entry{fd, events, std::move(handler)});
  struct epoll_event ev {};
  ev.events = events;
  ev.data.ptr = e.get();
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return sysError(errno, "epoll_ctl add");
  if (static_cast<size_t>(fd) >= entries_.size()) entries_.resize(static_cast<size_t>(fd) + 1);
  entries_[static_cast<size_t>(fd)] = std::move(e);
  return ok();
}

void EventLoop::setEvents(int fd, uint32_t events) {
  Entry* e = find(fd);
  if (!e || e->events == events) return;
  struct epoll_event ev {};
  ev.events = events;
  ev.data.ptr = e;
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_MOD, fd, &ev) == 0) e->events = events;
}

void EventLoop::remove(int fd) {
  if (!find(fd)) return;
  ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
  auto& slot = entries_[static_cast<size_t>(fd)];
  slot->alive = false;
  removed_.push_back(std::move(slot));
}

Status EventLoop::poll(int timeoutMs) {
  struct epoll_event events[32];
  int n = ::epoll_wait(ep_.get(), events, 32, timeoutMs);
  if (n < 0) {
    if (errno == EINTR) return ok();
    return sysError(errno, "epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    auto* e = static_cast<Entry*>(events[i].data.ptr);
    if (e->alive) e->handler(events[i].events);
  }
  removed_.clear();
  return ok();
}

}  // namespace berth::shim
