#pragma once
// Network namespaces for containers, made by berthd as Docker's libnetwork makes its sandboxes:
// loopback up with 127.0.0.1, IPv6 off (Docker's `none` network), handed to the runtime by path
// in the spec. A creation takes ~0.4 ms of CPU here (every protocol's per-namespace set-up), so
// a thread of its own keeps a few made ahead and a start only takes one.

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::engine {

class NetnsPool {
 public:
  explicit NetnsPool(size_t ahead = 2) : ahead_(ahead) {}
  NetnsPool(const NetnsPool&) = delete;
  NetnsPool& operator=(const NetnsPool&) = delete;
  ~NetnsPool();

  /// Starts the thread that makes them, once (the first take() does otherwise).
  void start();
  /// A new network namespace nothing else has used (an nsfs fd), waiting for one to be made
  /// when none is ready.
  Result<UniqueFd> take();

 private:
  void startLocked();
  void run();
  void fillerPriority(bool urgent);  // under mu_

  const size_t ahead_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<UniqueFd> ready_;
  std::thread filler_;
  pid_t fillerTid_ = 0;
  bool closing_ = false, urgent_ = false;
  std::optional<Error> broken_;  // the thread could not make one and stopped
};

/// Makes a network namespace as NetnsPool does, on the calling thread, which is back in its own
/// network namespace on return. Exposed for tests.
Result<UniqueFd> makeNetns();

}  // namespace berth::engine
