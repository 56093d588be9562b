// Container statistics from the cgroup files of each version.

#include <unistd.h>

#include <limits>

#include "base/file.h"
#include "base/strings.h"
#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

// The file's content, or nullopt when the file (or its directory) does not exist.
Result<std::optional<std::string>> readIfPresent(const std::string& dir, std::string_view file) {
  if (dir.empty()) return std::optional<std::string>();
  std::string path = dir + "/" + std::string(file);
  auto text = readFile(path);
  if (!text) {
    if (text.error().sysErrno() == ENOENT) return std::optional<std::string>();
    return std::move(text).error();
  }
  return std::optional<std::string>(std::move(*text));
}

// Reads a single-number file into out; absent leaves out unchanged.
Status readUint(const std::string& dir, std::string_view file, uint64_t& out,
                uint64_t maxValue = std::numeric_limits<uint64_t>::max()) {
  auto text = TRY(readIfPresent(dir, file));
  if (!text) return ok();
  auto v = TRY(parseMaxOrUint(*text, file));
  out = v ? *v : maxValue;
  return ok();
}

Result<std::map<std::string, uint64_t>> readKeyed(const std::string& dir, std::string_view file) {
  auto text = TRY(readIfPresent(dir, file));
  if (!text) return std::map<std::string, uint64_t>();
  return parseFlatKeyed(*text);
}

uint64_t valueOr0(const std::map<std::string, uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

Result<Stats> v1Stats(const std::function<std::string(std::string_view)>& dirFor) {
  Stats s;
  std::string memory = dirFor("memory");
  TRY(readUint(memory, "memory.usage_in_bytes", s.memoryUsage));
  TRY(readUint(memory, "memory.limit_in_bytes", s.memoryLimit));
  TRY(readUint(memory, "memory.max_usage_in_bytes", s.memoryMaxUsage));
  s.memoryCache = valueOr0(TRY(readKeyed(memory, "memory.stat")), "cache");
  uint64_t memsw = 0;
  TRY(readUint(memory, "memory.memsw.usage_in_bytes", memsw));
  if (memsw > s.memoryUsage) s.swapUsage = memsw - s.memoryUsage;

  std::string cpuacct = dirFor("cpuacct");
  TRY(readUint(cpuacct, "cpuacct.usage", s.cpuUsageNs));
  if (auto percpu = TRY(readIfPresent(cpuacct, "cpuacct.usage_percpu"))) {
    for (const auto& field : split(trim(*percpu), ' ', true))
      s.perCpuNs.push_back(TRY(parseUint(field, "cpuacct.usage_percpu")));
  }
  // cpuacct.stat counts in USER_HZ ticks.
  auto ticks = TRY(readKeyed(cpuacct, "cpuacct.stat"));
  uint64_t nsPerTick = 1'000'000'000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  s.cpuUserNs = valueOr0(ticks, "user") * nsPerTick;
  s.cpuSystemNs = valueOr0(ticks, "system") * nsPerTick;

  auto cpu = TRY(readKeyed(dirFor("cpu"), "cpu.stat"));
  s.periods = valueOr0(cpu, "nr_periods");
  s.throttledPeriods = valueOr0(cpu, "nr_throttled");
  s.throttledTimeNs = valueOr0(cpu, "throttled_time");

  std::string pids = dirFor("pids");
  TRY(readUint(pids, "pids.current", s.pidsCurrent));
  TRY(readUint(pids, "pids.max", s.pidsLimit, 0));
  return s;
}

Result<Stats> v2Stats(const std::string& dir) {
  Stats s;
  TRY(readUint(dir, "memory.current", s.memoryUsage));
  TRY(readUint(dir, "memory.max", s.memoryLimit));
  TRY(readUint(dir, "memory.peak", s.memoryMaxUsage));  // Linux 5.19 and later
  TRY(readUint(dir, "memory.swap.current", s.swapUsage));
  s.memoryCache = valueOr0(TRY(readKeyed(dir, "memory.stat")), "file");

  auto cpu = TRY(readKeyed(dir, "cpu.stat"));
  s.cpuUsageNs = valueOr0(cpu, "usage_usec") * 1000;
  s.cpuUserNs = valueOr0(cpu, "user_usec") * 1000;
  s.cpuSystemNs = valueOr0(cpu, "system_usec") * 1000;
  s.periods = valueOr0(cpu, "nr_periods");
  s.throttledPeriods = valueOr0(cpu, "nr_throttled");
  s.throttledTimeNs = valueOr0(cpu, "throttled_usec") * 1000;

  TRY(readUint(dir, "pids.current", s.pidsCurrent));
  TRY(readUint(dir, "pids.max", s.pidsLimit, 0));
  return s;
}

}  // namespace berth::runtime::cgroups
