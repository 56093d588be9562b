#pragma once
// A single-threaded epoll loop: level-triggered interest per fd and a handler called with the
// ready events. Handlers may add, change or remove any fd, their own included, while a batch
// of events is being dispatched.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::shim {

class EventLoop {
 public:
  using Handler = std::function<void(uint32_t events)>;

  /// Creates the epoll instance.
  Status init();
  /// Watches fd (borrowed; remove it before closing it) for events (EPOLLIN, EPOLLOUT; HUP and
  /// ERR are always reported). AlreadyExists when fd is watched.
  Status add(int fd, uint32_t events, Handler handler);
  /// Changes the interest of a watched fd; a no-op when unchanged or not watched.
  void setEvents(int fd, uint32_t events);
  /// Stops watching fd; its handler is not called again, even later in the current batch.
  void remove(int fd);
  bool watches(int fd) const { return find(fd) != nullptr; }
  /// Waits up to timeoutMs (-1: no limit) and dispatches what is ready. EINTR is no error.
  Status poll(int timeoutMs);

 private:
  struct Entry {
    int fd;
    uint32_t events;
    Handler handler;
    bool alive = true;
  };
  Entry* find(int fd) const;

  UniqueFd ep_;
  std::vector<std::unique_ptr<Entry>> entries_;  // indexed by fd: fds are small and dense
  std::vector<std::unique_ptr<Entry>> removed_;  // freed after the batch that removed them
};

}  // namespace berth::shim
