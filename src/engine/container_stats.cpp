// docker stats: one sample of a running container's cgroup counters in Docker's StatsJSON
// shape (cgroup v1 controllers, or the unified v2 files), plus the host's CPU time the CLI
// divides by.

#include <unistd.h>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"

namespace berth::engine {

namespace {

int64_t readInt(const std::string& path) {
  auto t = readFile(path);
  if (!t) return 0;
  std::string v(trim(*t));
  if (v == "max") return 0;
  return parseInt(v, path).value_or(0);
}

std::map<std::string, int64_t> readKeyed(const std::string& path) {
  std::map<std::string, int64_t> out;
  auto t = readFile(path);
  if (!t) return out;
  for (const std::string& line : split(*t, '\n', true)) {
    auto f = split(line, ' ', true);
    if (f.size() == 2) out[f[0]] = parseInt(f[1], path).value_or(0);
  }
  return out;
}

// Host CPU time in ns, from /proc/stat's first line (USER_HZ ticks), as Docker computes it.
int64_t systemCpuNs() {
  auto t = readFile("/proc/stat");
  if (!t) return 0;
  auto lines = split(*t, '\n', true);
  if (lines.empty()) return 0;
  auto f = split(lines[0], ' ', true);
  int64_t ticks = 0;
  for (size_t i = 1; i < f.size() && i <= 7; ++i) ticks += parseInt(f[i], "cpu").value_or(0);
  return ticks * (1000000000 / ::sysconf(_SC_CLK_TCK));
}

}  // namespace

Result<Json> ContainerService::statsSample(const std::string& nameOrId) const {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::string id, name, rel;
  bool running;
  {
    std::lock_guard lk(c->mu);
    id = c->id;
    name = c->doc.value("Name", "");
    rel = im.cgroupPath(c->doc);
    running = c->doc["State"].value("Running", false);
  }
  long ncpu = ::sysconf(_SC_NPROCESSORS_ONLN);
  Json cpu = {
      {"cpu_usage", {{"total_usage", 0}, {"usage_in_kernelmode", 0}, {"usage_in_usermode", 0}}},
      {"system_cpu_usage", systemCpuNs()},
      {"online_cpus", ncpu},
      {"throttling_data", {{"periods", 0}, {"throttled_periods", 0}, {"throttled_time", 0}}}};
  Json mem = Json::object();
  Json pids = Json::object();
  Json ioBytes = Json::array(), ioOps = Json::array();
  if (running) {
    bool v2 = ::access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
    if (v2) {
      std::string dir = "/sys/fs/cgroup" + rel;
      auto st = readKeyed(dir + "/cpu.stat");
      cpu["cpu_usage"] = {{"total_usage", st["usage_usec"] * 1000},
                          {"usage_in_kernelmode", st["system_usec"] * 1000},
                          {"usage_in_usermode", st["user_usec"] * 1000}};
      cpu["throttling_data"] = {{"periods", st["nr_periods"]},
                                {"throttled_periods", st["nr_throttled"]},
                                {"throttled_time", st["throttled_usec"] * 1000}};
      auto ms = readKeyed(dir + "/memory.stat");
      int64_t limit = readInt(dir + "/memory.max");
      mem = {
          {"usage", readInt(dir + "/memory.current")}, {"stats", ms}, {"limit", limit ? limit : 0}};
      pids = {{"current", readInt(dir + "/pids.current")}};
      if (int64_t l = readInt(dir + "/pids.max")) pids["limit"] = l;
      // io.stat: "8:0 rbytes=N wbytes=N rios=N wios=N ...", as docker reads it on v2.
      for (const std::string& line : split(readFile(dir + "/io.stat").value_or(""), '\n', true)) {
        auto f = split(line, ' ', true);
        unsigned major = 0, minor = 0;
        if (f.empty() || std::sscanf(f[0].c_str(), "%u:%u", &major, &minor) != 2) continue;
        for (size_t i = 1; i < f.size(); ++i) {
          auto eq = f[i].find('=');
          if (eq == std::string::npos) continue;
          std::string k = f[i].substr(0, eq);
          int64_t v = parseInt(f[i].substr(eq + 1), "io.stat").value_or(0);
          Json e = {{"major", major},
                    {"minor", minor},
                    {"op", k[0] == 'r' ? "read" : "write"},
                    {"value", v}};
          if (k == "rbytes" || k == "wbytes") ioBytes.push_back(e);
          if (k == "rios" || k == "wios") ioOps.push_back(e);
        }
      }
    } else {
      std::string acct = "/sys/fs/cgroup/cpuacct" + rel;
      auto st = readKeyed(acct + "/cpuacct.stat");
      int64_t tick = 1000000000 / ::sysconf(_SC_CLK_TCK);
      Json percpu = Json::array();
      if (auto t = readFile(acct + "/cpuacct.usage_percpu")) {
        for (const std::string& v : split(std::string(trim(*t)), ' ', true))
          percpu.push_back(parseInt(v, "percpu").value_or(0));
      }
      cpu["cpu_usage"] = {{"total_usage", readInt(acct + "/cpuacct.usage")},
                          {"percpu_usage", percpu},
                          {"usage_in_kernelmode", st["system"] * tick},
                          {"usage_in_usermode", st["user"] * tick}};
      auto th = readKeyed("/sys/fs/cgroup/cpu" + rel + "/cpu.stat");
      cpu["throttling_data"] = {{"periods", th["nr_periods"]},
                                {"throttled_periods", th["nr_throttled"]},
                                {"throttled_time", th["throttled_time"]}};
      // blkio: "8:0 Read 4096" lines, as docker reads them on v1.
      std::string b = "/sys/fs/cgroup/blkio" + rel;
      for (auto [file, out] : {std::pair{"/blkio.throttle.io_service_bytes_recursive", &ioBytes},
                               {"/blkio.throttle.io_serviced_recursive", &ioOps}}) {
        for (const std::string& line : split(readFile(b + file).value_or(""), '\n', true)) {
          auto f = split(line, ' ', true);
          unsigned major = 0, minor = 0;
          if (f.size() != 3 || std::sscanf(f[0].c_str(), "%u:%u", &major, &minor) != 2) continue;
          out->push_back({{"major", major},
                          {"minor", minor},
                          {"op", f[1]},
                          {"value", parseInt(f[2], "blkio").value_or(0)}});
        }
      }
      std::string m = "/sys/fs/cgroup/memory" + rel;
      int64_t limit = readInt(m + "/memory.limit_in_bytes");
      // "no limit" on v1 is a huge page-rounded number; Docker shows the host's memory then.
      if (limit <= 0 || limit >= (int64_t{1} << 62))
        limit = ::sysconf(_SC_PHYS_PAGES) * ::sysconf(_SC_PAGESIZE);
      mem = {{"usage", readInt(m + "/memory.usage_in_bytes")},
             {"max_usage", readInt(m + "/memory.max_usage_in_bytes")},
             {"failcnt", readInt(m + "/memory.failcnt")},
             {"stats", readKeyed(m + "/memory.stat")},
             {"limit", limit}};
      std::string p = "/sys/fs/cgroup/pids" + rel;
      pids = {{"current", readInt(p + "/pids.current")}};
      if (int64_t l = readInt(p + "/pids.max")) pids["limit"] = l;
    }
  }
  return Json{
      {"read", nowRfc3339Nano()},
      {"preread", "0001-01-01T00:00:00Z"},
      {"pids_stats", pids},
      {"blkio_stats",
       {{"io_service_bytes_recursive", running ? ioBytes : Json(nullptr)},
        {"io_serviced_recursive", running ? ioOps : Json(nullptr)},
        {"io_queue_recursive", nullptr},
        {"io_service_time_recursive", nullptr},
        {"io_wait_time_recursive", nullptr},
        {"io_merged_recursive", nullptr},
        {"io_time_recursive", nullptr},
        {"sectors_recursive", nullptr}}},
      {"num_procs", 0},
      {"storage_stats", Json::object()},
      {"cpu_stats", cpu},
      {"precpu_stats",
       {{"cpu_usage", {{"total_usage", 0}, {"usage_in_kernelmode", 0}, {"usage_in_usermode", 0}}},
        {"throttling_data", {{"periods", 0}, {"throttled_periods", 0}, {"throttled_time", 0}}}}},
      {"memory_stats", mem},
      {"name", name},
      {"id", id}};
}

}  // namespace berth::engine
