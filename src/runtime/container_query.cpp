// Read-only operations and the freezer: state, list, ps, stats, pause, resume, update.

#include "base/file.h"
#include "runtime/container.h"
#include "runtime/container_internal.h"

namespace berth::runtime {

Result<ContainerInfo> inspect(const Globals& g, const std::string& id) {
  auto c = TRY(detail::loadContainer(g, id));
  return ContainerInfo{std::move(c.state), c.status};
}

Result<std::vector<ContainerInfo>> list(const Globals& g) {
  StateStore store(g.root);
  std::vector<ContainerInfo> out;
  for (const auto& id : TRY(store.ids())) {
    auto c = inspect(g, id);
    if (c) out.push_back(std::move(*c));  // a container deleted meanwhile is simply absent
  }
  return out;
}

Result<std::vector<pid_t>> pids(const Globals& g, const std::string& id) {
  auto c = TRY(detail::loadContainer(g, id));
  if (!c.cgroup) return std::vector<pid_t>{};
  return c.cgroup->pids();
}

Status pause(const Globals& g, const std::string& id) {
  auto c = TRY_CTX(detail::loadContainer(g, id), "pause container {}", id);
  if (c.status != ContainerStatus::Running && c.status != ContainerStatus::Created) {
    return Error(
        ErrorKind::FailedPrecondition,
        fmt::format("pause container {}: container is {}, not running", id, statusName(c.status)));
  }
  if (!c.cgroup) return Error::internal("pause container {}: no cgroup", id);
  TRY_CTX(c.cgroup->freeze(), "pause container {}", id);
  return ok();
}

Status resume(const Globals& g, const std::string& id) {
  auto c = TRY_CTX(detail::loadContainer(g, id), "resume container {}", id);
  if (c.status != ContainerStatus::Paused) {
    return Error(
        ErrorKind::FailedPrecondition,
        fmt::format("resume container {}: container is {}, not paused", id, statusName(c.status)));
  }
  TRY_CTX(c.cgroup->thaw(), "resume container {}", id);
  return ok();
}

Result<Json> stats(const Globals& g, const std::string& id) {
  auto c = TRY(detail::loadContainer(g, id));
  if (c.status == ContainerStatus::Stopped) {
    return Error(ErrorKind::FailedPrecondition, fmt::format("container {} is not running", id));
  }
  if (!c.cgroup) return Error::internal("container {} has no cgroup", id);
  auto s = TRY(c.cgroup->stats());
  Json data = {
      {"cpu",
       {{"usage",
         {{"total", s.cpuUsageNs},
          {"percpu", s.perCpuNs},
          {"kernel", s.cpuSystemNs},
          {"user", s.cpuUserNs}}},
        {"throttling",
         {{"periods", s.periods},
          {"throttledPeriods", s.throttledPeriods},
          {"throttledTime", s.throttledTimeNs}}}}},
      {"memory",
       {{"usage", {{"limit", s.memoryLimit}, {"usage", s.memoryUsage}, {"max", s.memoryMaxUsage}}},
        {"swap", {{"usage", s.swapUsage}}},
        {"cache", s.memoryCache}}},
      {"pids", {{"current", s.pidsCurrent}, {"limit", s.pidsLimit}}}};
  return Json{{"type", "stats"}, {"id", id}, {"data", data}};
}

Status update(const Globals& g, const std::string& id, const oci::Resources& r) {
  auto c = TRY_CTX(detail::loadContainer(g, id), "update container {}", id);
  if (c.status == ContainerStatus::Stopped) {
    return Error(ErrorKind::FailedPrecondition,
                 fmt::format("update container {}: container is stopped", id));
  }
  TRY_CTX(c.cgroup->apply(r), "update container {}", id);
  if (!c.state.spec.linux) c.state.spec.linux.emplace();
  c.state.spec.linux->resources = r;
  TRY(StateStore(g.root).save(c.state));
  return ok();
}

}  // namespace berth::runtime
