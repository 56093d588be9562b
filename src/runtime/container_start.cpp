#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/hooks.h"
#include "sys/syscalls.h"

namespace berth::runtime {

Status start(const Globals& g, const std::string& id) {
  auto c = TRY_CTX(detail::loadContainer(g, id), "start container {}", id);
  if (c.status != ContainerStatus::Created) {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("start container {}: cannot start a container that is {}", id,
                             statusName(c.status)));
  }
  StateStore store(g.root);
  std::string fifo = store.fifoPath(id);
  // Non-blocking open never waits for a writer; poll then waits for the init's byte while we
  // keep checking that the init is still alive.
  UniqueFd fd(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", fifo).context(fmt::format("start container {}", id));
  while (true) {
    struct pollfd p {
      fd.get(), POLLIN, 0
    };
    int r = ::poll(&p, 1, 100);
    if (r > 0 && (p.revents & POLLIN)) {
      char b;
      if (::read(fd.get(), &b, 1) == 1) break;
    }
    if (r < 0 && errno != EINTR) return Error::sys(errno, "poll {}", fifo);
    auto st = sys::processStartTime(c.state.pid);
    if (!st || *st != c.state.pidStartTime) {
      return Error::make(ErrorKind::FailedPrecondition,
                         "start container {}: the init process exited", id);
    }
  }
  ::unlink(fifo.c_str());
  std::string state = dumpJson(ociState(c.state, ContainerStatus::Running));
  if (auto st = runHooks(c.state.spec.hooks.poststart, state, "poststart"); !st) {
    spdlog::warn("{}", st.error().what());
  }
  return ok();
}

}  // namespace berth::runtime
